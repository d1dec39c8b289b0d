import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { DurableDatabase, FileDamage } from '../store/durableDatabase';
import { readFully } from '../store/journal';
import type { SqlStatement } from '../store/mutationCodec';
import { decodeColumns, POINT_BYTES } from './metricSeriesCodec';
import { DELETE_INLINE, seriesStorage, summarizeColumns, summaryStatement, UPSERT_INLINE } from './metricSummaries';

/** A metric series whose file is missing or cut short, and what a repair keeps of it. */
export interface SeriesDamage extends FileDamage {
  /** the run and metric the file holds (undefined for a file no metric refers to) */
  readonly runId: string | undefined;
  readonly key: string | undefined;
  /** points the store acknowledged */
  readonly pointsRecorded: number;
  /** whole points still in the file: what a repair keeps */
  readonly pointsIntact: number;
  /** step of the last point kept (undefined when none is) */
  readonly lastIntactStep: number | undefined;
}

const SERIES_FILE = /^series\/([^/]+)\/(\d+)\.f64$/;

function readIntactPoints(dir: string, damage: FileDamage): Uint8Array {
  const whole = Math.floor(Math.min(damage.actual, damage.recorded) / POINT_BYTES) * POINT_BYTES;
  if (damage.missing || whole === 0) return new Uint8Array(0);
  const bytes = new Uint8Array(new ArrayBuffer(whole));
  const fd = openSync(join(dir, damage.file), 'r');
  try {
    return bytes.subarray(0, Math.floor(readFully(fd, bytes, whole, 0) / POINT_BYTES) * POINT_BYTES);
  } finally {
    closeSync(fd);
  }
}

function describeDamage(db: DurableDatabase, damage: FileDamage): SeriesDamage & { intact: Uint8Array; seriesId: number | undefined } {
  const match = SERIES_FILE.exec(damage.file);
  const runId = match?.[1];
  const seriesId = match ? Number(match[2]) : undefined;
  const row = runId === undefined ? undefined : db.rows('SELECT key, count FROM metric_summaries WHERE run_id = ? AND series_id = ?', [runId, seriesId ?? -1])[0];
  const intact = readIntactPoints(db.dir, damage);
  const columns = decodeColumns(intact);
  const n = columns.steps.length;
  return {
    ...damage,
    runId: row ? runId : undefined,
    key: row ? String(row[0]) : undefined,
    pointsRecorded: row ? Number(row[1]) : Math.floor(damage.recorded / POINT_BYTES),
    pointsIntact: n,
    lastIntactStep: n > 0 ? columns.steps[n - 1] : undefined,
    intact,
    seriesId,
  };
}

/** Metric series files that are missing or shorter than the store recorded. */
export function findDamagedSeries(db: DurableDatabase): SeriesDamage[] {
  return db.checkFiles().map((damage) => {
    const { intact: _intact, seriesId: _seriesId, ...report } = describeDamage(db, damage);
    return report;
  });
}

/**
 * Cuts every damaged series back to its last whole point and makes its summary (latest, min, max,
 * count) describe what is left; a series left short enough moves back inline, as if it had only
 * ever had those points. Returns what was lost. The tracking store of `db` has the old summaries
 * in memory: reopen the store before using it (`mlops doctor --repair` opens it for this alone).
 */
export async function repairDamagedSeries(db: DurableDatabase): Promise<SeriesDamage[]> {
  const repaired: SeriesDamage[] = [];
  for (const damage of db.checkFiles()) {
    const { intact, seriesId, ...report } = describeDamage(db, damage);
    const statements: SqlStatement[] = [];
    let keep = intact.length;
    if (report.runId !== undefined && report.key !== undefined && seriesId !== undefined) {
      const { runId, key } = report;
      if (report.pointsIntact === 0) {
        statements.push({ sql: 'DELETE FROM metric_summaries WHERE run_id = ? AND key = ?', params: [runId, key] }, { sql: DELETE_INLINE, params: [runId, key] });
      } else {
        const summary = summarizeColumns(undefined, decodeColumns(intact), seriesId);
        statements.push(summaryStatement(runId, key, summary));
        const storage = seriesStorage(summary.count);
        if (storage !== 'file') keep = 0;
        if (storage === 'inline') statements.push({ sql: UPSERT_INLINE, params: [runId, key, intact.slice()] });
      }
    }
    await db.cutFile(damage.file, keep, statements);
    repaired.push(report);
  }
  return repaired;
}
