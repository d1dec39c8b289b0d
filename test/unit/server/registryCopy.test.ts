import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowRegistryClient } from '../../../src/core/remote/mlflowRegistryClient';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { copyVersionsToLocal, copyVersionsToRemote } from '../../../src/core/remote/modelVersionCopy';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { NotFoundError } from '../../../src/core/tracking/trackingErrors';
import { tempStoreDir } from '../store/testSupport';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import { startFixture } from './serverTestSupport';

test('model versions copy to a server and back: run, files, description, tags, stage and aliases; a second copy skips', async () => {
  const localDir = tempStoreDir('mlops-mv-src-');
  const backDir = tempStoreDir('mlops-mv-back-');
  const local = await openWorkspaceStore({ dir: localDir.dir, writerName: 'local' });
  const fx = await startFixture({ insecureNoToken: false });
  const back = await openWorkspaceStore({ dir: backDir.dir, writerName: 'back' });
  const options = { url: fx.server.url, token: fx.server.token };
  const remote = { tracking: new MlflowRestClient(options), registry: new MlflowRegistryClient(options) };
  try {
    const registry = modelRegistryFor(local, { actor: 'tester' });
    const experimentId = await local.tracking.createExperiment('churn');
    const run = await local.tracking.createRun({ experimentId, runName: 'mlp', ownerPid: null });
    await local.tracking.logMetric(run.info.runId, { key: 'acc', value: 0.91, step: 3, timestamp: 1 });
    await local.tracking.writeArtifact(run.info.runId, 'model/MLmodel.json', '{"format":"mlops-studio-model"}');
    await local.tracking.writeArtifact(run.info.runId, 'model/weights.bin', new Uint8Array([1, 2, 3]));
    await local.tracking.updateRun(run.info.runId, { status: 'FINISHED' });
    await registry.createModel('churn-model', { description: 'churn', tags: [{ key: 'team', value: 'ml' }] });
    const v1 = await registry.registerVersion(run.info.runId, 'churn-model', { description: 'first', tags: [{ key: 'k', value: 'v' }] });
    await registry.transitionStage('churn-model', v1.version, 'Staging');
    await registry.setAlias('churn-model', 'champion', v1.version);

    const [up] = await copyVersionsToRemote({ tracking: local.tracking, registry }, remote, [{ name: 'churn-model', version: 1 }], 'workspace');
    const { note, ...result } = up ?? {};
    assert.deepEqual(result, { source: { name: 'churn-model', version: 1 }, target: { name: 'churn-model', version: 1 }, skipped: false });
    // this package is a stand-in (no signature): its files travel, and the copy says MLflow's loader will not find a model in them
    assert.match(note ?? '', /its files were copied, but they cannot be described as an MLflow Model \(.*signature\.json.*\), so mlflow\.pyfunc\.load_model will not load it/);
    const onServer = await remote.registry.getVersion('churn-model', 1);
    assert.equal(onServer.description, 'first');
    assert.equal(onServer.currentStage, 'Staging');
    assert.deepEqual(onServer.aliases, ['champion']);
    assert.ok(onServer.tags.some((t) => t.key === 'k' && t.value === 'v'));
    assert.notEqual(onServer.runId, run.info.runId);
    assert.match(onServer.source, new RegExp(`^mlflow-artifacts:/\\d+/${onServer.runId}/artifacts/model$`));
    assert.deepEqual([...(await remote.tracking.readArtifact(onServer.runId, 'model/weights.bin'))], [1, 2, 3]);
    assert.equal((await remote.registry.getModel('churn-model'))?.description, 'churn');
    assert.equal((await remote.registry.getVersionByAlias('churn-model', 'champion')).version, 1);

    const [again] = await copyVersionsToRemote({ tracking: local.tracking, registry }, remote, [{ name: 'churn-model', version: 1 }], 'workspace');
    assert.equal(again?.skipped, true);
    assert.equal((await remote.registry.searchVersions("name = 'churn-model'")).length, 1);

    const backRegistry = modelRegistryFor(back, { actor: 'tester' });
    const [down] = await copyVersionsToLocal(remote, { tracking: back.tracking, registry: backRegistry }, [{ name: 'churn-model', version: 1 }], fx.server.url);
    assert.equal(down?.skipped, false);
    const copied = backRegistry.getVersion('churn-model', 1);
    assert.equal(copied.description, 'first');
    assert.equal(copied.currentStage, 'Staging');
    assert.deepEqual(copied.aliases, ['champion']);
    assert.equal((await back.tracking.getRun(copied.runId)).data.metrics[0]?.value, 0.91);
    assert.equal(backRegistry.getModel('churn-model').description, 'churn');
    const [downAgain] = await copyVersionsToLocal(remote, { tracking: back.tracking, registry: backRegistry }, [{ name: 'churn-model', version: 1 }], fx.server.url);
    assert.equal(downAgain?.skipped, true);

    // The registry client's other calls, against the same server.
    await remote.registry.setModelTag('churn-model', 'owner', 'me');
    await remote.registry.deleteModelTag('churn-model', 'owner');
    await remote.registry.setVersionTag('churn-model', 1, 'checked', 'yes');
    await remote.registry.deleteVersionTag('churn-model', 1, 'checked');
    await remote.registry.updateVersion('churn-model', 1, 'edited');
    await remote.registry.updateModel('churn-model', 'edited model');
    assert.deepEqual((await remote.registry.latestVersions('churn-model', ['Staging'])).map((v) => v.version), [1]);
    assert.equal(await remote.registry.downloadUri('churn-model', 1), onServer.source);
    assert.deepEqual((await remote.registry.searchModels("name LIKE 'churn%'")).map((m) => [m.name, m.description, m.aliases]), [['churn-model', 'edited model', { champion: 1 }]]);
    await remote.registry.deleteAlias('churn-model', 'champion');
    await remote.registry.deleteVersion('churn-model', 1);
    await remote.registry.deleteModel('churn-model');
    assert.equal(await remote.registry.getModel('churn-model'), undefined);
    await assert.rejects(remote.registry.getVersion('churn-model', 1), NotFoundError);
  } finally {
    await back.close();
    await fx.close();
    await local.close();
    localDir.cleanup();
    backDir.cleanup();
  }
});

