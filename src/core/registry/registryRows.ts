import { join } from 'node:path';
import type { SqlValue } from 'sql.js';
import { MODEL_DIR, type ModelSignature } from '../modelPackage/modelPackageFormat';
import type { DurableDatabase } from '../store/durableDatabase';
import type { AliasReview, ModelStage, ModelVersion, ModelVersionStatus, RegisteredModel, RegistryTag, ReviewStatus } from './registryTypes';

/** A registered_models row. */
export interface ModelRow {
  readonly modelId: string;
  readonly name: string;
  readonly description: string;
  readonly requireReview: boolean;
  readonly nextVersion: number;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly createdBy: string;
}

const MODEL_COLUMNS = 'model_id, name, description, require_review, next_version, creation_time, last_updated_time, created_by';

function toModelRow(row: SqlValue[]): ModelRow {
  const [modelId, name, description, requireReview, nextVersion, creationTime, lastUpdatedTime, createdBy] = row;
  return {
    modelId: String(modelId),
    name: String(name),
    description: String(description),
    requireReview: Number(requireReview) === 1,
    nextVersion: Number(nextVersion),
    creationTime: Number(creationTime),
    lastUpdatedTime: Number(lastUpdatedTime),
    createdBy: String(createdBy),
  };
}

export function modelRowByName(db: DurableDatabase, name: string): ModelRow | undefined {
  const row = db.rows(`SELECT ${MODEL_COLUMNS} FROM registered_models WHERE name = ?`, [name])[0];
  return row ? toModelRow(row) : undefined;
}

export function modelRowById(db: DurableDatabase, modelId: string): ModelRow | undefined {
  const row = db.rows(`SELECT ${MODEL_COLUMNS} FROM registered_models WHERE model_id = ?`, [modelId])[0];
  return row ? toModelRow(row) : undefined;
}

export function allModelRows(db: DurableDatabase): ModelRow[] {
  return db.rows(`SELECT ${MODEL_COLUMNS} FROM registered_models ORDER BY name`).map(toModelRow);
}

function tagsOf(rows: SqlValue[][]): RegistryTag[] {
  return rows.map(([key, value]) => ({ key: String(key), value: String(value) }));
}

export function aliasMap(db: DurableDatabase, modelId: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [alias, version] of db.rows('SELECT alias, version FROM model_aliases WHERE model_id = ? ORDER BY alias', [modelId])) out[String(alias)] = Number(version);
  return out;
}

export function toRegisteredModel(db: DurableDatabase, row: ModelRow): RegisteredModel {
  const [count, latest] = db.rows('SELECT count(*), max(version) FROM model_versions WHERE model_id = ?', [row.modelId])[0] ?? [0, null];
  return {
    name: row.name,
    modelId: row.modelId,
    description: row.description,
    tags: tagsOf(db.rows('SELECT key, value FROM registered_model_tags WHERE model_id = ? ORDER BY key', [row.modelId])),
    requireReview: row.requireReview,
    creationTime: row.creationTime,
    lastUpdatedTime: row.lastUpdatedTime,
    createdBy: row.createdBy,
    aliases: aliasMap(db, row.modelId),
    latestVersion: latest === null || latest === undefined ? null : Number(latest),
    versionCount: Number(count),
  };
}

/** The storage of a version registered from a source that is not a model package: nothing frozen. */
export const EXTERNAL_STORAGE = '';

const VERSION_COLUMNS = 'version, run_id, source, storage, status, current_stage, description, signature, size_bytes, creation_time, last_updated_time, created_by';

/** The model's versions, newest first (or just `version`). */
export function versionsOf(db: DurableDatabase, storeDir: string, model: ModelRow, version?: number): ModelVersion[] {
  const rows = version === undefined
    ? db.rows(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? ORDER BY version DESC`, [model.modelId])
    : db.rows(`SELECT ${VERSION_COLUMNS} FROM model_versions WHERE model_id = ? AND version = ?`, [model.modelId, version]);
  const aliases = aliasMap(db, model.modelId);
  return rows.map(([v, runId, source, storage, status, stage, description, signature, sizeBytes, creationTime, lastUpdatedTime, createdBy]) => ({
    name: model.name,
    version: Number(v),
    source: String(source),
    runId: String(runId),
    status: String(status) as ModelVersionStatus,
    currentStage: String(stage) as ModelStage,
    description: String(description),
    tags: tagsOf(db.rows('SELECT key, value FROM model_version_tags WHERE model_id = ? AND version = ? ORDER BY key', [model.modelId, Number(v)])),
    aliases: Object.entries(aliases).filter(([, target]) => target === Number(v)).map(([alias]) => alias),
    creationTime: Number(creationTime),
    lastUpdatedTime: Number(lastUpdatedTime),
    createdBy: String(createdBy),
    signature: signature === null ? null : (JSON.parse(String(signature)) as ModelSignature),
    sizeBytes: Number(sizeBytes),
    ...(storage === EXTERNAL_STORAGE
      ? { storageDir: '', packageDir: '', external: true }
      : { storageDir: join(storeDir, ...String(storage).split('/')), packageDir: join(storeDir, ...String(storage).split('/'), MODEL_DIR) }),
  }));
}

export function storageOf(db: DurableDatabase, modelId: string, version: number): string | undefined {
  const row = db.rows('SELECT storage FROM model_versions WHERE model_id = ? AND version = ?', [modelId, version])[0];
  return row ? String(row[0]) : undefined;
}

const REVIEW_COLUMNS = 'r.review_id, m.name, r.alias, r.version, r.previous_version, r.status, r.requested_by, r.requested_at, r.comment, r.decided_by, r.decided_at, r.decision_comment, r.model_id';

export function toReview(row: SqlValue[]): AliasReview & { modelId: string } {
  const [reviewId, name, alias, version, previousVersion, status, requestedBy, requestedAt, comment, decidedBy, decidedAt, decisionComment, modelId] = row;
  return {
    reviewId: Number(reviewId),
    name: String(name),
    alias: String(alias),
    version: Number(version),
    previousVersion: previousVersion === null ? null : Number(previousVersion),
    status: String(status) as ReviewStatus,
    requestedBy: String(requestedBy),
    requestedAt: Number(requestedAt),
    comment: String(comment),
    decidedBy: decidedBy === null ? null : String(decidedBy),
    decidedAt: decidedAt === null ? null : Number(decidedAt),
    decisionComment: decisionComment === null ? null : String(decisionComment),
    modelId: String(modelId),
  };
}

export function reviewRows(db: DurableDatabase, where: string, params: readonly SqlValue[]): (AliasReview & { modelId: string })[] {
  return db.rows(`SELECT ${REVIEW_COLUMNS} FROM model_reviews r JOIN registered_models m ON m.model_id = r.model_id${where ? ` WHERE ${where}` : ''} ORDER BY r.review_id`, params).map(toReview);
}
