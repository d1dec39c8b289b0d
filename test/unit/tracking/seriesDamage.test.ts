import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import { statSync, truncateSync, unlinkSync } from 'node:fs';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { repairDamagedSeries } from '../../../src/core/tracking/seriesRepair';
import { runCli } from '../lib/runCli';
import { createRun, startFixture, type RawResponse } from '../server/serverTestSupport';
import { tempStoreDir } from '../store/testSupport';

const OPTIONS = { writerName: 'series damage test', staleRunAfterMs: 3_600_000 };
const POINTS = 300; // 7,200 bytes: past the inline limit, so the series has a file of its own

async function storeWithSeries(dir: string): Promise<{ runId: string; file: string }> {
  const store = await openWorkspaceStore({ dir, ...OPTIONS });
  const run = await store.tracking.createRun({ experimentId: '0' });
  await store.tracking.logBatch({ runId: run.info.runId, metrics: Array.from({ length: POINTS }, (_, i) => ({ key: 'loss', value: i + 0.5, step: i, timestamp: 1000 + i })) });
  await store.close();
  return { runId: run.info.runId, file: join(dir, 'series', run.info.runId, '1.f64') };
}

const REFUSED = (file: string): RegExp => new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is damaged .*shorter than recorded \\(7100 of 7200 bytes\\).*mlops doctor --repair`);

test('a cut-short series file is refused for reads and writes until `mlops doctor --repair` keeps its whole points and says what was lost', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const { runId, file } = await storeWithSeries(dir);
    truncateSync(file, POINTS * 24 - 100);

    let store = await openWorkspaceStore({ dir, ...OPTIONS });
    await assert.rejects(store.tracking.getMetricHistory(runId, 'loss'), REFUSED(file));
    // The write must not fill the gap with zeros and succeed.
    await assert.rejects(store.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 9, step: 400 }] }), REFUSED(file));
    await assert.rejects(store.tracking.getMetricHistory(runId, 'loss'), REFUSED(file));
    assert.equal(statSync(file).size, POINTS * 24 - 100, 'the refused write left the file as it was');
    await store.close();

    const workspace = dirname(dir);
    const check = runCli(['-w', workspace, 'doctor', '--backend', 'cpu']);
    assert.equal(check.status, 1, check.stderr);
    assert.match(check.stdout, /DAMAGED/);
    assert.match(check.stdout, new RegExp(`run ${runId} metric "loss" .* is 100 bytes shorter than recorded \\(7100 of 7200\\): 295 of 300 points intact, up to step 294`));
    assert.match(check.stdout, /mlops doctor --repair/);

    const repair = runCli(['-w', workspace, 'doctor', '--repair']);
    assert.equal(repair.status, 0, repair.stdout + repair.stderr);
    assert.match(repair.stdout, new RegExp(`repaired run ${runId} metric "loss" .*: kept 295 of 300 points, up to step 294; lost 5 points`));

    store = await openWorkspaceStore({ dir, ...OPTIONS });
    const history = await store.tracking.getMetricHistory(runId, 'loss');
    assert.deepEqual(
      history.points.map((p) => [p.step, p.value]),
      Array.from({ length: 295 }, (_, i) => [i, i + 0.5]),
    );
    const summary = (await store.tracking.getRun(runId)).data.metrics.find((m) => m.key === 'loss');
    assert.equal(summary?.step, 294, 'the latest value is the last point kept');
    await store.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 9, step: 400 }] });
    const after = await store.tracking.getMetricHistory(runId, 'loss');
    assert.equal(after.points.length, 296);
    assert.deepEqual(after.points.at(-1), { key: 'loss', value: 9, step: 400, timestamp: after.points.at(-1)?.timestamp });
    await store.close();
    assert.equal(runCli(['-w', workspace, 'doctor', '--repair']).status, 0);
  } finally {
    cleanup();
  }
});

test('a deleted series file is refused, and a repair that keeps a few points stores them as a short series', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const { runId, file } = await storeWithSeries(dir);
    let store = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.equal((await store.tracking.getMetricHistory(runId, 'loss')).points.length, POINTS);
    unlinkSync(file); // while the store has it open
    await assert.rejects(store.tracking.getMetricHistory(runId, 'loss'), /1\.f64 is damaged .*deleted.*mlops doctor --repair/);
    await assert.rejects(store.tracking.logBatch({ runId, metrics: [{ key: 'loss', value: 9, step: 400 }] }), /mlops doctor --repair/);
    await store.close();
    store = await openWorkspaceStore({ dir, ...OPTIONS });
    await assert.rejects(store.tracking.getMetricHistory(runId, 'loss'), /1\.f64 is damaged .*missing.*mlops doctor --repair/);
    await store.close();

    const repair = runCli(['-w', dirname(dir), 'doctor', '--repair']);
    assert.equal(repair.status, 0, repair.stdout + repair.stderr);
    assert.match(repair.stdout, /repaired run \w+ metric "loss" .*: kept none of its 300 points; lost 300 points/);
    store = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.deepEqual((await store.tracking.getMetricHistory(runId, 'loss')).points, []);
    await store.tracking.logBatch({ runId, metrics: [1, 2, 3].map((step) => ({ key: 'loss', value: step, step })) });
    assert.deepEqual((await store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => p.step), [1, 2, 3]);
    await store.close();
  } finally {
    cleanup();
  }
});

test('a repair that keeps only a few points of a file moves them back inline, and the series grows again', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const { runId, file } = await storeWithSeries(dir);
    truncateSync(file, 4 * 24 + 7);
    // Repaired in process and left in the journal only (as a crash right after would): the cut
    // replays too, and the writes after it land where they should.
    const damaged = await openWorkspaceStore({ dir, ...OPTIONS });
    const repaired = await repairDamagedSeries(damaged.database);
    assert.deepEqual(repaired.map((r) => [r.key, r.pointsRecorded, r.pointsIntact, r.lastIntactStep]), [['loss', 300, 4, 3]]);
    await damaged.close({ snapshot: false });
    let store = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.deepEqual((await store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => p.step), [0, 1, 2, 3]);
    await store.tracking.logBatch({ runId, metrics: Array.from({ length: 200 }, (_, i) => ({ key: 'loss', value: i, step: 10 + i })) });
    const steps = (await store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => p.step);
    assert.deepEqual(steps, [0, 1, 2, 3, ...Array.from({ length: 200 }, (_, i) => 10 + i)]);
    await store.close({ snapshot: false });
    store = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.deepEqual((await store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => p.step), steps, 'the repair and the writes after it replay from the journal');
    await store.close();
  } finally {
    cleanup();
  }
});

test('over the MLflow REST API: after a series file is cut short, get-history and log-metric both answer 500 naming the file and the repair', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const metrics = Array.from({ length: POINTS }, (_, i) => ({ key: 'loss', value: i, step: i, timestamp: 1000 + i }));
    assert.equal((await fx.api('POST', 'runs/log-batch', { run_id: runId, metrics })).status, 200);
    const file = join(fx.dir, 'series', runId, '1.f64');
    truncateSync(file, POINTS * 24 - 100);
    const history = (): Promise<RawResponse> => fx.api('GET', 'metrics/get-history', { run_id: runId, metric_key: 'loss' });
    const refused = (r: RawResponse): void => {
      assert.equal(r.status, 500, r.text);
      // named relative to the store: REST answers do not show the server's folders
      assert.match((r.json as { message: string }).message, REFUSED(`<store>/series/${runId}/1.f64`));
    };
    refused(await history());
    refused(await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 1, timestamp: 5000, step: 301 }));
    refused(await history());
    assert.equal(statSync(file).size, POINTS * 24 - 100);
  } finally {
    await fx.close();
  }
});
