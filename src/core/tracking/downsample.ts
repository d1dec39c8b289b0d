import type { SeriesColumns } from './metricSeriesCodec';

/**
 * A series' points in flat arrays, read where they lie: point i is
 * (xs[i * stride + xAt], ys[i * stride + yAt]). Columns are stride 1; a series file's bytes are
 * (step, value, timestamp) triples, stride 3 — downsampled without copying them into columns.
 */
export interface PointsView {
  readonly count: number;
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly stride: number;
  readonly xAt: number;
  readonly yAt: number;
}

export function columnsView(columns: SeriesColumns): PointsView {
  return { count: columns.steps.length, xs: columns.steps, ys: columns.values, stride: 1, xAt: 0, yAt: 0 };
}

/**
 * Indices of the points to keep when drawing `columns` with at most `maxPoints` points.
 *
 * `lttb` (Largest-Triangle-Three-Buckets) keeps the visual shape of a curve; `minmax` keeps the
 * first, minimum, maximum and last point of each bucket, so spikes are never hidden. Points whose
 * value is NaN or ±Infinity cannot be placed by either method's geometry, so they are always kept
 * (the chart shows them as gaps or markers): a downsampled series never hides that a run diverged.
 */
export function downsampleIndices(columns: SeriesColumns, maxPoints: number, method: 'lttb' | 'minmax'): number[] {
  return downsampleView(columnsView(columns), maxPoints, method);
}

/** `downsampleIndices` over points read in place (see PointsView). */
export function downsampleView(view: PointsView, maxPoints: number, method: 'lttb' | 'minmax'): number[] {
  const n = view.count;
  const budget = Math.max(3, Math.floor(maxPoints));
  if (n <= budget) return Array.from({ length: n }, (_, i) => i);
  const kept = method === 'lttb' ? lttb(view, budget) : minMax(view, budget);
  const nonFinite: number[] = [];
  const { ys, stride, yAt } = view;
  for (let i = 0; i < n; i++) if (!Number.isFinite(ys[i * stride + yAt] as number)) nonFinite.push(i);
  if (nonFinite.length === 0) return kept;
  return mergeSorted(kept, nonFinite);
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    const take = y === undefined || (x !== undefined && x <= y) ? (i++, x) : (j++, y);
    if (take !== undefined && out[out.length - 1] !== take) out.push(take);
  }
  return out;
}

function finiteOr(value: number, fallback: number): number {
  return Number.isFinite(value) ? value : fallback;
}

function lttb(view: PointsView, threshold: number): number[] {
  const { xs, ys, stride, xAt, yAt } = view;
  const x = (i: number): number => xs[i * stride + xAt] as number;
  const y = (i: number): number => ys[i * stride + yAt] as number;
  const n = view.count;
  const kept: number[] = [0];
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  for (let bucket = 0; bucket < threshold - 2; bucket++) {
    // Average of the next bucket is the third vertex of the triangle.
    const nextStart = Math.floor((bucket + 1) * every) + 1;
    const nextEnd = Math.min(Math.floor((bucket + 2) * every) + 1, n);
    let avgX = 0;
    let avgY = 0;
    let count = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      const v = y(i);
      if (!Number.isFinite(v)) continue;
      avgX += x(i);
      avgY += v;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = x(Math.min(nextStart, n - 1));
      avgY = finiteOr(y(a), 0);
    }
    const start = Math.floor(bucket * every) + 1;
    const end = Math.floor((bucket + 1) * every) + 1;
    const ax = x(a);
    const ay = finiteOr(y(a), avgY);
    let maxArea = -1;
    let chosen = start;
    for (let i = start; i < end; i++) {
      const v = y(i);
      if (!Number.isFinite(v)) continue;
      const area = Math.abs((ax - avgX) * (v - ay) - (ax - x(i)) * (avgY - ay));
      if (area > maxArea) {
        maxArea = area;
        chosen = i;
      }
    }
    kept.push(chosen);
    a = chosen;
  }
  kept.push(n - 1);
  return kept;
}

function minMax(view: PointsView, budget: number): number[] {
  const { ys, stride, yAt } = view;
  const y = (i: number): number => ys[i * stride + yAt] as number;
  const n = view.count;
  const buckets = Math.max(1, Math.floor(budget / 4));
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end <= start) continue;
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = y(i);
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < y(lo)) lo = i;
      if (hi < 0 || v > y(hi)) hi = i;
    }
    const picks = [start, lo, hi, end - 1].filter((i) => i >= 0).sort((p, q) => p - q);
    for (const i of picks) if (kept[kept.length - 1] !== i) kept.push(i);
  }
  return kept;
}
