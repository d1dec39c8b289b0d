/**
 * Compares two saved profiles (e.g. training data vs new data) column by column, from the
 * profiles alone: PSI over the baseline's deciles (the new CDF read off its percentiles) for
 * numbers, PSI over the baseline's top categories (+ "other") for text.
 */
import type { ColumnProfile, DataProfile } from './profileTypes';

export interface ColumnComparison {
  column: string;
  status: 'same' | 'drifted' | 'added' | 'removed' | 'typeChanged';
  baselineType?: string;
  currentType?: string;
  missingShareDelta?: number;
  /** difference of means in baseline standard deviations */
  meanShift?: number;
  psi?: number;
}

export interface ProfileComparison {
  baseline: string;
  current: string;
  rows: { baseline: number; current: number };
  columns: ColumnComparison[];
}

/** PSI above this is a shift worth a look (the usual 0.1 / 0.25 bands: 0.25 = major). */
export const PSI_DRIFT = 0.25;
const EPSILON = 1e-4;

export function compareProfiles(baseline: DataProfile, current: DataProfile): ProfileComparison {
  const columns: ColumnComparison[] = [];
  for (const b of baseline.columns) {
    const c = current.columns.find((col) => col.name === b.name);
    if (!c) {
      columns.push({ column: b.name, status: 'removed', baselineType: b.type });
      continue;
    }
    columns.push(compareColumn(b, c));
  }
  for (const c of current.columns) if (!baseline.columns.some((b) => b.name === c.name)) columns.push({ column: c.name, status: 'added', currentType: c.type });
  return { baseline: baseline.file, current: current.file, rows: { baseline: baseline.rows, current: current.rows }, columns };
}

function compareColumn(b: ColumnProfile, c: ColumnProfile): ColumnComparison {
  const base: ColumnComparison = { column: b.name, status: 'same', baselineType: b.type, currentType: c.type, missingShareDelta: c.missingShare - b.missingShare };
  if (b.type !== c.type && !(isNum(b) && isNum(c))) return { ...base, status: 'typeChanged' };
  let psi: number | undefined;
  if (b.numeric && c.numeric) {
    base.meanShift = b.numeric.std > 0 ? (c.numeric.mean - b.numeric.mean) / b.numeric.std : c.numeric.mean === b.numeric.mean ? 0 : Infinity;
    const edges = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((d) => b.numeric!.percentiles[d * 10]!);
    const expected = bandShares(b.numeric.percentiles, edges);
    const actual = bandShares(c.numeric.percentiles, edges);
    psi = psiOf(expected, actual);
  } else if (b.top && c.top && b.count > 0 && c.count > 0) {
    const keys = b.top.slice(0, 10).map((t) => t.value);
    const share = (p: ColumnProfile, key: string): number => (p.top!.find((t) => t.value === key)?.count ?? 0) / p.count;
    const expected = keys.map((k) => share(b, k));
    const actual = keys.map((k) => share(c, k));
    expected.push(Math.max(0, 1 - expected.reduce((s, v) => s + v, 0)));
    actual.push(Math.max(0, 1 - actual.reduce((s, v) => s + v, 0)));
    psi = psiOf(expected, actual);
  }
  if (psi !== undefined) base.psi = psi;
  if ((psi ?? 0) > PSI_DRIFT || Math.abs(base.missingShareDelta ?? 0) > 0.1) base.status = 'drifted';
  return base;
}

function isNum(c: ColumnProfile): boolean {
  return c.type === 'integer' || c.type === 'float';
}

/** Shares of a distribution (given by its 101 percentiles) in the bands cut by `edges`. */
function bandShares(percentiles: readonly number[], edges: readonly number[]): number[] {
  const cdf = (x: number): number => {
    if (x < percentiles[0]!) return 0;
    if (x >= percentiles[100]!) return 1;
    let i = 0;
    while (i < 100 && percentiles[i + 1]! <= x) i++;
    const lo = percentiles[i]!;
    const hi = percentiles[i + 1]!;
    return (i + (hi > lo ? (x - lo) / (hi - lo) : 1)) / 100;
  };
  const cuts = [0, ...edges.map(cdf), 1];
  return cuts.slice(1).map((v, i) => Math.max(0, v - cuts[i]!));
}

function psiOf(expected: readonly number[], actual: readonly number[]): number {
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const e = Math.max(expected[i]!, EPSILON);
    const a = Math.max(actual[i]!, EPSILON);
    psi += (a - e) * Math.log(a / e);
  }
  return psi;
}
