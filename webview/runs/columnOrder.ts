/**
 * Which columns lead the Runs table and which axes a parallel-coordinates chart starts with, as a
 * data scientist reads a sweep: the objective and the test metrics first, then the params that
 * differ between runs; bookkeeping (per-class counts, constant params, tags) at the end. Pure and
 * cheap: it ranks the column list the host sends (a few hundred entries), never the runs.
 */
import type { ColumnInfo, RunsObjective } from '../../src/protocol/runs/runsContract';

/** Test-split metrics in the order a reader looks for them (see core/evaluation/evaluationReport.ts). */
const HEADLINE_TEST_METRICS = ['test_accuracy', 'test_f1_macro', 'test_roc_auc', 'test_log_loss', 'test_precision_macro', 'test_recall_macro', 'test_rmse', 'test_mae', 'test_r2'];
/** Metrics worth a glance after the objective, best known first. */
const KEY_METRICS = ['val_loss', 'val_accuracy', 'loss', 'accuracy', 'val_rmse', 'rmse'];
const AVERAGES = new Set(['macro', 'micro', 'weighted']);

/** `test_precision_<class>`, `test_recall_<class>`, `test_f1_<class>`: one per class, many columns. */
export function isPerClassMetric(key: string): boolean {
  const m = /^test_(precision|recall|f1)_(.+)$/.exec(key);
  return m !== null && !AVERAGES.has(m[2]!);
}

export function isConfusionMetric(key: string): boolean {
  return key.startsWith('test_confusion_');
}

/** The metric to read first: the objective, else the first headline test metric, else the usual training metric. */
export function mainMetricKey(columns: readonly ColumnInfo[], objective: RunsObjective | undefined): string | undefined {
  const metrics = new Set(columns.filter((c) => c.kind === 'metric').map((c) => c.key));
  if (objective && metrics.has(objective.metric)) return objective.metric;
  return HEADLINE_TEST_METRICS.find((k) => metrics.has(k)) ?? KEY_METRICS.find((k) => metrics.has(k)) ?? [...metrics].find((k) => !isConfusionMetric(k) && !isPerClassMetric(k));
}

/** Where a metric goes in the table and the run details: lower first. */
export function metricRank(key: string, objective: RunsObjective | undefined): number {
  if (key === objective?.metric) return 10;
  const headline = HEADLINE_TEST_METRICS.indexOf(key);
  if (headline >= 0) return 20 + headline / 100;
  if (isConfusionMetric(key)) return 96;
  if (isPerClassMetric(key)) return 95;
  if (key.startsWith('test_')) return 25;
  const known = KEY_METRICS.indexOf(key);
  if (known >= 0) return 30 + known / 100;
  return 60;
}

/** Lower ranks first; ties keep the host's order (keys sorted within a kind). */
function rank(c: ColumnInfo, objective: RunsObjective | undefined): number {
  switch (c.kind) {
    case 'attribute':
      return { run_name: 0, starred: 1, status: 2, duration: 50, start_time: 51, note: 70, user_id: 98, run_id: 99 }[c.key] ?? 97;
    case 'metric':
      return metricRank(c.key, objective);
    case 'param':
      return c.valuesDiffer ? 40 : 80;
    case 'tag':
      return 90;
  }
}

/** Columns in the order a new table shows them (before the user reorders any). */
export function defaultColumnOrder(columns: readonly ColumnInfo[], objective: RunsObjective | undefined): ColumnInfo[] {
  return columns
    .map((c, index) => ({ c, index, rank: rank(c, objective) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((x) => x.c);
}

/** Param axes a parallel-coordinates chart starts with at most: more crowd the labels. */
const MAX_PARAM_AXES = 8;

/**
 * The params that were varied (values differ between the runs that have them, and most runs have
 * them: a study run's `best.*` or a param one run lacks are not what was tuned), then the
 * objective (or main metric) as the last axis, where a reader's eye ends.
 */
export function defaultParallelAxes(columns: readonly ColumnInfo[], objective: RunsObjective | undefined, runCount: number): string[] {
  const common = Math.max(2, Math.ceil(runCount / 2));
  const params = columns.filter((c) => c.kind === 'param' && c.valuesDiffer && c.present >= Math.min(common, runCount)).slice(0, MAX_PARAM_AXES);
  const metric = mainMetricKey(columns, objective);
  return [...params.map((c) => c.id), ...(metric === undefined ? [] : [`metrics.${metric}`])];
}
