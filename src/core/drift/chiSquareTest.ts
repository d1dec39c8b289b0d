import { chiSquaredSf } from './specialFunctions';

export interface ChiSquareResult {
  readonly statistic: number;
  readonly pValue: number;
  readonly degreesOfFreedom: number;
}

/**
 * Pearson's chi-squared test of independence on a contingency table, as SciPy's
 * `chi2_contingency(observed, correction=True)`: expected counts from the margins; with one
 * degree of freedom (a 2×2 table) Yates' correction moves each observed count half a unit towards
 * its expected count (never past it). Rows and columns with zero total are an error in SciPy;
 * here they are dropped first so an absent category cannot make the test fail.
 */
export function chiSquareContingency(observed: readonly (readonly number[])[], correction = true): ChiSquareResult {
  const rows = observed.filter((row) => row.reduce((s, v) => s + v, 0) > 0);
  const width = rows[0]?.length ?? 0;
  const keep: number[] = [];
  for (let c = 0; c < width; c++) if (rows.some((row) => (row[c] as number) > 0)) keep.push(c);
  const table = rows.map((row) => keep.map((c) => row[c] as number));
  const r = table.length;
  const k = keep.length;
  const dof = Math.max(0, (r - 1) * (k - 1));
  if (dof === 0) return { statistic: 0, pValue: 1, degreesOfFreedom: 0 };
  const rowTotals = table.map((row) => row.reduce((s, v) => s + v, 0));
  const colTotals = keep.map((_, c) => table.reduce((s, row) => s + (row[c] as number), 0));
  const total = rowTotals.reduce((s, v) => s + v, 0);
  let statistic = 0;
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < k; j++) {
      const expected = ((rowTotals[i] as number) * (colTotals[j] as number)) / total;
      let o = (table[i] as number[])[j] as number;
      if (dof === 1 && correction) {
        const diff = expected - o;
        o += Math.sign(diff) * Math.min(0.5, Math.abs(diff));
      }
      statistic += ((o - expected) * (o - expected)) / expected;
    }
  }
  return { statistic, pValue: chiSquaredSf(statistic, dof), degreesOfFreedom: dof };
}
