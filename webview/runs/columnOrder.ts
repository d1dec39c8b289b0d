/**
 * Which columns lead the Runs table and which axes a parallel-coordinates chart starts with, as a
 * data scientist reads a sweep: the objective and the main test metrics first, then the params
 * that differ between runs (what a study tuned first), then the other metrics; bookkeeping
 * (per-class counts, constant params, tags) at the end. Pure and
 * cheap: it ranks the column list the host sends (a few hundred entries), never the runs.
 */
import type { ColumnInfo, RunsObjective } from '../../src/protocol/runs/runsContract';

/** Test-split metrics in the order a reader looks for them (see core/evaluation/evaluationReport.ts). */
const HEADLINE_TEST_METRICS = ['test_accuracy', 'test_f1_macro', 'test_roc_auc', 'test_log_loss', 'test_precision_macro', 'test_recall_macro', 'test_rmse', 'test_mae', 'test_r2'];
/** The ones shown before the params, so the tuned params stay in view of a usual panel width. */
const PRIMARY_TEST_METRICS = new Set(['test_accuracy', 'test_f1_macro', 'test_rmse', 'test_r2']);
/** Metrics worth a glance after the objective, best known first. */
const KEY_METRICS = ['val_loss', 'val_accuracy', 'loss', 'accuracy', 'val_rmse', 'rmse'];
const AVERAGES = new Set(['macro', 'micro', 'weighted']);

/** `test_precision_<class>`, `test_recall_<class>`, `test_f1_<class>`: one per class, many columns. */
export function isPerClassMetric(key: string): boolean {
  const m = /^test_(precision|recall|f1)_(.+)$/.exec(key);
  return m !== null && !AVERAGES.has(m[2]!);
}

/**
 * What a run used rather than what it learned (core/process/systemMetrics.ts): `system/*`
 * samples under MLflow's names, and the usage totals. Never the main metric.
 */
export function isSystemMetric(key: string): boolean {
  return key.startsWith('system/');
}
const USAGE_METRICS = new Set(['cpu_seconds', 'wall_seconds', 'peak_rss_megabytes', 'cost']);

export function isConfusionMetric(key: string): boolean {
  return key.startsWith('test_confusion_');
}

/** The metric to read first: the objective, else the first headline test metric, else the usual training metric. */
export function mainMetricKey(columns: readonly ColumnInfo[], objective: RunsObjective | undefined): string | undefined {
  const metrics = new Set(columns.filter((c) => c.kind === 'metric').map((c) => c.key));
  if (objective && metrics.has(objective.metric)) return objective.metric;
  return HEADLINE_TEST_METRICS.find((k) => metrics.has(k)) ?? KEY_METRICS.find((k) => metrics.has(k)) ?? [...metrics].find((k) => !isConfusionMetric(k) && !isPerClassMetric(k) && !isSystemMetric(k) && !USAGE_METRICS.has(k));
}

/**
 * Where a metric goes in the table and the run details: lower first. The params that differ rank
 * 35–38: after the objective and the primary test metrics, before the other metrics; `system/*`
 * samples after the constant params (80), before the tags (90).
 */
export function metricRank(key: string, objective: RunsObjective | undefined, objectives?: readonly RunsObjective[]): number {
  if (key === objective?.metric) return 10;
  // a study with several objectives: the others right after the first, in the spec's order
  const other = objectives?.findIndex((o) => o.metric === key) ?? -1;
  if (other >= 0) return 11 + other / 100;
  const headline = HEADLINE_TEST_METRICS.indexOf(key);
  if (headline >= 0) return (PRIMARY_TEST_METRICS.has(key) ? 20 : 40) + headline / 100;
  if (isConfusionMetric(key)) return 96;
  // a run's cost and CPU-seconds after what it learned; its system samples after the bookkeeping
  if (USAGE_METRICS.has(key)) return 62;
  if (isSystemMetric(key)) return 85;
  if (isPerClassMetric(key)) return 95;
  if (key.startsWith('test_')) return 42;
  const known = KEY_METRICS.indexOf(key);
  if (known >= 0) return 45 + known / 100;
  return 60;
}

/** Lower ranks first; ties keep the host's order (keys sorted within a kind). */
function rank(c: ColumnInfo, objective: RunsObjective | undefined, objectives?: readonly RunsObjective[]): number {
  switch (c.kind) {
    case 'attribute':
      return { run_name: 0, starred: 1, status: 2, start_time: 50, duration: 51, note: 70, user_id: 98, run_id: 99 }[c.key] ?? 97;
    case 'metric':
      return metricRank(c.key, objective, objectives);
    case 'param':
      // `tune.*`: what a study's sampler chose for the trial (core/training/tuningRunner.ts)
      return c.valuesDiffer ? (isTunedParam(c) ? 35 : 38) : 80;
    case 'tag':
      return 90;
  }
}

/** Columns in the order a new table shows them (before the user reorders any). */
export function defaultColumnOrder(columns: readonly ColumnInfo[], objective: RunsObjective | undefined, objectives?: readonly RunsObjective[]): ColumnInfo[] {
  return columns
    .map((c, index) => ({ c, index, rank: rank(c, objective, objectives) }))
    .sort((a, b) => a.rank - b.rank || a.index - b.index)
    .map((x) => x.c);
}

function isTunedParam(c: ColumnInfo): boolean {
  return c.kind === 'param' && c.key.startsWith('tune.');
}

/** Param axes a parallel-coordinates chart starts with at most: more crowd the labels. */
const MAX_PARAM_AXES = 8;

/**
 * The params that were varied, then the objective (or main metric) as the last axis, where a
 * reader's eye ends. A study's trials record what its sampler chose (`tune.*`): those, when they
 * differ. Otherwise the params whose values differ between the runs that have them and that most
 * runs have (a study run's `best.*` or a param one run lacks are not what was tuned).
 */
export function defaultParallelAxes(columns: readonly ColumnInfo[], objective: RunsObjective | undefined, runCount: number, objectives?: readonly RunsObjective[]): string[] {
  const common = Math.max(2, Math.ceil(runCount / 2));
  const varied = columns.filter((c) => c.kind === 'param' && c.valuesDiffer && c.present >= Math.min(common, runCount));
  const tuned = varied.filter(isTunedParam);
  const params = (tuned.length > 0 ? tuned : varied).slice(0, MAX_PARAM_AXES);
  const metric = mainMetricKey(columns, objective);
  // several objectives: every one of them ends the axes (the trade-off is what the reader looks for)
  const metrics = objectives && objectives.length > 1 ? objectives.map((o) => o.metric).filter((k) => columns.some((c) => c.kind === 'metric' && c.key === k)) : metric === undefined ? [] : [metric];
  return [...params.map((c) => c.id), ...metrics.map((k) => `metrics.${k}`)];
}
