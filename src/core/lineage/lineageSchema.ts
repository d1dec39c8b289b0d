import type { Migration } from '../store/durableDatabase';

// Lineage shares the registry's hundreds (200–299) and takes the 250s.
export const LINEAGE_MIGRATIONS: readonly Migration[] = [
  {
    id: 250,
    name: 'lineage: edges between datasets, feature sets, runs, model versions, endpoints, monitors',
    statements: [
      `CREATE TABLE lineage_edges (
        src_kind TEXT NOT NULL, src_id TEXT NOT NULL, dst_kind TEXT NOT NULL, dst_id TEXT NOT NULL, relation TEXT NOT NULL,
        created_at INTEGER NOT NULL, PRIMARY KEY (src_kind, src_id, dst_kind, dst_id)) WITHOUT ROWID`,
      'CREATE INDEX lineage_edges_by_dst ON lineage_edges (dst_kind, dst_id)',
      // Optional display names recorded with edges (an endpoint's URL, a feature set's file).
      'CREATE TABLE lineage_nodes (kind TEXT NOT NULL, id TEXT NOT NULL, label TEXT NOT NULL, PRIMARY KEY (kind, id)) WITHOUT ROWID',
    ],
  },
];
