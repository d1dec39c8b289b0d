// Durable ingest of 1,000,000 metric points in batches (every batch acknowledged only after its
// group's fsync), the memory a stored point costs, and — the measurement behind the storage
// decision — the same points as rows in sql.js. Target: >= 1,000,000 points/s; <= 40 B RSS/point.
import { loadSqlJs } from '../../src/core/store/sqlJsLoader';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import type { MetricInput } from '../../src/core/tracking/trackingTypes';
import { round, saveResults, settledRss, tempStore } from './benchSupport';

const POINTS = 1_000_000;
const KEYS = 10;

async function ingestLogBatch(batch: number, inFlight: number, points = POINTS): Promise<{ pointsPerSecond: number; ms: number; rssBytesPerPoint: number; heapBytesPerPoint: number }> {
  const { dir, cleanup } = tempStore('bench-ingest-');
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'bench' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    const rssBefore = settledRss();
    const heapBefore = process.memoryUsage().heapUsed;
    const started = performance.now();
    let step = 0;
    const pending = new Set<Promise<void>>();
    while (step < points) {
      const metrics: MetricInput[] = new Array(batch);
      for (let i = 0; i < batch; i++) metrics[i] = { key: `metric_${i % KEYS}`, value: Math.random(), step: step + Math.floor(i / KEYS), timestamp: 1_700_000_000_000 + step };
      step += batch;
      const write = store.tracking.logBatch({ runId: info.runId, metrics });
      pending.add(write);
      void write.then(() => pending.delete(write));
      if (pending.size >= inFlight) await Promise.race(pending);
    }
    await Promise.all(pending);
    const ms = performance.now() - started;
    const rssAfter = settledRss();
    const heapAfter = process.memoryUsage().heapUsed;
    const stats = await store.tracking.stats();
    if (stats.metricPoints !== points) throw new Error(`stored ${stats.metricPoints} points, expected ${points}`);
    await store.close();
    return { pointsPerSecond: Math.round((points / ms) * 1000), ms: round(ms), rssBytesPerPoint: round((rssAfter - rssBefore) / points), heapBytesPerPoint: round((heapAfter - heapBefore) / points) };
  } finally {
    cleanup();
  }
}

async function ingestColumns(batch: number): Promise<{ pointsPerSecond: number; ms: number }> {
  const { dir, cleanup } = tempStore('bench-ingest-cols-');
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'bench' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    const started = performance.now();
    for (let from = 0; from < POINTS; from += batch) {
      const steps = new Float64Array(batch);
      const values = new Float64Array(batch);
      const timestamps = new Float64Array(batch);
      for (let i = 0; i < batch; i++) {
        steps[i] = from + i;
        values[i] = Math.random();
        timestamps[i] = 1_700_000_000_000 + from + i;
      }
      await store.tracking.logMetricColumns(info.runId, 'loss', { steps, values, timestamps });
    }
    const ms = performance.now() - started;
    await store.close();
    return { pointsPerSecond: Math.round((POINTS / ms) * 1000), ms: round(ms) };
  } finally {
    cleanup();
  }
}

/** The alternative design: every point a row of a sql.js table (prepared insert, one transaction per batch). */
async function sqliteRows(batch: number): Promise<{ pointsPerSecond: number; ms: number; rssBytesPerPoint: number }> {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.run('PRAGMA journal_mode = MEMORY');
  db.run('CREATE TABLE metrics (run_id TEXT, key TEXT, step INTEGER, value REAL, timestamp INTEGER, PRIMARY KEY (run_id, key, step, timestamp))');
  const insert = db.prepare('INSERT INTO metrics VALUES (?, ?, ?, ?, ?)');
  const rssBefore = settledRss();
  const started = performance.now();
  for (let from = 0; from < POINTS; from += batch) {
    db.run('BEGIN');
    for (let i = 0; i < batch; i++) insert.run(['0123456789abcdef0123456789abcdef', `metric_${i % KEYS}`, from + Math.floor(i / KEYS), Math.random(), 1_700_000_000_000 + from]);
    db.run('COMMIT');
  }
  const ms = performance.now() - started;
  const rssAfter = settledRss();
  insert.free();
  db.close();
  return { pointsPerSecond: Math.round((POINTS / ms) * 1000), ms: round(ms), rssBytesPerPoint: round((rssAfter - rssBefore) / POINTS) };
}

async function main(): Promise<void> {
  // Warm-up: JIT, sql.js's wasm heap and the page cache, so the figures measure steady state.
  await ingestLogBatch(10_000, 4, 300_000);
  await ingestColumns(10_000);
  const logBatch1000 = await ingestLogBatch(1_000, 8);
  const logBatch10000 = await ingestLogBatch(10_000, 4);
  const logBatch10000Sequential = await ingestLogBatch(10_000, 1);
  const columns10000 = await ingestColumns(10_000);
  const sqliteRows10000 = await sqliteRows(10_000);
  saveResults('store-metric-ingest', {
    points: POINTS,
    durable: 'every batch acknowledged after its group commit fsync',
    logBatch: { batch1000InFlight8: logBatch1000, batch10000InFlight4: logBatch10000, batch10000Sequential: logBatch10000Sequential },
    logMetricColumns: { batch10000Sequential: columns10000 },
    alternativeSqliteRowsNotDurable: { batch10000: sqliteRows10000, note: 'in-memory sql.js rows, no journal, no fsync: the ceiling of the rows-in-SQLite design' },
    targets: { pointsPerSecond: 1_000_000, rssBytesPerPoint: 40 },
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
