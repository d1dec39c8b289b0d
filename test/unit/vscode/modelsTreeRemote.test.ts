import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MlflowRegistryClient } from '../../../src/core/remote/mlflowRegistryClient';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import type * as TreeModule from '../../../src/vscode/models/modelsTreeProvider';
import type { StoreAccess, StoreService } from '../../../src/vscode/store/storeService';
import { realMlflowOrSkip } from '../server/realMlflow';

// The tree provider imports `vscode`: load it with the stand-in.
require('../../support/loadWithFakeVscode.cjs');

// Issue #18: with mlops.tracking.uri set, the Models view shows the team server's registry (it
// showed only the local one), and says what MLflow does not keep.

interface Item {
  label: string;
  description?: string;
  contextValue?: string;
  tooltip?: { value: string };
  command?: { command: string; arguments?: { toString(): string }[] };
}

function remoteAccess(url: string, tracking: TrackingStore): StoreService {
  const access: StoreAccess = { state: 'client', origin: 'remote', url, token: null, tracking, message: `Tracking on the MLflow server ${url}` };
  return { access: async () => access, onDidChange: () => ({ dispose() {} }) } as unknown as StoreService;
}

test("the Models view lists the MLflow server's models, versions, aliases and run metrics when mlops.tracking.uri is set", async (t) => {
  const mlflow = await realMlflowOrSkip(t);
  if (!mlflow) return;
  try {
    const tracking = new MlflowRestClient({ url: mlflow.url });
    const registry = new MlflowRegistryClient({ url: mlflow.url });
    const experimentId = await tracking.createExperiment('team');
    const run = await tracking.createRun({ experimentId, runName: 'trained-elsewhere' });
    await tracking.logBatch({ runId: run.info.runId, metrics: [{ key: 'test_accuracy', value: 0.93 }] });
    await registry.createModel('churn', { description: 'the team model' });
    await registry.createVersion('churn', { source: `${run.info.artifactUri}/model`, runId: run.info.runId });
    await registry.createVersion('churn', { source: `${run.info.artifactUri}/model`, runId: run.info.runId });
    await registry.setAlias('churn', 'champion', 1);

    // What the Experiments view asks for: MLflow refuses the plural "attributes." for experiments.
    const newest = await tracking.searchExperiments({ orderBy: ['attributes.last_update_time DESC'] });
    assert.ok(newest.experiments.some((e) => e.name === 'team'));

    const { ModelsTreeProvider } = require('../../../src/vscode/models/modelsTreeProvider') as typeof TreeModule;
    const provider = new ModelsTreeProvider(remoteAccess(mlflow.url, tracking));
    const view = { message: undefined as string | undefined };
    provider.view = view as unknown as NonNullable<typeof provider.view>;
    try {
      const models = await provider.getChildren();
      assert.equal(models.length, 1);
      const modelItem = provider.getTreeItem(models[0] as TreeModule.ModelsNode) as unknown as Item;
      assert.equal(modelItem.label, 'churn');
      assert.equal(modelItem.description, '2 versions · @champion v1');
      assert.equal(modelItem.contextValue, 'mlops.remoteModel', 'the workspace-only actions (review, card) do not apply');
      assert.equal(modelItem.command, undefined, 'a click on a model expands it');
      assert.match(view.message ?? '', new RegExp(`Models registered on the MLflow server ${mlflow.url.replace(/[.]/g, '\\.')} \\(mlops\\.tracking\\.uri\\)\\. Reviews, the audit log and model cards are kept only in a workspace store\\.`));

      const versions = (await provider.getChildren(models[0])).map((node) => provider.getTreeItem(node) as unknown as Item);
      assert.deepEqual(versions.map((v) => v.label), ['v2', 'v1'], 'newest first');
      assert.equal(versions[1]?.description, '@champion · test_accuracy 0.93', "the alias and the run's metric from the server");
      assert.equal(versions[1]?.contextValue, 'mlops.remoteModelVersion');
      assert.equal(versions[1]?.command?.command, 'vscode.open');
      assert.equal(versions[1]?.command?.arguments?.[0]?.toString(), `${mlflow.url}/#/models/churn/versions/1`, "a click opens the version in MLflow's UI");
      assert.match(versions[1]?.tooltip?.value ?? '', /MLflow keeps no reviews, audit log or model card for it/);
    } finally {
      provider.dispose();
    }
  } finally {
    await mlflow.stop();
  }
});

test('the Models view says why it is empty when the team server cannot be reached', async () => {
  const { ModelsTreeProvider } = require('../../../src/vscode/models/modelsTreeProvider') as typeof TreeModule;
  const url = 'http://127.0.0.1:9';
  const provider = new ModelsTreeProvider(remoteAccess(url, new MlflowRestClient({ url })));
  const view = { message: undefined as string | undefined };
  provider.view = view as unknown as NonNullable<typeof provider.view>;
  try {
    assert.deepEqual(await provider.getChildren(), []);
    assert.match(view.message ?? '', /Cannot reach the MLflow server at http:\/\/127\.0\.0\.1:9/);
  } finally {
    provider.dispose();
  }
});
