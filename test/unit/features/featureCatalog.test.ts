import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { modelsUsingFeatureSet } from '../../../src/core/features/featureLineage';
import { featureSpecTemplate } from '../../../src/core/features/featureSpecTemplate';
import { parseFeatureRepo } from '../../../src/core/features/featureSpecParser';
import { historyStatistics, readFeatureViewStats } from '../../../src/core/features/featureStats';
import type { FeatureViewMeta } from '../../../src/core/features/featureStoreFiles';
import { loadFeatureWorkspace } from '../../../src/core/features/featureWorkspace';
import { LineageStore } from '../../../src/core/lineage/lineageStore';
import { runChildJob } from '../../../src/core/process/childJob';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { catalogState } from '../../../src/vscode/features/featureCatalogModel';
import { featureFileNode, freshnessText, type FeatureTreeNode } from '../../../src/vscode/features/featureTreeModel';
import { tempStoreDir } from '../store/testSupport';

const SPEC = `entities:
  - name: user
    join_keys: [user_id]
sources:
  - name: events
    path: events.csv
    timestamp: ts
feature_views:
  - name: activity
    entities: [user]
    source: events
    ttl: 30d
    owner: growth
    tags: [engagement]
    features:
      - name: clicks
        type: integer
        tags: [counts]
      - name: country
        type: string
  - name: spend
    entities: [user]
    source: events
    features:
      - name: amount
        type: float
`;

const HOUR = 3_600_000;
const meta = (view: string, materializedAt: number, rows: number): FeatureViewMeta => ({
  view,
  materializedAt: new Date(materializedAt).toISOString(),
  rows,
  entities: 10,
  latestEventTime: null,
  sourcePath: '/w/events.csv',
  sourceDigest: 'd',
  features: [],
  skippedRows: 0,
});

function children(node: FeatureTreeNode): FeatureTreeNode[] {
  return 'children' in node ? node.children : [];
}

describe('Features view tree', () => {
  test('views show freshness, TTL and owner; fields their type; entities and sources follow; clicks open the right line', () => {
    const now = Date.parse('2024-06-01T12:00:00Z');
    const repo = parseFeatureRepo(SPEC, '/w/features.yaml');
    const node = featureFileNode({ file: '/w/features.yaml', displayPath: 'features.yaml', text: SPEC, repo, metas: new Map([['activity', meta('activity', now - 3 * HOUR, 12345)]]) }, now);
    assert.equal(node.description, '2 views · 1 materialized');
    const [activity, spend, user, events] = children(node);
    assert.equal(activity?.label, 'activity');
    assert.equal(activity?.description, 'materialized 3 h ago · 12,345 rows · TTL 30d · growth');
    assert.equal(activity?.line, 9, 'the view opens at its "- name:" line');
    assert.equal(spend?.description, 'never materialized · no TTL');
    assert.match(spend?.tooltip ?? '', /never materialized: run "MLOps: Materialize Features"/);
    assert.deepEqual(children(activity!).map((f) => [f.label, f.description, f.line]), [['clicks', 'integer', 16], ['country', 'string', 19]]);
    assert.deepEqual(children(spend!).map((f) => [f.label, f.line]), [['amount', 25]], 'a field is found inside its own view');
    assert.deepEqual([user?.kind, user?.label, user?.description, events?.kind, events?.description], ['entity', 'user', 'entity · keys user_id', 'source', 'source · time ts']);
  });

  test('an invalid spec shows each problem with its line and field', () => {
    const bad = SPEC.replace('ttl: 30d', 'ttl: thirty days').replace('source: events\n  - name: spend', 'source: nowhere\n  - name: spend');
    const repoError = (() => {
      try {
        parseFeatureRepo(bad, '/w/features.yaml');
      } catch (error) {
        return error as { issues: { line: number; column: number; field: string; message: string }[] };
      }
      throw new Error('expected a SpecError');
    })();
    const node = featureFileNode({ file: '/w/features.yaml', displayPath: 'features.yaml', text: bad, issues: repoError.issues, metas: new Map() }, 0);
    assert.equal(node.kind === 'file' && node.valid, false);
    const issues = children(node);
    assert.equal(issues[0]?.kind, 'issue');
    assert.equal(issues[0]?.line, 12);
    assert.match(issues[0]?.label ?? '', /feature_views\[0\]\.ttl must be a duration such as 90s/);
    assert.equal(issues[0]?.description, 'line 12 · feature_views[0].ttl');
    assert.match(node.tooltip, /^features\.yaml:12:10 \(feature_views\[0\]\.ttl\): /);
  });

  test('freshness reads in minutes, hours and days', () => {
    const now = 10 * 86_400_000;
    assert.equal(freshnessText(undefined, now), 'never materialized');
    assert.equal(freshnessText(meta('a', now - 20_000, 1), now), 'materialized just now · 1 row');
    assert.equal(freshnessText(meta('a', now - 12 * 60_000, 2), now), 'materialized 12 min ago · 2 rows');
    assert.equal(freshnessText(meta('a', now - 3 * 86_400_000, 2), now), 'materialized 3 d ago · 2 rows');
  });
});

