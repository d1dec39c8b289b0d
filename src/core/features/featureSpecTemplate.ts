/** A commented starter features.yaml for a data file, guessing the key and event-time columns from their names. */

function guess(columns: readonly string[], pattern: RegExp): string | undefined {
  return columns.find((c) => pattern.test(c));
}

function identifier(text: string, fallback: string): string {
  const cleaned = text.replace(/\.[^.]+$/, '').replace(/[^A-Za-z0-9_]/g, '_').replace(/^(\d)/, '_$1');
  return cleaned === '' ? fallback : cleaned;
}

export function featureSpecTemplate(dataFileName: string, columns: readonly string[]): string {
  const key = guess(columns, /(^|_)id$/i) ?? guess(columns, /id|key/i) ?? 'entity_id';
  const time = guess(columns, /timestamp|time|date|(^|_)ts$|_at$/i) ?? 'event_timestamp';
  // other ids are keys of other entities, not features
  const rest = columns.filter((c) => c !== key && c !== time && !/(^|_)id$/i.test(c)).slice(0, 4);
  const features = rest.length > 0 ? rest : ['some_column'];
  const source = identifier(dataFileName, 'events');
  const entity = identifier(key.replace(/_?id$/i, ''), 'entity') || 'entity';
  return `# Feature definitions for MLOps Studio (schema: schemas/features.schema.json).
# "MLOps: Materialize Features" computes the views below into the offline store (history) and the
# online store (latest value per entity) under .mlops/features/; the Feature Catalog shows them.

# Entities: what features describe, identified by join-key columns.
entities:
  - name: ${entity}
    join_keys: [${key}]
    description: one ${entity}

# Sources: CSV or Parquet files with an event-time column (ISO 8601 text or epoch seconds/ms).
sources:
  - name: ${source}
    path: ${dataFileName}
    timestamp: ${time}

# Feature views: typed features of an entity from a source. A feature is a column (by its name),
# a row expression (expr: "a / b") or a windowed aggregation (aggregate: { function: mean, column: x, window: 7d }).
feature_views:
  - name: ${source}_features
    entities: [${entity}]
    source: ${source}
    ttl: 30d              # a training row only gets values at most this old
    owner: your-team      # searchable in the catalog with owner:
    tags: [starter]       # searchable with tag:
    description: features of each ${entity} from ${dataFileName}
    features:
${features.map((c) => `      - name: ${identifier(c, 'feature')}\n        type: float           # float, integer, string or boolean${identifier(c, 'feature') !== c ? `\n        expr: "${c}"` : ''}`).join('\n')}
      # - name: ${identifier(features[0]!, 'feature')}_mean_7d
      #   type: float
      #   aggregate: { function: mean, column: ${features[0]}, window: 7d }
`;
}
