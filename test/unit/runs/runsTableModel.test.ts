import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareCells, discoverColumns, groupRuns, parseColumnId, rowCells, sortRuns } from '../../../src/core/tracking/runsTable/runsTableModel';
import { syntheticRuns } from '../../webview/runsFakeHost';

const runs = syntheticRuns({ runs: 30, extraParams: 2 });

describe('runs table model', () => {
  test('columns: attributes, then metrics, params and user tags; system tags are not columns', () => {
    const columns = discoverColumns(runs, 'last');
    const ids = columns.map((c) => c.id);
    assert.equal(ids[0], 'attributes.run_name');
    assert.ok(ids.indexOf('metrics.accuracy') < ids.indexOf('params.lr'));
    assert.ok(ids.indexOf('params.lr') < ids.indexOf('tags.team'));
    assert.ok(!ids.some((id) => id.startsWith('tags.mlflow.') || id.startsWith('tags.mlops.')), 'mlflow.runName, mlops.starred are attributes, not tag columns');
    assert.equal(columns.find((c) => c.id === 'params.epochs')?.varies, false, 'every run has epochs=20');
    assert.equal(columns.find((c) => c.id === 'params.lr')?.varies, true);
    assert.equal(columns.find((c) => c.id === 'metrics.loss')?.numeric, true);
  });

  test('metric cells follow the chosen aggregate', () => {
    const [last] = rowCells(runs.slice(0, 1), ['metrics.loss'], 'last')[0]!;
    const [max] = rowCells(runs.slice(0, 1), ['metrics.loss'], 'max')[0]!;
    assert.equal(max, 2.3);
    assert.notEqual(last, max);
  });

  test('sorting is multi-key and stable, numeric params compare as numbers, missing values last', () => {
    const sorted = sortRuns(runs, [{ columnId: 'params.lr', descending: false }, { columnId: 'metrics.accuracy', descending: true }], 'last');
    const lrs = sorted.map((r) => Number(r.data.params.find((p) => p.key === 'lr')!.value));
    assert.deepEqual(lrs, [...lrs].sort((a, b) => a - b), '"0.0003" < "0.001" < "0.01" < "0.1" numerically');
    for (let i = 1; i < sorted.length; i++) {
      if (lrs[i] !== lrs[i - 1]) continue;
      const acc = (k: number): number => sorted[k]!.data.metrics.find((m) => m.key === 'accuracy')!.value;
      assert.ok(acc(i - 1) >= acc(i), 'ties on lr are broken by accuracy, descending');
    }
    assert.equal(compareCells(null, 1), 1);
    assert.equal(compareCells(1, null), -1);
    assert.ok(compareCells('9', '10') < 0);
    assert.ok(compareCells('adam', 'sgd') < 0);
    const withMissing = sortRuns(runs, [{ columnId: 'attributes.note', descending: true }], 'last');
    assert.equal(withMissing[0]!.info.runId, runs[1]!.info.runId, 'the one run with a note comes first, descending or not');
  });

  test('groups carry counts and mean/min/max of every metric', () => {
    const groups = groupRuns(runs, 'params.optimizer', ['metrics.accuracy'], 'last');
    assert.deepEqual(groups.map((g) => [g.value, g.count]), [['adam', 10], ['rmsprop', 10], ['sgd', 10]]);
    const adam = runs.filter((r) => r.data.params.some((p) => p.key === 'optimizer' && p.value === 'adam'));
    const accs = adam.map((r) => r.data.metrics.find((m) => m.key === 'accuracy')!.value);
    const agg = groups[0]!.aggregates['metrics.accuracy']!;
    assert.ok(Math.abs(agg.mean! - accs.reduce((a, b) => a + b, 0) / accs.length) < 1e-12);
    assert.equal(agg.min, Math.min(...accs));
    assert.equal(agg.max, Math.max(...accs));
    assert.deepEqual(groups[0]!.runIds, adam.map((r) => r.info.runId));
  });

  test('a trial the pruner stopped shows as pruned, not killed; a run stopped by hand stays killed', () => {
    const base = runs[0]!;
    const killed = { ...base, info: { ...base.info, status: 'KILLED' as const } };
    const pruned = { ...killed, data: { ...base.data, tags: [...base.data.tags, { key: 'mlops.tune.pruned', value: 'true (epoch 7)' }] } };
    assert.deepEqual(rowCells([pruned, killed], ['attributes.status'], 'last'), [['PRUNED'], ['KILLED']]);
  });

  test('column ids: known prefixes only', () => {
    assert.deepEqual(parseColumnId('metrics.val.loss'), { kind: 'metric', key: 'val.loss' });
    assert.equal(parseColumnId('attributes.secret'), undefined);
    assert.equal(parseColumnId('nothing'), undefined);
  });
});
