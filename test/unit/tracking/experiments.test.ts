import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

test('experiments: names are unique, tags/renames/deletes survive reopening, deleted ones take no new runs', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    const id = await store.tracking.createExperiment('churn', { tags: [{ key: 'owner', value: 'ana' }] });
    await assert.rejects(store.tracking.createExperiment('churn'), /Experiment "churn" already exists \(id \d+\)/);
    await store.tracking.setExperimentTag(id, 'team', 'growth');
    await store.tracking.renameExperiment(id, 'churn-v2');
    const other = await store.tracking.createExperiment('scratch');
    await store.tracking.deleteExperiment(other);
    await assert.rejects(store.tracking.createRun({ experimentId: other }), /The experiment \d+ must be in the 'active' state\. Current state is deleted \(restore experiment "scratch" first\)/);
    await assert.rejects(store.tracking.deleteExperiment('0'), /Default experiment cannot be deleted/);
    await store.close({ snapshot: false });

    store = await openWorkspaceStore({ dir, writerName: 'test' });
    const churn = await store.tracking.getExperimentByName('churn-v2');
    assert.ok(churn);
    assert.equal(churn.experimentId, id);
    assert.deepEqual([...churn.tags].sort((a, b) => a.key.localeCompare(b.key)), [{ key: 'owner', value: 'ana' }, { key: 'team', value: 'growth' }]);
    assert.equal(await store.tracking.getExperimentByName('churn'), undefined);
    const active = await store.tracking.searchExperiments();
    assert.deepEqual(active.experiments.map((e) => e.name).sort(), ['Default', 'churn-v2']);
    const deleted = await store.tracking.searchExperiments({ viewType: 'DELETED_ONLY' });
    assert.deepEqual(deleted.experiments.map((e) => e.name), ['scratch']);
    const tagged = await store.tracking.searchExperiments({ filter: "tags.team = 'growth'" });
    assert.deepEqual(tagged.experiments.map((e) => e.name), ['churn-v2']);
    await store.tracking.restoreExperiment(other);
    assert.equal((await store.tracking.createRun({ experimentId: other })).info.experimentId, other);
    assert.deepEqual(await store.tracking.stats(), { experiments: 3, runs: 1, activeRuns: 1, metricPoints: 0 });
    await store.close();
  } finally {
    cleanup();
  }
});

test('onDidChange tells listeners which run changed, after the write is durable; dispose stops it', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const seen: string[] = [];
    const subscription = store.tracking.onDidChange((change) => seen.push(`${change.kind}:${change.runId ?? change.experimentId}`));
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    await store.tracking.logMetric(info.runId, { key: 'loss', value: 1 });
    await store.tracking.logParam(info.runId, 'lr', '0.1');
    subscription.dispose();
    await store.tracking.setTag(info.runId, 'after', 'dispose');
    assert.deepEqual(seen, [`run:${info.runId}`, `metrics:${info.runId}`, `run:${info.runId}`]);
    await store.close();
  } finally {
    cleanup();
  }
});
