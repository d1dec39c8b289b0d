import type { DataColumn } from '../data/dataTable';
import { chiSquareContingency } from './chiSquareTest';
import { jensenShannonDistance, populationStabilityIndex, populationStd, wassersteinSorted } from './distanceMeasures';
import { P_VALUE_TESTS, type ColumnDrift, type ColumnDriftOptions, type DriftHistogram, type DriftTestName } from './driftTypes';
import { ksTwoSampleSorted, sortedFinite } from './ksTest';
import { twoProportionZTest } from './proportionZTest';

/** Evidently's size limit between the p-value tests and the distances. */
const SMALL_REFERENCE_ROWS = 1000;
/** Numeric columns with at most this many distinct values are compared as categories. */
const MAX_CATEGORY_LIKE_UNIQUES = 5;
/** Evidently's floor for the reference standard deviation in the normed Wasserstein distance. */
const STD_FLOOR = 0.0001;
const MAX_HISTOGRAM_BINS = 50;

/** A column problem that names the column and what was wrong. */
export class DriftInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DriftInputError';
  }
}

interface CategoryCounts {
  labels: string[];
  reference: number[];
  current: number[];
  referenceTotal: number;
  currentTotal: number;
}

function countCategorical(ref: DataColumn, cur: DataColumn): CategoryCounts {
  const index = new Map<string, number>();
  const labels: string[] = [];
  const reference: number[] = [];
  const current: number[] = [];
  const add = (label: string, which: number[], other: number[]): void => {
    let i = index.get(label);
    if (i === undefined) {
      i = labels.length;
      index.set(label, i);
      labels.push(label);
      which.push(0);
      other.push(0);
    }
    which[i] = (which[i] as number) + 1;
  };
  const feed = (column: DataColumn, which: number[], other: number[]): number => {
    let total = 0;
    if (column.kind === 'categorical') {
      // Count codes first, then name them: one Map lookup per category, not per row.
      const codeCounts = new Float64Array(column.categories.length);
      for (const code of column.codes) if (code >= 0) codeCounts[code] = (codeCounts[code] as number) + 1;
      column.categories.forEach((label, code) => {
        const count = codeCounts[code] as number;
        if (count === 0) return;
        add(label, which, other);
        const i = index.get(label) as number;
        which[i] = (which[i] as number) + count - 1;
        total += count;
      });
    } else {
      for (const v of column.values) {
        if (Number.isNaN(v)) continue;
        add(String(v), which, other);
        total++;
      }
    }
    return total;
  };
  const referenceTotal = feed(ref, reference, current);
  const currentTotal = feed(cur, current, reference);
  return { labels, reference, current, referenceTotal, currentTotal };
}

/** Distinct values across two sorted samples, counting no further than `limit + 1`. */
function distinctUpTo(a: Float64Array, b: Float64Array, limit: number): number {
  const seen = new Set<number>();
  for (const sample of [a, b]) {
    let previous = Number.NaN;
    for (const v of sample) {
      if (v === previous) continue;
      previous = v;
      seen.add(v);
      if (seen.size > limit) return seen.size;
    }
  }
  return seen.size;
}

/** Sturges' rule on the combined sample, as `numpy.histogram_bin_edges(..., bins='sturges')`. */
function sturgesEdges(min: number, max: number, n: number): number[] {
  if (!(max > min)) return [min - 0.5, min + 0.5];
  const bins = Math.min(MAX_HISTOGRAM_BINS, Math.max(1, Math.ceil(Math.log2(n) + 1)));
  const edges: number[] = [];
  for (let i = 0; i < bins; i++) edges.push(min + ((max - min) * i) / bins);
  // min + (max − min) rounds (3.6235679999999997 for 3.623568): the largest value would fall out of every bin.
  edges.push(max);
  return edges;
}

