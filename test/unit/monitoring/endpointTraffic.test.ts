import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { DriftInputError } from '../../../src/core/drift/columnDrift';
import { endpointTrafficRows, endpointTrafficTable, newTrafficThreshold } from '../../../src/core/monitoring/endpointTraffic';
import { runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { requestLogFor } from '../../../src/core/serving/requestLog';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { SpecError } from '../../../src/core/training/specErrors';

const root = mkdtempSync(join(tmpdir(), 'mlops-traffic-'));
after(() => rmSync(root, { recursive: true, force: true }));

const HOUR = 3_600_000;
const NOW = Date.UTC(2026, 10, 27, 12);

/** Logs one request of `rows` records as the endpoint manager does. */
async function logRequest(store: WorkspaceStore, endpoint: string, time: number, rows: Record<string, unknown>[], status = 200): Promise<void> {
  const log = requestLogFor(store);
  log.append(endpoint, 'shop', [{ time, version: 1, status, latencyMs: 3, rows: rows.length, inputs: rows, outputs: status === 200 ? rows.map(() => 0) : null, ...(status === 200 ? {} : { error: 'bad input' }) }]);
  await log.flushed();
}

describe('an endpoint’s traffic as a monitor’s current data', () => {
  test('a window of the newest rows, across requests, in logged order; failed requests and old ones left out', async () => {
    const store = await openWorkspaceStore({ dir: join(root, 'window', '.mlops'), writerName: 'test' });
    try {
      await logRequest(store, 'shop', NOW - 30 * HOUR, [{ x: 1, colour: 'red' }]);
      await logRequest(store, 'shop', NOW - 2 * HOUR, [{ x: 2, colour: 'red' }, { x: 3, colour: 'blue' }]);
      await logRequest(store, 'shop', NOW - HOUR, [{ x: 'oops' }], 400);
      await logRequest(store, 'other', NOW - HOUR, [{ x: 99, colour: 'green' }]);
      await logRequest(store, 'shop', NOW - HOUR / 2, [{ x: 4, colour: null }, { x: null, colour: 'green' }, { x: 6, colour: 'red' }]);

      const last4 = endpointTrafficTable(store, 'shop', { last: 4 }, NOW);
      assert.equal(last4.rowCount, 4);
      assert.equal(last4.name, 'endpoint shop (last 4 rows)');
      const x = last4.columns.find((c) => c.name === 'x');
      assert.ok(x?.kind === 'numeric');
      assert.deepEqual([...x.values], [3, 4, Number.NaN, 6], 'the newest 4 rows, oldest first; a null is missing');
      assert.equal(x.missing, 1);
      const colour = last4.columns.find((c) => c.name === 'colour');
      assert.ok(colour?.kind === 'categorical');
      assert.deepEqual([...colour.codes].map((c) => (c < 0 ? null : colour.categories[c])), ['blue', null, 'green', 'red']);

      const day = endpointTrafficTable(store, 'shop', { hours: 24 }, NOW);
      assert.equal(day.rowCount, 5, 'the 30-hour-old request and the refused one are outside');
      assert.equal(day.name, 'endpoint shop (last 24 h)');

      assert.equal(endpointTrafficRows(store, 'shop'), 6, 'answered rows with inputs: 1 + 2 + 3 (the refused request does not count)');
      assert.equal(endpointTrafficRows(store, 'silent'), 0);
      assert.equal(newTrafficThreshold({}), 100, 'a tenth of the default 1,000-row window');
      assert.equal(newTrafficThreshold({ last: 200 }), 50, 'at least 50 rows');
      assert.throws(() => endpointTrafficTable(store, 'silent', {}, NOW), (error: unknown) => error instanceof DriftInputError && /endpoint silent has logged no answered requests with inputs yet/.test(error.message));
    } finally {
      await store.close();
    }
  });

  test('a monitor on an endpoint finds drift in what it served', async () => {
    const folder = join(root, 'monitor');
    const store = await openWorkspaceStore({ dir: join(folder, '.mlops'), writerName: 'test' });
    try {
      const lines = ['x,colour'];
      for (let i = 0; i < 300; i++) lines.push(`${i % 50},${['red', 'blue', 'green'][i % 3]}`);
      writeFileSync(join(folder, 'train.csv'), lines.join('\n') + '\n');
      for (let r = 0; r < 30; r++) await logRequest(store, 'shop', NOW - r * 60_000, Array.from({ length: 10 }, (_, i) => ({ x: ((r * 10 + i) % 50) + 40, colour: 'red' })));
      const spec = parseMonitorSpec('reference:\n  file: train.csv\ncurrent:\n  endpoint: shop\n  last: 200\n', join(folder, 'shop.monitor.yaml'));
      assert.deepEqual(spec.current, { kind: 'endpoint', endpoint: 'shop', window: { last: 200 }, asWritten: 'endpoint shop' });
      const result = await runMonitor(spec, { store });
      assert.equal(result.report.current.name, 'endpoint shop (last 200 rows)');
      assert.equal(result.report.current.rows, 200);
      assert.equal(result.tripped, true, 'shifted numbers and one colour only: both columns drifted');
      assert.deepEqual(result.report.columns.filter((c) => c.drifted).map((c) => c.column).sort(), ['colour', 'x']);
    } finally {
      await store.close();
    }
  });

  test('spec errors: a window needs an endpoint, and retraining cannot learn from unlabelled traffic', () => {
    const problems = (text: string): string[] => {
      try {
        parseMonitorSpec(text, join(root, 'bad.monitor.yaml'));
        return [];
      } catch (error) {
        assert.ok(error instanceof SpecError, String(error));
        return error.issues.map((i) => `${i.field}@${i.line}: ${i.message}`);
      }
    };
    assert.ok(problems('reference:\n  file: a.csv\ncurrent:\n  file: b.csv\n  last: 10\n').some((p) => p.startsWith('current')), 'last belongs to endpoint windows');
    assert.ok(problems('reference:\n  file: a.csv\ncurrent:\n  endpoint: shop\n  hours: 0\n').some((p) => p.startsWith('current')));
    writeFileSync(join(root, 'p.train.yaml'), 'dataset: a.csv\ntarget: y\n');
    const retrain = problems('reference:\n  file: a.csv\ncurrent:\n  endpoint: shop\nretrain:\n  spec: p.train.yaml\n  model: shop\n  data: append_current\n');
    assert.ok(retrain.some((p) => /^retrain\.data@8: an endpoint's traffic has no labels/.test(p)), retrain.join(' | '));
  });
});
