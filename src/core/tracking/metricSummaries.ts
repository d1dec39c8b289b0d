import type { FileAppend, SqlStatement } from '../store/mutationCodec';
import type { MetricPoint, SeriesColumns } from './metricSeriesCodec';
import { encodePoints, POINT_BYTES } from './metricSeriesCodec';
import type { SummaryState } from './trackingState';

// Per-(run, key) summaries (latest, min, max, count) and where a series' points live. Everything
// here is deterministic: the journal replays the statements it produces, never re-decides.

const UPSERT_SUMMARY = `INSERT INTO metric_summaries (run_id, key, series_id, last_value, last_step, last_timestamp,
  min_value, max_value, count, exact) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT(run_id, key) DO UPDATE SET last_value = excluded.last_value, last_step = excluded.last_step,
  last_timestamp = excluded.last_timestamp, min_value = excluded.min_value, max_value = excluded.max_value,
  count = excluded.count, exact = excluded.exact`;
export const UPSERT_INLINE = 'INSERT INTO metric_inline (run_id, key, points) VALUES (?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET points = excluded.points';
export const DELETE_INLINE = 'DELETE FROM metric_inline WHERE run_id = ? AND key = ?';
/** A series stays inline until it would pass this size (170 points), then moves to its own file. */
export const INLINE_SERIES_MAX_BYTES = 4096;

function concatBytes(a: Uint8Array | null, b: Uint8Array): Uint8Array {
  if (!a || a.length === 0) return b.slice();
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** Where a series' points live, decided by its length alone so that replay decides the same way. */
export function seriesStorage(count: number): 'summary' | 'inline' | 'file' {
  if (count <= 1) return 'summary';
  return count * POINT_BYTES <= INLINE_SERIES_MAX_BYTES ? 'inline' : 'file';
}

/**
 * Puts new points where their series now belongs: a one-point series is just its summary row, a
 * short one an inline row, a long one its own append-only file. A series that outgrows a kind
 * moves in the same journal record as the new points, so a crash never leaves it half-moved.
 */
export function placePoints(runId: string, key: string, previous: SummaryState | undefined, summary: SummaryState, bytes: Uint8Array, statements: SqlStatement[], appends: FileAppend[]): void {
  const before = seriesStorage(previous?.count ?? 0);
  const after = seriesStorage(summary.count);
  const file = seriesFile(runId, summary.seriesId);
  if (before === 'file') {
    appends.push({ file, bytes });
    return;
  }
  const earlier = previous === undefined ? new Uint8Array(0) : before === 'summary' ? encodePoints([previous]) : (previous.inline ?? new Uint8Array(0));
  if (after === 'summary') {
    summary.inline = null;
  } else if (after === 'inline') {
    summary.inline = concatBytes(earlier, bytes);
    statements.push({ sql: UPSERT_INLINE, params: [runId, key, summary.inline] });
  } else {
    appends.push({ file, bytes: concatBytes(earlier, bytes) });
    if (before === 'inline') statements.push({ sql: DELETE_INLINE, params: [runId, key] });
    summary.inline = null;
  }
}

/** Exact text of a double: String() round-trips every value except the sign of zero. */
function numberText(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

function sqlNumber(value: number): number | null {
  return Number.isNaN(value) ? null : value;
}

/** SQLite REAL loses NaN (NULL) and -0 (0): only then is the exact text stored next to it. */
function needsExactText(value: number): boolean {
  return Number.isNaN(value) || Object.is(value, -0);
}

/** Store-relative path of a long series' file. */
export function seriesFile(runId: string, seriesId: number): string {
  return `series/${runId}/${seriesId}.f64`;
}

/** Later step wins; on equal steps the later timestamp, then the later logged point (MLflow's "latest"). */
function isNewer(step: number, timestamp: number, than: { step: number; timestamp: number }): boolean {
  return step > than.step || (step === than.step && timestamp >= than.timestamp);
}

/** min/max that treat NaN as "no information" so one NaN does not poison the summary. */
function smaller(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return b < a ? b : a;
}

function larger(a: number, b: number): number {
  if (Number.isNaN(a)) return b;
  if (Number.isNaN(b)) return a;
  return b > a ? b : a;
}

/** The summary after appending `points` (in logging order) to a series. */
export function summarize(previous: SummaryState | undefined, points: readonly MetricPoint[], seriesId: number): SummaryState {
  const first = points[0] as MetricPoint;
  const s: SummaryState = previous
    ? { ...previous }
    : { seriesId, value: first.value, step: first.step, timestamp: first.timestamp, min: NaN, max: NaN, count: 0, inline: null };
  for (const p of points) {
    if (s.count === 0 || isNewer(p.step, p.timestamp, s)) {
      s.value = p.value;
      s.step = p.step;
      s.timestamp = p.timestamp;
    }
    s.min = smaller(s.min, p.value);
    s.max = larger(s.max, p.value);
    s.count++;
  }
  return s;
}

/** summarize() for points given as columns. */
export function summarizeColumns(previous: SummaryState | undefined, c: SeriesColumns, seriesId: number): SummaryState {
  const s: SummaryState = previous
    ? { ...previous }
    : { seriesId, value: c.values[0] as number, step: c.steps[0] as number, timestamp: c.timestamps[0] as number, min: NaN, max: NaN, count: 0, inline: null };
  const n = c.steps.length;
  for (let i = 0; i < n; i++) {
    const step = c.steps[i] as number;
    const value = c.values[i] as number;
    const timestamp = c.timestamps[i] as number;
    if (s.count === 0 || isNewer(step, timestamp, s)) {
      s.value = value;
      s.step = step;
      s.timestamp = timestamp;
    }
    s.min = smaller(s.min, value);
    s.max = larger(s.max, value);
    s.count++;
  }
  return s;
}

/** The upsert that stores a summary row. */
export function summaryStatement(runId: string, key: string, s: SummaryState): SqlStatement {
  const exact = needsExactText(s.value) || needsExactText(s.min) || needsExactText(s.max) ? `${numberText(s.value)} ${numberText(s.min)} ${numberText(s.max)}` : null;
  return { sql: UPSERT_SUMMARY, params: [runId, key, s.seriesId, sqlNumber(s.value), s.step, s.timestamp, sqlNumber(s.min), sqlNumber(s.max), s.count, exact] };
}
