import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseEvalSet } from '../../../src/core/textEval/evalSet';
import { latencyStats } from '../../../src/core/textEval/latencyStats';
import { evaluateTextRows } from '../../../src/core/textEval/textEvaluation';

test('rows: reference or references, optional latency and id; blank lines skipped', () => {
  const rows = parseEvalSet(
    [
      JSON.stringify({ input: 'q1', reference: 'a b', prediction: 'a b', latency_ms: 10, id: 7 }),
      '',
      JSON.stringify({ input: 'q2', references: ['x', 'y'], prediction: 'z' }),
    ].join('\r\n'),
    'set.jsonl',
  );
  assert.equal(rows.length, 2);
  assert.deepEqual(rows[0], { index: 0, line: 1, id: '7', input: 'q1', references: ['a b'], prediction: 'a b', latencyMs: 10 });
  assert.deepEqual(rows[1], { index: 1, line: 3, input: 'q2', references: ['x', 'y'], prediction: 'z' });
});

test('malformed rows name the file, line and field', () => {
  const bad = (line: string): RegExp | string => {
    try {
      parseEvalSet(`${JSON.stringify({ input: 'ok', reference: 'r', prediction: 'p' })}\n${line}`, 'set.jsonl');
    } catch (error) {
      return (error as Error).message;
    }
    return 'no error';
  };
  assert.match(String(bad('{"input": "q", "reference": "r"')), /^set\.jsonl line 2: not valid JSON/);
  assert.equal(bad('{"input": "q", "reference": "r"}'), 'set.jsonl line 2: field "prediction" is missing (or let a served model predict: mlops eval --endpoint URL)');
  assert.equal(bad('{"input": 3, "reference": "r", "prediction": "p"}'), 'set.jsonl line 2: field "input" must be a string');
  assert.equal(bad('{"input": "q", "references": [], "prediction": "p"}'), 'set.jsonl line 2: field "references" must be a non-empty list of strings');
  assert.equal(bad('{"input": "q", "references": ["a", 1], "prediction": "p"}'), 'set.jsonl line 2: field "references[1]" must be a string');
  assert.match(String(bad('{"input": "q", "prediction": "p"}')), /line 2: field "references" is missing/);
  assert.equal(bad('{"input": "q", "reference": "r", "prediction": "p", "latency_ms": -1}'), 'set.jsonl line 2: field "latency_ms" must be a non-negative number of milliseconds');
  assert.equal(bad('[1]'), 'set.jsonl line 2: expected a JSON object, got an array');
  assert.throws(() => parseEvalSet('\n\n', 'empty.jsonl'), /empty\.jsonl: no rows/);
});

test('aggregates: corpus BLEU of the sacreBLEU README example, ROUGE means, exact match, tokens, latency', async () => {
  const refs = [
    ['The dog bit the man.', 'The dog had bit the man.'],
    ['It was not unexpected.', 'No one was surprised.'],
    ['The man bit him first.', 'The man had bitten the dog.'],
  ];
  const preds = ['The dog bit the man.', "It wasn't surprising.", 'The man had just bitten him.'];
  const rows = parseEvalSet(preds.map((prediction, i) => JSON.stringify({ input: `q${i}`, references: refs[i], prediction, latency_ms: (i + 1) * 100 })).join('\n'), 'readme.jsonl');
  const progress: number[] = [];
  const result = await evaluateTextRows(rows, { onProgress: (done) => progress.push(done) });
  assert.ok(Math.abs((result.metrics.bleu ?? 0) - 48.530827) < 1e-6); // sacreBLEU README / test_bleu.py
  assert.equal(result.metrics.exact_match, 1 / 3); // row 0 equals its first reference
  assert.equal(result.metrics.prediction_tokens_total, 17);
  assert.equal(result.metrics.reference_tokens_total, 18);
  assert.ok(Math.abs((result.rows[0]?.bleu ?? 0) - 100) < 1e-9);
  assert.equal(result.rows[0]?.rouge.rouge1.fmeasure, 1);
  assert.equal(result.metrics.latency_p50_ms, 200);
  assert.equal(result.metrics.latency_max_ms, 300);
  assert.equal(result.metrics.latency_mean_ms, 200);
  const meanF = result.rows.reduce((s, r) => s + r.rouge.rougeL.fmeasure, 0) / 3;
  assert.equal(result.metrics.rougeL_f, meanF);
  assert.deepEqual(progress.at(-1), 3);
  await assert.rejects(evaluateTextRows(rows, { isCancelled: () => true }), /cancelled after 0 of 3 rows/);
});

test('latency percentiles are nearest-rank', () => {
  assert.equal(latencyStats([]), undefined);
  const s = latencyStats(Array.from({ length: 20 }, (_, i) => i + 1));
  assert.deepEqual(s, { count: 20, mean: 10.5, p50: 10, p95: 19, max: 20 });
});
