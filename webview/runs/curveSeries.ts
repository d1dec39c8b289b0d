/** Turns host-downsampled series into chart points: x axis choice and EMA smoothing. Pure, for tests. */
import type { SeriesData } from '../../src/protocol/runs/runsContract';

export type XAxisMode = 'step' | 'time' | 'relative';

/**
 * TensorBoard's debiased exponential moving average: the first points are not dragged towards
 * zero, and weight 0 returns the values unchanged.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return values.slice();
  const out = new Array<number>(values.length);
  let last = 0;
  let debias = 0;
  for (let i = 0; i < values.length; i++) {
    last = last * weight + (1 - weight) * values[i]!;
    debias = debias * weight + (1 - weight);
    out[i] = last / debias;
  }
  return out;
}

export function curvePoints(series: SeriesData, mode: XAxisMode, startTime: number, smoothing: number, logScale: boolean): Array<[number, number]> {
  const ys = smoothEma(series.values, smoothing);
  const points: Array<[number, number]> = [];
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!;
    // A log axis has no place for zero or negative values.
    if (logScale && !(y > 0)) continue;
    // The view asks for steps in step mode and timestamps otherwise (see RunsApp.drawCurves).
    const x = mode === 'relative' ? (series.x[i]! - startTime) / 1000 : series.x[i]!;
    points.push([x, y]);
  }
  return points;
}
