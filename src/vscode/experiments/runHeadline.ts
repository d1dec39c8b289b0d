import { FEEDBACK_METRICS } from '../../core/feedback/feedbackStore';
import { HEADLINE_METRICS as KEY_METRICS } from '../../core/tracking/runListRows';
import type { Run } from '../../core/tracking/trackingTypes';

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
  const feedback = feedbackText(run);
  if (!metric) {
    // reviewed but not scored (feedback on a run without text metrics): the rating is the headline
    const rating = run.data.metrics.find((m) => m.key === FEEDBACK_METRICS.meanRating);
    return rating && feedback ? { key: 'feedback', value: rating.value, text: feedback } : undefined;
  }
  return { key: metric.key, value: metric.value, text: feedback ? `${formatMetricValue(metric.value)} · ${feedback}` : formatMetricValue(metric.value) };
}

/**
 * "rated 3.8/5 · 12 reviewed": what reviewers said about a text evaluation's rows (the feedback
 * panel logs these metrics onto its run), when anyone did.
 */
function feedbackText(run: Run): string | undefined {
  const reviewed = run.data.metrics.find((m) => m.key === FEEDBACK_METRICS.count)?.value;
  if (reviewed === undefined || !(reviewed > 0)) return undefined;
  const mean = run.data.metrics.find((m) => m.key === FEEDBACK_METRICS.meanRating)?.value;
  const rows = `${formatMetricValue(reviewed)} reviewed`;
  return mean !== undefined && Number.isFinite(mean) ? `rated ${Number(mean.toFixed(1))}/5 · ${rows}` : rows;
}

/** Four significant digits, integers as they are. */
export function formatMetricValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(4)).toString();
}
