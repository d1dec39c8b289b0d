import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeBleu, corpusBleu, segmentBleuStats, sentenceBleu } from '../../../src/core/textEval/bleu';
import { tokenize13a } from '../../../src/core/textEval/tokenizer13a';

// Expected values come from sacreBLEU's own test suite (mjpost/sacrebleu, test/test_bleu.py) and
// README; each is re-derived by hand below so a reader can check it without Python.
const close = (actual: number, expected: number, tolerance = 1e-6): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
};

// The README example (also test_corpus_bleu_cases in test_bleu.py).
const hyps = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
const refStreams = [
  ['The dog bit the man.', 'It was not unexpected.', 'The man bit him first.'],
  ['The dog had bit the man.', 'No one was surprised.', 'The man had bitten the dog.'],
];
const refsPerHyp = hyps.map((_, i) => refStreams.map((stream) => stream[i] ?? ''));

test('13a tokenizer: punctuation, apostrophes, numbers, entities, skipped tags', () => {
  assert.equal(tokenize13a('The dog bit the man.'), 'The dog bit the man .');
  assert.equal(tokenize13a("It wasn't surprising."), "It wasn't surprising ."); // apostrophe is not split
  assert.equal(tokenize13a('It costs $1,000.50, really.'), 'It costs $ 1,000.50 , really .'); // digits keep , and .
  assert.equal(tokenize13a('pages 5-6 of a well-known book'), 'pages 5 - 6 of a well-known book'); // dash only after a digit
  assert.equal(tokenize13a('&quot;Hi&quot; &amp; &lt;bye&gt;'), '" Hi " & < bye >');
  assert.equal(tokenize13a('a<skipped> b (c) [d] {e}/f'), 'a b ( c ) [ d ] { e } / f');
  assert.equal(tokenize13a('hyph-\nenated\nline'), 'hyphenated line');
  // whitespace is Python's: \x1f and \x85 separate tokens, a byte-order mark does not
  assert.equal(tokenize13a('a\x1fb\x85c\ufeffd'), 'a b c\ufeffd');
});

test('corpus BLEU of the sacreBLEU README example is 48.530827 (published), with its n-gram counts', () => {
  // Tokens: hyp lengths 6 + 4 + 7 = 17; closest refs 6, 5 ("It was not unexpected ." vs "No one was
  // surprised ." — both 5), 7 → 18. Matches: 1-grams 6+2+6 = 14/17, 2-grams 5+0+2 = 7/14,
  // 3-grams 4+0+1 = 5/11, 4-grams 3+0+0 = 3/8 (README: 82.4/50.0/45.5/37.5, BP = 0.943).
  const bleu = corpusBleu(hyps, refsPerHyp);
  assert.deepEqual(bleu.correct, [14, 7, 5, 3]);
  assert.deepEqual(bleu.total, [17, 14, 11, 8]);
  assert.equal(bleu.hypLength, 17);
  assert.equal(bleu.refLength, 18);
  const byHand = Math.exp(1 - 18 / 17) * 100 * Math.pow((14 / 17) * (7 / 14) * (5 / 11) * (3 / 8), 1 / 4);
  close(bleu.score, byHand, 1e-9);
  close(bleu.score, 48.530827, 1e-6); // test_bleu.py: EPSILON 1e-8 against 48.530827 (rounded there to 6 places)
  close(corpusBleu(hyps, refsPerHyp, { smoothing: 'none' }).score, 48.530827, 1e-6);
});

test('without tokenization the README example scores 49.1919566 (test_bleu.py, tokenize="none")', () => {
  close(corpusBleu(hyps, refsPerHyp, { tokenizer: 'none' }).score, 49.1919566, 1e-6);
});

test('empty hypotheses score 0 and are not dropped (test_bleu.py)', () => {
  assert.equal(corpusBleu(['', '', ''], refsPerHyp).score, 0);
});