describe('feature statistics', () => {
  test('numbers get count, missing share, min/max/mean/std and a histogram; text its top values', () => {
    const stats = historyStatistics({
      keys: ['a', 'b', 'c', 'd', 'e'],
      times: new Float64Array(5),
      columns: [
        { name: 'x', values: Float64Array.from([1, 2, 3, 4, NaN]) },
        { name: 'c', values: ['fr', 'de', 'fr', null, 'fr'] },
        { name: 'n', values: Float64Array.from([0, 1, 1, 1, 0]) },
      ],
      types: { x: 'float', c: 'string', n: 'integer' },
    });
    const [x, c, n] = stats;
    assert.deepEqual([x?.count, x?.missing, x?.missingShare, x?.min, x?.max, x?.mean], [5, 1, 0.2, 1, 4, 2.5]);
    assert.ok(Math.abs((x?.std ?? 0) - Math.sqrt(1.25)) < 1e-12);
    assert.equal(x?.distribution.kind, 'numeric');
    assert.equal(x?.distribution.counts.reduce((s, v) => s + v, 0), 4);
    assert.deepEqual(c?.distribution, { kind: 'categorical', labels: ['fr', 'de'], counts: [3, 1], otherCount: 0 });
    assert.deepEqual([c?.missing, c?.distinct, c?.mean], [1, 2, null]);
    assert.deepEqual(n?.distribution, { kind: 'categorical', labels: ['0', '1'], counts: [2, 3], otherCount: 0 }, 'few distinct integers: one bar per value');
  });
});

describe('materialization in a worker, and the catalog', () => {
  test('the worker job materializes the example, writes statistics, and the catalog lists every feature with freshness', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feature-catalog-'));
    try {
      cpSync(join(__dirname, '../../../examples/features'), dir, { recursive: true });
      const storeDir = join(dir, '.mlops');
      const events: string[] = [];
      const metas = await runChildJob('materializeFeatures', { file: join(dir, 'features.yaml'), storeDir }, { onEvent: (p) => events.push(`${(p as { phase: string }).phase} ${(p as { view: string }).view}`) });
      assert.deepEqual(metas.map((m) => [m.view, m.rows, m.entities]), [['penguin_morphology', 344, 115], ['penguin_weight', 344, 115]]);
      assert.deepEqual(events, ['materialize penguin_morphology', 'materialize penguin_weight', 'statistics penguin_morphology', 'statistics penguin_weight']);
      const stats = await readFeatureViewStats(storeDir, 'penguin_weight', metas[1]!.materializedAt);
      const island = stats?.features.find((f) => f.name === 'island');
      assert.deepEqual(island?.distribution.kind === 'categorical' ? island.distribution.labels : [], ['Biscoe', 'Dream', 'Torgersen']);
      const mass = stats?.features.find((f) => f.name === 'body_mass_g');
      assert.deepEqual([mass?.missing, mass?.min, mass?.max], [2, 2700, 6300], 'penguins.csv has two penguins without a mass');

      const files = await loadFeatureWorkspace([dir], storeDir);
      const state = catalogState(files, (f) => f.slice(dir.length + 1), 0);
      assert.equal(state.specFiles, 1);
      assert.equal(state.features.length, 7);
      const ratio = state.features.find((f) => f.id === 'penguin_morphology:bill_ratio');
      assert.deepEqual([ratio?.owner, ratio?.tags, ratio?.rows, ratio?.ttl, ratio?.file, ratio?.line], ['field-team', ['morphology', 'derived'], 344, 'TTL 90d', 'features.yaml', 33]);

      writeFileSync(join(dir, 'features.yaml'), readFileSync(join(dir, 'features.yaml'), 'utf8').replace('type: integer', 'type: int'));
      const broken = catalogState(await loadFeatureWorkspace([dir], storeDir), (f) => f.slice(dir.length + 1), 0);
      assert.equal(broken.features.length, 0);
      assert.equal(broken.problems[0]?.line, 31);
      assert.match(broken.problems[0]?.message ?? '', /must be one of: float, integer, string, boolean/);
      await assert.rejects(runChildJob('materializeFeatures', { file: join(dir, 'features.yaml'), storeDir }), /features\.yaml:31:15: .*type must be one of/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('models that use a feature view come from lineage: featureSet → training set → run → model version', async () => {
    const { dir, cleanup } = tempStoreDir('mlops-feature-models-');
    const store = await openWorkspaceStore({ dir, writerName: 'feature catalog test' });
    try {
      const lineage = new LineageStore(store.database);
      const run = await store.tracking.createRun({ experimentId: '0', runName: 'trained-on-features' });
      await store.tracking.logInputs(run.info.runId, [{ name: 'train.csv', digest: 'sha256:trainset', sourceType: 'local', source: 'train.csv' }]);
      await lineage.record([
        { from: { kind: 'dataset', id: 'sha256:source' }, to: { kind: 'featureSet', id: 'activity' }, relation: 'materialized' },
        { from: { kind: 'featureSet', id: 'activity' }, to: { kind: 'dataset', id: 'sha256:trainset' }, relation: 'built' },
        { from: { kind: 'run', id: run.info.runId }, to: { kind: 'modelVersion', id: 'churn/2' }, relation: 'registered' },
        { from: { kind: 'run', id: run.info.runId }, to: { kind: 'modelVersion', id: 'churn/1' }, relation: 'registered' },
      ]);
      assert.deepEqual(modelsUsingFeatureSet(lineage, 'activity').map((m) => `${m.name}/${m.version}`), ['churn/2', 'churn/1']);
      assert.deepEqual(modelsUsingFeatureSet(lineage, 'spend'), [], 'a view nothing was trained on has no models');
    } finally {
      await store.close();
      cleanup();
    }
  });

  test('the starter features.yaml guesses the key and event-time columns and parses', () => {
    const text = featureSpecTemplate('orders.csv', ['order_id', 'customer_id', 'created_at', 'amount']);
    assert.match(text, /join_keys: \[order_id\]/);
    assert.match(text, /timestamp: created_at/);
    const repo = parseFeatureRepo(text, '/w/features.yaml');
    assert.deepEqual(repo.views[0]?.features.map((f) => f.name), ['amount']);
    assert.ok(!existsSync('/w/features.yaml'));
  });
});
