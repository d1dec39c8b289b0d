import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { DataColumn } from '../data/dataTable';
import { loadModelPackage } from '../modelPackage/modelPackageLoader';
import { MODEL_DIR, type PackageFile } from '../modelPackage/modelPackageFormat';

/** Single-row scoring latency of a packaged model, in milliseconds. */
export interface PredictLatency {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly calls: number;
}

/** Timed one-row calls; 200 keeps the measurement to a few milliseconds for the models trained here. */
const TIMED_CALLS = 200;
/** Untimed calls first, so the figures are the steady state an endpoint sees, not the JIT warming up. */
const WARM_UP_CALLS = 30;

/** The rows' feature values as the JSON records an endpoint receives (missing = null). */
export function rowRecords(columns: readonly DataColumn[], rows: Int32Array, limit: number): Record<string, unknown>[] {
  const count = Math.min(rows.length, limit);
  const records: Record<string, unknown>[] = [];
  for (let i = 0; i < count; i++) {
    const r = rows[i] as number;
    const record: Record<string, unknown> = {};
    for (const column of columns) {
      if (column.kind === 'numeric') {
        const value = column.values[r] as number;
        record[column.name] = Number.isNaN(value) ? null : value;
      } else {
        const code = column.codes[r] as number;
        record[column.name] = code < 0 ? null : column.categories[code];
      }
    }
    records.push(record);
  }
  return records;
}

/** The p-th percentile (0–100) of sorted values, nearest rank. */
function percentile(sorted: readonly number[], p: number): number {
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

/**
 * Scores `records` one row per call through the scorer endpoints load (the package read back from
 * disk, JSON records in, predictions out), so the figure is what a served one-row request costs in
 * model time, without HTTP. Undefined when there is nothing to score.
 */
export async function measurePredictLatency(files: readonly PackageFile[], records: readonly Readonly<Record<string, unknown>>[], calls: number = TIMED_CALLS): Promise<PredictLatency | undefined> {
  if (records.length === 0 || calls <= 0) return undefined;
  const dir = await mkdtemp(join(tmpdir(), 'mlops-latency-'));
  try {
    const prefix = `${MODEL_DIR}/`;
    for (const file of files) {
      if (!file.path.startsWith(prefix)) continue;
      const target = join(dir, file.path.slice(prefix.length));
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, file.data);
    }
    const model = await loadModelPackage(dir);
    for (let i = 0; i < WARM_UP_CALLS; i++) model.predict([records[i % records.length] as Readonly<Record<string, unknown>>]);
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const row = records[i % records.length] as Readonly<Record<string, unknown>>;
      const start = performance.now();
      model.predict([row]);
      times.push(performance.now() - start);
    }
    times.sort((a, b) => a - b);
    // a timer tick can round a very fast call to 0; report at least a microsecond so "measured" shows
    const floor = (ms: number): number => Math.max(ms, 0.001);
    return { p50Ms: floor(percentile(times, 50)), p99Ms: floor(percentile(times, 99)), calls };
  } finally {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}
