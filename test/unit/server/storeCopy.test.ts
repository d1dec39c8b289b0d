import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { COPIED_FROM_TAG, COPY_COMPLETE_TAG, COPY_ERROR_TAG, COPY_REPLACED_TAG, copyRuns, LONG_PARAMS_TAG } from '../../../src/core/remote/storeCopy';
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
  const system = new Set(['mlflow.runName', 'mlflow.user', 'mlflow.parentRunId', COPIED_FROM_TAG, COPY_COMPLETE_TAG]);
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
    assert.deepEqual([...progress].sort(), ['copy 0 0', 'copy 0 0', `copy ${n + 1} 2`], 'one event per run (parent, child, deleted run), in the order they finish');
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

/** The target, refusing the artifact upload named `refused` as a server that went away would. */
function refusingUpload(target: TrackingStore, refused: string): TrackingStore {
  return new Proxy(target, {
    get(inner, property, receiver): unknown {
      if (property === 'writeArtifact') {
        return async (runId: string, path: string, data: Uint8Array | string): Promise<void> => {
          if (path === refused) throw new Error(`upload of ${path} refused`);
          await inner.writeArtifact(runId, path, data);
        };
      }
      const value: unknown = Reflect.get(inner, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

test('a copy cut short midway is marked FAILED (never left RUNNING or looking complete) and the next copy repairs it', async () => {
  const local = tempStoreDir('mlops-copy-cut-');
  const source = await openWorkspaceStore({ dir: local.dir, writerName: 'copy source' });
  const fx = await startFixture({ insecureNoToken: false });
  const remote = new MlflowRestClient({ url: fx.server.url, token: fx.server.token });
  try {
    const t = source.tracking;
    const experimentId = await t.createExperiment('penguins');
    const run = await t.createRun({ experimentId, runName: 'trained', startTime: 1_000, ownerPid: null });
    const id = run.info.runId;
    await t.logBatch({ runId: id, params: [{ key: 'lr', value: '0.1' }], metrics: [{ key: 'acc', value: 0.9, step: 0, timestamp: 2 }] });
    await t.logInputs(id, [{ name: 'penguins', digest: `sha256:${'ab'.repeat(32)}`, sourceType: 'local', source: '{}', context: 'training' }]);
    await t.writeArtifact(id, 'model/MLmodel', 'flavors: {}');
    await t.writeArtifact(id, 'model/model.pkl', new Uint8Array([1, 2, 3]));
    await t.updateRun(id, { status: 'FINISHED', endTime: 3_000 });

    await assert.rejects(copyRuns(t, refusingUpload(remote, 'model/model.pkl'), { runIds: [id], sourceLabel: 'local' }), /upload of model\/model.pkl refused/);
    const remoteExperiment = (await fx.store.tracking.getExperimentByName('penguins'))?.experimentId as string;
    const [partial] = (await fx.store.tracking.searchRuns({ experimentIds: [remoteExperiment], viewType: 'ALL' })).runs;
    assert.ok(partial);
    assert.equal(partial.info.status, 'FAILED', 'not left RUNNING');
    assert.match(partial.data.tags.find((x) => x.key === COPY_ERROR_TAG)?.value ?? '', /model\/model.pkl refused/);
    assert.equal(partial.data.tags.find((x) => x.key === COPY_COMPLETE_TAG), undefined, 'nothing says it is complete');

    const progress: string[] = [];
    const again = await copyRuns(t, remote, { runIds: [id], sourceLabel: 'local', onProgress: (e) => progress.push(`${e.skipped ? 'skip' : e.repaired ? 'repair' : 'copy'} ${e.artifacts}`) });
    assert.deepEqual([again.copied, again.repaired, again.skipped], [1, 1, 0]);
    assert.deepEqual(progress, ['repair 2']);
    const repaired = await fx.store.tracking.getRun(again.runIds.get(id) as string);
    assert.deepEqual(await snapshot(remote, await remote.getRun(repaired.info.runId)), await snapshot(t, await t.getRun(id)), 'read back, it is the run as it was');
    // The copy sends MLflow's 36 characters with the whole digest alongside (copyToRealMlflow.test.ts
    // shows MLflow takes it); an MLOps engine, which has no such limit, keeps the whole one.
    assert.equal(repaired.inputs.datasetInputs[0]?.digest, `sha256:${'ab'.repeat(32)}`, 'the engine keeps the whole digest the client fitted to MLflow’s limits');
    assert.equal(repaired.data.tags.find((x) => x.key === COPY_COMPLETE_TAG)?.value, 'true');
    const replaced = await fx.store.tracking.getRun(partial.info.runId);
    assert.equal(replaced.info.lifecycleStage, 'deleted', 'the cut-short copy is put away');
    assert.equal(replaced.data.tags.find((x) => x.key === COPIED_FROM_TAG), undefined);
    assert.equal(replaced.data.tags.find((x) => x.key === COPY_REPLACED_TAG)?.value, `local#${id}`);

    const third = await copyRuns(t, remote, { runIds: [id], sourceLabel: 'local' });
    assert.deepEqual([third.copied, third.repaired, third.skipped], [0, 0, 1]);
    assert.equal(third.runIds.get(id), repaired.info.runId);
  } finally {
    await fx.close();
    await source.close();
    local.cleanup();
  }
});

/** A source (an MLflow server with a wider column, say) holding a param longer than 6,000 characters. */
function withLongParam(store: TrackingStore, key: string, value: string): TrackingStore {
  return new Proxy(store, {
    get(inner, property, receiver): unknown {
      if (property === 'getRun') {
        return async (runId: string): Promise<Run> => {
          const run = await inner.getRun(runId);
          return { ...run, data: { ...run.data, params: [...run.data.params, { key, value }] } };
        };
      }
      const value_: unknown = Reflect.get(inner, property, receiver);
      return typeof value_ === 'function' ? (value_ as (...a: unknown[]) => unknown).bind(inner) : value_;
    },
  });
}

test('a param longer than 6,000 characters is not cut silently: it travels whole as an artifact, the param keeps its start and a tag names it', async () => {
  const from = tempStoreDir('mlops-copy-long-src-');
  const to = tempStoreDir('mlops-copy-long-dst-');
  const source = await openWorkspaceStore({ dir: from.dir, writerName: 'source' });
  const target = await openWorkspaceStore({ dir: to.dir, writerName: 'target' });
  try {
    const experimentId = await source.tracking.createExperiment('prompts');
    const run = await source.tracking.createRun({ experimentId, runName: 'long', ownerPid: null });
    await source.tracking.logParam(run.info.runId, 'short', 'kept');
    await source.tracking.updateRun(run.info.runId, { status: 'FINISHED' });
    const prompt = Array.from({ length: 700 }, (_, i) => `line ${i}\n`).join('');
    assert.ok(prompt.length > 6_000);
    const progress: string[][] = [];
    const result = await copyRuns(withLongParam(source.tracking, 'system_prompt', prompt), target.tracking, { runIds: [run.info.runId], sourceLabel: 'mlflow', onProgress: (p) => progress.push([...p.longParams]) });
    assert.equal(result.longParams, 1);
    assert.deepEqual(progress, [['system_prompt']]);
    const copied = await target.tracking.getRun(result.runIds.get(run.info.runId) as string);
    assert.equal(copied.data.params.find((p) => p.key === 'system_prompt')?.value, prompt.slice(0, 6_000));
    assert.equal(copied.data.params.find((p) => p.key === 'short')?.value, 'kept');
    assert.equal((await target.tracking.readArtifact(copied.info.runId, 'params/system_prompt.txt')).toString('utf8'), prompt, 'whole');
    assert.equal(copied.data.tags.find((t) => t.key === LONG_PARAMS_TAG)?.value, 'system_prompt');
    assert.equal(copied.data.tags.find((t) => t.key === COPY_COMPLETE_TAG)?.value, 'true');
  } finally {
    await target.close();
    await source.close();
    from.cleanup();
    to.cleanup();
  }
});

test('runs are copied several at a time: two trials of one study bring their parent once, into one experiment created once', async () => {
  const local = tempStoreDir('mlops-copy-many-');
  const source = await openWorkspaceStore({ dir: local.dir, writerName: 'copy source' });
  const fx = await startFixture({ insecureNoToken: false });
  const remote = new MlflowRestClient({ url: fx.server.url, token: fx.server.token });
  try {
    const t = source.tracking;
    const experimentId = await t.createExperiment('study');
    const parent = await t.createRun({ experimentId, runName: 'study', ownerPid: null });
    const trials = [];
    for (let i = 0; i < 6; i++) {
      const trial = await t.createRun({ experimentId, runName: `trial-${i}`, parentRunId: parent.info.runId, ownerPid: null });
      await t.logMetric(trial.info.runId, { key: 'loss', value: i, step: 0, timestamp: 1 });
      await t.updateRun(trial.info.runId, { status: 'FINISHED', endTime: 2 });
      trials.push(trial.info.runId);
    }
    const result = await copyRuns(t, remote, { runIds: trials, sourceLabel: 'local', concurrency: 4 });
    assert.equal(result.copied, 7, 'six trials and their parent');
    const experiments = (await remote.searchExperiments()).experiments.filter((e) => e.name === 'study');
    assert.equal(experiments.length, 1, 'the experiment is created once');
    const copies = (await remote.searchRuns({ experimentIds: [experiments[0]!.experimentId], maxResults: 100 })).runs;
    assert.deepEqual(copies.map((r) => r.info.runName).sort(), ['study', 'trial-0', 'trial-1', 'trial-2', 'trial-3', 'trial-4', 'trial-5']);
    const parentCopy = copies.find((r) => r.info.runName === 'study')!;
    assert.ok(copies.filter((r) => r.info.runName !== 'study').every((r) => r.info.parentRunId === parentCopy.info.runId), 'every trial under the one parent');
  } finally {
    await fx.close();
    await source.close();
    local.cleanup();
  }
});
