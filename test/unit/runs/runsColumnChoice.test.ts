import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { discoverTable } from '../../../src/core/tracking/runsTable/runsTableModel';
import { objectiveOf } from '../../../src/core/tracking/runsTable/runsObjective';
import { defaultColumnOrder, defaultParallelAxes, mainMetricKey } from '../../../webview/runs/columnOrder';
import { confusionFromMetrics } from '../../../webview/runs/confusionMatrix';
import { syntheticRuns, syntheticSweep } from '../../webview/runsFakeHost';

describe('which columns a table of runs leads with', () => {
  test('a sweep: the study\'s objective is found; what the trials tuned differs, what only the study run has does not', () => {
    const { columns, objective } = discoverTable(syntheticSweep(12), 'last');
    assert.deepEqual(objective, { metric: 'val_accuracy', direction: 'maximize', source: 'study' });
    const col = (id: string) => columns.find((c) => c.id === id)!;
    assert.equal(col('params.optimizer.learning_rate').valuesDiffer, true);
    assert.equal(col('params.model.layers').valuesDiffer, true);
    assert.equal(col('params.seed').valuesDiffer, false, 'the study run\'s own seed (3) is a setting of the search, not a value the trials differ in (11)');
    for (const id of ['params.batch_size', 'params.class_weights', 'params.best.optimizer.learning_rate', 'params.sampler']) {
      assert.equal(col(id).valuesDiffer, false, `${id}: the same in every run that has it`);
      assert.equal(col(id).varies, true, `${id}: still a difference for "only differences" (the study run lacks it, or has it alone)`);
    }
    assert.equal(col('params.batch_size').present, 12);
    assert.equal(col('params.sampler').present, 1);
  });

  test('the default order: run, objective, main test metrics, tuned params, other metrics; per-class and confusion counts last', () => {
    const { columns, objective } = discoverTable(syntheticSweep(12), 'last');
    const order = defaultColumnOrder(columns, objective).map((c) => c.id);
    assert.deepEqual(order.slice(0, 16), [
      'attributes.run_name',
      'attributes.starred',
      'attributes.status',
      'metrics.val_accuracy',
      'metrics.test_accuracy',
      'metrics.test_f1_macro',
      'params.tune.model.layers.0.units',
      'params.tune.optimizer.learning_rate',
      'params.model.hidden_layers',
      'params.model.layers',
      'params.optimizer.learning_rate',
      'metrics.test_roc_auc',
      'metrics.test_log_loss',
      'metrics.val_loss',
      'metrics.loss',
      'metrics.accuracy',
    ]);
    const at = (id: string): number => order.indexOf(id);
    assert.ok(at('params.tune.optimizer.learning_rate') < at('params.model.layers'), 'what the sampler chose first');
    assert.ok(at('params.optimizer.learning_rate') < at('attributes.duration'), 'params that differ before bookkeeping');
    assert.ok(at('params.batch_size') > at('attributes.duration'), 'a constant param after the tuned ones');
    assert.ok(at('metrics.test_confusion_Adelie_Gentoo') > at('params.batch_size'), 'confusion counts at the end');
  });

  test('system metrics and usage stay out of the way: after what the runs learned, and never the main metric', () => {
    const runs = syntheticRuns({ runs: 4 }).map((r, i) => ({
      ...r,
      data: { ...r.data, metrics: [...r.data.metrics, ...['system/cpu_utilization_percentage', 'system/process_tree_rss_megabytes', 'cost', 'cpu_seconds'].map((key) => ({ key, value: 10 + i, step: 0, timestamp: 0, min: 10 + i, max: 10 + i, count: 1 }))] },
    }));
    const { columns, objective } = discoverTable(runs, 'last');
    const order = defaultColumnOrder(columns, objective).map((c) => c.id);
    const at = (id: string): number => order.indexOf(id);
    assert.ok(at('metrics.system/cpu_utilization_percentage') > at('metrics.val_loss'), 'system samples after the learning metrics');
    assert.ok(at('metrics.system/cpu_utilization_percentage') > at('attributes.duration'), 'and after the bookkeeping');
    assert.ok(at('metrics.cost') > at('metrics.val_loss') && at('metrics.cost') < at('metrics.system/cpu_utilization_percentage'), 'cost before the system samples');
    // a script run with nothing but its usage has no main metric to chart
    const usageOnly = columns.filter((c) => c.kind !== 'metric' || c.key.startsWith('system/') || c.key === 'cost' || c.key === 'cpu_seconds');
    assert.equal(mainMetricKey(usageOnly, undefined), undefined);
  });

  test('parallel coordinates: the tuned params, then the objective; nothing the study run alone has', () => {
    const runs = syntheticSweep(12);
    const { columns, objective } = discoverTable(runs, 'last');
    assert.deepEqual(defaultParallelAxes(columns, objective, runs.length), ['params.tune.model.layers.0.units', 'params.tune.optimizer.learning_rate', 'metrics.val_accuracy']);
    // A study logged before trials recorded their sampled values: the params that differ.
    const untagged = runs.map((r) => ({ ...r, data: { ...r.data, params: r.data.params.filter((p) => !p.key.startsWith('tune.')) } }));
    const old = discoverTable(untagged, 'last');
    assert.deepEqual(defaultParallelAxes(old.columns, old.objective, runs.length), ['params.model.hidden_layers', 'params.model.layers', 'params.optimizer.learning_rate', 'metrics.val_accuracy']);
    // Runs without a recorded objective: the usual training metric is the last axis.
    const plain = syntheticRuns({ runs: 10 });
    const shape = discoverTable(plain, 'last');
    assert.equal(shape.objective, undefined);
    assert.deepEqual(defaultParallelAxes(shape.columns, undefined, plain.length), ['params.batch_size', 'params.lr', 'params.optimizer', 'metrics.val_loss']);
  });

  test('the objective of plain training runs is what early stopping monitors; a tag for a metric the runs lack is ignored', () => {
    const has = (k: string): boolean => ['val_loss', 'val_accuracy', 'f1'].includes(k);
    assert.deepEqual(objectiveOf(undefined, 'val_loss patience 5 min_delta 0', has), { metric: 'val_loss', direction: 'minimize', source: 'spec' });
    assert.deepEqual(objectiveOf(undefined, 'val_accuracy patience 3 min_delta 0.01', has), { metric: 'val_accuracy', direction: 'maximize', source: 'spec' });
    assert.equal(objectiveOf(undefined, 'off', has), undefined);
    assert.deepEqual(objectiveOf('minimize f1', 'val_loss patience 5', has), { metric: 'f1', direction: 'minimize', source: 'study' });
    assert.deepEqual(objectiveOf('maximize auc', 'val_loss patience 5', has)?.metric, 'val_loss');
  });
});

