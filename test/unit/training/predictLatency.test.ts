import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { categoricalFromStrings, type NumericColumn } from '../../../src/core/data/dataTable';
import { rowRecords } from '../../../src/core/training/predictLatency';
import { runCli } from '../lib/runCli';
import { openStoreAfterCli } from '../store/testSupport';

const root = join(__dirname, '..', '..', '..');
const work = mkdtempSync(join(tmpdir(), 'mlops-latency-test-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('a trained model has its one-row predict latency measured', () => {
  for (const spec of ['penguins.train.yaml', 'seattle-weather-gbdt.train.yaml']) {
    test(`mlops train ${spec}: the run logs predict_latency_p50_ms and predict_latency_p99_ms`, async () => {
      const folder = mkdtempSync(join(work, 'train-'));
      const r = runCli(['--workspace', folder, '--json', 'train', join(root, 'examples', spec), '--backend', 'js']);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { runId: string; metrics: Record<string, number> };
      const store = await openStoreAfterCli({ dir: join(folder, '.mlops'), writerName: 'latency test' });
      try {
        const run = await store.tracking.getRun(out.runId);
        const value = (key: string): number => run.data.metrics.find((m) => m.key === key)?.value ?? Number.NaN;
        const p50 = value('predict_latency_p50_ms');
        const p99 = value('predict_latency_p99_ms');
        assert.ok(p50 > 0 && Number.isFinite(p50), `p50 ${p50}`);
        assert.ok(p99 >= p50, `p99 ${p99} ≥ p50 ${p50}`);
        // a one-row call of these small models is far below a second, whatever the load
        assert.ok(p99 < 1000, `p99 ${p99} ms`);
      } finally {
        await store.close();
      }
    });
  }

  test('test rows become the JSON records an endpoint receives (missing cells as null)', () => {
    const x: NumericColumn = { kind: 'numeric', name: 'x', values: Float64Array.from([1.5, Number.NaN, 3]), missing: 1 };
    const columns = [x, categoricalFromStrings('c', ['a', 'b', ''])];
    assert.deepEqual(rowRecords(columns, Int32Array.from([2, 1, 0]), 2), [
      { x: 3, c: null },
      { x: null, c: 'b' },
    ]);
  });
});
