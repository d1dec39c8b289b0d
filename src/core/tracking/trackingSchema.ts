import type { Migration } from '../store/durableDatabase';

// Ids 100–199 belong to tracking; other capabilities take their own hundreds.
export const TRACKING_MIGRATIONS: readonly Migration[] = [
  {
    id: 100,
    name: 'tracking: experiments, runs, params, tags, metric summaries, inputs',
    statements: [
      `CREATE TABLE experiments (
        experiment_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, artifact_location TEXT NOT NULL,
        lifecycle_stage TEXT NOT NULL, creation_time INTEGER NOT NULL, last_update_time INTEGER NOT NULL)`,
      'CREATE TABLE experiment_tags (experiment_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (experiment_id, key))',
      `CREATE TABLE runs (
        run_id TEXT PRIMARY KEY, experiment_id TEXT NOT NULL, run_name TEXT NOT NULL, user_id TEXT NOT NULL,
        status TEXT NOT NULL, start_time INTEGER NOT NULL, end_time INTEGER, lifecycle_stage TEXT NOT NULL,
        source_type TEXT, source_name TEXT, git_commit TEXT, git_dirty INTEGER, parent_run_id TEXT,
        owner_pid INTEGER, owner_host TEXT, heartbeat_time INTEGER)`,
      'CREATE INDEX runs_by_experiment ON runs (experiment_id, start_time)',
      'CREATE TABLE params (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))',
      'CREATE TABLE tags (run_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (run_id, key))',
      // One row per (run, key); the points live in series/<run>/<series_id>.f64. SQLite turns NaN
      // into NULL, so every value is stored twice: as REAL for SQL readers and as its exact text.
      `CREATE TABLE metric_summaries (
        run_id TEXT NOT NULL, key TEXT NOT NULL, series_id INTEGER NOT NULL,
        last_value REAL, last_value_text TEXT NOT NULL, last_step REAL NOT NULL, last_timestamp REAL NOT NULL,
        min_value REAL, min_value_text TEXT NOT NULL, max_value REAL, max_value_text TEXT NOT NULL,
        count INTEGER NOT NULL, PRIMARY KEY (run_id, key))`,
      'CREATE INDEX metric_summaries_by_key ON metric_summaries (key, last_value)',
      `CREATE TABLE run_inputs (
        run_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, digest TEXT NOT NULL, source_type TEXT NOT NULL,
        source TEXT NOT NULL, schema TEXT, profile TEXT, context TEXT, PRIMARY KEY (run_id, position))`,
    ],
  },
  {
    id: 101,
    name: 'tracking: short metric series stored inline',
    statements: [
      // Series of up to INLINE_SERIES_MAX_BYTES live here rather than in a file of their own: a table
      // of 10,000 runs × 20 one-point metrics would otherwise be 200,000 files to create and fsync.
      'CREATE TABLE metric_inline (run_id TEXT NOT NULL, key TEXT NOT NULL, points BLOB NOT NULL, PRIMARY KEY (run_id, key))',
    ],
  },
  {
    id: 102,
    name: 'tracking: compact metric summaries (no duplicate key index, exact text only for NaN and -0)',
    statements: [
      // Measured: 10,000 runs × 20 metrics made an 80 MB snapshot that took 4 s to open. Search uses
      // the in-memory mirror, so the (key, value) index only cost space; WITHOUT ROWID stops the
      // primary key from being stored twice; REAL keeps ±Infinity, so only NaN and -0 need text.
      `CREATE TABLE metric_summaries_v2 (
        run_id TEXT NOT NULL, key TEXT NOT NULL, series_id INTEGER NOT NULL, last_value REAL, last_step REAL NOT NULL,
        last_timestamp REAL NOT NULL, min_value REAL, max_value REAL, count INTEGER NOT NULL, exact TEXT,
        PRIMARY KEY (run_id, key)) WITHOUT ROWID`,
      `INSERT INTO metric_summaries_v2 SELECT run_id, key, series_id, last_value, last_step, last_timestamp, min_value, max_value, count,
        CASE WHEN last_value IS NULL OR min_value IS NULL OR max_value IS NULL OR '-0' IN (last_value_text, min_value_text, max_value_text)
        THEN last_value_text || ' ' || min_value_text || ' ' || max_value_text END FROM metric_summaries`,
      'DROP TABLE metric_summaries',
      'ALTER TABLE metric_summaries_v2 RENAME TO metric_summaries',
      'CREATE TABLE metric_inline_v2 (run_id TEXT NOT NULL, key TEXT NOT NULL, points BLOB NOT NULL, PRIMARY KEY (run_id, key)) WITHOUT ROWID',
      // A one-point series is its summary: no inline row needed.
      'INSERT INTO metric_inline_v2 SELECT i.run_id, i.key, i.points FROM metric_inline i WHERE length(i.points) > 24',
      'DROP TABLE metric_inline',
      'ALTER TABLE metric_inline_v2 RENAME TO metric_inline',
    ],
  },
  {
    id: 103,
    name: 'tracking: when each run was deleted (garbage collection keeps its files for a grace period)',
    statements: [
      'CREATE TABLE run_deletions (run_id TEXT PRIMARY KEY, deleted_time INTEGER NOT NULL) WITHOUT ROWID',
      // runs deleted before this step: their grace period starts now
      "INSERT INTO run_deletions SELECT run_id, CAST(strftime('%s', 'now') AS INTEGER) * 1000 FROM runs WHERE lifecycle_stage = 'deleted'",
    ],
  },
];