describe('confusion matrix from flat metrics', () => {
  const metrics = (labels: string[], count: (a: number, p: number) => number) => labels.flatMap((a, i) => labels.map((p, j) => ({ key: `test_confusion_${a}_${p}`, last: count(i, j) })));

  test('labels holding "_" are read from the diagonal; rows are actual, columns predicted', () => {
    const m = confusionFromMetrics([{ key: 'test_accuracy', last: 0.9 }, ...metrics(['big_cat', 'cat', 'dog_x'], (a, p) => (a === p ? 10 + a : a * 3 + p))])!;
    assert.deepEqual(m.labels.sort(), ['big_cat', 'cat', 'dog_x']);
    const i = (l: string): number => m.labels.indexOf(l);
    assert.equal(m.counts[i('cat')]![i('cat')], 11);
    assert.equal(m.counts[i('dog_x')]![i('big_cat')], 6, 'actual dog_x predicted as big_cat');
    assert.equal(m.keys.size, 9);
    assert.ok(!m.keys.has('test_accuracy'));
  });

  test('the classes param gives the order and the names as written (spaces included)', () => {
    const m = confusionFromMetrics(metrics(['no_churn', 'churn'], (a, p) => a * 2 + p), 'no churn,churn')!;
    assert.deepEqual(m.labels, ['no churn', 'churn']);
    assert.deepEqual(m.counts, [[0, 1], [2, 3]]);
  });

  test('keys that do not make a full matrix stay plain metrics', () => {
    assert.equal(confusionFromMetrics([{ key: 'test_confusion_a_a', last: 1 }, { key: 'test_confusion_a_b', last: 1 }]), undefined);
    assert.equal(confusionFromMetrics([{ key: 'test_accuracy', last: 1 }]), undefined);
  });
});
