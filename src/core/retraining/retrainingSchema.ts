import type { Migration } from '../store/durableDatabase';

// Retraining takes the 360s (monitoring has the 350s).
export const RETRAINING_MIGRATIONS: readonly Migration[] = [
  {
    id: 360,
    name: 'retraining: one row per attempt of a monitor retraining policy',
    statements: [
      // A row is written when an attempt starts (status RUNNING, with the pid that runs it), so the
      // cool-down and the one-in-flight rule hold across restarts; it is completed with the decision.
      `CREATE TABLE retrain_attempts (
        id INTEGER PRIMARY KEY, monitor TEXT NOT NULL, started_at INTEGER NOT NULL, finished_at INTEGER,
        status TEXT NOT NULL, trigger_kind TEXT NOT NULL, alert_id INTEGER, report_id INTEGER, pid INTEGER NOT NULL,
        model TEXT NOT NULL, alias TEXT NOT NULL, run_id TEXT, version INTEGER, champion_version INTEGER,
        metric TEXT, direction TEXT, candidate_score REAL, champion_score REAL, review_id INTEGER,
        reason TEXT NOT NULL, error TEXT)`,
      'CREATE INDEX retrain_attempts_by_monitor ON retrain_attempts (monitor, started_at)',
    ],
  },
];
