import type { DurableDatabase } from '../store/durableDatabase';
import { RequestLog } from './requestLog';
import { KEEP_EVERYTHING } from './requestLogFiles';
import { encodeFrame } from './requestLogFormat';
import type { PendingFrame } from './requestLogWriter';

const PAGE_ROWS = 500;

/**
 * Stores made before request logs moved to segment files kept them in the database (the
 * serving_requests table). On open, its rows are appended to their endpoints' segments in id
 * order (nothing dropped: retention applies when the endpoint next logs), then the table is
 * dropped and the database compacted, so the snapshot shrinks back to metadata.
 *
 * A crash halfway is safe: every moved entry keeps its row id, and a second run skips the rows
 * an endpoint's newest entry already covers.
 */
export async function moveRequestRowsToSegments(database: DurableDatabase, dir: string): Promise<number> {
  if (database.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'serving_requests'").length === 0) return 0;
  const failures: unknown[] = [];
  const log = new RequestLog(dir, { retention: KEEP_EVERYTHING, onError: (error) => failures.push(error) });
  let moved = 0;
  try {
    const covered = new Map<string, number>();
    const coveredUpTo = (endpoint: string): number => {
      let id = covered.get(endpoint);
      if (id === undefined) {
        id = 0;
        for (const newest of log.newestFirst(endpoint)) {
          id = newest.legacyId ?? 0;
          break;
        }
        covered.set(endpoint, id);
      }
      return id;
    };
    for (let after = 0; ; ) {
      const page = database.rows(
        'SELECT id, endpoint, time, model_name, version, status, latency_ms, rows, inputs, outputs, error, request_id FROM serving_requests WHERE id > ? ORDER BY id LIMIT ?',
        [after, PAGE_ROWS],
      );
      if (page.length === 0) break;
      const byEndpoint = new Map<string, PendingFrame[]>();
      for (const [id, endpoint, time, modelName, version, status, latency, rows, inputs, outputs, error, requestId] of page) {
        after = Number(id);
        const name = String(endpoint);
        if (after <= coveredUpTo(name)) continue;
        const frame = encodeFrame(
          {
            ...(requestId === null || requestId === undefined ? {} : { requestId: String(requestId) }),
            time: Number(time),
            version: Number(version),
            status: Number(status),
            latencyMs: Number(latency),
            rows: Number(rows),
            ...(error === null || error === undefined ? {} : { error: String(error) }),
            modelName: String(modelName),
            legacyId: after,
          },
          inputs === null || inputs === undefined ? null : String(inputs),
          outputs === null || outputs === undefined ? null : String(outputs),
        );
        const answered = Number(status) === 200 && inputs !== null && inputs !== undefined ? Number(rows) : 0;
        let frames = byEndpoint.get(name);
        if (!frames) byEndpoint.set(name, (frames = []));
        frames.push({ frame, time: Number(time), answeredRows: answered });
        moved++;
      }
      for (const [endpoint, frames] of byEndpoint) log.appendEncoded(endpoint, frames);
      // One page in memory at a time: the next is read once this one is on disk.
      await log.flushed();
      // The table goes only once every row is in a segment.
      if (failures.length > 0) throw failures[0];
    }
  } finally {
    await log.close();
  }
  return moved;
}

/** Moves the rows (see moveRequestRowsToSegments), then drops the table and compacts the database. */
export async function migrateRequestLog(database: DurableDatabase, dir: string): Promise<number> {
  if (database.rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'serving_requests'").length === 0) return 0;
  const hadRows = database.rows('SELECT 1 FROM serving_requests LIMIT 1').length > 0;
  const moved = await moveRequestRowsToSegments(database, dir);
  await database.commit({ statements: [{ sql: 'DROP TABLE serving_requests', params: [] }] });
  if (hadRows) await database.compact();
  return moved;
}
