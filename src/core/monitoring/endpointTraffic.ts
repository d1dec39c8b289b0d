import { categoricalFromStrings, type DataColumn } from '../data/dataTable';
import { DriftInputError } from '../drift/columnDrift';
import type { DriftTableInput } from '../drift/driftTypes';
import { requestLogFor } from '../serving/requestLog';
import type { WorkspaceStore } from '../store/workspaceStore';

/** Which logged requests a monitor compares: the newest `last` rows, and/or those of the last `hours`. */
export interface TrafficWindow {
  readonly last?: number;
  readonly hours?: number;
}

export const DEFAULT_TRAFFIC_ROWS = 1000;

/** An endpoint's logged input rows in a window, oldest first: plain JSON, so a client can ask the holder for them. */
export interface TrafficRecords {
  /** "endpoint shop (last 1000 rows)", for the report */
  readonly name: string;
  readonly records: readonly Readonly<Record<string, unknown>>[];
}

/**
 * The input rows an endpoint answered (status 200) in a window. Requests are read newest first
 * until the window is full; the rows keep their logged order.
 */
export function endpointTrafficRecords(store: WorkspaceStore, endpoint: string, window: TrafficWindow, now = Date.now()): TrafficRecords {
  const limit = window.last ?? (window.hours === undefined ? DEFAULT_TRAFFIC_ROWS : Number.MAX_SAFE_INTEGER);
  const since = window.hours === undefined ? 0 : now - window.hours * 3_600_000;
  const records: Readonly<Record<string, unknown>>[] = [];
  // Newest first, a segment at a time: a window of 1,000 rows reads the newest segment or two,
  // never the whole log.
  for (const request of requestLogFor(store).newestFirst(endpoint, { since, answeredWithInputs: true })) {
    const rows = request.inputs ?? [];
    for (let i = rows.length - 1; i >= 0 && records.length < limit; i--) records.push(rows[i] as Record<string, unknown>);
    if (records.length >= limit) break;
  }
  if (records.length === 0) {
    const windowText = window.hours !== undefined ? `in the last ${window.hours} h` : 'yet';
    throw new DriftInputError(
      `endpoint ${endpoint} has logged no answered requests with inputs ${windowText}: serve it and send traffic (the request log keeps inputs when mlops.serving.logSampleRate is above 0, for as long as mlops.serving.requestLog.maxRows and maxDays allow)`,
    );
  }
  records.reverse();
  const described = window.hours !== undefined ? `last ${window.hours} h` : `last ${records.length} rows`;
  return { name: `endpoint ${endpoint} (${described})`, records };
}

/** Logged rows as drift columns: numbers stay numeric (missing = NaN), anything else becomes a category. */
export function trafficTable(traffic: TrafficRecords): DriftTableInput {
  const { records } = traffic;
  const names = [...new Set(records.flatMap((r) => Object.keys(r)))];
  const columns = names.map((name): DataColumn => {
    const cells = records.map((r) => r[name]);
    const numeric = cells.every((v) => v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v)));
    if (numeric) {
      const values = Float64Array.from(cells, (v) => (typeof v === 'number' ? v : Number.NaN));
      return { kind: 'numeric', name, values, missing: cells.filter((v) => typeof v !== 'number').length };
    }
    return categoricalFromStrings(name, cells.map((v) => (v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(v))));
  });
  return { name: traffic.name, rowCount: records.length, columns };
}

/** The window of an endpoint's traffic as drift columns (see endpointTrafficRecords and trafficTable). */
export function endpointTrafficTable(store: WorkspaceStore, endpoint: string, window: TrafficWindow, now = Date.now()): DriftTableInput {
  return trafficTable(endpointTrafficRecords(store, endpoint, window, now));
}

/**
 * Input rows an endpoint has answered so far (what "on new traffic" schedules count): it only
 * grows, whatever retention drops.
 */
export function endpointTrafficRows(store: WorkspaceStore, endpoint: string): number {
  return requestLogFor(store).answeredRows(endpoint);
}

/**
 * How many new rows start an endpoint monitor with `schedule.on_change`: a tenth of its window
 * (at least 50), so the window has really moved but a busy endpoint is not re-checked per request.
 */
export function newTrafficThreshold(window: TrafficWindow): number {
  return Math.max(50, Math.round((window.last ?? DEFAULT_TRAFFIC_ROWS) / 10));
}
