import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

test('dataset inputs are recorded once per (dataset, context), survive reopening and can be searched', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    const a = await store.tracking.createRun({ experimentId: '0', runName: 'a' });
    const b = await store.tracking.createRun({ experimentId: '0', runName: 'b' });
    const train = { name: 'transactions', digest: 'd41d8cd9', sourceType: 'local', source: 'data/train.csv', context: 'training', schema: '{"cols":["amount"]}' };
    await store.tracking.logInputs(a.info.runId, [train, { name: 'transactions', digest: 'aa11', sourceType: 'local', source: 'data/val.csv', context: 'validation' }]);
    await store.tracking.logInputs(a.info.runId, [train]); // again: no duplicate
    await store.tracking.logInputs(b.info.runId, [{ name: 'holdout', digest: 'ff00', sourceType: 'local', source: 'data/holdout.csv' }]);
    await store.close({ snapshot: false });
    store = await openWorkspaceStore({ dir, writerName: 'test' });
    const run = await store.tracking.getRun(a.info.runId);
    assert.deepEqual(run.inputs.datasetInputs, [train, { name: 'transactions', digest: 'aa11', sourceType: 'local', source: 'data/val.csv', context: 'validation' }]);
    const names = async (filter: string): Promise<string[]> => (await store.tracking.searchRuns({ filter })).runs.map((r) => r.info.runName).sort();
    assert.deepEqual(await names("datasets.name = 'transactions'"), ['a']);
    assert.deepEqual(await names("datasets.context = 'validation'"), ['a']);
    assert.deepEqual(await names("datasets.digest IN ('ff00', 'nope')"), ['b']);
    await store.close();
  } finally {
    cleanup();
  }
});
