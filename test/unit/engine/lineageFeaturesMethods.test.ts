import assert from 'node:assert/strict';
import { test } from 'node:test';
import { httpEngine, type EngineClient } from '../../../src/core/engine/engineClient';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openRegistryFixture, trainedRun, type RegistryFixture } from '../registry/registryTestSupport';

/** A registry fixture held by this process, and an engine client of it as another window or the CLI has. */
async function withHolder(body: (f: RegistryFixture, client: EngineClient) => Promise<void>): Promise<void> {
  const f = await openRegistryFixture();
  const server = await startTrackingServer({ store: f.store });
  try {
    await body(f, httpEngine(server.url, server.token));
  } finally {
    await server.close();
    await f.cleanup();
  }
}

const message = (promise: Promise<unknown>): Promise<string> => promise.then(() => 'no error', (error: Error) => error.message);

test('a client records lineage through the holder (as materializing features does): the graph shows the edges with their names; a bad node records nothing', async () => {
  await withHolder(async (_f, client) => {
    const edges = [{ from: { kind: 'dataset', id: 'sha256:ev' }, to: { kind: 'featureSet', id: 'activity' }, relation: 'materialized' }];
    assert.deepEqual(await client.call('lineage.record', { edges, labels: { 'featureSet:activity': 'features activity', 'dataset:sha256:ev': 'data/events.csv' } }), { edges: 1 });
    const graph = await client.call('lineage.graph', { root: { kind: 'featureSet', id: 'activity' } });
    assert.deepEqual(graph.nodes.map((n) => n.label).sort(), ['data/events.csv', 'features activity']);
    assert.deepEqual(graph.edges, [{ from: 'dataset:sha256:ev', to: 'featureSet:activity', relation: 'materialized' }]);

    const bad = { kind: 'Data Set', id: 'x' };
    assert.match(await message(client.call('lineage.record', { edges: [...edges, { from: bad, to: { kind: 'run', id: 'r' }, relation: 'trained' }] })), /Lineage node kind "Data Set" is not valid: use a lowerCamelCase word/);
    assert.match(await message(client.call('lineage.record', { edges: [{ from: { kind: 'dataset', id: '' }, to: { kind: 'run', id: 'r' }, relation: 'trained' }] })), /needs a non-empty id/);
    assert.match(await message(client.call('lineage.record', { edges: [{ ...edges[0]!, relation: ' ' }] })), /edges\[0\]\.relation must be a non-empty string/);
    assert.match(await message(client.call('lineage.record', { edges, labels: { 'run:other': 'not in these edges' } })), /The label of run:other names no node of these edges/);
    assert.match(await message(client.call('lineage.record', { edges: 'dataset→run' as never })), /edges must be a list/);
    // nothing of the refused calls reached the store
    assert.equal((await client.call('lineage.graph', { root: { kind: 'run', id: 'r' } })).nodes.length, 1);
    assert.equal((await client.call('lineage.describe', { node: { kind: 'featureSet', id: 'activity' } })).label, 'features activity');
  });
});

test('what Show Lineage and mlops lineage ask: an alias resolves to its version now, and the report walks up and down as a tree', async () => {
  await withHolder(async (f, client) => {
    const runId = await trainedRun(f.store, { name: 'calm-fox' });
    await f.registry.registerVersion(runId, 'penguins');
    await f.registry.setAlias('penguins', 'champion', 1);
    const root = await client.call('lineage.resolve', { target: 'models:/penguins@champion' });
    assert.deepEqual([root.kind, root.id], ['modelVersion', 'penguins/1']);
    assert.equal((await client.call('lineage.resolve', { target: `runs:/${runId}/model` })).label, 'run calm-fox');
    assert.match(await message(client.call('lineage.resolve', { target: 'models:/penguins@nobody' })), /nobody/);
    assert.match(await message(client.call('lineage.resolve', { target: ' ' })), /target must be a non-empty string/);

    const report = await client.call('lineage.report', { target: 'models:/penguins@champion', up: true, down: false });
    assert.equal(report.root.key, 'modelVersion:penguins/1');
    assert.equal(report.downTree, undefined, 'only what was asked for');
    const [registered] = report.upTree ?? [];
    assert.equal(registered?.relation, 'registered');
    assert.equal(registered?.node.label, 'run calm-fox');
    assert.deepEqual(registered?.steps.map((s) => [s.relation, s.node.kind, s.again]), [['trained', 'dataset', false]]);
    assert.deepEqual(report.upstream?.map((h) => [h.node.kind, h.distance]), [['run', 1], ['dataset', 2]]);
    assert.equal(report.graph.nodes.length, 3);
  });
});

test('the Feature Catalog and Serve Model ask the holder which models were trained on a feature set, and what a version takes', async () => {
  await withHolder(async (f, client) => {
    // features materialized from events, a training set built from them, a run trained on it, registered
    const runId = await trainedRun(f.store, { digest: 'set-digest' });
    await client.call('lineage.record', {
      edges: [
        { from: { kind: 'dataset', id: 'events' }, to: { kind: 'featureSet', id: 'activity' }, relation: 'materialized' },
        { from: { kind: 'featureSet', id: 'activity' }, to: { kind: 'dataset', id: 'set-digest' }, relation: 'built' },
      ],
    });
    assert.deepEqual(await client.call('features.modelsUsing', { views: ['activity', 'profile'] }), { activity: [], profile: [] }, 'nothing registered yet');
    await f.registry.registerVersion(runId, 'penguins');
    assert.deepEqual(await client.call('features.modelsUsing', { views: ['activity', 'profile'] }), { activity: [{ name: 'penguins', version: 1, missing: false }], profile: [] });
    assert.match(await message(client.call('features.modelsUsing', { views: [''] })), /views must be a list of feature view names/);

    const context = await client.call('features.servingContext', { uri: 'models:/penguins/1' });
    assert.deepEqual(context.trainedFrom, ['activity']);
    assert.deepEqual(context.signature?.inputs.map((i) => i.name), ['bill_length_mm', 'island']);
    assert.equal(context.storeDir, f.store.dir);
    assert.match(await message(client.call('features.servingContext', { uri: 'models:/nothing/1' })), /nothing/);
  });
});
