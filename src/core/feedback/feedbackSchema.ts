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
];