/** Shares of a sorted sample per bin (last bin closed on the right, as numpy.histogram). */
function sortedHistogram(sorted: Float64Array, edges: readonly number[]): number[] {
  const shares: number[] = [];
  const n = sorted.length;
  let start = 0;
  for (let b = 1; b < edges.length; b++) {
    if (b === edges.length - 1) {
      // The last bin is closed on the right and ends at the maximum: it holds every value left.
      shares.push(n === 0 ? 0 : (n - start) / n);
      break;
    }
    const edge = edges[b] as number;
    // first index with value ≥ edge
    let lo = start;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sorted[mid] as number) < edge) lo = mid + 1;
      else hi = mid;
    }
    shares.push(n === 0 ? 0 : (lo - start) / n);
    start = lo;
  }
  return shares;
}

function shares(counts: readonly number[], total: number): number[] {
  return counts.map((c) => (total === 0 ? 0 : c / total));
}

function defaultTest(kind: 'numeric' | 'categorical', referenceCount: number, distinct: number): { test: DriftTestName; reason: string } {
  const small = referenceCount <= SMALL_REFERENCE_ROWS;
  const size = `${referenceCount} reference values ${small ? '≤' : '>'} ${SMALL_REFERENCE_ROWS}`;
  if (kind === 'numeric') return small ? { test: 'ks', reason: `numeric, ${size}` } : { test: 'wasserstein', reason: `numeric, ${size} (normed by the reference std)` };
  if (!small) return { test: 'jensenshannon', reason: `categorical, ${size}` };
  return distinct > 2 ? { test: 'chisquare', reason: `categorical with ${distinct} categories, ${size}` } : { test: 'z', reason: `categorical with ${distinct} categories, ${size}` };
}

function defaultThreshold(test: DriftTestName): number {
  return P_VALUE_TESTS.has(test) ? 0.05 : 0.1;
}

