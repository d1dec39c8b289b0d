import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { lcsIndices, lcsTable, rougeScores, rougeScoresMulti, summaryLevelLcs, unionLcs } from '../../../src/core/textEval/rouge';
import { rougeTokenize } from '../../../src/core/textEval/rougeTokenizer';

// Expected values are those of rouge-score's own tests (google-research/google-research,
// rouge/rouge_scorer_test.py, on its testdata files, kept in test/fixtures/textEval); others are
// derived by hand in comments.
const close = (actual: number, expected: number, tolerance = 1e-9): void => {
  assert.ok(Math.abs(actual - expected) <= tolerance, `expected ${expected}, got ${actual}`);
};

test('tokenizer: lowercase, non-alphanumerics become spaces', () => {
  assert.deepEqual(rougeTokenize("The Quick-brown fox's 2nd jump!"), ['the', 'quick', 'brown', 'fox', 's', '2nd', 'jump']);
  assert.deepEqual(rougeTokenize('/'), []);
  assert.deepEqual(rougeTokenize('café'), ['caf']); // é is not in [a-z0-9], as in rouge-score
});

test('testRouge1 / testRouge2 / testRougeL* / testMultipleRougeTypes', () => {
  const r1 = rougeScores('testing one two', 'testing').rouge1;
  close(r1.precision, 1);
  close(r1.recall, 1 / 3);
  close(r1.fmeasure, 1 / 2);
  const two = rougeScores('testing one two', 'testing one');
  close(two.rouge2.precision, 1);
  close(two.rouge2.recall, 1 / 2);
  close(two.rouge2.fmeasure, 2 / 3);
  close(two.rouge1.recall, 2 / 3);
  close(two.rouge1.fmeasure, 4 / 5);
  close(two.rougeL.precision, 1);
  close(two.rougeL.recall, 2 / 3);
  close(two.rougeL.fmeasure, 4 / 5);
  const nonConsecutive = rougeScores('testing one two', 'testing two').rougeL;
  close(nonConsecutive.precision, 1);
  close(nonConsecutive.recall, 2 / 3);
  close(nonConsecutive.fmeasure, 4 / 5);
});

test('testRougeEmpty: an empty prediction scores 0 everywhere', () => {
  for (const s of Object.values(rougeScores('testing one two', ''))) assert.deepEqual(s, { precision: 0, recall: 0, fmeasure: 0 });
});

test('testLcsTable / testUnionLcs / testSummaryLevelLcs', () => {
  const ref = [1, 2, 3, 4, 5];
  const c1 = [2, 5, 3, 4];
  assert.equal(lcsTable(ref, c1)[ref.length]?.[c1.length], 3);
  assert.deepEqual(lcsIndices(ref, c1), [1, 2, 3]);
  assert.deepEqual(lcsIndices(ref, [8, 9]), []);
  assert.deepEqual(unionLcs(ref, [[1, 2, 6, 7, 8], [1, 3, 8, 9, 5]]), [1, 2, 3, 5]);
  const s = summaryLevelLcs([['1', '2', '3', '4', '5']], [['1', '2', '6', '7', '8'], ['1', '3', '8', '9', '5']]);
  assert.equal(s.recall, 0.8); // 4 / 5
  assert.equal(s.precision, 0.4); // 4 / 10
  close(s.fmeasure, 2 * 0.4 * 0.8 / 1.2); // 0.5333
  assert.equal(summaryLevelLcs([['reference']], [[]]).recall, 0);
});

test('testRougeLsum: "w1 w2 w3 w4 w5" vs two candidate sentences; empty and all-punctuation cases', () => {
  const s = rougeScores('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5').rougeLsum;
  close(s.recall, 0.8);
  close(s.precision, 0.4);
  close(s.fmeasure, 0.5333, 1e-4);
  for (const [t, p] of [['w1 w2 w3 w4 w5', ''], ['', 'w1'], ['w1 w2 w3 w4 w5', '/']] as const) {
    assert.deepEqual(rougeScores(t, p).rougeLsum, { precision: 0, recall: 0, fmeasure: 0 });
  }
});

test('"The quick brown fox…" (the rouge-score README pair), derived by hand', () => {
  // target: the quick brown fox jumps over the lazy dog (9 tokens)
  // prediction: the quick brown dog jumps on the log (8 tokens)
  // unigram overlap: the×2, quick, brown, dog, jumps = 6 → P 6/8, R 6/9, F 12/17
  // bigrams: target 8, prediction 7; shared: "the quick", "quick brown" = 2 → P 2/7, R 2/8, F 4/15
  // LCS: the quick brown jumps the = 5 → P 5/8, R 5/9, F 10/17 (one sentence, so Lsum = L)
  const s = rougeScores('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.');
  close(s.rouge1.precision, 6 / 8);
  close(s.rouge1.recall, 6 / 9);
  close(s.rouge1.fmeasure, 12 / 17);
  close(s.rouge2.precision, 2 / 7);
  close(s.rouge2.recall, 2 / 8);
  close(s.rouge2.fmeasure, 4 / 15);
  close(s.rougeL.fmeasure, 10 / 17);
  assert.deepEqual(s.rougeLsum, s.rougeL);
});

