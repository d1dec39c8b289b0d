import type { DriftReport } from '../drift/driftTypes';
import type { WorkspaceStore } from '../store/workspaceStore';

/** One stored monitor run, summarized for drift-over-time charts and the Monitors view. */
export interface DriftHistoryEntry {
  id: number;
  monitor: string;
  createdAt: number;
  datasetDrift: boolean;
  driftShare: number;
  driftedColumns: number;
  columnCount: number;
  /** per column: the score compared with the threshold, and whether it drifted */
  columns: { column: string; test: string; score: number; drifted: boolean }[];
}

export interface MonitorAlert {
  id: number;
  monitor: string;
  createdAt: number;
  reportId: number;
  message: string;
  acknowledged: boolean;
}

/** Stores a report (and an alert when the dataset drifted) in one durable commit; returns the report's id. */
export async function saveDriftReport(store: WorkspaceStore, monitor: string, report: DriftReport, alertMessage?: string): Promise<number> {
  const next = Number(store.database.rows('SELECT COALESCE(MAX(id), 0) + 1 FROM drift_reports')[0]?.[0] ?? 1);
  const statements = [
    {
      sql: `INSERT INTO drift_reports (id, monitor, created_at, reference, reference_digest, current, current_digest, dataset_drift, drift_share, drifted_columns, column_count, report)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      params: [next, monitor, report.createdAt, report.reference.name, report.reference.digest ?? null, report.current.name, report.current.digest ?? null, report.datasetDrift ? 1 : 0, report.driftShare, report.driftedColumns, report.columnCount, JSON.stringify(report)],
    },
  ];
  if (alertMessage !== undefined) {
    statements.push({ sql: 'INSERT INTO monitor_alerts (monitor, created_at, report_id, message) VALUES (?, ?, ?, ?)', params: [monitor, report.createdAt, next, alertMessage] } as (typeof statements)[number]);
  }
  await store.database.commit({ statements });
  return next;
}

/** A monitor's runs, oldest first (at most `limit`, the newest ones). */
export function driftHistory(store: WorkspaceStore, monitor: string, limit = 500): DriftHistoryEntry[] {
  return store.database
    .rows('SELECT id, created_at, dataset_drift, drift_share, drifted_columns, column_count, report FROM drift_reports WHERE monitor = ? ORDER BY id DESC LIMIT ?', [monitor, limit])
    .map(([id, createdAt, drift, share, drifted, count, json]) => {
      const report = JSON.parse(String(json)) as DriftReport;
      return {
        id: Number(id),
        monitor,
        createdAt: Number(createdAt),
        datasetDrift: Number(drift) === 1,
        driftShare: Number(share),
        driftedColumns: Number(drifted),
        columnCount: Number(count),
        columns: report.columns.map((c) => ({ column: c.column, test: c.test, score: c.score, drifted: c.drifted })),
      };
    })
    .reverse();
}

/** The full stored report of a run; with `monitor`, only if it is that monitor's. */
export function storedDriftReport(store: WorkspaceStore, id: number, monitor?: string): DriftReport | undefined {
  const row = monitor === undefined
    ? store.database.rows('SELECT report FROM drift_reports WHERE id = ?', [id])[0]
    : store.database.rows('SELECT report FROM drift_reports WHERE id = ? AND monitor = ?', [id, monitor])[0];
  return row ? (JSON.parse(String(row[0])) as DriftReport) : undefined;
}

/** Alerts not yet acknowledged, newest first (all monitors when `monitor` is absent). */
export function openAlerts(store: WorkspaceStore, monitor?: string): MonitorAlert[] {
  const rows = monitor
    ? store.database.rows('SELECT id, monitor, created_at, report_id, message, acknowledged FROM monitor_alerts WHERE acknowledged = 0 AND monitor = ? ORDER BY id DESC', [monitor])
    : store.database.rows('SELECT id, monitor, created_at, report_id, message, acknowledged FROM monitor_alerts WHERE acknowledged = 0 ORDER BY id DESC');
  return rows.map(([id, name, createdAt, reportId, message, acknowledged]) => ({
    id: Number(id),
    monitor: String(name),
    createdAt: Number(createdAt),
    reportId: Number(reportId),
    message: String(message),
    acknowledged: Number(acknowledged) === 1,
  }));
}

/** Marks a monitor's alerts as seen (clears its badge). */
export async function acknowledgeAlerts(store: WorkspaceStore, monitor: string): Promise<void> {
  await store.database.commit({ statements: [{ sql: 'UPDATE monitor_alerts SET acknowledged = 1 WHERE monitor = ? AND acknowledged = 0', params: [monitor] }] });
}
