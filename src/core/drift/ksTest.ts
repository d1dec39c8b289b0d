import { sortFloat64 } from './float64Sort';
import { kolmogorovNSf, twoSampleKsSf } from './kolmogorovDistribution';

export interface KsResult {
  /** sup |F_ref − F_cur| */
  readonly statistic: number;
  readonly pValue: number;
  readonly method: 'exact' | 'asymptotic';
}

/** SciPy's `ks_2samp(method='auto')` switches to the asymptotic distribution above this size. */
const MAX_EXACT_N = 10_000;

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** sup_x |F_a(x) − F_b(x)| over two ascending-sorted samples (NaN-free). */
export function ksStatisticSorted(a: Float64Array, b: Float64Array): number {
  const n1 = a.length;
  const n2 = b.length;
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n1 && j < n2) {
    const x = Math.min(a[i] as number, b[j] as number);
    while (i < n1 && a[i] === x) i++;
    while (j < n2 && b[j] === x) j++;
    const diff = Math.abs(i / n1 - j / n2);
    if (diff > d) d = diff;
  }
  // Once one sample is used up the other's CDF only climbs towards 1, narrowing the gap.
  return d;
}

/**
 * Two-sided two-sample Kolmogorov–Smirnov test on ascending-sorted samples, as SciPy's
 * `ks_2samp(a, b, method='auto')`: exact when both samples have at most 10,000 values, otherwise
 * `kstwo.sf(D, round(m·n/(m+n)))`.
 */
export function ksTwoSampleSorted(a: Float64Array, b: Float64Array): KsResult {
  const n1 = a.length;
  const n2 = b.length;
  if (n1 === 0 || n2 === 0) return { statistic: Number.NaN, pValue: Number.NaN, method: 'exact' };
  let d = ksStatisticSorted(a, b);
  const effective = Math.round((n1 * n2) / (n1 + n2));
  // Unequal tiny/huge pairs give an effective n that SciPy's kstwo handles with small-n methods;
  // the exact walk is cheap there and gives the true value.
  if (Math.max(n1, n2) <= MAX_EXACT_N || effective <= 140) {
    const g = gcd(n1, n2);
    const lcm = (n1 / g) * n2;
    const h = Math.round(d * lcm);
    d = h / lcm;
    if (h === 0) return { statistic: d, pValue: 1, method: 'exact' };
    return { statistic: d, pValue: twoSampleKsSf(n1, n2, h, g), method: 'exact' };
  }
  return { statistic: d, pValue: kolmogorovNSf(effective, d), method: 'asymptotic' };
}

/** Sorts copies of both samples (NaN dropped) and runs the test. */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>): KsResult {
  return ksTwoSampleSorted(sortedFinite(a), sortedFinite(b));
}

/** Ascending copy without NaN. */
export function sortedFinite(values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  let k = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i] as number;
    if (!Number.isNaN(v)) out[k++] = v;
  }
  return sortFloat64(out.subarray(0, k));
}
