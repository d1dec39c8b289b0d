import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
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

test('a chart read from the store gets the points downsampling the whole series picks, spike and NaN included', async () => {
  const root = mkdtempSync(join(tmpdir(), 'mlops-downsample-'));
  const store = await openWorkspaceStore({ dir: join(root, '.mlops'), writerName: 'downsample test' });
  try {
    const tracking = store.tracking;
    const run = await tracking.createRun({ experimentId: '0' });
    const values = Array.from({ length: 6_000 }, (_, i) => Math.cos(i / 200) + (i === 3_210 ? 40 : 0));
    values[4_321] = NaN;
    for (let from = 0; from < values.length; from += 500) {
      await tracking.logBatch({ runId: run.info.runId, metrics: values.slice(from, from + 500).map((value, i) => ({ key: 'loss', value, step: (from + i) * 2, timestamp: 1_000 + from + i })) });
    }
    const full = await tracking.getMetricColumns(run.info.runId, 'loss');
    for (const method of ['lttb', 'minmax'] as const) {
      const kept = downsampleIndices(full, 300, method);
      const read = await tracking.getMetricColumns(run.info.runId, 'loss', { maxPoints: 300, method });
      assert.deepEqual([...read.steps], kept.map((k) => full.steps[k]), `${method}: steps`);
      assert.deepEqual([...read.values], kept.map((k) => full.values[k]), `${method}: values (NaN kept)`);
      assert.deepEqual([...read.timestamps], kept.map((k) => full.timestamps[k]), `${method}: timestamps`);
      assert.ok(read.steps.includes(3_210 * 2), `${method}: the spike`);
      const history = await tracking.getMetricHistory(run.info.runId, 'loss', { maxPoints: 300, method });
      assert.equal(history.total, 6_000);
      assert.equal(history.downsampled, true);
    }
    // Two reads in a row reuse one buffer: the first answer must not change under the second.
    const a = await tracking.getMetricColumns(run.info.runId, 'loss', { maxPoints: 100 });
    const before = [...a.values];
    await tracking.getMetricColumns(run.info.runId, 'loss', { maxPoints: 50 });
    assert.deepEqual([...a.values], before);
  } finally {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  }
});
