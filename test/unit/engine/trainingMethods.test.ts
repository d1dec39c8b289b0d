import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { EngineCallError } from '../../../src/core/engine/engineWire';
import { lineageFor } from '../../../src/core/registry/registryAccess';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

async function withHolder(body: (fixture: { store: Awaited<ReturnType<typeof openWorkspaceStore>>; engine: ReturnType<typeof httpEngine> }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempStoreDir('mlops-training-methods-');
  const store = await openWorkspaceStore({ dir, writerName: 'training methods test' });
  const server = await startTrackingServer({ store });
  try {
    await body({ store, engine: httpEngine(server.url, server.token) });
  } finally {
    await server.close();
    await store.close();
    cleanup();
  }
}

const refusal = (pattern: RegExp) => (error: unknown): boolean => error instanceof EngineCallError && pattern.test(error.message);

test('a client records a re-run\'s "reproduced" edge in the holder only for a run that names the original; anything else is refused with why', async () => {
  await withHolder(async ({ store, engine }) => {
    const experimentId = await store.tracking.createExperiment('rerun');
    const original = await store.tracking.createRun({ experimentId, runName: 'first' });
    const rerun = await store.tracking.createRun({ experimentId, runName: 'first-rerun', tags: [{ key: 'mlops.rerun.of', value: original.info.runId }] });
    const stranger = await store.tracking.createRun({ experimentId, runName: 'unrelated' });

    await assert.rejects(engine.call('training.recordRerun', { originalRunId: original.info.runId, rerunRunId: stranger.info.runId }), refusal(/is not a re-run of .*mlops\.rerun\.of tag is missing/));
    await assert.rejects(engine.call('training.recordRerun', { originalRunId: '', rerunRunId: rerun.info.runId }), refusal(/originalRunId must be a non-empty string/));
    await assert.rejects(engine.call('training.recordRerun', { originalRunId: original.info.runId, rerunRunId: 'f'.repeat(32) }), refusal(/f{32}/));
    assert.deepEqual(lineageFor(store).children({ kind: 'run', id: original.info.runId }), [], 'nothing recorded by a refused call');

    await engine.call('training.recordRerun', { originalRunId: original.info.runId, rerunRunId: rerun.info.runId });
    assert.deepEqual(lineageFor(store).children({ kind: 'run', id: original.info.runId }).map((s) => [s.relation, s.node.id]), [['reproduced', rerun.info.runId]]);
  });
});

test('a client records a training set built from feature views; registering a run without a model package fails with the registry\'s reason', async () => {
  await withHolder(async ({ store, engine }) => {
    await engine.call('training.recordTrainingSet', { datasetDigest: 'sha256:set', views: ['orders', 'customers'], path: '/ws/.mlops/training-sets/churn-1.csv' });
    const parents = lineageFor(store).parents({ kind: 'dataset', id: 'sha256:set' }).map((s) => `${s.relation} ${s.node.kind}:${s.node.id}`).sort();
    assert.deepEqual(parents, ['built featureSet:customers', 'built featureSet:orders']);
    assert.equal(lineageFor(store).describe({ kind: 'dataset', id: 'sha256:set' }).label, 'churn-1.csv');
    await assert.rejects(engine.call('training.recordTrainingSet', { datasetDigest: 'sha256:set', views: [], path: 'x.csv' }), refusal(/at least one feature view/));

    const experimentId = await store.tracking.createExperiment('register');
    const run = await store.tracking.createRun({ experimentId, runName: 'no-model' });
    await assert.rejects(engine.call('training.register', { runId: run.info.runId, model: 'churn', reviewComment: 'from a spec', actor: 'ada' }), (error: unknown) => error instanceof EngineCallError && error.code === 'InvalidArgumentError' && /has no model package at model\/.*only runs that trained a model can be registered/.test(error.message));
    await assert.rejects(engine.call('training.register', { runId: run.info.runId, model: ' ', reviewComment: '' }), refusal(/model must be a non-empty string/));
  });
});
