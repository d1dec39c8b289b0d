import { porterStem } from './porterStemmer';

/**
 * rouge-score's default tokenizer (rouge_score/tokenize.py): lowercase, every run of characters
 * outside [a-z0-9] becomes a space, split on whitespace, keep only [a-z0-9]+ tokens. With stemming
 * (use_stemmer=True) tokens longer than 3 characters go through NLTK's Porter stemmer first.
 */
const NON_ALPHANUMERIC = /[^a-z0-9]+/g;
const VALID_TOKEN = /^[a-z0-9]+$/;

export interface RougeTokenizeOptions {
  /** Porter stemming as rouge-score's use_stemmer=True (default false, as rouge-score) */
  readonly stem?: boolean;
}

// Evaluation sets repeat words a lot; the cache is dropped whole when full to bound memory.
const STEM_CACHE_LIMIT = 50_000;
const stemCache = new Map<string, string>();

function cachedStem(token: string): string {
  let stem = stemCache.get(token);
  if (stem === undefined) {
    if (stemCache.size >= STEM_CACHE_LIMIT) stemCache.clear();
    stem = porterStem(token);
    stemCache.set(token, stem);
  }
  return stem;
}

export function rougeTokenize(text: string, options: RougeTokenizeOptions = {}): string[] {
  const tokens = text.toLowerCase().replace(NON_ALPHANUMERIC, ' ').split(/\s+/u);
  const stemmed = options.stem ? tokens.map((token) => (token.length > 3 ? cachedStem(token) : token)) : tokens;
  return stemmed.filter((token) => VALID_TOKEN.test(token));
}
