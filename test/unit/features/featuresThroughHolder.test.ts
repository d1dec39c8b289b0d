import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { featureSetNode } from '../../../src/core/features/featureLineage';
import { lineageFor } from '../../../src/core/registry/registryAccess';
import { runCliAsync } from '../lib/runCli';
import { startFixture } from '../server/serverTestSupport';

const SPEC = 'entities:\n  - name: user\n    join_keys: [user]\nsources:\n  - name: events\n    path: events.csv\n    timestamp: ts\nfeature_views:\n  - name: activity\n    entities: [user]\n    source: events\n    ttl: 1d\n    features:\n      - name: clicks\n        type: integer\n';

test('while another process holds the store (VS Code open), mlops features and mlops lineage work through it instead of exiting 3', { timeout: 240_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    writeFileSync(join(workspace, 'events.csv'), 'user,ts,clicks\nu1,2024-01-01T00:00:00Z,3\nu1,2024-01-03T00:00:00Z,5\n');
    writeFileSync(join(workspace, 'features.yaml'), SPEC);
    writeFileSync(join(workspace, 'entities.csv'), 'user,event_timestamp\nu1,2024-01-01T12:00:00Z\n');

    const materialized = await runCliAsync(['-w', workspace, 'features', 'materialize']);
    assert.equal(materialized.status, 0, materialized.stderr);
    assert.match(materialized.stderr, /going through its server/);
    const runId = /recorded as run ([0-9a-f]+)/.exec(materialized.stdout)?.[1];
    assert.ok(runId, materialized.stdout);
    // the holder (this process) has the run and the lineage the CLI recorded
    assert.equal((await fx.store.tracking.getRun(runId)).info.runName, 'materialize activity');
    assert.deepEqual(lineageFor(fx.store).parents(featureSetNode('activity')).map((s) => [s.node.kind, s.relation]), [['dataset', 'materialized']]);

    const built = await runCliAsync(['-w', workspace, 'features', 'get-training-set', join(workspace, 'entities.csv'), '--features', 'activity:clicks', '-o', join(workspace, 'train.csv')]);
    assert.equal(built.status, 0, built.stderr);
    assert.equal(readFileSync(join(workspace, 'train.csv'), 'utf8'), 'user,event_timestamp,clicks\nu1,2024-01-01T12:00:00Z,3\n');

    const lineage = await runCliAsync(['-w', workspace, 'lineage', 'featureSet:activity']);
    assert.equal(lineage.status, 0, lineage.stderr);
    assert.match(lineage.stdout, /^features activity {2}\[featureSet:activity\]\nupstream:\n {2}└─ materialized ← .*events\.csv {2}\[dataset:/);
    assert.match(lineage.stdout, /downstream:\n {2}└─ built → .*train\.csv {2}\[dataset:/);
    const json = await runCliAsync(['-w', workspace, '--json', 'lineage', 'featureSet:activity', '--down']);
    assert.equal(json.status, 0, json.stderr);
    const report = JSON.parse(json.stdout) as { root: { label: string }; upstream?: unknown; downstream: { node: { kind: string } }[]; graph: { nodes: unknown[] } };
    assert.equal(report.root.label, 'features activity');
    assert.equal(report.upstream, undefined);
    assert.deepEqual(report.downstream.map((h) => h.node.kind), ['dataset']);
    assert.equal(report.graph.nodes.length, 3);

    const wrong = await runCliAsync(['-w', workspace, 'lineage', 'Not A Kind:x']);
    assert.equal(wrong.status, 2, 'a bad name is a usage error, as without a holder');
    assert.match(wrong.stderr, /Lineage node kind "Not A Kind" is not valid/);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
