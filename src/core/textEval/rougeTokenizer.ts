/**
 * rouge-score's default tokenizer (rouge_score/tokenize.py) with use_stemmer=False: lowercase,
 * every run of characters outside [a-z0-9] becomes a space, split on whitespace, keep only
 * [a-z0-9]+ tokens. Porter stemming (use_stemmer=True) is not implemented.
 */
const NON_ALPHANUMERIC = /[^a-z0-9]+/g;
const VALID_TOKEN = /^[a-z0-9]+$/;

export function rougeTokenize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(NON_ALPHANUMERIC, ' ')
    .split(/\s+/u)
    .filter((token) => VALID_TOKEN.test(token));
}
