import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { COPIED_FROM_TAG, copyRuns } from '../../../src/core/remote/storeCopy';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import type { Run } from '../../../src/core/tracking/trackingTypes';
import { tempStoreDir } from '../store/testSupport';
import { startFixture } from './serverTestSupport';

async function snapshot(store: TrackingStore, run: Run): Promise<object> {
  const histories: Record<string, [number, number, number][]> = {};
  for (const m of run.data.metrics) {
    const c = await store.getMetricColumns(run.info.runId, m.key);
    histories[m.key] = Array.from(c.steps, (s, i) => [s, c.values[i] as number, c.timestamps[i] as number]);
  }
  const files: Record<string, string> = {};
  const walk = async (path: string): Promise<void> => {
    for (const e of await store.listArtifacts(run.info.runId, path)) {
      if (e.isDir) await walk(e.path);
      else files[e.path] = (await store.readArtifact(run.info.runId, e.path)).toString('base64');
    }
  };
  await walk('');
  const system = new Set(['mlflow.runName', 'mlflow.user', 'mlflow.parentRunId', COPIED_FROM_TAG]);
  return {
    name: run.info.runName,
    status: run.info.status,
    stage: run.info.lifecycleStage,
    startTime: run.info.startTime,
    endTime: run.info.endTime,
    params: [...run.data.params].sort((a, b) => a.key.localeCompare(b.key)),
    tags: run.data.tags.filter((t) => !system.has(t.key)).sort((a, b) => a.key.localeCompare(b.key)),
    inputs: run.inputs.datasetInputs,
    histories,
    files,
  };
}

test('runs copy from a local store to a server and back with every metric point, params, tags, inputs and artifacts; a second copy skips them', async () => {
  const local = tempStoreDir('mlops-copy-src-');
  const back = tempStoreDir('mlops-copy-back-');
  const source = await openWorkspaceStore({ dir: local.dir, writerName: 'copy source' });
  const fx = await startFixture({ insecureNoToken: false });
  const remote = new MlflowRestClient({ url: fx.server.url, token: fx.server.token });
  const returned = await openWorkspaceStore({ dir: back.dir, writerName: 'copy back' });
  try {
    const t = source.tracking;
    const experimentId = await t.createExperiment('sweep', { tags: [{ key: 'team', value: 'ml' }] });
    const parent = await t.createRun({ experimentId, runName: 'search', startTime: 1_000, ownerPid: null });
    const child = await t.createRun({ experimentId, runName: 'trial-1', startTime: 2_000, parentRunId: parent.info.runId, source: { type: 'LOCAL', name: 'train.py' }, ownerPid: null });
    const c = child.info.runId;
    await t.logBatch({ runId: c, params: Array.from({ length: 130 }, (_, i) => ({ key: `p${i}`, value: String(i) })), tags: [{ key: 'stage', value: 'dev' }] });
    const n = 3_000;
    await t.logMetricColumns(c, 'loss', { steps: Float64Array.from({ length: n }, (_, i) => i), values: Float64Array.from({ length: n }, (_, i) => (i === 7 ? NaN : 1 / (i + 1))), timestamps: Float64Array.from({ length: n }, (_, i) => 10_000 + i) });
    await t.logMetric(c, { key: 'acc', value: Infinity, step: 1, timestamp: 5 });
    await t.logInputs(c, [{ name: 'toy', digest: 'abc', sourceType: 'local', source: '{}', context: 'training' }]);
    await t.writeArtifact(c, 'model/MLmodel.json', '{"format":"x"}');
    await t.writeArtifact(c, 'plots/loss.bin', new Uint8Array([0, 255, 1, 2]));
    await t.updateRun(c, { status: 'FINISHED', endTime: 9_000 });
    const gone = await t.createRun({ experimentId, runName: 'discarded', startTime: 3_000, ownerPid: null });
    await t.updateRun(gone.info.runId, { status: 'KILLED', endTime: 3_500 });
    await t.deleteRun(gone.info.runId);

    const progress: string[] = [];
    const up = await copyRuns(source.tracking, remote, { runIds: [c, gone.info.runId], sourceLabel: 'local', onProgress: (e) => progress.push(`${e.skipped ? 'skip' : 'copy'} ${e.metricPoints} ${e.artifacts}`) });
    assert.equal(up.copied, 3, 'the parent comes along');
    assert.deepEqual(progress, ['copy 0 0', `copy ${n + 1} 2`, 'copy 0 0']);
    const remoteChild = await fx.store.tracking.getRun(up.runIds.get(c) as string);
    assert.equal(remoteChild.info.parentRunId, up.runIds.get(parent.info.runId));
    assert.equal((await fx.store.tracking.getExperimentByName('sweep'))?.tags.find((x) => x.key === 'team')?.value, 'ml');
    assert.deepEqual(await snapshot(fx.store.tracking, remoteChild), await snapshot(t, await t.getRun(c)));
    assert.deepEqual(await snapshot(fx.store.tracking, await fx.store.tracking.getRun(up.runIds.get(gone.info.runId) as string)), await snapshot(t, await t.getRun(gone.info.runId)));

    const again = await copyRuns(source.tracking, remote, { runIds: [c], sourceLabel: 'local' });
    assert.deepEqual([again.copied, again.skipped], [0, 2]);
    assert.equal(again.runIds.get(c), up.runIds.get(c));

    const down = await copyRuns(remote, returned.tracking, { runIds: [up.runIds.get(c) as string], sourceLabel: fx.server.url });
    assert.equal(down.copied, 2);
    const roundTrip = await returned.tracking.getRun(down.runIds.get(up.runIds.get(c) as string) as string);
    assert.deepEqual(await snapshot(returned.tracking, roundTrip), await snapshot(t, await t.getRun(c)));
  } finally {
    await returned.close();
    await fx.close();
    await source.close();
    local.cleanup();
    back.cleanup();
  }
});
