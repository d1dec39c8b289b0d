/**
 * Metric series for the compare charts, downsampled by the store (LTTB) before they cross to the
 * webview: a 10,000-step series arrives as at most `maxPoints` points.
 */
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { MAX_SERIES_POINTS, type SeriesData, type SeriesResult } from '../../protocol/runs/runsContract';

export type SeriesSource = Pick<TrackingStore, 'getRun' | 'getMetricColumns'>;

export async function loadSeries(tracking: SeriesSource, runIds: readonly string[], keys: readonly string[], maxPoints: number): Promise<SeriesResult> {
  const limit = Math.max(2, Math.min(MAX_SERIES_POINTS, Math.floor(maxPoints)));
  const series: SeriesData[] = [];
  const runs: SeriesResult['runs'] = [];
  for (const runId of runIds) {
    let run;
    try {
      run = await tracking.getRun(runId);
    } catch {
      continue; // deleted since the view asked; the chart simply drops it
    }
    runs.push({ runId, name: run.info.runName || runId.slice(0, 8), startTime: run.info.startTime });
    for (const key of keys) {
      const summary = run.data.metrics.find((m) => m.key === key);
      if (!summary) continue;
      const columns = await tracking.getMetricColumns(runId, key, { maxPoints: limit, method: 'lttb' });
      series.push({ runId, key, ...finitePoints(columns.steps, columns.values, columns.timestamps), total: summary.count, downsampled: summary.count > columns.steps.length });
    }
  }
  return { series, runs };
}

/** NaN and ±Infinity cannot be plotted (nor survive JSON); they are left out of the curve. */
function finitePoints(steps: Float64Array, values: Float64Array, timestamps: Float64Array): { steps: number[]; values: number[]; timestamps: number[] } {
  const s: number[] = [];
  const v: number[] = [];
  const t: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    s.push(steps[i]!);
    v.push(value);
    t.push(timestamps[i]!);
  }
  return { steps: s, values: v, timestamps: t };
}
