import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricHistoryJson } from '../../../src/core/server/mlflowJson';

test('the hand-written history JSON parses to the same points JSON.stringify would give, edge numbers included', () => {
  const numbers = [0, 1, -1, 9, 10, 99, 100, 2147483647, 2147483648, -2147483649, 1795793233020, -1795793233020, 9007199254740991, 100000000, 300000007, 1e8 * 12345 + 1, 0.5, -0.25, 1e21, 1.5e-7, 1 / 3, -0];
  const f = Float64Array.from(numbers);
  const text = metricHistoryJson('ключ "q"', f, f, f, 0, f.length, 'next', 'run1').toString('utf8');
  const parsed = JSON.parse(text) as { metrics: { key: string; value: number; timestamp: number; step: number; run_id: string }[]; next_page_token: string };
  assert.equal(parsed.next_page_token, 'next');
  assert.deepEqual(parsed.metrics, numbers.map((n) => ({ key: 'ключ "q"', value: n === 0 ? 0 : n, timestamp: n === 0 ? 0 : n, step: n === 0 ? 0 : n, run_id: 'run1' })));
  const odd = Float64Array.from([NaN, Infinity, -Infinity]);
  const zeros = new Float64Array(3);
  assert.deepEqual((JSON.parse(metricHistoryJson('k', zeros, odd, zeros, 0, 3).toString()) as { metrics: { value: unknown }[] }).metrics.map((m) => m.value), ['NaN', Number.MAX_VALUE, -Number.MAX_VALUE]);
  assert.equal(metricHistoryJson('k', zeros, odd, zeros, 1, 2).toString(), '{"metrics":[{"key":"k","value":1.7976931348623157e+308,"timestamp":0,"step":0}]}');
  assert.equal(metricHistoryJson('k', zeros, odd, zeros, 3, 3).toString(), '{}');
  assert.equal(metricHistoryJson('k', zeros, odd, zeros, 3, 3, 'tok').toString(), '{"next_page_token":"tok"}');
});
