import type { Migration } from '../store/durableDatabase';

// Ids 200–299 belong to the registry and lineage (tracking has 100–199).
export const REGISTRY_MIGRATIONS: readonly Migration[] = [
  {
    id: 200,
    name: 'registry: models, versions, tags, aliases, reviews, append-only audit log',
    statements: [
      `CREATE TABLE registered_models (
        model_id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, description TEXT NOT NULL, require_review INTEGER NOT NULL,
        next_version INTEGER NOT NULL, creation_time INTEGER NOT NULL, last_updated_time INTEGER NOT NULL, created_by TEXT NOT NULL)`,
      'CREATE TABLE registered_model_tags (model_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, key))',
      // Version numbers are never reused (next_version only grows), so models:/name/3 never changes meaning.
      `CREATE TABLE model_versions (
        model_id TEXT NOT NULL, version INTEGER NOT NULL, run_id TEXT NOT NULL, source TEXT NOT NULL, storage TEXT NOT NULL,
        status TEXT NOT NULL, current_stage TEXT NOT NULL, description TEXT NOT NULL, signature TEXT, size_bytes INTEGER NOT NULL,
        creation_time INTEGER NOT NULL, last_updated_time INTEGER NOT NULL, created_by TEXT NOT NULL, PRIMARY KEY (model_id, version))`,
      'CREATE INDEX model_versions_by_run ON model_versions (run_id)',
      'CREATE TABLE model_version_tags (model_id TEXT NOT NULL, version INTEGER NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (model_id, version, key))',
      'CREATE TABLE model_aliases (model_id TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, PRIMARY KEY (model_id, alias))',
      `CREATE TABLE model_reviews (
        review_id INTEGER PRIMARY KEY, model_id TEXT NOT NULL, alias TEXT NOT NULL, version INTEGER NOT NULL, previous_version INTEGER,
        status TEXT NOT NULL, requested_by TEXT NOT NULL, requested_at INTEGER NOT NULL, comment TEXT NOT NULL,
        decided_by TEXT, decided_at INTEGER, decision_comment TEXT)`,
      // The model's name is copied into every entry: history outlives the model (and its id).
      `CREATE TABLE registry_audit (
        seq INTEGER PRIMARY KEY, time INTEGER NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, model_id TEXT NOT NULL,
        model_name TEXT NOT NULL, version INTEGER, alias TEXT, detail TEXT NOT NULL)`,
      'CREATE INDEX registry_audit_by_alias ON registry_audit (model_name, alias, time)',
      // Append-only, enforced by SQLite itself: no code path (ours or a future one) can rewrite history.
      "CREATE TRIGGER registry_audit_no_update BEFORE UPDATE ON registry_audit BEGIN SELECT RAISE(ABORT, 'the registry audit log is append-only: entries cannot be changed'); END",
      "CREATE TRIGGER registry_audit_no_delete BEFORE DELETE ON registry_audit BEGIN SELECT RAISE(ABORT, 'the registry audit log is append-only: entries cannot be deleted'); END",
    ],
  },
];
