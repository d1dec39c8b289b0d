/**
 * Distributions of Kolmogorov–Smirnov statistics.
 *
 * - `twoSampleKsSf`: exact P(D ≥ d) for two samples of sizes m and n under H0 (no ties), by
 *   walking every monotone lattice path from (0,0) to (m,n) as a uniformly random path and adding
 *   up the probability of the paths that leave the band |i/m − j/n| < d. It is the quantity SciPy's
 *   ks_2samp computes in its 'exact' mode; the walk uses transition probabilities, not path counts,
 *   so nothing overflows.
 * - `kolmogorovSf`: the limiting distribution Q(z) = 2 Σ (−1)^(k−1) e^(−2k²z²).
 * - `smirnovSf`: exact one-sided P(D⁺ₙ ≥ x) (Birnbaum–Tingey sum).
 * - `kolmogorovNSf`: P(Dₙ ≥ x) for the one-sample two-sided statistic with the same choice of
 *   method as SciPy's `kstwo.sf` for n > 140 (2·Smirnov where n x² ≥ 2.2, Pelz–Good otherwise).
 */
import { logGamma } from './specialFunctions';

const KOLMOGOROV_RTOL = 2.220446049250313e-16;

/** Q(z) = P(√n Dₙ > z) as n → ∞. Two theta-function series, each used where it converges fast. */
export function kolmogorovSf(z: number): number {
  if (!(z > 0)) return 1;
  if (z >= 1) {
    const alpha = -2 * z * z;
    let sign = 1;
    let sum = 0;
    for (let k = 1; k < 1000; k++) {
      const term = Math.exp(alpha * k * k);
      sum += sign * term;
      if (term === 0 || term / Math.abs(sum) <= KOLMOGOROV_RTOL) break;
      sign = -sign;
    }
    return 2 * sum;
  }
  const alpha = (-Math.PI * Math.PI) / (8 * z * z);
  let sum = 0;
  for (let k = 1; k < 1000; k += 2) {
    const term = Math.exp(alpha * k * k);
    sum += term;
    if (term === 0 || term / sum < KOLMOGOROV_RTOL) break;
  }
  return 1 - (sum * Math.sqrt(2 * Math.PI)) / z;
}

/** P(D⁺ₙ ≥ x) = x Σ_{v=0}^{⌊n(1−x)⌋} C(n,v) (x + v/n)^(v−1) (1 − x − v/n)^(n−v), in log space. */
export function smirnovSf(n: number, x: number): number {
  if (!(x > 0)) return 1;
  if (x >= 1) return 0;
  const last = Math.floor(n * (1 - x));
  const logNFactorial = logGamma(n + 1);
  let sum = 0;
  for (let v = 0; v <= last; v++) {
    const evn = x + v / n;
    const rest = 1 - evn;
    if (rest <= 0) continue;
    const logTerm = logNFactorial - logGamma(v + 1) - logGamma(n - v + 1) + (v - 1) * Math.log(evn) + (n - v) * Math.log(rest);
    if (logTerm > -745) sum += Math.exp(logTerm);
  }
  return Math.min(1, Math.max(0, sum * x));
}

/** Pelz–Good asymptotic expansion of P(Dₙ ≤ x) to order n^(−3/2). */
function pelzGoodCdf(n: number, x: number): number {
  const z = Math.sqrt(n) * x;
  const z2 = z * z;
  const z4 = z2 * z2;
  const z6 = z4 * z2;
  const pi2 = Math.PI * Math.PI;
  const pi4 = pi2 * pi2;
  const pi6 = pi4 * pi2;
  const logQ = -pi2 / 8 / z2;
  if (logQ < -745) return 0;
  const q = Math.exp(logQ);
  const k1a = -z2;
  const k1b = pi2 / 4;
  const k2a = 6 * z6 + 2 * z4;
  const k2b = ((2 * z4 - 5 * z2) * pi2) / 4;
  const k2c = (pi4 * (1 - 2 * z2)) / 16;
  const k3d = (pi6 * (5 - 30 * z2)) / 64;
  const k3c = (pi4 * (-60 * z2 + 212 * z4)) / 16;
  const k3b = (pi2 * (135 * z4 - 96 * z6)) / 4;
  const k3a = -30 * z6 - 90 * z4 * z4;
  // Σ over odd m = 2k − 1 of c(m) q^(m²), by Horner in q^8k.
  const maxK = Math.ceil((16 * z) / Math.PI);
  const sums = [0, 0, 0, 0];
  for (let k = maxK; k >= 1; k--) {
    const m = 2 * k - 1;
    const m2 = m * m;
    const m4 = m2 * m2;
    const m6 = m4 * m2;
    const power = Math.pow(q, 8 * k);
    const coefficients = [1, k1a + k1b * m2, k2a + k2b * m2 + k2c * m4, k3a + k3b * m2 + k3c * m4 + k3d * m6];
    for (let i = 0; i < 4; i++) sums[i] = (sums[i] as number) * power + (coefficients[i] as number);
  }
  const sqrt2pi = Math.sqrt(2 * Math.PI);
  const divisors = [z, 6 * z4, 72 * z4 * z2 * z, 6480 * z4 * z6];
  for (let i = 0; i < 4; i++) sums[i] = ((sums[i] as number) * q * sqrt2pi) / (divisors[i] as number);
  // The remaining terms sum over all integers k of polynomials in k times e^(−π²k²/(2z²)).
  const q2 = Math.exp(-pi2 / 2 / z2);
  const sqrt3z = Math.sqrt(3) * z;
  let k2extra = 0;
  let k3extra = 0;
  for (let k = maxK; k >= 1; k--) {
    const k2 = k * k;
    const power = Math.pow(q2, k2);
    const kpi = Math.PI * k;
    k2extra += k2 * power;
    k3extra += (sqrt3z + kpi) * (sqrt3z - kpi) * k2 * power;
  }
  sums[2] = (sums[2] as number) + (k2extra * pi2 * sqrt2pi) / (-36 * z2 * z);
  sums[3] = (sums[3] as number) + (k3extra * pi2 * sqrt2pi) / (216 * z6);
  let total = 0;
  for (let i = 0; i < 4; i++) total += (sums[i] as number) / Math.pow(n, i / 2);
  return total;
}

