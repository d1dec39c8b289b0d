/**
 * Drift statistics against values worked out independently of the code under test (no SciPy on
 * this machine). Each expected value says how it was obtained: a closed form, a hand computation,
 * a brute-force enumeration, or an independent series. Agreement is to 1e-6 or better.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chiSquareContingency } from '../../../src/core/drift/chiSquareTest';
import { jensenShannonDistance, populationStabilityIndex, wassersteinSorted } from '../../../src/core/drift/distanceMeasures';
import { kolmogorovNSf, kolmogorovSf, smirnovSf, twoSampleKsSf } from '../../../src/core/drift/kolmogorovDistribution';
import { ksTwoSample } from '../../../src/core/drift/ksTest';
import { twoProportionZTest } from '../../../src/core/drift/proportionZTest';
import { chiSquaredSf, erfc, logGamma, normalSf } from '../../../src/core/drift/specialFunctions';

function close(actual: number, expected: number, tolerance = 1e-9, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what} ${actual} ≠ ${expected} (±${tolerance})`);
}

/** erf by its Maclaurin series 2/√π Σ (−1)ⁿ x^(2n+1) / (n!(2n+1)) — a different algorithm from the code's continued fraction. */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}

/** χ² survival for even degrees of freedom 2k in closed form: e^(−x/2) Σ_{i<k} (x/2)^i / i!. */
function chiSquaredSfEven(x: number, dof: number): number {
  let term = 1;
  let sum = 0;
  for (let i = 0; i < dof / 2; i++) {
    if (i > 0) term *= x / 2 / i;
    sum += term;
  }
  return Math.exp(-x / 2) * sum;
}

/** D for one interleaving of the two samples: order[k] is true when the k-th smallest value is from sample a. */
function statisticOf(order: readonly boolean[], m: number, n: number): number {
  let i = 0;
  let j = 0;
  let d = 0;
  for (const fromA of order) {
    if (fromA) i++;
    else j++;
    d = Math.max(d, Math.abs(i * n - j * m));
  }
  return d; // in units of 1/(m·n)
}

/** Exact P(D ≥ d) by enumerating every one of the C(m+n, m) equally likely interleavings. */
function bruteForceKsSf(m: number, n: number, dTimesMn: number): number {
  let hits = 0;
  let total = 0;
  const walk = (order: boolean[], a: number, b: number): void => {
    if (a === m && b === n) {
      total++;
      if (statisticOf(order, m, n) >= dTimesMn) hits++;
      return;
    }
    if (a < m) walk([...order, true], a + 1, b);
    if (b < n) walk([...order, false], a, b + 1);
  };
  walk([], 0, 0);
  return hits / total;
}

describe('special functions', () => {
  test('log-gamma matches factorials', () => {
    // ln Γ(n) = ln (n−1)!, computed by summing logs
    for (const n of [1, 2, 5, 10, 11, 30, 171]) {
      let expected = 0;
      for (let k = 2; k < n; k++) expected += Math.log(k);
      close(logGamma(n), expected, 1e-12 * Math.max(1, expected), `lnΓ(${n})`);
    }
    close(logGamma(0.5), 0.5 * Math.log(Math.PI), 1e-14, 'lnΓ(1/2) = ln √π');
  });

  test('chi-squared survival matches the even-dof closed form', () => {
    for (const dof of [2, 4, 6, 10, 30]) for (const x of [0.01, 0.5, 1, 2.7777777777777777, 7.5, 20, 60]) close(chiSquaredSf(x, dof), chiSquaredSfEven(x, dof), 1e-13, `χ²(${dof}) sf ${x}`);
  });

  test('erfc and the normal tail match the Maclaurin series of erf', () => {
    for (const x of [0, 0.1, 0.5, 1, 1.5, 2, 2.5, 3]) close(erfc(x), 1 - erfSeries(x), 1e-13, `erfc(${x})`);
    close(erfc(-1), 1 + erfSeries(1), 1e-13, 'erfc(-1)');
    // 1.959963984540054 is the 97.5% normal quantile: P(Z > q) = 0.025
    close(normalSf(1.959963984540054), 0.025, 1e-12, 'normal 97.5% quantile');
  });
});

