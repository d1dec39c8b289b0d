import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { materializeRepo } from '../../../src/core/features/featureMaterializer';
import { parseFeatureRepo } from '../../../src/core/features/featureSpecParser';
import { readFeatureViewMeta, readOnlineFeatures } from '../../../src/core/features/featureStoreFiles';
import { buildTrainingSet, parseFeatureRefs } from '../../../src/core/features/trainingSetBuilder';
import { evaluateExpression, parseExpression } from '../../../src/core/features/rowExpression';

const dir = mkdtempSync(join(tmpdir(), 'features-test-'));
const store = join(dir, '.mlops');

const YAML = `entities:
  - name: customer
    join_keys: [customer_id]
sources:
  - name: orders
    path: orders.csv
    timestamp: ts
feature_views:
  - name: orders_stats
    entities: [customer]
    source: orders
    ttl: 2d
    owner: data-team
    tags: [orders]
    features:
      - name: amount
        type: float
      - name: big
        type: boolean
        expr: amount >= 100
      - name: spend_3d
        type: float
        aggregate: { function: sum, column: amount, window: 3d }
      - name: orders_3d
        type: integer
        aggregate: { function: count, window: 3d }
      - name: max_3d
        type: float
        aggregate: { function: max, column: amount, window: 3d }
`;

// c1: day1 10, day2 200, day4 30 (late: written last), day6 5; c2: day2 50
const ORDERS = 'customer_id,ts,amount\nc1,2024-01-01T00:00:00Z,10\nc1,2024-01-02T00:00:00Z,200\nc2,2024-01-02T00:00:00Z,50\nc1,2024-01-06T00:00:00Z,5\nc1,2024-01-04T00:00:00Z,30\n';

test('expressions: arithmetic, comparison, functions, nulls; errors give the character', () => {
  const row = (name: string): number | string | null => ({ a: 3, b: null, s: 'PT' })[name] ?? null;
  assert.equal(evaluateExpression(parseExpression('a * 2 + 1'), row), 7);
  assert.equal(evaluateExpression(parseExpression('-a + pow(a, 2) % 5'), row), 1);
  assert.equal(evaluateExpression(parseExpression('if(s == "PT" and a > 2, log(1 + a), 0)'), row), Math.log(4));
  assert.equal(evaluateExpression(parseExpression('b + 1'), row), null);
  assert.equal(evaluateExpression(parseExpression('coalesce(b, a)'), row), 3);
  assert.equal(evaluateExpression(parseExpression('lower(s) + "x"'), row), 'ptx');
  assert.throws(() => parseExpression('a + * 2'), /unexpected "\*" at character 5/);
  assert.throws(() => parseExpression('eval(a)'), /unknown function "eval"/);
});

test('features.yaml errors name line, column and field', () => {
  assert.throws(() => parseFeatureRepo(YAML.replace('ttl: 2d', 'ttl: 2 days'), 'features.yaml'), /features\.yaml:12:10: feature_views\[0\]\.ttl must be a duration/);
  assert.throws(() => parseFeatureRepo(YAML.replace('source: orders\n', 'source: order\n'), 'features.yaml'), /features\.yaml:11:13: unknown source "order" \(defined: orders\)/);
  assert.throws(() => parseFeatureRepo(YAML.replace('amount >= 100', 'amount >= '), 'features.yaml'), /features\.yaml:20:15: bad expression: unexpected end of expression/);
  assert.throws(() => parseFeatureRepo(YAML.replace('    owner: data-team', '    owners: data-team'), 'features.yaml'), /:13:5: feature_views\[0\] has an unknown field "owners"/);
});

test('materialize, then a point-in-time training set with TTL and windowed aggregates', async () => {
  writeFileSync(join(dir, 'features.yaml'), YAML);
  writeFileSync(join(dir, 'orders.csv'), ORDERS);
  const repo = parseFeatureRepo(YAML, join(dir, 'features.yaml'));
  const metas = await materializeRepo(repo, store);
  assert.equal(metas[0]!.rows, 5);
  assert.equal(metas[0]!.latestEventTime, '2024-01-06T00:00:00.000Z');
  assert.equal((await readFeatureViewMeta(store, 'orders_stats')).entities, 2);
  // online: the latest per key by event time (day 6 for c1, although day 4 was written last)
  assert.deepEqual((await readOnlineFeatures(store, 'orders_stats', 'c1'))?.values, { amount: 5, big: 0, spend_3d: 35, orders_3d: 2, max_3d: 30 });

  writeFileSync(join(dir, 'entities.csv'), 'customer_id,event_timestamp,label\nc1,2024-01-02T00:00:00Z,1\nc1,2024-01-03T12:00:00Z,0\nc1,2024-01-04T00:00:00Z,1\nc1,2024-01-04T00:00:00.001Z,1\nc2,2024-01-04T00:00:00Z,0\nc2,2024-01-04T00:00:00.001Z,0\nc3,2024-01-05T00:00:00Z,1\n');
  const out = join(dir, 'train.csv');
  const result = await buildTrainingSet(repo, store, join(dir, 'entities.csv'), parseFeatureRefs('orders_stats:amount,orders_stats:spend_3d,orders_stats:orders_3d,orders_stats:max_3d,orders_stats:big'), out);
  assert.deepEqual(result.columns, ['customer_id', 'event_timestamp', 'label', 'amount', 'spend_3d', 'orders_3d', 'max_3d', 'big']);
  const lines = readFileSync(out, 'utf8').trim().split('\n').slice(1).map((l) => l.split(',').slice(3).join(','));
  assert.deepEqual(lines, [
    '200,210,2,200,1', // c1 at day 2: the day-2 row (same instant counts); window (day -1, day 2] = 10 + 200
    '200,210,2,200,1', // c1 at day 3.5: still day 2's row (1.5 days old, TTL 2d)
    '30,230,2,200,0', // c1 at day 4: the late day-4 row; window (day 1, day 4] = 200 + 30 (day 1 is exactly 3d old: out)
    '30,230,2,200,0',
    '50,50,1,50,0', // c2 at day 4: day-2 row exactly 2 days old: inside the TTL
    ',,,,', // c2 1 ms later: outside the TTL → empty
    ',,,,', // c3: unknown entity → empty
  ]);
  assert.deepEqual(result.misses, { orders_stats: 2 });
  await assert.rejects(buildTrainingSet(repo, store, join(dir, 'entities.csv'), parseFeatureRefs('orders_stats:nope'), out), /has no feature "nope"; it has: amount, big/);
  await assert.rejects(buildTrainingSet(repo, store, join(dir, 'entities.csv'), parseFeatureRefs('orders_stats:amount'), out, { timestampColumn: 'when' }), /no timestamp column "when"/);
});