/** Compares one column of the reference with the same column of the current data. */
export function computeColumnDrift(ref: DataColumn, cur: DataColumn, options: ColumnDriftOptions = {}): ColumnDrift {
  const name = ref.name;
  const referenceRows = ref.kind === 'numeric' ? ref.values.length : ref.codes.length;
  const currentRows = cur.kind === 'numeric' ? cur.values.length : cur.codes.length;
  const referenceMissingShare = referenceRows === 0 ? 0 : ref.missing / referenceRows;
  const currentMissingShare = currentRows === 0 ? 0 : cur.missing / currentRows;

  let sortedRef: Float64Array | undefined;
  let sortedCur: Float64Array | undefined;
  let kind: 'numeric' | 'categorical' = 'categorical';
  if (ref.kind === 'numeric' && cur.kind === 'numeric') {
    sortedRef = sortedFinite(ref.values);
    sortedCur = sortedFinite(cur.values);
    if (distinctUpTo(sortedRef, sortedCur, MAX_CATEGORY_LIKE_UNIQUES) > MAX_CATEGORY_LIKE_UNIQUES) kind = 'numeric';
  }
  if (kind === 'numeric' && sortedRef && sortedCur) {
    if (sortedRef.length === 0) throw new DriftInputError(`column "${name}": the reference has no values (all ${referenceRows} missing)`);
    if (sortedCur.length === 0) throw new DriftInputError(`column "${name}": the current data has no values (all ${currentRows} missing)`);
    const chosen = options.test ? { test: options.test, reason: 'chosen' } : defaultTest('numeric', sortedRef.length, Number.POSITIVE_INFINITY);
    const threshold = options.threshold ?? defaultThreshold(chosen.test);
    const min = Math.min(sortedRef[0] as number, sortedCur[0] as number);
    const max = Math.max(sortedRef[sortedRef.length - 1] as number, sortedCur[sortedCur.length - 1] as number);
    const edges = sturgesEdges(min, max, sortedRef.length + sortedCur.length);
    const histogram: DriftHistogram = { kind: 'numeric', edges, reference: sortedHistogram(sortedRef, edges), current: sortedHistogram(sortedCur, edges) };
    const base = { column: name, kind, threshold, reason: chosen.reason, referenceCount: sortedRef.length, currentCount: sortedCur.length, referenceMissingShare, currentMissingShare, unseenCategories: [], histogram };
    switch (chosen.test) {
      case 'ks': {
        const r = ksTwoSampleSorted(sortedRef, sortedCur);
        return { ...base, test: 'ks', statistic: r.statistic, pValue: r.pValue, score: r.pValue, drifted: r.pValue < threshold };
      }
      case 'wasserstein': {
        const distance = wassersteinSorted(sortedRef, sortedCur) / Math.max(populationStd(sortedRef), STD_FLOOR);
        return { ...base, test: 'wasserstein', statistic: distance, score: distance, drifted: distance >= threshold };
      }
      case 'jensenshannon': {
        const distance = jensenShannonDistance(histogram.reference, histogram.current);
        return { ...base, test: 'jensenshannon', statistic: distance, score: distance, drifted: distance >= threshold };
      }
      case 'psi': {
        const psi = populationStabilityIndex(Float64Array.from(histogram.reference), Float64Array.from(histogram.current));
        return { ...base, test: 'psi', statistic: psi, score: psi, drifted: psi >= threshold };
      }
      case 'chisquare': {
        const nr = sortedRef.length;
        const nc = sortedCur.length;
        const r = chiSquareContingency([histogram.reference.map((s) => Math.round(s * nr)), histogram.current.map((s) => Math.round(s * nc))]);
        return { ...base, test: 'chisquare', statistic: r.statistic, pValue: r.pValue, score: r.pValue, drifted: r.pValue < threshold };
      }
      case 'z':
        throw new DriftInputError(`column "${name}": the z test compares two categories, but the column is numeric with more than ${MAX_CATEGORY_LIKE_UNIQUES} distinct values`);
    }
  }

  const counts = countCategorical(ref, cur);
  if (counts.referenceTotal === 0) throw new DriftInputError(`column "${name}": the reference has no values (all ${referenceRows} missing)`);
  if (counts.currentTotal === 0) throw new DriftInputError(`column "${name}": the current data has no values (all ${currentRows} missing)`);
  const distinct = counts.labels.length;
  const chosen = options.test ? { test: options.test, reason: 'chosen' } : defaultTest('categorical', counts.referenceTotal, distinct);
  const threshold = options.threshold ?? defaultThreshold(chosen.test);
  const refShares = shares(counts.reference, counts.referenceTotal);
  const curShares = shares(counts.current, counts.currentTotal);
  const unseenCategories = counts.labels.filter((_, i) => counts.reference[i] === 0);
  const histogram: DriftHistogram = { kind: 'categorical', labels: counts.labels, reference: refShares, current: curShares };
  const base = { column: name, kind: 'categorical' as const, threshold, reason: chosen.reason, referenceCount: counts.referenceTotal, currentCount: counts.currentTotal, referenceMissingShare, currentMissingShare, unseenCategories, histogram };
  switch (chosen.test) {
    case 'chisquare': {
      const r = chiSquareContingency([counts.reference, counts.current]);
      return { ...base, test: 'chisquare', statistic: r.statistic, pValue: r.pValue, score: r.pValue, drifted: r.pValue < threshold };
    }
    case 'z': {
      if (distinct > 2) throw new DriftInputError(`column "${name}": the z test compares two categories, but the column has ${distinct}`);
      const r = twoProportionZTest(counts.reference[0] as number, counts.referenceTotal, counts.current[0] as number, counts.currentTotal);
      return { ...base, test: 'z', statistic: r.statistic, pValue: r.pValue, score: r.pValue, drifted: r.pValue < threshold };
    }
    case 'jensenshannon': {
      const distance = jensenShannonDistance(counts.reference, counts.current);
      return { ...base, test: 'jensenshannon', statistic: distance, score: distance, drifted: distance >= threshold };
    }
    case 'psi': {
      const psi = populationStabilityIndex(Float64Array.from(refShares), Float64Array.from(curShares));
      return { ...base, test: 'psi', statistic: psi, score: psi, drifted: psi >= threshold };
    }
    case 'ks':
    case 'wasserstein':
      throw new DriftInputError(`column "${name}": ${chosen.test} needs numbers, but the column is categorical (or numeric with at most ${MAX_CATEGORY_LIKE_UNIQUES} distinct values)`);
  }
}