describe('Kolmogorov–Smirnov', () => {
  test('fully separated samples: D = 1, p = 2 / C(6,3) = 0.1 (two of twenty interleavings)', () => {
    const r = ksTwoSample([1, 2, 3], [4, 5, 6]);
    assert.equal(r.statistic, 1);
    close(r.pValue, 0.1, 1e-12);
    assert.equal(r.method, 'exact');
  });

  test('hand-worked statistic and exact p-value', () => {
    // a = 0.1…0.5, b = 0.35, 0.6, 0.7, 0.8, 0.9: after 0.3 F_a = 3/5, F_b = 0 → ... after 0.5 F_a = 1, F_b = 1/5: D = 4/5.
    const r = ksTwoSample([0.1, 0.2, 0.3, 0.4, 0.5], [0.35, 0.6, 0.7, 0.8, 0.9]);
    close(r.statistic, 0.8, 1e-15);
    // reflection principle: C(10, 5−4) = 10 of the 252 interleavings reach i − j = 4, ten more reach
    // j − i = 4, none both (that would take 12 steps) → p = 20/252 = 0.0793650793…; enumeration agrees
    close(r.pValue, 20 / 252, 1e-12);
    close(r.pValue, bruteForceKsSf(5, 5, 4 * 5), 1e-12);
  });

  test('the exact lattice-path walk equals brute-force enumeration for every size and threshold', () => {
    for (const [m, n] of [[3, 3], [4, 6], [5, 7], [6, 4], [7, 7], [2, 9], [8, 5]] as [number, number][]) {
      let g = m;
      let r = n;
      while (r) [g, r] = [r, g % r];
      const lcm = (m * n) / g;
      for (let h = 1; h <= lcm; h++) close(twoSampleKsSf(m, n, h, g), bruteForceKsSf(m, n, h * g), 1e-12, `m=${m} n=${n} h=${h}`);
    }
  });

  test('Kolmogorov limiting distribution: both series agree with the alternating sum', () => {
    // Q(z) = 2 Σ_{k≥1} (−1)^(k−1) e^(−2k²z²), summed directly to 200 terms
    for (const z of [0.3, 0.5, 0.8, 1, 1.36, 2]) {
      let expected = 0;
      for (let k = 1; k <= 200; k++) expected += 2 * (k % 2 === 1 ? 1 : -1) * Math.exp(-2 * k * k * z * z);
      close(kolmogorovSf(z), expected, 1e-12, `Q(${z})`);
    }
    // Q(1) = 2(e⁻² − e⁻⁸ + e⁻¹⁸ − …) = 0.26999967167735456
    close(kolmogorovSf(1), 0.26999967167735456, 1e-15);
  });

  test('one-sided Smirnov: Birnbaum–Tingey against direct integration for n = 1 and 2', () => {
    // n = 1: P(D⁺ ≥ x) = P(U ≤ 1 − x) = 1 − x
    close(smirnovSf(1, 0.3), 0.7, 1e-15);
    // n = 2, x = 0.3: D⁺ < x ⇔ U(1) > 0.2 and U(2) > 0.7; P = 0.8² − 0.5² = 0.39, so P(D⁺ ≥ 0.3) = 0.61
    close(smirnovSf(2, 0.3), 0.61, 1e-14);
  });

  test('large-n two-sided distribution is continuous where it switches from Pelz–Good to 2·Smirnov', () => {
    // SciPy's kstwo.sf switches method at n·x² = 2.2; the exact 2·Smirnov value just past the switch and
    // the Pelz–Good value just before it must meet (a wrong Pelz–Good term would show here).
    for (const n of [500, 5000, 500_000]) {
      const x = Math.sqrt(2.2 / n);
      close(kolmogorovNSf(n, x * (1 - 1e-9)), 2 * smirnovSf(n, x * (1 - 1e-9)), 1e-6, `n=${n}`);
    }
    // and tends to the limiting distribution as n grows
    close(kolmogorovNSf(50_000_000, 1 / Math.sqrt(50_000_000)), kolmogorovSf(1), 1e-3);
  });

  test('large samples take the asymptotic path', () => {
    const a = Float64Array.from({ length: 20_000 }, (_, i) => i / 20_000);
    const b = Float64Array.from({ length: 20_000 }, (_, i) => (i + 0.5) / 20_000 + 0.02);
    const r = ksTwoSample(a, b);
    assert.equal(r.method, 'asymptotic');
    close(r.statistic, 0.02, 1e-4);
    // n·D² = 10000 · 0.0004 = 4 ≥ 2.2: p = 2·Smirnov(10000, D) exactly, about 2e^(−8)
    close(r.pValue, 2 * smirnovSf(10_000, r.statistic), 1e-15);
    assert.ok(r.pValue < 1e-3);
  });
});

