/**
 * Pareto dominance for studies with several objectives. Every function takes values already
 * turned into "lower is better" (a maximized objective negated), so one rule serves all.
 */

/** Objective values with maximized ones negated: lower is better in every coordinate. */
export function lowerIsBetter(values: readonly number[], objectives: readonly { readonly direction: 'minimize' | 'maximize' }[]): number[] {
  return values.map((v, k) => (objectives[k]?.direction === 'maximize' ? -v : v));
}

/** `a` dominates `b`: no worse in every objective and better in at least one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x > y) return false;
    if (x < y) better = true;
  }
  return better;
}

/** Indexes of the points no other point dominates (duplicates all stay). */
export function paretoFrontIndexes(points: readonly (readonly number[])[]): number[] {
  return points.map((_, i) => i).filter((i) => !points.some((q, j) => j !== i && dominates(q, points[i] as readonly number[])));
}

/**
 * Fast non-dominated sorting (Deb et al. 2002): rank 0 is the front, rank 1 the front once rank 0
 * is removed, and so on. Returns each point's rank.
 */
export function nonDominatedRanks(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i] as readonly number[], points[j] as readonly number[])) {
        (dominating[i] as number[]).push(j);
        dominatedBy[j] = (dominatedBy[j] as number) + 1;
      } else if (dominates(points[j] as readonly number[], points[i] as readonly number[])) {
        (dominating[j] as number[]).push(i);
        dominatedBy[i] = (dominatedBy[i] as number) + 1;
      }
    }
  }
  const ranks = new Array<number>(n).fill(-1);
  let current = dominatedBy.flatMap((d, i) => (d === 0 ? [i] : []));
  for (let rank = 0; current.length > 0; rank++) {
    const next: number[] = [];
    for (const i of current) {
      ranks[i] = rank;
      for (const j of dominating[i] as number[]) {
        dominatedBy[j] = (dominatedBy[j] as number) - 1;
        if (dominatedBy[j] === 0) next.push(j);
      }
    }
    current = next;
  }
  return ranks;
}

/**
 * NSGA-II's crowding distance of each point within one front: how much room it has around it,
 * summed over objectives and scaled by each objective's range; the ends of each get Infinity so a
 * front keeps its extremes.
 */
export function crowdingDistances(points: readonly (readonly number[])[]): number[] {
  const n = points.length;
  const distance = new Array<number>(n).fill(0);
  if (n === 0) return distance;
  const m = (points[0] as readonly number[]).length;
  for (let k = 0; k < m; k++) {
    const order = points.map((_, i) => i).sort((a, b) => (points[a] as readonly number[])[k]! - (points[b] as readonly number[])[k]!);
    const lo = (points[order[0] as number] as readonly number[])[k] as number;
    const hi = (points[order[n - 1] as number] as readonly number[])[k] as number;
    distance[order[0] as number] = Infinity;
    distance[order[n - 1] as number] = Infinity;
    if (hi === lo) continue;
    for (let r = 1; r < n - 1; r++) {
      const i = order[r] as number;
      const gap = ((points[order[r + 1] as number] as readonly number[])[k]! - (points[order[r - 1] as number] as readonly number[])[k]!) / (hi - lo);
      distance[i] = (distance[i] as number) + gap;
    }
  }
  return distance;
}

/**
 * The volume dominated by the points and bounded by the reference point (each point counts only
 * where it is better than the reference in every objective). Exact: a sweep for two objectives,
 * slicing along the last objective for more (fine for the tens of points a study's front has).
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, k) => v < (reference[k] as number)));
  if (inside.length === 0) return 0;
  const front = paretoFrontIndexes(inside).map((i) => inside[i] as readonly number[]);
  return volume(front, reference);
}

function volume(front: readonly (readonly number[])[], reference: readonly number[]): number {
  const m = reference.length;
  if (front.length === 0) return 0;
  if (m === 1) return (reference[0] as number) - Math.min(...front.map((p) => p[0] as number));
  if (m === 2) {
    const sorted = [...front].sort((a, b) => (a[0] as number) - (b[0] as number) || (a[1] as number) - (b[1] as number));
    let total = 0;
    let ceiling = reference[1] as number;
    for (const p of sorted) {
      if ((p[1] as number) >= ceiling) continue;
      total += ((reference[0] as number) - (p[0] as number)) * (ceiling - (p[1] as number));
      ceiling = p[1] as number;
    }
    return total;
  }
  // slice along the last objective: between consecutive values, the points at or below the slice
  // dominate an (m-1)-dimensional region
  const last = m - 1;
  const levels = [...new Set(front.map((p) => p[last] as number))].sort((a, b) => a - b);
  let total = 0;
  for (let s = 0; s < levels.length; s++) {
    const level = levels[s] as number;
    const top = s + 1 < levels.length ? (levels[s + 1] as number) : (reference[last] as number);
    const slice = front.filter((p) => (p[last] as number) <= level).map((p) => p.slice(0, last));
    const reduced = paretoFrontIndexes(slice).map((i) => slice[i] as readonly number[]);
    total += volume(reduced, reference.slice(0, last)) * (top - level);
  }
  return total;
}

/**
 * The reference point a study measures its front's hypervolume from when the spec gives none:
 * the worst value seen in each objective, a tenth of its range further (so the worst points still
 * add volume), in "lower is better" terms.
 */
export function defaultReferencePoint(points: readonly (readonly number[])[]): number[] {
  const m = (points[0] as readonly number[] | undefined)?.length ?? 0;
  return Array.from({ length: m }, (_, k) => {
    const values = points.map((p) => p[k] as number);
    const worst = Math.max(...values);
    const range = worst - Math.min(...values);
    return worst + (range > 0 ? range * 0.1 : Math.abs(worst) * 0.1 || 1);
  });
}
