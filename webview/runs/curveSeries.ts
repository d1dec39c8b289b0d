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

/**
 * The chart's points as one flat array of x, y pairs: ECharts takes it as is (no per-point arrays
 * to allocate, copy or collect — a hundred overlaid runs make tens of thousands of points).
 */
export function curvePoints(series: SeriesData, mode: XAxisMode, startTime: number, smoothing: number, logScale: boolean): Float64Array {
  const ys = smoothEma(series.values, smoothing);
  const out = new Float64Array(ys.length * 2);
  let n = 0;
  for (let i = 0; i < ys.length; i++) {
    const y = ys[i]!;
    // A log axis has no place for zero or negative values.
    if (logScale && !(y > 0)) continue;
    // The view asks for steps in step mode and timestamps otherwise (see RunsApp.drawCurves).
    out[n++] = mode === 'relative' ? (series.x[i]! - startTime) / 1000 : series.x[i]!;
    out[n++] = y;
  }
  return n === out.length ? out : out.slice(0, n);
}

/** Point `i` of a flat x, y array. */
export function pointAt(xy: Float64Array, i: number): [number, number] {
  return [xy[2 * i]!, xy[2 * i + 1]!];
}

/**
 * The curve's value at `x`, read off the line as drawn (linear between the two points around it),
 * or undefined where the run has no points (before its first or after its last). Runs are
 * downsampled separately, so their points lie at different x: a hover reads each run's line
 * rather than only the runs with a point exactly there.
 */
export function valueAt(xy: Float64Array, x: number): number | undefined {
  const n = xy.length / 2;
  if (n === 0 || !(x >= xy[0]!) || !(x <= xy[2 * (n - 1)]!)) return undefined;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (xy[2 * mid]! <= x) lo = mid;
    else hi = mid;
  }
  const x0 = xy[2 * lo]!;
  const x1 = xy[2 * hi]!;
  const y0 = xy[2 * lo + 1]!;
  const y1 = xy[2 * hi + 1]!;
  if (x1 === x0 || x === x0) return y0;
  if (x === x1) return y1;
  return y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}
