/** Which rows the new model trains on. */
export type RetrainDataMode = 'spec' | 'append_current' | 'replace_current';
export type PromoteMode = 'auto' | 'review';
export type MetricDirection = 'higher' | 'lower';

/** Where champion and candidate are scored: a labelled file, or a sample of the monitor's current data. */
export type HoldoutSource = { readonly kind: 'file'; readonly path: string; readonly asWritten: string } | { readonly kind: 'sample'; readonly fraction: number };

/** A monitor's `retrain:` block after validation, paths resolved against the monitor spec's folder. */
export interface RetrainPolicy {
  /** absolute path of the *.train.yaml to run */
  readonly specPath: string;
  readonly specAsWritten: string;
  /** registered model the new version goes to */
  readonly model: string;
  /** the alias the candidate must beat (and takes when it wins) */
  readonly alias: string;
  /** a test metric (test_accuracy, test_rmse, …); the task's primary one when absent */
  readonly metric?: string;
  /** which way is better; follows from the metric when absent */
  readonly direction?: MetricDirection;
  /** the candidate must be better by at least this much, in the metric's units */
  readonly minImprovement: number;
  /** at most one retraining per monitor in this many hours, whatever its outcome */
  readonly cooldownHours: number;
  readonly data: RetrainDataMode;
  readonly holdout: HoldoutSource;
  readonly promote: PromoteMode;
}

export const DEFAULT_ALIAS = 'champion';
export const DEFAULT_COOLDOWN_HOURS = 24;
export const DEFAULT_HOLDOUT_FRACTION = 0.2;

/** The metric a task is judged on when the policy names none (what `mlops train` shows first). */
export function primaryMetric(task: 'classification' | 'regression'): string {
  return task === 'classification' ? 'test_accuracy' : 'test_rmse';
}

/** Errors and losses shrink as a model gets better; scores grow. */
export function metricDirection(metric: string, declared?: MetricDirection): MetricDirection {
  if (declared) return declared;
  return /(rmse|mae|mse|loss|error)/i.test(metric) ? 'lower' : 'higher';
}

/** One line for listings: "penguins@champion · append_current · auto · 24 h". */
export function describePolicy(policy: RetrainPolicy): string {
  return `${policy.model}@${policy.alias} · ${policy.data} · ${policy.promote} · ${policy.cooldownHours} h`;
}
