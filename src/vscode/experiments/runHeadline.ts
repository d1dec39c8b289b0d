import type { Run } from '../../core/tracking/trackingTypes';

/** The metric shown beside a run: the first of these it has. */
const KEY_METRICS = ['test_accuracy', 'val_accuracy', 'accuracy', 'test_rmse', 'val_rmse', 'rmse', 'test_r2', 'val_loss', 'loss'];

export interface HeadlineMetric {
  key: string;
  value: number;
  /** short enough for a narrow sidebar */
  text: string;
}

/** The one metric a person looks at first for a run; `preferred` (a study's objective) wins when present. */
export function headlineMetric(run: Run, preferred?: string): HeadlineMetric | undefined {
  const keys = preferred ? [preferred, ...KEY_METRICS] : KEY_METRICS;
  const metric = keys.map((k) => run.data.metrics.find((m) => m.key === k)).find((m) => m !== undefined);
  return metric ? { key: metric.key, value: metric.value, text: formatMetricValue(metric.value) } : undefined;
}

/** Four significant digits, integers as they are. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(4)).toString();
}