/** A server that answers uploads with OK but keeps nothing. */
function losingUploads(target: TrackingStore): TrackingStore {
  return new Proxy(target, {
    get(inner, property, receiver): unknown {
      if (property === 'writeArtifact') return async (): Promise<void> => {};
      const value: unknown = Reflect.get(inner, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(inner) : value;
    },
  });
}

test('a model version whose files did not reach the server is not created and gets no alias; copying again repairs it', async () => {
  const localDir = tempStoreDir('mlops-mv-lost-');
  const local = await openWorkspaceStore({ dir: localDir.dir, writerName: 'local' });
  const fx = await startFixture({ insecureNoToken: false });
  const options = { url: fx.server.url, token: fx.server.token };
  const remote = { tracking: new MlflowRestClient(options), registry: new MlflowRegistryClient(options) };
  try {
    const registry = modelRegistryFor(local, { actor: 'tester' });
    const experimentId = await local.tracking.createExperiment('penguins');
    const run = await local.tracking.createRun({ experimentId, runName: 'rf', ownerPid: null });
    await local.tracking.writeArtifact(run.info.runId, 'model/MLmodel.json', '{"format":"mlops-studio-model"}');
    await local.tracking.writeArtifact(run.info.runId, 'model/weights.bin', new Uint8Array([4, 5]));
    await local.tracking.updateRun(run.info.runId, { status: 'FINISHED' });
    await registry.createModel('penguin-model');
    const v1 = await registry.registerVersion(run.info.runId, 'penguin-model');
    await registry.setAlias('penguin-model', 'champion', v1.version);

    const lossy = { tracking: losingUploads(remote.tracking), registry: remote.registry };
    await assert.rejects(copyVersionsToRemote({ tracking: local.tracking, registry }, lossy, [{ name: 'penguin-model', version: 1 }], 'workspace'), /2 of its 2 files did not arrive in "model" of its run on the server.*no version or alias was created/);
    assert.deepEqual(await remote.registry.searchVersions("name = 'penguin-model'"), []);
    await assert.rejects(remote.registry.getVersionByAlias('penguin-model', 'champion'));

    const [up] = await copyVersionsToRemote({ tracking: local.tracking, registry }, remote, [{ name: 'penguin-model', version: 1 }], 'workspace');
    assert.equal(up?.skipped, false);
    const champion = await remote.registry.getVersionByAlias('penguin-model', 'champion');
    assert.deepEqual([...(await remote.tracking.readArtifact(champion.runId, 'model/weights.bin'))], [4, 5]);
  } finally {
    await fx.close();
    await local.close();
    localDir.cleanup();
  }
});
