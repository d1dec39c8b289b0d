import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ColumnInfo } from '../../../src/protocol/runs/runsContract';
import { assignRunColors } from '../../../webview/shared/chartTheme';
import { curvePoints, smoothEma, valueAt } from '../../../webview/runs/curveSeries';
import { nextSort, reorderColumns, visibleColumns } from '../../../webview/runs/runsState';

const col = (id: string, varies = true): ColumnInfo => {
  const [prefix, key] = [id.slice(0, id.indexOf('.')), id.slice(id.indexOf('.') + 1)];
  const kinds: Record<string, ColumnInfo['kind']> = { attributes: 'attribute', params: 'param', metrics: 'metric', tags: 'tag' };
  const kind = kinds[prefix!]!;
  return { id, kind, key: key!, numeric: kind === 'metric', varies, valuesDiffer: varies, present: 1 };
};

describe('runs view logic', () => {
  test('EMA smoothing is debiased (starts at the first value) and weight 0 is the identity', () => {
    assert.deepEqual(smoothEma([1, 2, 3], 0), [1, 2, 3]);
    const s = smoothEma([10, 0, 0, 0], 0.5);
    assert.equal(s[0], 10);
    assert.ok(Math.abs(s[1]! - 10 / 3) < 1e-12);
  });

  test('curve points: relative time in seconds from the run start; log scale drops values ≤ 0', () => {
    const series = { runId: 'r', key: 'loss', x: [1000, 2000, 3000], values: [1, 0, 2], total: 3, downsampled: false };
    assert.deepEqual([...curvePoints(series, 'relative', 1000, 0, false)], [0, 1, 1, 0, 2, 2]);
    assert.deepEqual([...curvePoints(series, 'time', 0, 0, true)], [1000, 1, 3000, 2]);
  });

  test('a run\'s value at any x is read off its line; outside its steps it has none', () => {
    const xy = Float64Array.from([0, 1, 10, 2, 20, 0]);
    assert.equal(valueAt(xy, 0), 1);
    assert.equal(valueAt(xy, 5), 1.5, 'halfway between steps 0 and 10');
    assert.equal(valueAt(xy, 10), 2);
    assert.equal(valueAt(xy, 15), 1);
    assert.equal(valueAt(xy, 20), 0);
    assert.equal(valueAt(xy, -1), undefined, 'before the run started');
    assert.equal(valueAt(xy, 21), undefined, 'after its last step');
    assert.equal(valueAt(new Float64Array(0), 3), undefined);
    assert.equal(valueAt(Float64Array.from([7, 0.5]), 7), 0.5, 'a single point');
  });

  test('sorting: click cycles ascending → descending → none; Shift adds or flips a key', () => {
    let sort = nextSort([], 'metrics.acc', false);
    assert.deepEqual(sort, [{ columnId: 'metrics.acc', descending: false }]);
    sort = nextSort(sort, 'metrics.acc', false);
    assert.deepEqual(sort, [{ columnId: 'metrics.acc', descending: true }]);
    assert.deepEqual(nextSort(sort, 'metrics.acc', false), []);
    sort = nextSort(sort, 'params.lr', true);
    assert.deepEqual(sort.map((s) => s.columnId), ['metrics.acc', 'params.lr']);
    assert.equal(nextSort(sort, 'params.lr', true)[1]!.descending, true);
    assert.deepEqual(nextSort(sort, 'params.lr', false), [{ columnId: 'params.lr', descending: false }], 'a plain click replaces the keys');
  });

  test('layout: user order first, new columns after, hidden and (with only-differences) constant ones left out', () => {
    const all = [col('attributes.run_name', false), col('metrics.acc'), col('params.lr'), col('params.epochs', false), col('tags.team')];
    const layout = { order: ['params.lr', 'attributes.run_name'], hidden: ['tags.team'], pinned: [], widths: {} };
    assert.deepEqual(visibleColumns(all, layout, false).map((c) => c.id), ['params.lr', 'attributes.run_name', 'metrics.acc', 'params.epochs']);
    assert.deepEqual(visibleColumns(all, layout, true).map((c) => c.id), ['params.lr', 'attributes.run_name', 'metrics.acc'], 'the run name stays even though it is "constant"');
    const moved = reorderColumns(layout, all, 'metrics.acc', 'params.lr');
    assert.deepEqual(moved.order.slice(0, 3), ['metrics.acc', 'params.lr', 'attributes.run_name']);
  });

  test('compared runs get distinct colours in selection order and keep them as runs come and go', () => {
    const palette = ['a', 'b', 'c', 'd'];
    const first = assignRunColors(['r1', 'r2', 'r3'], palette);
    assert.deepEqual([...first.values()], ['a', 'b', 'c']);
    const fewer = assignRunColors(['r2', 'r3'], palette, first);
    assert.deepEqual([...fewer.entries()], [['r2', 'b'], ['r3', 'c']], 'removing r1 does not repaint the others');
    const more = assignRunColors(['r2', 'r3', 'r4'], palette, fewer);
    assert.equal(more.get('r4'), 'a', 'a newcomer takes the first free colour');
  });
});
