/** Correlation and association measures over paired samples (NaN / null = missing, pairwise complete). */

/** Pearson's r over the rows where both are present; null with < 3 rows or no variance. */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  let n = 0;
  let mx = 0;
  let my = 0;
  let c = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (Number.isNaN(a) || Number.isNaN(b)) continue;
    n++;
    const dx = a - mx;
    mx += dx / n;
    const dy = b - my;
    my += dy / n;
    c += dx * (b - my);
    vx += dx * (a - mx);
    vy += dy * (b - my);
  }
  if (n < 3 || vx <= 0 || vy <= 0) return null;
  return clamp(c / Math.sqrt(vx * vy));
}

/** Ranks 1..n with ties given their average rank (native sort, then binary search per value). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const sorted = Float64Array.from(values).sort();
  const ranks = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    const first = lo;
    hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sorted[mid]! <= v) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = (first + lo - 1) / 2 + 1;
  }
  return ranks;
}

/** Spearman's ρ: Pearson's r of the average ranks, over the rows where both are present. */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number | null {
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < x.length; i++) {
    if (Number.isNaN(x[i]!) || Number.isNaN(y[i]!)) continue;
    xs.push(x[i]!);
    ys.push(y[i]!);
  }
  return pearson(averageRanks(xs), averageRanks(ys));
}

/** Cramér's V = sqrt(χ² / (n · (min(r, c) − 1))), no bias correction; null when either side has one level. */
export function cramersV(a: readonly (string | null)[], b: readonly (string | null)[]): number | null {
  const rows = new Map<string, number>();
  const cols = new Map<string, number>();
  const pairs: [number, number][] = [];
  for (let i = 0; i < a.length; i++) {
    const u = a[i];
    const v = b[i];
    if (u === null || u === undefined || v === null || v === undefined) continue;
    let r = rows.get(u);
    if (r === undefined) rows.set(u, (r = rows.size));
    let c = cols.get(v);
    if (c === undefined) cols.set(v, (c = cols.size));
    pairs.push([r, c]);
  }
  const n = pairs.length;
  const k = Math.min(rows.size, cols.size);
  if (n === 0 || k < 2) return null;
  const table = new Float64Array(rows.size * cols.size);
  const rowSums = new Float64Array(rows.size);
  const colSums = new Float64Array(cols.size);
  for (const [r, c] of pairs) {
    table[r * cols.size + c]!++;
    rowSums[r]!++;
    colSums[c]!++;
  }
  let chi2 = 0;
  for (let r = 0; r < rows.size; r++) {
    for (let c = 0; c < cols.size; c++) {
      const expected = (rowSums[r]! * colSums[c]!) / n;
      const diff = table[r * cols.size + c]! - expected;
      chi2 += (diff * diff) / expected;
    }
  }
  return clamp(Math.sqrt(chi2 / (n * (k - 1))));
}

/** Correlation ratio η = sqrt(SS_between / SS_total) of numeric `y` grouped by `groups`. */
export function correlationRatio(groups: readonly (string | null)[], y: ArrayLike<number>): number | null {
  const sums = new Map<string, { n: number; sum: number }>();
  let n = 0;
  let total = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    const v = y[i]!;
    if (g === null || g === undefined || Number.isNaN(v)) continue;
    const s = sums.get(g) ?? { n: 0, sum: 0 };
    s.n++;
    s.sum += v;
    sums.set(g, s);
    n++;
    total += v;
  }
  if (n < 3 || sums.size < 2) return null;
  const mean = total / n;
  let ssTotal = 0;
  for (let i = 0; i < groups.length; i++) {
    const g = groups[i];
    const v = y[i]!;
    if (g === null || g === undefined || Number.isNaN(v)) continue;
    ssTotal += (v - mean) ** 2;
  }
  if (ssTotal <= 0) return null;
  let ssBetween = 0;
  for (const s of sums.values()) ssBetween += s.n * (s.sum / s.n - mean) ** 2;
  return clamp(Math.sqrt(ssBetween / ssTotal));
}

function clamp(r: number): number {
  return Math.max(-1, Math.min(1, r));
}
