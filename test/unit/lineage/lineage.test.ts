import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseNodeKey } from '../../../src/core/lineage/lineageNodes';
import { LineageStore } from '../../../src/core/lineage/lineageStore';
import type { LineageEdge, LineageNodeRef } from '../../../src/core/lineage/lineageTypes';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

const n = (key: string): LineageNodeRef => parseNodeKey(key);
const e = (from: string, to: string, relation: string): LineageEdge => ({ from: n(from), to: n(to), relation });

async function withLineage(body: (lineage: LineageStore, store: WorkspaceStore) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempStoreDir('mlops-lineage-');
  const store = await openWorkspaceStore({ dir, writerName: 'lineage test' });
  try {
    await body(new LineageStore(store.database), store);
  } finally {
    await store.close();
    cleanup();
  }
}

// dataset → featureSet → run → model version → endpoint → monitor, and a retraining loop back:
// monitor → run2 → model v2 → the same endpoint (a cycle: endpoint → monitor → run2 → v2 → endpoint).
const LOOP: LineageEdge[] = [
  e('dataset:d1', 'featureSet:customers', 'materialized'),
  e('featureSet:customers', 'run:r1', 'trained'),
  e('run:r1', 'modelVersion:churn/1', 'registered'),
  e('modelVersion:churn/1', 'endpoint:churn-api', 'served'),
  e('endpoint:churn-api', 'monitor:churn-drift', 'monitored'),
  e('monitor:churn-drift', 'run:r2', 'retrained'),
  e('dataset:d2', 'run:r2', 'trained'),
  e('run:r2', 'modelVersion:churn/2', 'registered'),
  e('modelVersion:churn/2', 'endpoint:churn-api', 'served'),
];

const keys = (hits: readonly { node: { key: string }; distance: number }[]): string[] => hits.map((h) => `${h.node.key}@${h.distance}`);

test('upstream and downstream are transitive, nearest first, and walk a cycle once', async () => {
  await withLineage(async (lineage) => {
    await lineage.record(LOOP, { 'endpoint:churn-api': 'http://127.0.0.1:5001' });
    assert.deepEqual(keys(lineage.upstream(n('modelVersion:churn/1'))), ['run:r1@1', 'featureSet:customers@2', 'dataset:d1@3']);
    assert.deepEqual(keys(lineage.downstream(n('dataset:d2'))), ['run:r2@1', 'modelVersion:churn/2@2', 'endpoint:churn-api@3', 'monitor:churn-drift@4']);
    // From inside the cycle every node is reached exactly once and the walk ends.
    const down = keys(lineage.downstream(n('endpoint:churn-api')));
    assert.deepEqual(down, ['monitor:churn-drift@1', 'run:r2@2', 'modelVersion:churn/2@3']);
    const up = lineage.upstream(n('endpoint:churn-api')).map((h) => h.node.key).sort();
    assert.deepEqual(up, ['dataset:d1', 'dataset:d2', 'featureSet:customers', 'modelVersion:churn/1', 'modelVersion:churn/2', 'monitor:churn-drift', 'run:r1', 'run:r2']);
    assert.deepEqual(keys(lineage.upstream(n('modelVersion:churn/1'), { maxDepth: 1 })), ['run:r1@1']);
    assert.deepEqual(lineage.upstream(n('dataset:d1')), [], 'a source has no upstream');
    assert.equal(lineage.describe(n('endpoint:churn-api')).label, 'http://127.0.0.1:5001', 'labels recorded with edges are used');
  });
});

test('recording the same edge twice keeps one; a self-loop does not hang the walk', async () => {
  await withLineage(async (lineage) => {
    await lineage.record([e('run:a', 'run:b', 'child'), e('run:a', 'run:b', 'child'), e('run:b', 'run:b', 'self')]);
    assert.deepEqual(keys(lineage.downstream(n('run:a'))), ['run:b@1']);
    assert.deepEqual(keys(lineage.upstream(n('run:b'))), ['run:a@1']);
    const graph = lineage.lineageGraph(n('run:b'));
    assert.deepEqual(graph.edges.map((x) => `${x.from}→${x.to}`).sort(), ['run:a→run:b', 'run:b→run:b']);
  });
});

test('lineageGraph returns the root, its ancestors and descendants with the edges between them, for drawing', async () => {
  await withLineage(async (lineage) => {
    await lineage.record([...LOOP, e('dataset:unrelated', 'run:other', 'trained')]);
    const graph = lineage.lineageGraph(n('run:r1'));
    assert.equal(graph.root, 'run:r1');
    assert.equal(graph.truncated, false);
    const nodeKeys = graph.nodes.map((x) => x.key).sort();
    assert.ok(!nodeKeys.includes('run:other') && !nodeKeys.includes('dataset:unrelated'), 'unrelated branches stay out');
    assert.ok(nodeKeys.includes('dataset:d1') && nodeKeys.includes('monitor:churn-drift') && nodeKeys.includes('modelVersion:churn/2'));
    for (const edge of graph.edges) assert.ok(nodeKeys.includes(edge.from) && nodeKeys.includes(edge.to), `edge ${edge.from}→${edge.to} joins drawn nodes`);
    assert.ok(graph.edges.some((x) => x.from === 'modelVersion:churn/1' && x.to === 'endpoint:churn-api' && x.relation === 'served'));
    const small = lineage.lineageGraph(n('run:r1'), { maxNodes: 3 });
    assert.equal(small.nodes.length, 3);
    assert.equal(small.truncated, true);
  });
});

test("a run's dataset inputs are lineage edges without recording anything; labels come from tracking", async () => {
  await withLineage(async (lineage, store) => {
    const run = await store.tracking.createRun({ experimentId: '0', runName: 'nightly' });
    await store.tracking.logInputs(run.info.runId, [{ name: 'penguins.csv', digest: 'sha256:abc', sourceType: 'local', source: 'data/penguins.csv' }]);
    const up = lineage.upstream({ kind: 'run', id: run.info.runId });
    assert.deepEqual(up.map((h) => [h.node.key, h.node.label, h.node.detail]), [['dataset:sha256:abc', 'penguins.csv', 'data/penguins.csv · digest sha256:abc']]);
    assert.deepEqual(lineage.downstream({ kind: 'dataset', id: 'sha256:abc' }).map((h) => h.node.label), ['run nightly']);
    assert.equal(lineage.describe({ kind: 'run', id: 'f'.repeat(32) }).missing, true, 'a run that does not exist is marked missing');
  });
});

test('node kinds are open but checked, with a clear message', async () => {
  await withLineage(async (lineage) => {
    await lineage.record([e('featureView:orders', 'shadowEndpoint:b', 'feeds')]);
    assert.equal(lineage.downstream(n('featureView:orders'))[0]?.node.label, 'shadowEndpoint b');
    await assert.rejects(lineage.record([{ from: { kind: 'Data Set', id: 'x' }, to: n('run:r'), relation: 'trained' }]), /Lineage node kind "Data Set" is not valid: use a lowerCamelCase word/);
    assert.throws(() => parseNodeKey('nocolon'), /"nocolon" is not a lineage node: expected KIND:ID/);
  });
});
