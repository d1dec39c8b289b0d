import type { SeededRandom } from '../seededRandom';

/** Bin index of a missing value (NaN, or a category unseen in training); never a real bin. */
export const MISSING_BIN = 255;
/** At most this many bins of real values per feature (a byte, with the missing bin on top). */
export const MAX_BINS = 255;
/** Quantiles are computed on at most this many values per feature, as scikit-learn does. */
const BINNING_SAMPLE = 200_000;

/**
 * The encoded training matrix reduced to a byte per cell, feature-major (`bins[f * rows + r]`)
 * so that building a histogram walks one feature's bytes. Numeric bin b holds the values
 * `edges[f][b-1] < x ≤ edges[f][b]`; a categorical feature's bin is its category index.
 */
export interface BinnedFeatures {
  readonly rows: number;
  readonly features: number;
  readonly bins: Uint8Array;
  /** bins of real values per feature (the missing bin comes on top) */
  readonly binCount: Int32Array;
  /** 1 where the feature is categorical */
  readonly categorical: Uint8Array;
}

/** How a numeric feature maps to bins: the upper edge of every bin but the last. */
export interface BinEdges {
  /** per feature: ascending upper edges (empty for a categorical feature) */
  readonly edges: readonly Float64Array[];
  /** per feature: categories of a categorical feature, 0 for a numeric one */
  readonly categoryCounts: readonly number[];
}

/**
 * Bin edges from the training rows: every distinct value gets its own bin when there are at most
 * `maxBins`, else the edges are quantiles (midpoints between neighbouring distinct values, so a
 * value seen in training never sits on an edge).
 */
export function fitBinEdges(x: Float32Array, rows: number, width: number, categoryCounts: readonly number[], maxBins: number, random: SeededRandom): BinEdges {
  const edges: Float64Array[] = [];
  const sample = rows > BINNING_SAMPLE ? random.shuffle(Int32Array.from({ length: rows }, (_, i) => i)).slice(0, BINNING_SAMPLE) : undefined;
  const taken = sample ? sample.length : rows;
  const values = new Float64Array(taken);
  for (let f = 0; f < width; f++) {
    if ((categoryCounts[f] ?? 0) > 0) {
      edges.push(new Float64Array(0));
      continue;
    }
    let n = 0;
    for (let i = 0; i < taken; i++) {
      const v = x[(sample ? (sample[i] as number) : i) * width + f] as number;
      if (v === v) values[n++] = v;
    }
    const sorted = values.subarray(0, n).sort();
    const distinct: number[] = [];
    for (let i = 0; i < n; i++) if (i === 0 || (sorted[i] as number) !== (sorted[i - 1] as number)) distinct.push(sorted[i] as number);
    const cut: number[] = [];
    if (distinct.length <= maxBins) {
      for (let i = 1; i < distinct.length; i++) cut.push(((distinct[i - 1] as number) + (distinct[i] as number)) / 2);
    } else {
      for (let q = 1; q < maxBins; q++) {
        const at = Math.min(n - 2, Math.floor((q * n) / maxBins));
        const lo = sorted[at] as number;
        // the edge sits between a value and the next larger one, so ties stay in one bin
        let j = at + 1;
        while (j < n && (sorted[j] as number) === lo) j++;
        if (j >= n) continue;
        const edge = (lo + (sorted[j] as number)) / 2;
        if (cut.length === 0 || edge > (cut[cut.length - 1] as number)) cut.push(edge);
      }
    }
    edges.push(Float64Array.from(cut));
  }
  return { edges, categoryCounts: [...categoryCounts] };
}

/** The bin of every cell (feature-major); NaN and out-of-range categories land in MISSING_BIN. */
export function binMatrix(x: Float32Array, rows: number, width: number, fitted: BinEdges): BinnedFeatures {
  const bins = new Uint8Array(rows * width);
  const binCount = new Int32Array(width);
  const categorical = new Uint8Array(width);
  for (let f = 0; f < width; f++) {
    const categories = fitted.categoryCounts[f] ?? 0;
    const out = f * rows;
    if (categories > 0) {
      categorical[f] = 1;
      binCount[f] = categories;
      for (let r = 0; r < rows; r++) {
        const v = x[r * width + f] as number;
        bins[out + r] = v === v && v >= 0 && v < categories ? v : MISSING_BIN;
      }
      continue;
    }
    const edges = fitted.edges[f] as Float64Array;
    binCount[f] = edges.length + 1;
    for (let r = 0; r < rows; r++) bins[out + r] = binOf(x[r * width + f] as number, edges);
  }
  return { rows, features: width, bins, binCount, categorical };
}

/** First bin whose upper edge is ≥ v (binary search); MISSING_BIN for NaN. */
function binOf(v: number, edges: Float64Array): number {
  if (v !== v) return MISSING_BIN;
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
