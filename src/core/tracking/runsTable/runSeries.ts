/**
 * Metric series for the compare charts, downsampled by the store (LTTB) before they cross to the
 * webview: a 10,000-step series arrives as at most `maxPoints` points.
 */
import { eventLoopPacer } from '../../process/eventLoopPacer';
import type { TrackingStore } from '../trackingStore';
import { MAX_SERIES_POINTS, type SeriesData, type SeriesResult, type SeriesX } from '../../../protocol/runs/runsContract';

export type SeriesSource = Pick<TrackingStore, 'getRun' | 'getMetricColumns'>;

export async function loadSeries(tracking: SeriesSource, runIds: readonly string[], keys: readonly string[], maxPoints: number, x: SeriesX = 'step'): Promise<SeriesResult> {
  const limit = Math.max(2, Math.min(MAX_SERIES_POINTS, Math.floor(maxPoints)));
  const series: SeriesData[] = [];
  const runs: SeriesResult['runs'] = [];
  // A hundred runs' files are ~25 MB to read and downsample: in slices, so the extension host
  // keeps answering (and sends the chart before this one) meanwhile.
  const pace = eventLoopPacer();
  for (const runId of runIds) {
    await pace();
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
      series.push({ runId, key, ...finitePoints(x === 'step' ? columns.steps : columns.timestamps, columns.values), total: summary.count, downsampled: summary.count > columns.steps.length });
    }
  }
  return { series, runs };
}

/**
 * NaN and ±Infinity cannot be plotted (nor survive JSON); they are left out of the curve. Values
 * keep 7 significant digits: JSON of a float64 costs ~18 characters, of 7 digits ~9, and a
 * thousand series cross the webview boundary as text.
 */
function finitePoints(xs: Float64Array, values: Float64Array): { x: number[]; values: number[] } {
  const x: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    if (!Number.isFinite(value)) continue;
    x.push(xs[i]!);
    v.push(Number(value.toPrecision(7)));
  }
  return { x, values: v };
}
