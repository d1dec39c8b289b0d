import type { Migration } from '../store/durableDatabase';

// Serving takes the 300s.
export const SERVING_MIGRATIONS: readonly Migration[] = [
  {
    id: 300,
    name: 'serving: endpoints and their request log',
    statements: [
      `CREATE TABLE serving_endpoints (
        name TEXT PRIMARY KEY, model_uri TEXT NOT NULL, model_name TEXT NOT NULL, version INTEGER NOT NULL,
        port INTEGER NOT NULL, status TEXT NOT NULL, started_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
      // One row per sampled request: what drift monitoring compares with the training data.
      `CREATE TABLE serving_requests (
        id INTEGER PRIMARY KEY AUTOINCREMENT, endpoint TEXT NOT NULL, time INTEGER NOT NULL, model_name TEXT NOT NULL,
        version INTEGER NOT NULL, status INTEGER NOT NULL, latency_ms REAL NOT NULL, rows INTEGER NOT NULL,
        inputs TEXT, outputs TEXT, error TEXT)`,
      'CREATE INDEX serving_requests_by_endpoint ON serving_requests (endpoint, time)',
      'CREATE INDEX serving_requests_by_model ON serving_requests (model_name, version, time)',
    ],
  },
  {
    id: 301,
    name: 'serving: request ids in the request log',
    statements: [
      // The id each response carries in X-Request-Id, so feedback can name the request it judges.
      'ALTER TABLE serving_requests ADD COLUMN request_id TEXT',
      'CREATE INDEX serving_requests_by_request_id ON serving_requests (request_id)',
    ],
  },
  {
    id: 302,
    name: 'serving: the feature views an endpoint looks up',
    // JSON {file, views}: restarting a stopped endpoint looks up the same online features.
    statements: ['ALTER TABLE serving_endpoints ADD COLUMN online_features TEXT'],
  },
];
