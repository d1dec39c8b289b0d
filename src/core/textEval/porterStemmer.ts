/**
 * The Porter stemmer as NLTK runs it by default (`PorterStemmer()`, mode NLTK_EXTENSIONS), because
 * that is what Google's rouge-score calls when `use_stemmer=True`. It is Porter's 1980 algorithm
 * plus NLTK's extensions, which change real scores: "array" stays "array" (the original turns a
 * final y after a vowel into i: "arrai"), "dies" → "die", "dying" → "die", "additionally" →
 * "addit", "geology" → "geolog". Martin Porter's own implementations (and the `stemmer` npm
 * package) differ from rouge-score on about 1.5% of English words, so this is written out here.
 *
 * Input is expected lowercase (rouge-score lowercases before it stems).
 */

type Condition = (stem: string) => boolean;
/** suffix → replacement if the condition holds on what is left; '*d' means "ends in a double consonant". */
type Rule = readonly [suffix: string, replacement: string, condition?: Condition];

// Irregular forms NLTK maps directly (its "pool"), bypassing the steps.
const IRREGULAR: ReadonlyMap<string, string> = new Map([
  ['sky', 'sky'],
  ['skies', 'sky'],
  ['dying', 'die'],
  ['lying', 'lie'],
  ['tying', 'tie'],
  ['news', 'news'],
  ['innings', 'inning'],
  ['inning', 'inning'],
  ['outings', 'outing'],
  ['outing', 'outing'],
  ['cannings', 'canning'],
  ['canning', 'canning'],
  ['howe', 'howe'],
  ['proceed', 'proceed'],
  ['exceed', 'exceed'],
  ['succeed', 'succeed'],
]);

function isVowelLetter(ch: string | undefined): boolean {
  return ch === 'a' || ch === 'e' || ch === 'i' || ch === 'o' || ch === 'u';
}

/** Porter's consonant: not a, e, i, o, u, and not a y that follows a consonant. */
function isConsonant(word: string, i: number): boolean {
  const ch = word[i];
  if (isVowelLetter(ch)) return false;
  if (ch === 'y') return i === 0 ? true : !isConsonant(word, i - 1);
  return true;
}

/** m in [C](VC){m}[V]: the number of vowel→consonant transitions. */
export function porterMeasure(stem: string): number {
  let m = 0;
  for (let i = 1; i < stem.length; i++) if (!isConsonant(stem, i - 1) && isConsonant(stem, i)) m++;
  return m;
}

const positiveMeasure: Condition = (stem) => porterMeasure(stem) > 0;
const measureAbove1: Condition = (stem) => porterMeasure(stem) > 1;

function containsVowel(stem: string): boolean {
  for (let i = 0; i < stem.length; i++) if (!isConsonant(stem, i)) return true;
  return false;
}

function endsDoubleConsonant(word: string): boolean {
  return word.length >= 2 && word[word.length - 1] === word[word.length - 2] && isConsonant(word, word.length - 1);
}

/** *o: ends consonant-vowel-consonant, the last not w, x or y; NLTK also counts a two-letter vowel-consonant word. */
function endsCvc(word: string): boolean {
  const n = word.length;
  if (n >= 3 && isConsonant(word, n - 3) && !isConsonant(word, n - 2) && isConsonant(word, n - 1)) {
    const last = word[n - 1];
    return last !== 'w' && last !== 'x' && last !== 'y';
  }
  return n === 2 && !isConsonant(word, 0) && isConsonant(word, 1);
}

/**
 * The first rule whose suffix matches decides: its replacement if its condition holds, otherwise
 * the word unchanged (later rules are not tried — "rational" keeps "ational" and never meets "tional").
 */
function applyFirstMatching(word: string, rules: readonly Rule[]): string {
  for (const [suffix, replacement, condition] of rules) {
    if (suffix === '*d') {
      if (!endsDoubleConsonant(word)) continue;
      const stem = word.slice(0, -2);
      return !condition || condition(stem) ? stem + replacement : word;
    }
    if (!word.endsWith(suffix)) continue;
    const stem = word.slice(0, word.length - suffix.length);
    return !condition || condition(stem) ? stem + replacement : word;
  }
  return word;
}

function step1a(word: string): string {
  // NLTK: "dies" → "die", while "flies" → "fli"
  if (word.length === 4 && word.endsWith('ies')) return word.slice(0, -3) + 'ie';
  return applyFirstMatching(word, [['sses', 'ss'], ['ies', 'i'], ['ss', 'ss'], ['s', '']]);
}

