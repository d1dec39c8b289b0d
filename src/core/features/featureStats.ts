/**
 * Statistics of each feature in the offline store (the catalog shows them): count, missing share,
 * min/max/mean/std and a histogram for numbers, top values for text. Computed once per
 * materialization (in the worker) and kept in stats.json next to meta.json.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FeatureType } from './featureSpec';
import { featureViewDir, readFeatureHistory, type StoredHistory } from './featureStoreFiles';

const HISTOGRAM_BINS = 20;
const TOP_VALUES = 12;

export type FeatureDistribution =
  | { kind: 'numeric'; edges: number[]; counts: number[] }
  | { kind: 'categorical'; labels: string[]; counts: number[]; otherCount: number };

export interface FeatureStatistics {
  name: string;
  type: FeatureType;
  count: number;
  missing: number;
  missingShare: number;
  /** numeric features only; null for text or when every value is missing */
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  distinct: number;
  distribution: FeatureDistribution;
}

export interface FeatureViewStats {
  view: string;
  /** the materializedAt of the data these describe: stale stats are recomputed */
  materializedAt: string;
  features: FeatureStatistics[];
}

function numericStats(name: string, type: FeatureType, values: Float64Array): FeatureStatistics {
  let n = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    n++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const mean = n > 0 ? sum / n : NaN;
  let squares = 0;
  const distinct = new Set<number>();
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    squares += (v - mean) ** 2;
    if (distinct.size <= 10_000) distinct.add(v);
  }
  const missing = values.length - n;
  const base = { name, type, count: values.length, missing, missingShare: values.length > 0 ? missing / values.length : 0, distinct: distinct.size };
  if (n === 0) return { ...base, min: null, max: null, mean: null, std: null, distribution: { kind: 'numeric', edges: [], counts: [] } };
  // Few distinct integers (or booleans) read better as bars per value than as ranges.
  if ((type === 'integer' || type === 'boolean') && distinct.size <= HISTOGRAM_BINS) {
    const sorted = [...distinct].sort((a, b) => a - b);
    const counts = new Map<number, number>(sorted.map((v) => [v, 0]));
    for (const v of values) if (!Number.isNaN(v)) counts.set(v, counts.get(v)! + 1);
    return { ...base, min, max, mean, std: Math.sqrt(squares / n), distribution: { kind: 'categorical', labels: sorted.map(String), counts: sorted.map((v) => counts.get(v)!), otherCount: 0 } };
  }
  const bins = min === max ? 1 : HISTOGRAM_BINS;
  const width = (max - min) / bins;
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (Number.isNaN(v)) continue;
    const b = width === 0 ? 0 : Math.min(bins - 1, Math.floor((v - min) / width));
    counts[b]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (i === bins ? max : min + i * width));
  return { ...base, min, max, mean, std: Math.sqrt(squares / n), distribution: { kind: 'numeric', edges, counts } };
}

function textStats(name: string, type: FeatureType, values: readonly (string | null)[]): FeatureStatistics {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const v of values) {
    if (v === null) missing++;
    else counts.set(v, (counts.get(v) ?? 0) + 1);
  }
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  const top = ranked.slice(0, TOP_VALUES);
  const shown = top.reduce((s, [, c]) => s + c, 0);
  return {
    name,
    type,
    count: values.length,
    missing,
    missingShare: values.length > 0 ? missing / values.length : 0,
    min: null,
    max: null,
    mean: null,
    std: null,
    distinct: counts.size,
    distribution: { kind: 'categorical', labels: top.map(([v]) => v), counts: top.map(([, c]) => c), otherCount: values.length - missing - shown },
  };
}

export function historyStatistics(history: StoredHistory): FeatureStatistics[] {
  return history.columns.map((c) => {
    const type = history.types[c.name] ?? 'float';
    return c.values instanceof Float64Array ? numericStats(c.name, type, c.values) : textStats(c.name, type, c.values);
  });
}

/** Computes the statistics of a materialized view and writes them to stats.json. */
export async function writeFeatureViewStats(storeDir: string, view: string, materializedAt: string): Promise<FeatureViewStats> {
  const stats: FeatureViewStats = { view, materializedAt, features: historyStatistics(await readFeatureHistory(storeDir, view)) };
  await writeFile(join(featureViewDir(storeDir, view), 'stats.json'), JSON.stringify(stats));
  return stats;
}

/** stats.json of a view when it describes the materialization `materializedAt`; undefined when missing or stale. */
export async function readFeatureViewStats(storeDir: string, view: string, materializedAt: string): Promise<FeatureViewStats | undefined> {
  try {
    const stats = JSON.parse(await readFile(join(featureViewDir(storeDir, view), 'stats.json'), 'utf8')) as FeatureViewStats;
    return stats.materializedAt === materializedAt ? stats : undefined;
  } catch {
    return undefined;
  }
}
