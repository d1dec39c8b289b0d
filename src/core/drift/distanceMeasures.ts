/** Distances between two samples or two distributions (no p-values; drift when ≥ a threshold). */

/**
 * 1-D Wasserstein (earth mover's) distance between two ascending-sorted samples with equal
 * weights, as SciPy's `wasserstein_distance(u, v)`: ∫ |F_u(x) − F_v(x)| dx.
 */
export function wassersteinSorted(u: Float64Array, v: Float64Array): number {
  const nu = u.length;
  const nv = v.length;
  if (nu === 0 || nv === 0) return Number.NaN;
  let i = 0;
  let j = 0;
  let area = 0;
  let previous = Math.min(u[0] as number, v[0] as number);
  while (i < nu || j < nv) {
    const x = i < nu && (j >= nv || (u[i] as number) <= (v[j] as number)) ? (u[i] as number) : (v[j] as number);
    area += Math.abs(i / nu - j / nv) * (x - previous);
    previous = x;
    while (i < nu && u[i] === x) i++;
    while (j < nv && v[j] === x) j++;
  }
  return area;
}

/**
 * Jensen–Shannon distance between two discrete distributions given as non-negative weights
 * (normalized here), as SciPy's `jensenshannon(p, q, base)`: √((KL(p‖m) + KL(q‖m)) / 2) with
 * m = (p + q)/2; natural logarithm unless `base` is given.
 */
export function jensenShannonDistance(p: ArrayLike<number>, q: ArrayLike<number>, base?: number): number {
  if (p.length !== q.length) throw new Error(`jensenShannonDistance: the distributions have ${p.length} and ${q.length} entries`);
  let sp = 0;
  let sq = 0;
  for (let i = 0; i < p.length; i++) {
    sp += p[i] as number;
    sq += q[i] as number;
  }
  let sum = 0;
  for (let i = 0; i < p.length; i++) {
    const a = (p[i] as number) / sp;
    const b = (q[i] as number) / sq;
    const m = (a + b) / 2;
    if (a > 0) sum += a * Math.log(a / m);
    if (b > 0) sum += b * Math.log(b / m);
  }
  let js = Math.max(0, sum / 2);
  if (base !== undefined) js /= Math.log(base);
  return Math.sqrt(js);
}

/** Share used in place of an empty bin so PSI stays finite (Evidently's rule). */
function fillZeros(shares: Float64Array): Float64Array {
  let smallest = Number.POSITIVE_INFINITY;
  for (const s of shares) if (s > 0 && s < smallest) smallest = s;
  const fill = smallest <= 0.0001 ? smallest / 1e6 : 0.0001;
  return shares.map((s) => (s === 0 ? fill : s));
}

/**
 * Population stability index Σ (r − c)·ln(r / c) over bin shares; empty bins get a small share
 * first (as Evidently does) so the index is finite.
 */
export function populationStabilityIndex(referenceShares: Float64Array, currentShares: Float64Array): number {
  const r = fillZeros(referenceShares);
  const c = fillZeros(currentShares);
  let psi = 0;
  for (let i = 0; i < r.length; i++) psi += ((r[i] as number) - (c[i] as number)) * Math.log((r[i] as number) / (c[i] as number));
  return psi;
}

/** Population standard deviation (NumPy's default ddof = 0), two-pass for accuracy. */
export function populationStd(values: Float64Array): number {
  const n = values.length;
  if (n === 0) return Number.NaN;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += values[i] as number;
  mean /= n;
  let ss = 0;
  for (let i = 0; i < n; i++) {
    const d = (values[i] as number) - mean;
    ss += d * d;
  }
  return Math.sqrt(ss / n);
}
