import type { Migration } from '../store/durableDatabase';

// Human feedback takes migration ids 400–449.
export const FEEDBACK_MIGRATIONS: readonly Migration[] = [
  {
    id: 400,
    name: 'feedback: human ratings, labels and comments on the rows of an evaluation run',
    statements: [
      // One judgement per reviewer per row; re-rating replaces it (the panel saves on every key).
      `CREATE TABLE feedback (
        run_id TEXT NOT NULL, row_index INTEGER NOT NULL, reviewer TEXT NOT NULL,
        created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        rating INTEGER, thumb TEXT, label TEXT, comment TEXT,
        PRIMARY KEY (run_id, row_index, reviewer)) WITHOUT ROWID`,
    ],
  },
  {
    id: 401,
    name: 'feedback: ratings, labels and comments on requests served by an endpoint, per model version',
    statements: [
      // One judgement per request (posting again updates it); the version is copied in so the
      // feedback stays attributable after the endpoint moves to another version.
      `CREATE TABLE model_feedback (
        request_id TEXT PRIMARY KEY, endpoint TEXT NOT NULL, model_name TEXT NOT NULL, version INTEGER NOT NULL,
        request_time INTEGER, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
        rating INTEGER, label TEXT, comment TEXT) WITHOUT ROWID`,
      'CREATE INDEX model_feedback_by_version ON model_feedback (model_name, version, created_at)',
    ],
  },
];
