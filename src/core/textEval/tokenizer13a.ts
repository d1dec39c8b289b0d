/**
 * sacreBLEU's default "13a" tokenizer: the tokenization of mteval-v13a.pl, step for step, so BLEU
 * scores computed here match `sacrebleu` with its defaults.
 */

// The mteval-v13a punctuation class: { | } ~ [ \ ] ^ _ ` space ! " # $ % & ( ) * + : ; < = > ? @ /
// (apostrophe, comma, hyphen and period are handled by the number-aware rules after it).
const PUNCTUATION = /([{-~[-` -&(-+:-@/])/g;
// Period and comma split off unless preceded by a digit…
const PERIOD_COMMA_NOT_AFTER_DIGIT = /([^0-9])([.,])/g;
// …or unless followed by a digit.
const PERIOD_COMMA_NOT_BEFORE_DIGIT = /([.,])([^0-9])/g;
// A dash after a digit splits off ("5-6" → "5 - 6", but "well-known" stays).
const DASH_AFTER_DIGIT = /([0-9])(-)/g;

/** Tokenizes one segment as sacreBLEU's Tokenizer13a does; tokens are joined by single spaces. */
export function tokenize13a(segment: string): string {
  let line = segment.replaceAll('<skipped>', '').replaceAll('-\n', '').replaceAll('\n', ' ');
  if (line.includes('&')) {
    line = line.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  }
  line = ` ${line} `;
  line = line.replace(PUNCTUATION, ' $1 ');
  line = line.replace(PERIOD_COMMA_NOT_AFTER_DIGIT, '$1 $2 ');
  line = line.replace(PERIOD_COMMA_NOT_BEFORE_DIGIT, ' $1 $2');
  line = line.replace(DASH_AFTER_DIGIT, '$1 $2 ');
  return splitOnWhitespace(line).join(' ');
}

// Python's str.isspace() set, which differs from JavaScript's \s (\x1c–\x1f and \x85 in, \ufeff out).
// eslint-disable-next-line no-control-regex -- the control characters are the point: Python counts them as whitespace
const PYTHON_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
// eslint-disable-next-line no-control-regex -- as above
const PYTHON_TRAILING_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

/** Python's str.split() with no argument: runs of whitespace, no empty tokens. */
export function splitOnWhitespace(text: string): string[] {
  return text.split(PYTHON_WHITESPACE).filter((token) => token.length > 0);
}

/** Python's str.rstrip() with no argument. */
export function stripTrailingWhitespace(text: string): string {
  return text.replace(PYTHON_TRAILING_WHITESPACE, '');
}
