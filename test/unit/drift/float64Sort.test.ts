import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sortFloat64 } from '../../../src/core/drift/float64Sort';

test('the radix sort orders doubles exactly as Float64Array#sort (signs, zeros, infinities, every exponent)', () => {
  for (const n of [10, 5000, 120_000]) {
    let seed = n;
    const next = (): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 4294967296);
    const values = Float64Array.from({ length: n }, (_, i) =>
      i % 17 === 0 ? -0 : i % 19 === 0 ? 0 : i % 23 === 0 ? Number.POSITIVE_INFINITY : i % 29 === 0 ? Number.NEGATIVE_INFINITY : i % 31 === 0 ? 5e-324 : (next() - 0.5) * 10 ** ((i % 60) - 30),
    );
    const expected = values.slice().sort();
    const actual = sortFloat64(values.slice());
    for (let i = 0; i < n; i++) assert.ok(Object.is(actual[i], expected[i]), `n=${n} index ${i}: ${actual[i]} ≠ ${expected[i]}`);
  }
});