test('score_multi keeps, per type, the reference with the best F', () => {
  const s = rougeScoresMulti(['completely different words', 'testing one two'], 'testing one');
  close(s.rouge1.fmeasure, 4 / 5);
  close(s.rouge1.recall, 2 / 3);
  assert.throws(() => rougeScoresMulti([], 'x'), /at least one reference/);
});

// --- stemming (use_stemmer=True) ---

interface RougeTestData {
  readonly targets: readonly string[];
  readonly predictions: readonly string[];
  readonly targetMulti: string;
  readonly predictionMulti: string;
}
const testData = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'textEval', 'rouge-score-testdata.json'), 'utf8')) as RougeTestData;

test('tokenizer with stemming: only tokens longer than 3 characters are stemmed (rouge-score tokenize.py)', () => {
  assert.deepEqual(rougeTokenize('Running dogs ran; the cats were happy!', { stem: true }), ['run', 'dog', 'ran', 'the', 'cat', 'were', 'happi']);
  // "dies" (4 letters) is stemmed to "die"; "was"/"has" (3) are left alone, though Porter would drop their s
  assert.deepEqual(rougeTokenize('He dies, was, has', { stem: true }), ['he', 'die', 'was', 'has']);
  assert.deepEqual(rougeTokenize('Running dogs'), ['running', 'dogs']);
});

test('"the dog runs" vs "running dogs": nothing matches without stemming; with it, rouge-score\'s numbers', () => {
  // Without stemming: target [the, dog, runs], prediction [running, dogs] share no token.
  const plain = rougeScores('the dog runs', 'running dogs');
  for (const type of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) assert.deepEqual(plain[type], { precision: 0, recall: 0, fmeasure: 0 }, type);
  // With stemming: target [the, dog, run] (the and dog are too short to stem; runs → run),
  // prediction [run, dog] (running → run, dogs → dog).
  const s = rougeScores('the dog runs', 'running dogs', { stem: true });
  // ROUGE-1: both prediction tokens are in the target → P 2/2, R 2/3, F 2·1·(2/3)/(5/3) = 4/5
  close(s.rouge1.precision, 1);
  close(s.rouge1.recall, 2 / 3);
  close(s.rouge1.fmeasure, 4 / 5);
  // ROUGE-2: target bigrams "the dog", "dog run"; prediction "run dog" → none shared
  assert.deepEqual(s.rouge2, { precision: 0, recall: 0, fmeasure: 0 });
  // ROUGE-L: the order differs (dog…run vs run…dog), so the LCS is one token → P 1/2, R 1/3, F 2/5
  close(s.rougeL.precision, 1 / 2);
  close(s.rougeL.recall, 1 / 3);
  close(s.rougeL.fmeasure, 2 / 5);
  assert.deepEqual(s.rougeLsum, s.rougeL);
});

test('testRouge1AgainstRouge155WithStemming / testRouge2…WithStemming: the published ROUGE-1.5.5 scores', () => {
  // rouge_scorer_test.py checks these to 5 decimal places; the first pair is unchanged by stemming.
  const first = rougeScores(testData.targets[0] ?? '', testData.predictions[0] ?? '', { stem: true });
  close(first.rouge1.recall, 0.40741, 5e-6);
  close(first.rouge1.precision, 0.6875, 5e-6);
  close(first.rouge1.fmeasure, 0.51163, 5e-6);
  close(first.rouge2.recall, 0.30769, 5e-6);
  close(first.rouge2.precision, 0.53333, 5e-6);
  close(first.rouge2.fmeasure, 0.39024, 5e-6);
  const second = rougeScores(testData.targets[1] ?? '', testData.predictions[1] ?? '', { stem: true });
  close(second.rouge1.recall, 0.42857, 5e-6);
  close(second.rouge1.precision, 0.69231, 5e-6);
  close(second.rouge1.fmeasure, 0.52941, 5e-6);
  close(second.rouge2.recall, 0.29268, 5e-6);
  close(second.rouge2.precision, 0.48, 5e-6);
  close(second.rouge2.fmeasure, 0.36364, 5e-6);
  // and without stemming the second pair scores lower on ROUGE-1 (testRouge1AgainstRouge155)
  const unstemmed = rougeScores(testData.targets[1] ?? '', testData.predictions[1] ?? '');
  close(unstemmed.rouge1.recall, 0.40476, 5e-6);
  close(unstemmed.rouge1.precision, 0.65385, 5e-6);
  close(unstemmed.rouge1.fmeasure, 0.5, 5e-6);
  close(unstemmed.rougeL.fmeasure, 0.5, 5e-6);
});

test('testRougeLSumAgainstRouge155WithStemming: multi-sentence texts, published scores', () => {
  const s = rougeScores(testData.targetMulti, testData.predictionMulti, { stem: true }).rougeLsum;
  close(s.recall, 0.36538, 5e-6);
  close(s.precision, 0.66667, 5e-6);
  close(s.fmeasure, 0.47205, 5e-6);
});

test('score_multi passes stemming on to every reference', () => {
  const s = rougeScoresMulti(['cats sleeping', 'the dog runs'], 'running dogs', { stem: true });
  close(s.rouge1.fmeasure, 4 / 5);
});
