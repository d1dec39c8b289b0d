import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { ModelRegistry, type ModelRegistryOptions } from '../../../src/core/registry/modelRegistry';
import { tempStoreDir } from '../store/testSupport';

export interface RegistryFixture {
  store: WorkspaceStore;
  registry: ModelRegistry;
  dir: string;
  cleanup: () => Promise<void>;
}

export async function openRegistryFixture(options: ModelRegistryOptions = { actor: 'alice' }): Promise<RegistryFixture> {
  const { dir, cleanup } = tempStoreDir('mlops-registry-');
  const store = await openWorkspaceStore({ dir, writerName: 'registry test' });
  return {
    store,
    registry: new ModelRegistry(store, options),
    dir,
    cleanup: async () => {
      await store.close().catch(() => undefined);
      cleanup();
    },
  };
}

export const DIGEST = 'a1b2c3d4e5f60718';

/** A finished "training" run with a small model package, test metrics, a confusion matrix and a dataset input. */
export async function trainedRun(store: WorkspaceStore, options: { accuracy?: number; digest?: string; name?: string } = {}): Promise<string> {
  const digest = options.digest ?? DIGEST;
  const run = await store.tracking.createRun({
    experimentId: '0',
    runName: options.name ?? 'trained',
    tags: [
      { key: 'mlops.dataset.digest', value: digest },
      { key: 'mlops.backend', value: 'js' },
      { key: 'mlops.spec', value: 'penguins.train.yaml' },
    ],
  });
  const runId = run.info.runId;
  const accuracy = options.accuracy ?? 0.9;
  await store.tracking.logBatch({
    runId,
    params: [
      { key: 'epochs', value: '20' },
      { key: 'hidden', value: '16,8' },
    ],
    metrics: [
      { key: 'loss', value: 0.3, step: 19, timestamp: 1 },
      { key: 'test_accuracy', value: accuracy, step: 0, timestamp: 1 },
      { key: 'test_f1_macro', value: accuracy - 0.05, step: 0, timestamp: 1 },
      { key: 'test_confusion_a_a', value: 9, step: 0, timestamp: 1 },
    ],
  });
  await store.tracking.logInputs(runId, [{ name: 'penguins.csv', digest, sourceType: 'local', source: 'data/penguins.csv', context: 'training' }]);
  const json = (value: unknown): string => JSON.stringify(value, null, 2);
  const signature = { inputs: [{ name: 'bill_length_mm', type: 'double', optional: false }, { name: 'island', type: 'string', categories: ['Biscoe', 'Dream'], optional: true }], output: { task: 'classification', target: 'species', classes: ['a', 'b'] } };
  const manifest = { format: 'mlops-studio-model', formatVersion: 1, createdAt: new Date().toISOString(), task: 'classification', target: 'species', modelType: 'mlp', flavor: 'tfjs-layers', files: {}, backend: 'js', datasetDigest: digest, dataset: 'data/penguins.csv', parameters: 123, metrics: { loss: 0.3, test_accuracy: accuracy } };
  await store.tracking.writeArtifact(runId, 'model/MLmodel.json', json(manifest));
  await store.tracking.writeArtifact(runId, 'model/signature.json', json(signature));
  await store.tracking.writeArtifact(runId, 'model/metrics.json', json({ training: { loss: 0.3 }, test: null }));
  await store.tracking.writeArtifact(runId, 'model/weights.bin', new Uint8Array(1000));
  await store.tracking.writeArtifact(runId, 'evaluation/confusion_matrix.json', json({ labels: ['a', 'b'], matrix: [[9, 1], [2, 8]] }));
  await store.tracking.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
  return runId;
}
