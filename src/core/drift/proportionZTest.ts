import { normalSf } from './specialFunctions';

export interface ZTestResult {
  readonly statistic: number;
  readonly pValue: number;
}

/**
 * Two-sided two-proportion Z-test with a pooled proportion (Evidently's `z` test for binary
 * columns): `successes` out of `n` in each sample. Identical single-valued samples give p = 1.
 */
export function twoProportionZTest(successesA: number, nA: number, successesB: number, nB: number): ZTestResult {
  if (nA === 0 || nB === 0) return { statistic: Number.NaN, pValue: Number.NaN };
  const pA = successesA / nA;
  const pB = successesB / nB;
  const pooled = (successesA + successesB) / (nA + nB);
  const variance = pooled * (1 - pooled) * (1 / nA + 1 / nB);
  if (variance === 0) return { statistic: 0, pValue: 1 };
  const z = (pA - pB) / Math.sqrt(variance);
  return { statistic: z, pValue: 2 * normalSf(Math.abs(z)) };
}