test('raw_corpus_bleu cases: floor smoothing 0.01, no tokenization, effective order (test_bleu.py)', () => {
  const raw = { smoothing: 'floor', smoothValue: 0.01, tokenizer: 'none', effectiveOrder: true } as const;
  close(corpusBleu(['this is a test'], [['this is a test']], raw).score / 100, 1.0, 1e-8);
  // 3/4, 2/3, 1/2, floor 0.01/1 → (0.0025)^(1/4) = sqrt(0.05)
  close(corpusBleu(['this is a fest'], [['this is a test']], raw).score / 100, 0.223606797749979, 1e-8);
  // "test" vs "a test": 1/1 unigram, no bigrams (order 1), BP = exp(1 - 2/1)
  close(corpusBleu(['test'], [['a test']], raw).score / 100, 0.3678794411714425, 1e-8);
  close(corpusBleu(['a test'], [['a test']], raw).score / 100, 1.0, 1e-8);
  // "a little test" vs "a test": 2/3, floor 0.01/2, floor 0.01/1, order 3 → (2/3·0.005·0.01)^(1/3)
  close(corpusBleu(['a little test'], [['a test']], raw).score / 100, 0.03218297948685433, 1e-8);
});

test('statistics and offsets of "am I am a character sequence" (test_bleu.py test_case_statistics/offset)', () => {
  const hyp = 'am I am a character sequence';
  const ref = 'I am a symbol string sequence a a';
  const stats = segmentBleuStats(hyp, [ref], { tokenizer: 'none' });
  assert.deepEqual(stats.correct, [4, 2, 1, 0]);
  assert.deepEqual(stats.total, [6, 5, 4, 3]);
  // floor 0.1 (the default): exp(1 - 8/6) · (4/6 · 2/5 · 1/4 · 0.1/3)^(1/4)
  close(corpusBleu([hyp], [[ref]], { smoothing: 'floor', tokenizer: 'none', effectiveOrder: true }).score / 100, 0.1555722182, 1e-8);
  assert.equal(corpusBleu([hyp], [[ref]], { smoothing: 'floor', smoothValue: 0, tokenizer: 'none', effectiveOrder: true }).score, 0);
});

test('compute_bleu from statistics (test_bleu.py test_case_scoring and degenerate stats)', () => {
  const s = computeBleu({ correct: [9, 7, 5, 3], total: [10, 8, 6, 4], hypLength: 11, refLength: 11 }, { smoothing: 'none' });
  close(s.score / 100, 0.8375922397, 1e-8);
  const floor = (correct: number[], total: number[], hyp: number, ref: number, value: number): number =>
    computeBleu({ correct, total, hypLength: hyp, refLength: ref }, { smoothing: 'floor', smoothValue: value }).score;
  assert.equal(floor([0, 0, 0, 0], [4, 4, 2, 1], 0, 1, 0), 0);
  assert.equal(floor([0, 0, 0, 0], [10, 11, 12, 0], 14, 10, 0), 0);
  assert.equal(floor([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0), 0);
  assert.equal(floor([6, 5, 4, 0], [6, 5, 4, 3], 6, 6, 0), 0);
  assert.equal(floor([0, 0, 0, 0], [0, 0, 0, 0], 0, 0, 0.1), 0);
  assert.equal(floor([0, 0, 0, 0], [0, 0, 0, 0], 1, 5, 0.01), 0);
});

test('sentence BLEU: exp smoothing halves the missing orders; add-k adds k from bigrams on', () => {
  // "this is a fest" vs "this is a test": 3/4, 2/3, 1/2, 0/1 → exp smoothing 100/(2·1) for 4-grams.
  const exp = sentenceBleu('this is a fest', ['this is a test']);
  assert.deepEqual(exp.precisions.map((p) => Number(p.toFixed(6))), [75, 66.666667, 50, 50]);
  close(exp.score, 100 * Math.pow(0.75 * (2 / 3) * 0.5 * 0.5, 1 / 4), 1e-9);
  // add-k (k = 1): 3/4, 3/4, 2/3, 1/2
  close(sentenceBleu('this is a fest', ['this is a test'], { smoothing: 'add-k' }).score, 100 * Math.pow(0.75 * 0.75 * (2 / 3) * 0.5, 1 / 4), 1e-9);
  // none: a zero 4-gram precision makes the score 0
  assert.equal(sentenceBleu('this is a fest', ['this is a test'], { smoothing: 'none' }).score, 0);
  // closest reference length: hyp 4 tokens, refs of 3 and 6 → 3 (|1| < |2|), so no penalty
  assert.equal(segmentBleuStats('a b c d', ['a b c', 'a b c d e f']).refLength, 3);
  // ties go to the shorter reference: hyp 4, refs 3 and 5 → 3
  assert.equal(segmentBleuStats('a b c d', ['a b c d e', 'a b c']).refLength, 3);
});
