import assert from 'node:assert/strict';
import { test } from 'node:test';
import { downsampleIndices } from '../../../src/core/tracking/downsample';

function series(values: number[]): { steps: Float64Array; values: Float64Array; timestamps: Float64Array } {
  return { steps: Float64Array.from(values, (_, i) => i), values: Float64Array.from(values), timestamps: new Float64Array(values.length) };
}

test('downsampling keeps the ends, a spike, and every NaN/Infinity, within the budget', () => {
  const values = Array.from({ length: 10_000 }, (_, i) => Math.sin(i / 300));
  values[5_000] = 50; // a spike a chart must not hide
  values[7_777] = NaN;
  values[8_888] = -Infinity;
  for (const method of ['lttb', 'minmax'] as const) {
    const kept = downsampleIndices(series(values), 500, method);
    assert.ok(kept.length <= 502, `${method}: ${kept.length} points`);
    assert.equal(kept[0], 0);
    assert.equal(kept.at(-1), 9_999);
    for (const must of [5_000, 7_777, 8_888]) assert.ok(kept.includes(must), `${method} dropped point ${must}`);
    assert.deepEqual(kept, [...kept].sort((a, b) => a - b), 'indices stay in order');
  }
  assert.deepEqual(downsampleIndices(series([1, 2, 3]), 500, 'lttb'), [0, 1, 2]);
});
