import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runCli } from '../lib/runCli';

const folder = mkdtempSync(join(tmpdir(), 'mlops-runs-usage-'));
after(() => rmSync(folder, { recursive: true, force: true }));
let priced = '';
let unpriced = '';

before(async () => {
  const store = await openWorkspaceStore({ dir: join(folder, '.mlops'), writerName: 'runs usage test' });
  try {
    const experimentId = await store.tracking.createExperiment('usage');
    const metric = (key: string, value: number): { key: string; value: number; step: number; timestamp: number } => ({ key, value, step: 0, timestamp: 1 });
    priced = (await store.tracking.createRun({ experimentId, runName: 'priced' })).info.runId;
    await store.tracking.logBatch({ runId: priced, metrics: [metric('val_loss', 0.25), metric('cpu_seconds', 12.5), metric('wall_seconds', 4.2), metric('peak_rss_megabytes', 180.4), metric('cost', 0.0042), metric('predict_latency_p50_ms', 0.031), metric('predict_latency_p99_ms', 0.087)] });
    unpriced = (await store.tracking.createRun({ experimentId, runName: 'unpriced' })).info.runId;
    await store.tracking.logBatch({ runId: unpriced, metrics: [metric('val_loss', 0.5), metric('cpu_seconds', 3)] });
  } finally {
    await store.close();
  }
});

describe('mlops runs: what a run used', () => {
  test('runs list --columns shows exactly those metrics, "-" where a run has none', () => {
    const r = runCli(['--workspace', folder, 'runs', 'list', '--columns', 'cost,cpu_seconds,metrics.predict_latency_p99_ms']);
    assert.equal(r.status, 0, r.stderr);
    const [header, ...rows] = r.stdout.trim().split('\n');
    assert.match(header ?? '', /DURATION\s+cost\s+cpu_seconds\s+predict_latency_p99_ms\s*$/);
    assert.doesNotMatch(header ?? '', /val_loss/, 'only the columns asked for');
    const row = (name: string): string[] => (rows.find((l) => l.includes(name)) ?? '').trim().split(/\s+/).slice(-3);
    assert.deepEqual(row('unpriced'), ['-', '3', '-']);
    assert.deepEqual(row(' priced'), ['0.0042', '12.5', '0.087']);
    const bad = runCli(['--workspace', folder, 'runs', 'list', '--columns', ' , ']);
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /--columns needs metric names/);
  });

  test('runs show prints a "used" line: CPU, memory, wall time, cost or how to price it, and the predict latency', () => {
    const shown = runCli(['--workspace', folder, 'runs', 'show', priced]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /^used +12\.5 CPU-seconds · peak 180 MB · 4\.2 s wall · cost 0\.0042 · predict p99 0\.087 ms \(p50 0\.031 ms\) a row$/m);
    const other = runCli(['--workspace', folder, 'runs', 'show', unpriced]);
    assert.match(other.stdout, /^used +3\.0 CPU-seconds · cost not priced \(--cpu-hour-price or mlops\.cost\.\*\)$/m);
  });
});