describe('chi-squared, z-test, distances', () => {
  test('2×3 contingency table (SciPy docs example) in closed form', () => {
    // margins 40/60 × 30/30/40 of 100 → expected 12 12 16 / 18 18 24;
    // χ² = 4/12 + 4/12 + 16/16 + 4/18 + 4/18 + 16/24 = 25/9; dof 2 → p = e^(−25/18) = 0.2493522087772962
    const r = chiSquareContingency([[10, 10, 20], [20, 20, 20]]);
    close(r.statistic, 25 / 9, 1e-12);
    assert.equal(r.degreesOfFreedom, 2);
    close(r.pValue, Math.exp(-25 / 18), 1e-12);
    close(r.pValue, 0.2493522087772962, 1e-12);
  });

  test('2×2 table with Yates correction by hand', () => {
    // [[12, 5], [7, 9]]: margins 17/16 × 19/14 of 33; expected 323/33, 238/33, 304/33, 224/33;
    // |O − E| = 73/33 everywhere, corrected to 73/33 − 1/2 = 113/66;
    // χ² = (113/66)² (33/323 + 33/238 + 33/304 + 33/224); dof 1 → p = erfc(√(χ²/2)) = 1 − erf (series)
    const corrected = 113 / 66;
    const expected = corrected * corrected * (33 / 323 + 33 / 238 + 33 / 304 + 33 / 224);
    const r = chiSquareContingency([[12, 5], [7, 9]]);
    close(r.statistic, expected, 1e-12);
    close(r.pValue, 1 - erfSeries(Math.sqrt(expected / 2)), 1e-12);
    const uncorrected = chiSquareContingency([[12, 5], [7, 9]], false);
    close(uncorrected.statistic, (73 / 33) ** 2 * (33 / 323 + 33 / 238 + 33 / 304 + 33 / 224), 1e-12);
  });

  test('two-proportion z-test by hand', () => {
    // 30/100 vs 45/100: pooled 0.375, variance 0.375·0.625·(1/100 + 1/100) = 0.0046875
    const z = -0.15 / Math.sqrt(0.0046875);
    const r = twoProportionZTest(30, 100, 45, 100);
    close(r.statistic, z, 1e-12);
    close(r.pValue, 1 - erfSeries(Math.abs(z) / Math.SQRT2), 1e-12);
    assert.equal(twoProportionZTest(10, 10, 20, 20).pValue, 1);
  });

  test('Wasserstein distance by hand', () => {
    // equal sizes: mean |u(i) − v(i)| of the sorted samples = (5 + 5 + 5)/3 (SciPy docs example)
    close(wassersteinSorted(Float64Array.of(0, 1, 3), Float64Array.of(5, 6, 8)), 5, 1e-15);
    // u = {1, 2}, v = {1, 1, 4}: |F_u − F_v| = 1/6 on [1, 2) and 1/3 on [2, 4) → 1/6 + 2/3 = 5/6
    close(wassersteinSorted(Float64Array.of(1, 2), Float64Array.of(1, 1, 4)), 5 / 6, 1e-15);
    close(wassersteinSorted(Float64Array.of(1, 2, 3), Float64Array.of(1, 2, 3)), 0, 0);
  });

  test('Jensen–Shannon distance by hand', () => {
    // disjoint supports: m = (½, ½), each KL = ln 2 → √(ln 2); in base 2 that is 1 (SciPy docs example)
    close(jensenShannonDistance([1, 0, 0], [0, 1, 0]), Math.sqrt(Math.LN2), 1e-15);
    close(jensenShannonDistance([1, 0, 0], [0, 1, 0], 2), 1, 1e-15);
    // p = (1, 0), q = (½, ½), m = (¾, ¼): KL(p‖m) = ln(4/3), KL(q‖m) = ½ln(2/3) + ½ln 2 → 0.46450140402245893
    const expected = Math.sqrt(0.5 * (Math.log(4 / 3) + 0.5 * Math.log(2 / 3) + 0.5 * Math.log(2)));
    close(jensenShannonDistance([1, 0], [0.5, 0.5]), expected, 1e-15);
    close(expected, 0.46450140402245893, 1e-15);
    // weights are normalized first
    close(jensenShannonDistance([2, 0], [3, 3]), expected, 1e-15);
  });

  test('PSI by hand', () => {
    // (½ − ¼)ln 2 + (½ − ¾)ln(2/3) = ¼ ln 3
    close(populationStabilityIndex(Float64Array.of(0.5, 0.5), Float64Array.of(0.25, 0.75)), 0.25 * Math.log(3), 1e-15);
    // an empty bin counts as 0.0001 of the sample
    close(populationStabilityIndex(Float64Array.of(0.5, 0.5), Float64Array.of(0, 1)), (0.5 - 0.0001) * Math.log(0.5 / 0.0001) + (0.5 - 1) * Math.log(0.5), 1e-12);
  });
});
