import type { SeriesColumns } from './metricSeriesCodec';

/**
 * Indices of the points to keep when drawing `columns` with at most `maxPoints` points.
 *
 * `lttb` (Largest-Triangle-Three-Buckets) keeps the visual shape of a curve; `minmax` keeps the
 * first, minimum, maximum and last point of each bucket, so spikes are never hidden. Points whose
 * value is NaN or ±Infinity cannot be placed by either method's geometry, so they are always kept
 * (the chart shows them as gaps or markers): a downsampled series never hides that a run diverged.
 */
export function downsampleIndices(columns: SeriesColumns, maxPoints: number, method: 'lttb' | 'minmax'): number[] {
  const n = columns.steps.length;
  const budget = Math.max(3, Math.floor(maxPoints));
  if (n <= budget) return Array.from({ length: n }, (_, i) => i);
  const kept = method === 'lttb' ? lttb(columns, budget) : minMax(columns, budget);
  const nonFinite: number[] = [];
  const { values } = columns;
  for (let i = 0; i < n; i++) if (!Number.isFinite(values[i] as number)) nonFinite.push(i);
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

function lttb(columns: SeriesColumns, threshold: number): number[] {
  const { steps: x, values: y } = columns;
  const n = x.length;
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
      const v = y[i] as number;
      if (!Number.isFinite(v)) continue;
      avgX += x[i] as number;
      avgY += v;
      count++;
    }
    if (count > 0) {
      avgX /= count;
      avgY /= count;
    } else {
      avgX = x[Math.min(nextStart, n - 1)] as number;
      avgY = finiteOr(y[a] as number, 0);
    }
    const start = Math.floor(bucket * every) + 1;
    const end = Math.floor((bucket + 1) * every) + 1;
    const ax = x[a] as number;
    const ay = finiteOr(y[a] as number, avgY);
    let maxArea = -1;
    let chosen = start;
    for (let i = start; i < end; i++) {
      const v = y[i] as number;
      if (!Number.isFinite(v)) continue;
      const area = Math.abs((ax - avgX) * (v - ay) - (ax - (x[i] as number)) * (avgY - ay));
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

function minMax(columns: SeriesColumns, budget: number): number[] {
  const { values: y } = columns;
  const n = y.length;
  const buckets = Math.max(1, Math.floor(budget / 4));
  const kept: number[] = [];
  for (let b = 0; b < buckets; b++) {
    const start = Math.floor((b * n) / buckets);
    const end = Math.floor(((b + 1) * n) / buckets);
    if (end <= start) continue;
    let lo = -1;
    let hi = -1;
    for (let i = start; i < end; i++) {
      const v = y[i] as number;
      if (!Number.isFinite(v)) continue;
      if (lo < 0 || v < (y[lo] as number)) lo = i;
      if (hi < 0 || v > (y[hi] as number)) hi = i;
    }
    const picks = [start, lo, hi, end - 1].filter((i) => i >= 0).sort((p, q) => p - q);
    for (const i of picks) if (kept[kept.length - 1] !== i) kept.push(i);
  }
  return kept;
}
