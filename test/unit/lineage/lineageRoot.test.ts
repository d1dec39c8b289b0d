import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveLineageRoot } from '../../../src/core/lineage/lineageRoot';
import { LineageStore } from '../../../src/core/lineage/lineageStore';
import { openRegistryFixture, trainedRun } from '../registry/registryTestSupport';

test('the CLI and the panel name a root the same way: models:/ URIs, runs:/, bare run ids, KIND:ID', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store, { name: 'first' });
    await f.registry.registerVersion(runId, 'penguins');
    await f.registry.registerVersion(runId, 'penguins');
    await f.registry.setAlias('penguins', 'champion', 1);
    const root = (target: string): string => {
      const node = resolveLineageRoot(f.registry, target);
      return `${node.kind}:${node.id}`;
    };
    assert.equal(root('models:/penguins@champion'), 'modelVersion:penguins/1', 'an alias resolves to the version it points at now');
    assert.equal(root('models:/penguins/2'), 'modelVersion:penguins/2');
    assert.equal(root('models:/penguins/latest'), 'modelVersion:penguins/2');
    assert.equal(root(`runs:/${runId}/model`), `run:${runId}`);
    assert.equal(root(` ${runId} `), `run:${runId}`);
    assert.equal(root('endpoint:penguins-api'), 'endpoint:penguins-api');
    assert.throws(() => resolveLineageRoot(f.registry, 'models:/penguins@nope'), /models:\/penguins@nope: model "penguins" has no alias "nope"/);
    assert.throws(() => resolveLineageRoot(f.registry, 'penguins'), /"penguins" is not a lineage node: expected KIND:ID/);
    assert.throws(() => resolveLineageRoot(f.registry, '  '), /Name what to show the lineage of/);
  } finally {
    await f.cleanup();
  }
});

test('nodesOfKind lists the endpoints (or any kind) that lineage has seen, most recently linked first', async () => {
  const f = await openRegistryFixture();
  try {
    const lineage = new LineageStore(f.store.database);
    const v = (n: number): { kind: string; id: string } => ({ kind: 'modelVersion', id: `churn/${n}` });
    await lineage.record([{ from: v(1), to: { kind: 'endpoint', id: 'old-api' }, relation: 'served' }], { 'endpoint:old-api': 'old-api (http://127.0.0.1:5001)' });
    await new Promise((r) => setTimeout(r, 5));
    await lineage.record([{ from: v(2), to: { kind: 'endpoint', id: 'new-api' }, relation: 'served' }, { from: { kind: 'endpoint', id: 'new-api' }, to: { kind: 'monitor', id: 'drift' }, relation: 'monitored' }]);
    assert.deepEqual(lineage.nodesOfKind('endpoint').map((n) => [n.key, n.label]), [['endpoint:new-api', 'endpoint new-api'], ['endpoint:old-api', 'old-api (http://127.0.0.1:5001)']]);
    assert.deepEqual(lineage.nodesOfKind('monitor').map((n) => n.key), ['monitor:drift']);
    assert.deepEqual(lineage.nodesOfKind('featureSet'), []);
  } finally {
    await f.cleanup();
  }
});