/**
 * P(Dₙ ≥ x) for the one-sample two-sided KS statistic, n > 140 (SciPy's kstwo.sf branches for
 * large n). Smaller n never reach here: the two-sample test computes those exactly.
 */
export function kolmogorovNSf(n: number, x: number): number {
  if (x >= 1) return 0;
  if (x <= 0) return 1;
  const t = n * x;
  if (t <= 1) {
    if (t <= 0.5) return 1;
    // Ruben–Gambino: P(Dₙ ≤ x) = n!/nⁿ (2t − 1)ⁿ for 1/(2n) ≤ x ≤ 1/n
    const cdf = Math.exp(logGamma(n + 1) - n * Math.log(n) + n * Math.log(2 * t - 1));
    return clip(1 - cdf);
  }
  if (t >= n - 1) return clip(2 * Math.pow(1 - x, n));
  if (x >= 0.5) return clip(2 * smirnovSf(n, x));
  const nx2 = t * x;
  if (nx2 >= 370) return 0;
  if (nx2 >= 2.2) return clip(2 * smirnovSf(n, x));
  return clip(1 - pelzGoodCdf(n, x));
}

function clip(p: number): number {
  return Math.min(1, Math.max(0, p));
}

/**
 * Exact P(D ≥ h·g / (m·n)) for two samples of sizes m and n with g = gcd(m, n): the probability
 * that a uniformly random monotone path from (0,0) to (m,n) touches a point with
 * |i·n − j·m| ≥ h·g. Cost O(m · band width).
 */
export function twoSampleKsSf(m: number, n: number, h: number, g: number): number {
  const bound = h * g;
  if (bound <= 0) return 1;
  let previous = new Float64Array(n + 1);
  let current = new Float64Array(n + 1);
  let outside = 0;
  // Row 0: the start (0,0) is inside; steps along j keep i = 0.
  let prevLo = 0;
  let prevHi = -1;
  for (let i = 0; i <= m; i++) {
    // inside: −bound < i·n − j·m < bound  ⇔  (i·n − bound)/m < j < (i·n + bound)/m
    const lo = Math.max(0, Math.floor((i * n - bound) / m) + 1);
    const hi = Math.min(n, Math.ceil((i * n + bound) / m) - 1);
    for (let j = lo; j <= hi; j++) {
      let mass = 0;
      if (i === 0 && j === 0) mass = 1;
      if (i > 0 && j >= prevLo && j <= prevHi) {
        const a = m - (i - 1);
        mass += ((previous[j] as number) * a) / (a + n - j);
      }
      if (j > lo) {
        const b = n - (j - 1);
        mass += ((current[j - 1] as number) * b) / (m - i + b);
      }
      current[j] = mass;
    }
    // Mass that steps out of the band from this row: along j past hi, or down (i+1) outside next row's band.
    if (hi >= lo) {
      if (hi < n) {
        const b = n - hi;
        outside += ((current[hi] as number) * b) / (m - i + b);
      }
      if (i < m) {
        const nextLo = Math.max(0, Math.floor(((i + 1) * n - bound) / m) + 1);
        const nextHi = Math.min(n, Math.ceil(((i + 1) * n + bound) / m) - 1);
        for (let j = lo; j <= hi; j++) {
          if (j >= nextLo && j <= nextHi) continue;
          const a = m - i;
          outside += ((current[j] as number) * a) / (a + n - j);
        }
      }
    }
    const swap = previous;
    previous = current;
    current = swap;
    prevLo = lo;
    prevHi = hi;
  }
  return clip(outside);
}
