import type { Migration } from '../store/durableDatabase';

// Monitoring takes the 350s.
export const MONITORING_MIGRATIONS: readonly Migration[] = [
  {
    id: 350,
    name: 'monitoring: drift reports over time and alerts',
    statements: [
      // One row per monitor run: the summary columns chart drift over time; report holds the full JSON.
      `CREATE TABLE drift_reports (
        id INTEGER PRIMARY KEY AUTOINCREMENT, monitor TEXT NOT NULL, created_at INTEGER NOT NULL,
        reference TEXT NOT NULL, reference_digest TEXT, current TEXT NOT NULL, current_digest TEXT,
        dataset_drift INTEGER NOT NULL, drift_share REAL NOT NULL, drifted_columns INTEGER NOT NULL, column_count INTEGER NOT NULL,
        report TEXT NOT NULL)`,
      'CREATE INDEX drift_reports_by_monitor ON drift_reports (monitor, created_at)',
      `CREATE TABLE monitor_alerts (
        id INTEGER PRIMARY KEY AUTOINCREMENT, monitor TEXT NOT NULL, created_at INTEGER NOT NULL, report_id INTEGER NOT NULL,
        message TEXT NOT NULL, acknowledged INTEGER NOT NULL DEFAULT 0)`,
      'CREATE INDEX monitor_alerts_by_monitor ON monitor_alerts (monitor, created_at)',
    ],
  },
];
