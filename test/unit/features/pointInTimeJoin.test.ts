import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FeatureHistory } from '../../../src/core/features/featureHistory';
import { pointInTimeJoin } from '../../../src/core/features/pointInTimeJoin';

const H = 3_600_000;
const t = (hours: number): number => Date.UTC(2024, 0, 1) + hours * H;

// customer 1: rows at 0h (10), 5h (50), 10h (100); a late row at 3h (30) arrives last in the file.
// customer 2: two rows at the same instant 4h (first 40, then 41).
const stats: FeatureHistory = {
  keys: ['c1', 'c1', 'c1', 'c2', 'c2', 'c1'],
  times: Float64Array.from([t(0), t(5), t(10), t(4), t(4), t(3)]),
  columns: [
    { name: 'spend', values: Float64Array.from([10, 50, 100, 40, 41, 30]) },
    { name: 'tier', values: ['bronze', 'silver', 'gold', 'x', 'y', 'late'] },
  ],
};

function join(keys: string[], hours: number[], ttlHours: number | null): { spend: number[]; tier: (string | null)[]; misses: number } {
  const result = pointInTimeJoin(keys, Float64Array.from(hours.map(t)), [{ view: 'stats', history: stats, ttlMs: ttlHours === null ? null : ttlHours * H, features: ['spend', 'tier'] }]);
  return { spend: Array.from(result.columns[0]!.values as Float64Array), tier: result.columns[1]!.values as (string | null)[], misses: result.misses.stats ?? -1 };
}

test('a feature row at the same instant as the entity row counts; a later one never does', () => {
  const r = join(['c1', 'c1', 'c1'], [5, 4.999, 10], null);
  assert.deepEqual(r.spend, [50, 30, 100]);
});

test('TTL edges: exactly TTL old is inside, one millisecond more is outside', () => {
  const inside = pointInTimeJoin(['c1'], Float64Array.from([t(10) + 2 * H]), [{ view: 'stats', history: stats, ttlMs: 2 * H, features: ['spend'] }]);
  assert.equal((inside.columns[0]!.values as Float64Array)[0], 100);
  const outside = pointInTimeJoin(['c1'], Float64Array.from([t(10) + 2 * H + 1]), [{ view: 'stats', history: stats, ttlMs: 2 * H, features: ['spend'] }]);
  assert.ok(Number.isNaN((outside.columns[0]!.values as Float64Array)[0]!));
  assert.equal(outside.misses.stats, 1);
});

test('late rows are placed by event time, not by file order', () => {
  const r = join(['c1', 'c1'], [3, 4], null);
  assert.deepEqual(r.spend, [30, 30]);
  assert.deepEqual(r.tier, ['late', 'late']);
});

test('two feature rows at the same event time: the later row in the file wins', () => {
  const r = join(['c2'], [4], null);
  assert.deepEqual(r.spend, [41]);
  assert.deepEqual(r.tier, ['y']);
});

test('missing entities and timestamps before any feature row give nulls', () => {
  const r = join(['nobody', 'c1', 'c2'], [10, -1, 3.5], 24);
  assert.ok(r.spend.every((v) => Number.isNaN(v)));
  assert.deepEqual(r.tier, [null, null, null]);
  assert.equal(r.misses, 3);
});

test('several feature views, each with its own TTL', () => {
  const profile: FeatureHistory = { keys: ['c1', 'c2'], times: Float64Array.from([t(1), t(1)]), columns: [{ name: 'age', values: Float64Array.from([33, 44]) }] };
  const result = pointInTimeJoin(['c1', 'c2', 'c1'], Float64Array.from([t(6), t(6), t(30)]), [
    { view: 'stats', history: stats, ttlMs: 2 * H, features: ['spend'] },
    { view: 'profile', history: profile, ttlMs: null, features: ['age'] },
  ]);
  assert.deepEqual(result.columns.map((c) => c.name), ['stats:spend', 'profile:age']);
  const spend = Array.from(result.columns[0]!.values as Float64Array);
  // c1 at 6h: 50 (5h, 1h old); c2 at 6h: 41 (4h, exactly 2h old: inside); c1 at 30h: 100 is 20h old: outside
  assert.equal(spend[0], 50);
  assert.equal(spend[1], 41);
  assert.ok(Number.isNaN(spend[2]!));
  assert.deepEqual(Array.from(result.columns[1]!.values as Float64Array), [33, 44, 33]);
});

test('an unknown feature is named with the ones the view has', () => {
  assert.throws(() => pointInTimeJoin(['c1'], Float64Array.from([t(1)]), [{ view: 'stats', history: stats, ttlMs: null, features: ['nope'] }]), /no feature "nope"; it has: spend, tier/);
});
