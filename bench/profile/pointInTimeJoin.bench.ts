// A point-in-time join of 1,000,000 entity rows against 10,000,000 feature rows (two views).
// Target (issue 9): under 10 s. Data are generated in memory (not timed).
import { loadavg } from 'node:os';
import type { FeatureHistory } from '../../src/core/features/featureHistory';
import { indexHistory } from '../../src/core/features/featureHistory';
import { pointInTimeJoin } from '../../src/core/features/pointInTimeJoin';
import { round, saveResults } from '../store/benchSupport';

function main(): void {
  const entities = 1_000_000;
  const featureRows = 10_000_000;
  const keysCount = 100_000;
  const day = 86_400_000;
  const t0 = Date.UTC(2024, 0, 1);
  let seed = 42;
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 4294967296;
  };
  // view 1: 8M rows with 3 numeric features; view 2: 2M rows with 1 numeric and 1 text feature
  const make = (rows: number, numeric: number, text: boolean): FeatureHistory => {
    const keys = new Array<number>(rows);
    const times = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      keys[i] = Math.floor(rand() * keysCount);
      times[i] = t0 + Math.floor(rand() * 365 * day);
    }
    const columns: { name: string; values: Float64Array | (string | null)[] }[] = [];
    for (let f = 0; f < numeric; f++) columns.push({ name: `f${f}`, values: Float64Array.from({ length: rows }, () => rand()) });
    if (text) columns.push({ name: 'tier', values: Array.from({ length: rows }, () => (rand() < 0.5 ? 'gold' : 'silver')) });
    return { keys, times, columns };
  };
  const history1 = make(featureRows * 0.8, 3, false);
  const history2 = make(featureRows * 0.2, 1, true);
  const entityKeys = Array.from({ length: entities }, () => Math.floor(rand() * keysCount * 1.05));
  const entityTimes = Float64Array.from({ length: entities }, () => t0 + Math.floor(rand() * 365 * day));
  const loadBefore = loadavg();
  const started = performance.now();
  const index1 = indexHistory(history1);
  const index2 = indexHistory(history2);
  const indexed = performance.now();
  const result = pointInTimeJoin(entityKeys, entityTimes, [
    { view: 'activity', history: history1, index: index1, ttlMs: 30 * day, features: ['f0', 'f1', 'f2'] },
    { view: 'profile', history: history2, index: index2, ttlMs: null, features: ['f0', 'tier'] },
  ]);
  const done = performance.now();
  saveResults('point-in-time-join', {
    entityRows: entities,
    featureRows,
    entityKeys: keysCount,
    views: 2,
    featuresOut: result.columns.length,
    indexSeconds: round((indexed - started) / 1000),
    joinSeconds: round((done - indexed) / 1000),
    totalSeconds: round((done - started) / 1000),
    misses: result.misses,
    peakRssMb: round(process.resourceUsage().maxRSS / 1024),
    loadAverageBefore: loadBefore.map((v) => round(v)),
    target: { totalSeconds: 10 },
  });
}

main();