function step1b(word: string): string {
  // NLTK: "died" → "die", "spied" → "spi"
  if (word.endsWith('ied')) return word.slice(0, -3) + (word.length === 4 ? 'ie' : 'i');
  if (word.endsWith('eed')) {
    const stem = word.slice(0, -3);
    return porterMeasure(stem) > 0 ? stem + 'ee' : word;
  }
  let stem: string | undefined;
  for (const suffix of ['ed', 'ing']) {
    if (word.endsWith(suffix) && containsVowel(word.slice(0, word.length - suffix.length))) {
      stem = word.slice(0, word.length - suffix.length);
      break;
    }
  }
  if (stem === undefined) return word;
  const last = stem[stem.length - 1] ?? '';
  return applyFirstMatching(stem, [
    ['at', 'ate'],
    ['bl', 'ble'],
    ['iz', 'ize'],
    ['*d', last, () => last !== 'l' && last !== 's' && last !== 'z'],
    ['', 'e', (s) => porterMeasure(s) === 1 && endsCvc(s)],
  ]);
}

function step1c(word: string): string {
  // NLTK: y → i only after a consonant that is not the whole stem ("happy" → "happi", "enjoy", "spy" → "spi")
  return applyFirstMatching(word, [['y', 'i', (stem) => stem.length > 1 && isConsonant(stem, stem.length - 1)]]);
}

function step2(word: string): string {
  // NLTK applies alli → al first and runs step 2 again on the result
  if (word.endsWith('alli') && positiveMeasure(word.slice(0, -4))) return step2(word.slice(0, -4) + 'al');
  return applyFirstMatching(word, [
    ['ational', 'ate', positiveMeasure],
    ['tional', 'tion', positiveMeasure],
    ['enci', 'ence', positiveMeasure],
    ['anci', 'ance', positiveMeasure],
    ['izer', 'ize', positiveMeasure],
    ['bli', 'ble', positiveMeasure], // Porter's published rule is abli → able; his code and NLTK use bli
    ['alli', 'al', positiveMeasure],
    ['entli', 'ent', positiveMeasure],
    ['eli', 'e', positiveMeasure],
    ['ousli', 'ous', positiveMeasure],
    ['ization', 'ize', positiveMeasure],
    ['ation', 'ate', positiveMeasure],
    ['ator', 'ate', positiveMeasure],
    ['alism', 'al', positiveMeasure],
    ['iveness', 'ive', positiveMeasure],
    ['fulness', 'ful', positiveMeasure],
    ['ousness', 'ous', positiveMeasure],
    ['aliti', 'al', positiveMeasure],
    ['iviti', 'ive', positiveMeasure],
    ['biliti', 'ble', positiveMeasure],
    ['fulli', 'ful', positiveMeasure],
    // the l of logi stays with the stem, so "geology" works like "archaeology"
    ['logi', 'log', () => positiveMeasure(word.slice(0, -3))],
  ]);
}

function step3(word: string): string {
  return applyFirstMatching(word, [
    ['icate', 'ic', positiveMeasure],
    ['ative', '', positiveMeasure],
    ['alize', 'al', positiveMeasure],
    ['iciti', 'ic', positiveMeasure],
    ['ical', 'ic', positiveMeasure],
    ['ful', '', positiveMeasure],
    ['ness', '', positiveMeasure],
  ]);
}

function step4(word: string): string {
  return applyFirstMatching(word, [
    ['al', '', measureAbove1],
    ['ance', '', measureAbove1],
    ['ence', '', measureAbove1],
    ['er', '', measureAbove1],
    ['ic', '', measureAbove1],
    ['able', '', measureAbove1],
    ['ible', '', measureAbove1],
    ['ant', '', measureAbove1],
    ['ement', '', measureAbove1],
    ['ment', '', measureAbove1],
    ['ent', '', measureAbove1],
    ['ion', '', (stem) => measureAbove1(stem) && (stem.endsWith('s') || stem.endsWith('t'))],
    ['ou', '', measureAbove1],
    ['ism', '', measureAbove1],
    ['ate', '', measureAbove1],
    ['iti', '', measureAbove1],
    ['ous', '', measureAbove1],
    ['ive', '', measureAbove1],
    ['ize', '', measureAbove1],
  ]);
}

function step5a(word: string): string {
  // both conditions are tried here (unlike applyFirstMatching): (m>1) E → ; (m=1 and not *o) E →
  if (!word.endsWith('e')) return word;
  const stem = word.slice(0, -1);
  const m = porterMeasure(stem);
  return m > 1 || (m === 1 && !endsCvc(stem)) ? stem : word;
}

function step5b(word: string): string {
  return applyFirstMatching(word, [['ll', 'l', () => porterMeasure(word.slice(0, -1)) > 1]]);
}

/** The stem of a lowercase word, as NLTK's `PorterStemmer().stem(word)`. */
export function porterStem(word: string): string {
  const irregular = IRREGULAR.get(word);
  if (irregular !== undefined) return irregular;
  if (word.length <= 2) return word;
  return step5b(step5a(step4(step3(step2(step1c(step1b(step1a(word))))))));
}
