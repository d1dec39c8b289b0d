import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { edgeStatements } from '../lineage/lineageStore';
import { datasetNode, modelVersionNode, runNode } from '../lineage/lineageNodes';
import { MODEL_DIR, PACKAGE_FILES } from '../modelPackage/modelPackageFormat';
import type { SqlStatement } from '../store/mutationCodec';
import type { WorkspaceStore } from '../store/workspaceStore';
import { checkArtifactPath } from '../tracking/artifactStore';
import { InvalidArgumentError, NotFoundError, TrackingError } from '../tracking/trackingErrors';
import type { Disposable, Run } from '../tracking/trackingTypes';
import { aliasAt, aliasHistory, auditStatement, readAuditLog, type AuditQuery, type AuditRecord } from './auditLog';
import { parseModelUri } from './modelUri';
import { actorFromEnv, resolveGitActor } from './registryActor';
import { ReviewRequiredError } from './registryErrors';
import { allowsSelfApproval, SELF_APPROVAL_TAG } from './reviewPolicy';
import { checkAlias, checkModelName, checkVersionNumber } from './registryNames';
import { checkDescription, checkTags, describeAliases, readSignature } from './registryValidation';
import { aliasMap, allModelRows, EXTERNAL_STORAGE, modelRowByName, reviewRows, storageOf, toRegisteredModel, versionsOf, type ModelRow } from './registryRows';
import {
  MODEL_STAGES,
  type ActorOption,
  type AliasHolding,
  type AliasReview,
  type AuditAction,
  type AuditEntry,
  type ModelVersion,
  type RegisteredModel,
  type RegistryChange,
  type RegistryTag,
  type ReviewStatus,
} from './registryTypes';
import { freezeFolders, removeFrozenCopy } from './versionFreezer';

/** Audit actions other parts of the engine record through recordDecision. */
export type ExternalAuditAction = Extract<AuditAction, 'retrain.decided' | 'retrain.failed'>;

/** Extra fields for the audit entry of a change (e.g. the retraining attempt that made it). */
export interface AuditDetailOption {
  readonly detail?: Readonly<Record<string, unknown>>;
}

export interface ModelRegistryOptions {
  /** who changes are attributed to by default (else git user.name in the workspace, else the OS user) */
  readonly actor?: string;
  /** the registry's clock (tests pin it to check "what held the alias on date D") */
  readonly clock?: () => number;
}

export interface CreateModelOptions extends ActorOption {
  readonly description?: string;
  readonly tags?: readonly RegistryTag[];
  readonly requireReview?: boolean;
}

export interface RegisterVersionOptions extends ActorOption {
  /** the model package folder in the run's artifacts (default "model") */
  readonly artifactPath?: string;
  readonly description?: string;
  readonly tags?: readonly RegistryTag[];
  /** create the registered model if it does not exist (default true) */
  readonly createModel?: boolean;
}

/** Run artifact folders frozen with a version besides the package itself (the model card reads them). */
const FROZEN_EXTRAS = ['evaluation'];
/** MLflow's own model manifest (a YAML file without extension). */
const MLFLOW_MANIFEST = 'MLmodel';

/**
 * The model registry on the workspace store: registered models, immutable versions, aliases with
 * optional review, MLflow's stages, an append-only audit log and lineage edges. Every change and
 * its audit entry are one journal record: both survive a crash or neither does. Checks and the
 * commit run without awaiting in between, so concurrent calls see each other's effects (that is
 * what gives concurrent registrations distinct consecutive versions).
 */
export class ModelRegistry {
  private readonly listeners = new Set<(change: RegistryChange) => void>();
  private defaultActor: Promise<string> | undefined;
  private readonly clock: () => number;

  constructor(
    private readonly store: Pick<WorkspaceStore, 'dir' | 'database' | 'tracking' | 'localTracking'>,
    private readonly options: ModelRegistryOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
  }

  private get db(): WorkspaceStore['database'] {
    return this.store.database;
  }

  onDidChange(listener: (change: RegistryChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private emit(change: RegistryChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // A broken view must not break the registry.
      }
    }
  }

  private actor(options: ActorOption | undefined): Promise<string> {
    const explicit = options?.actor ?? this.options.actor;
    if (explicit !== undefined) {
      if (explicit.trim() === '') return Promise.reject(new InvalidArgumentError('The actor of a registry change cannot be empty.'));
      return Promise.resolve(explicit.trim());
    }
    const fromEnv = actorFromEnv();
    if (fromEnv) return fromEnv;
    this.defaultActor ??= resolveGitActor(dirname(this.store.dir));
    return this.defaultActor;
  }

  /** Commits the statements plus their audit entries as one durable record. */
  private async commit(statements: readonly SqlStatement[], audit: readonly AuditRecord[], change: RegistryChange): Promise<void> {
    await this.db.commit({ statements: [...statements, ...audit.map(auditStatement)] });
    this.emit(change);
  }

  // ---- models --------------------------------------------------------------------------------

  private modelRow(name: string): ModelRow {
    const row = modelRowByName(this.db, name);
    if (row) return row;
    const names = allModelRows(this.db).map((m) => m.name);
    throw new NotFoundError(`No registered model "${name}" (${names.length === 0 ? 'the registry is empty' : `registered: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`}).`);
  }

  listModels(): RegisteredModel[] {
    return allModelRows(this.db).map((row) => toRegisteredModel(this.db, row));
  }

  getModel(name: string): RegisteredModel {
    return toRegisteredModel(this.db, this.modelRow(name));
  }

  findModel(name: string): RegisteredModel | undefined {
    const row = modelRowByName(this.db, name);
    return row ? toRegisteredModel(this.db, row) : undefined;
  }

  private createModelStatements(name: string, modelId: string, actor: string, now: number, options: CreateModelOptions): { statements: SqlStatement[]; audit: AuditRecord[] } {
    const description = checkDescription(options.description ?? '', `model "${name}"`);
    const tags = checkTags(options.tags ?? []);
    const requireReview = options.requireReview ?? false;
    return {
      statements: [
        { sql: 'INSERT INTO registered_models VALUES (?, ?, ?, ?, 1, ?, ?, ?)', params: [modelId, name, description, requireReview ? 1 : 0, now, now, actor] },
        ...tags.map((t) => ({ sql: 'INSERT INTO registered_model_tags VALUES (?, ?, ?)', params: [modelId, t.key, t.value] })),
      ],
      audit: [{ time: now, actor, action: 'model.created', modelId, name, detail: { description, tags, requireReview } }],
    };
  }

  async createModel(name: string, options: CreateModelOptions = {}): Promise<RegisteredModel> {
    checkModelName(name);
    const actor = await this.actor(options);
    const existing = modelRowByName(this.db, name);
    if (existing) throw new TrackingError(`Registered model "${name}" already exists (created ${new Date(existing.creationTime).toISOString()} by ${existing.createdBy}).`, 'RESOURCE_ALREADY_EXISTS');
    const modelId = randomUUID().replace(/-/g, '');
    const { statements, audit } = this.createModelStatements(name, modelId, actor, this.clock(), options);
    await this.commit(statements, audit, { kind: 'model', name });
    return this.getModel(name);
  }

  async setModelDescription(name: string, description: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    const text = checkDescription(description, `model "${name}"`);
    const now = this.clock();
    await this.commit(
      [{ sql: 'UPDATE registered_models SET description = ?, last_updated_time = ? WHERE model_id = ?', params: [text, now, model.modelId] }],
      [{ time: now, actor, action: 'model.described', modelId: model.modelId, name, detail: { from: model.description, to: text } }],
      { kind: 'model', name },
    );
  }

  async setModelTag(name: string, key: string, value: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    const [tag] = checkTags([{ key, value }]) as [RegistryTag];
    const now = this.clock();
    await this.commit(
      [
        { sql: 'INSERT INTO registered_model_tags VALUES (?, ?, ?) ON CONFLICT(model_id, key) DO UPDATE SET value = excluded.value', params: [model.modelId, tag.key, tag.value] },
        { sql: 'UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?', params: [now, model.modelId] },
      ],
      [{ time: now, actor, action: 'model.tagged', modelId: model.modelId, name, detail: { key: tag.key, value: tag.value } }],
      { kind: 'model', name },
    );
  }

  async deleteModelTag(name: string, key: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    if (this.db.rows('SELECT 1 FROM registered_model_tags WHERE model_id = ? AND key = ?', [model.modelId, key]).length === 0) throw new NotFoundError(`Model "${name}" has no tag "${key}".`);
    const now = this.clock();
    await this.commit(
      [{ sql: 'DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?', params: [model.modelId, key] }],
      [{ time: now, actor, action: 'model.tag_deleted', modelId: model.modelId, name, detail: { key } }],
      { kind: 'model', name },
    );
  }

  /** Turns review of alias moves on or off for a model. */
  async setRequireReview(name: string, requireReview: boolean, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    if (model.requireReview === requireReview) return;
    const now = this.clock();
    await this.commit(
      [{ sql: 'UPDATE registered_models SET require_review = ?, last_updated_time = ? WHERE model_id = ?', params: [requireReview ? 1 : 0, now, model.modelId] }],
      [{ time: now, actor, action: 'model.review_setting', modelId: model.modelId, name, detail: { requireReview } }],
      { kind: 'model', name },
    );
  }

  /**
   * Whether the person who requested a review may approve it. Off by default: a review is a
   * second pair of eyes. Kept as the model tag {@link SELF_APPROVAL_TAG}, so MLflow clients see it.
   */
  async setSelfApproval(name: string, allowed: boolean, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    if (allowsSelfApproval(this.getModel(name)) === allowed) return;
    const now = this.clock();
    await this.commit(
      [
        allowed
          ? { sql: 'INSERT INTO registered_model_tags VALUES (?, ?, ?) ON CONFLICT(model_id, key) DO UPDATE SET value = excluded.value', params: [model.modelId, SELF_APPROVAL_TAG, 'true'] }
          : { sql: 'DELETE FROM registered_model_tags WHERE model_id = ? AND key = ?', params: [model.modelId, SELF_APPROVAL_TAG] },
        { sql: 'UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?', params: [now, model.modelId] },
      ],
      [{ time: now, actor, action: 'model.review_setting', modelId: model.modelId, name, detail: { allowSelfApproval: allowed } }],
      { kind: 'model', name },
    );
  }

  /**
   * Renames a model (MLflow's rename): versions, aliases, reviews and history stay with it; its
   * lineage nodes take the new name. `models:/OLD/…` URIs stop resolving, as in MLflow.
   */
  async renameModel(name: string, newName: string, options: ActorOption = {}): Promise<RegisteredModel> {
    checkModelName(newName);
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    if (name === newName) return this.getModel(name);
    const clash = modelRowByName(this.db, newName);
    if (clash) throw new TrackingError(`Cannot rename model "${name}" to "${newName}": a model with that name already exists.`, 'RESOURCE_ALREADY_EXISTS');
    const now = this.clock();
    const prefix = `${name}/`;
    const renameIds = (table: string, column: string, kindColumn: string): SqlStatement => ({
      sql: `UPDATE ${table} SET ${column} = ? || substr(${column}, ?) WHERE ${kindColumn} = 'modelVersion' AND substr(${column}, 1, ?) = ?`,
      params: [`${newName}/`, prefix.length + 1, prefix.length, prefix],
    });
    await this.commit(
      [
        { sql: 'UPDATE registered_models SET name = ?, last_updated_time = ? WHERE model_id = ?', params: [newName, now, model.modelId] },
        renameIds('lineage_edges', 'src_id', 'src_kind'),
        renameIds('lineage_edges', 'dst_id', 'dst_kind'),
        renameIds('lineage_nodes', 'id', 'kind'),
      ],
      [{ time: now, actor, action: 'model.renamed', modelId: model.modelId, name: newName, detail: { from: name, to: newName } }],
      { kind: 'model', name: newName },
    );
    return this.getModel(newName);
  }

  /** Deletes a model, its versions (and their frozen files) and aliases; the audit log keeps their history. */
  async deleteModel(name: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    const now = this.clock();
    const versions = this.db.rows('SELECT version, storage FROM model_versions WHERE model_id = ? ORDER BY version', [model.modelId]).map(([v, s]) => ({ version: Number(v), storage: String(s) }));
    const aliases = aliasMap(this.db, model.modelId);
    const pending = reviewRows(this.db, "r.model_id = ? AND r.status = 'PENDING'", [model.modelId]);
    const audit: AuditRecord[] = [
      ...Object.entries(aliases).map(([alias, version]) => ({ time: now, actor, action: 'alias.deleted' as const, modelId: model.modelId, name, version, alias, detail: { from: version, reason: 'model deleted' } })),
      ...pending.map((r) => ({ time: now, actor, action: 'review.cancelled' as const, modelId: model.modelId, name, version: r.version, alias: r.alias, detail: { reviewId: r.reviewId, reason: 'model deleted' } })),
      { time: now, actor, action: 'model.deleted', modelId: model.modelId, name, detail: { versions: versions.map((v) => v.version), aliases } },
    ];
    await this.commit(
      [
        ...['model_aliases', 'model_version_tags', 'model_versions', 'registered_model_tags', 'registered_models'].map((table) => ({ sql: `DELETE FROM ${table} WHERE model_id = ?`, params: [model.modelId] })),
        { sql: "UPDATE model_reviews SET status = 'CANCELLED', decided_by = ?, decided_at = ?, decision_comment = 'model deleted' WHERE model_id = ? AND status = 'PENDING'", params: [actor, now, model.modelId] },
      ],
      audit,
      { kind: 'model', name },
    );
    for (const v of versions) removeFrozenCopy(this.store.dir, v.storage);
  }

  // ---- versions ------------------------------------------------------------------------------

  /**
   * Registers the model package of a run as the next version of `name`: the package (and the run's
   * evaluation files) is copied into the registry first, then the version, its audit entry and its
   * lineage edges are committed together.
   */
  async registerVersion(runId: string, name: string, options: RegisterVersionOptions = {}): Promise<ModelVersion> {
    checkModelName(name);
    const artifactPath = checkArtifactPath(options.artifactPath ?? MODEL_DIR).join('/');
    const description = checkDescription(options.description ?? '', `a version of model "${name}"`);
    const tags = checkTags(options.tags ?? []);
    if (options.createModel === false) this.modelRow(name);
    const actor = await this.actor(options);
    const run = await this.store.tracking.getRun(runId);
    const packageDir = this.store.localTracking.artifactFile(runId, artifactPath);
    // Ours (MLmodel.json) or a model logged by MLflow itself (MLmodel, YAML), e.g. copied from a server.
    if (!existsSync(join(packageDir, PACKAGE_FILES.manifest)) && !existsSync(join(packageDir, MLFLOW_MANIFEST))) {
      throw new InvalidArgumentError(`Run ${runId} (${run.info.runName}) has no model package at ${artifactPath}/ (no ${PACKAGE_FILES.manifest} or ${MLFLOW_MANIFEST} in ${packageDir}); only runs that trained a model can be registered.`);
    }
    const signature = readSignature(join(packageDir, PACKAGE_FILES.signature));
    const extras = FROZEN_EXTRAS.map((folder) => ({ from: this.store.localTracking.artifactFile(runId, folder), to: folder })).filter((e) => existsSync(e.from));
    const frozen = freezeFolders(this.store.dir, [{ from: packageDir, to: MODEL_DIR }, ...extras]);

    // From here to commit() nothing awaits: the version number is taken and used atomically.
    const now = this.clock();
    const statements: SqlStatement[] = [];
    const audit: AuditRecord[] = [];
    let model = modelRowByName(this.db, name);
    if (!model) {
      if (options.createModel === false) {
        removeFrozenCopy(this.store.dir, frozen.storage);
        this.modelRow(name);
      }
      const modelId = randomUUID().replace(/-/g, '');
      const created = this.createModelStatements(name, modelId, actor, now, {});
      statements.push(...created.statements);
      audit.push(...created.audit);
      model = { modelId, name, description: '', requireReview: false, nextVersion: 1, creationTime: now, lastUpdatedTime: now, createdBy: actor };
    }
    const version = model.nextVersion;
    const source = `runs:/${runId}/${artifactPath}`;
    statements.push(
      { sql: 'UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE model_id = ?', params: [version + 1, now, model.modelId] },
      {
        sql: 'INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [model.modelId, version, runId, source, frozen.storage, 'READY', 'None', description, signature === null ? null : JSON.stringify(signature), frozen.sizeBytes, now, now, actor],
      },
      ...tags.map((t) => ({ sql: 'INSERT INTO model_version_tags VALUES (?, ?, ?, ?)', params: [model.modelId, version, t.key, t.value] })),
      ...lineageOfRegistration(run, name, version, now),
    );
    audit.push({ time: now, actor, action: 'version.registered', modelId: model.modelId, name, version, detail: { runId, source, sizeBytes: frozen.sizeBytes, tags, description } });
    try {
      await this.commit(statements, audit, { kind: 'version', name, version });
    } catch (error) {
      removeFrozenCopy(this.store.dir, frozen.storage);
      throw error;
    }
    return this.getVersion(name, version);
  }

  /** Whether a run's artifact folder holds a model package (ours, or MLflow's MLmodel) that registerVersion takes. */
  hasModelPackage(runId: string, artifactPath: string): boolean {
    try {
      const packageDir = this.store.localTracking.artifactFile(runId, checkArtifactPath(artifactPath).join('/'));
      return existsSync(join(packageDir, PACKAGE_FILES.manifest)) || existsSync(join(packageDir, MLFLOW_MANIFEST));
    } catch {
      return false;
    }
  }

  /**
   * Registers a version whose source is not a model package here (an `s3://` URI, a run folder
   * without MLmodel): MLflow registers any source, so the REST API does too. Nothing is frozen and
   * the version is `external`: its card knows only the source, the run id given, tags and description.
   */
  async registerExternalVersion(name: string, source: string, options: ActorOption & { runId?: string; description?: string; tags?: readonly RegistryTag[] } = {}): Promise<ModelVersion> {
    if (typeof source !== 'string' || source === '') throw new InvalidArgumentError('A model version needs a source.');
    const description = checkDescription(options.description ?? '', `a version of model "${name}"`);
    const tags = checkTags(options.tags ?? []);
    this.modelRow(name);
    const actor = await this.actor(options);
    // From here to commit() nothing awaits: the version number is taken and used atomically.
    const model = this.modelRow(name);
    const now = this.clock();
    const version = model.nextVersion;
    const runId = options.runId ?? '';
    const statements: SqlStatement[] = [
      { sql: 'UPDATE registered_models SET next_version = ?, last_updated_time = ? WHERE model_id = ?', params: [version + 1, now, model.modelId] },
      {
        sql: 'INSERT INTO model_versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [model.modelId, version, runId, source, EXTERNAL_STORAGE, 'READY', 'None', description, null, 0, now, now, actor],
      },
      ...tags.map((t) => ({ sql: 'INSERT INTO model_version_tags VALUES (?, ?, ?, ?)', params: [model.modelId, version, t.key, t.value] })),
    ];
    const audit: AuditRecord[] = [{ time: now, actor, action: 'version.registered', modelId: model.modelId, name, version, detail: { runId, source, external: true, tags, description } }];
    await this.commit(statements, audit, { kind: 'version', name, version });
    return this.getVersion(name, version);
  }

  /** Versions of a model, newest first. */
  listVersions(name: string): ModelVersion[] {
    return versionsOf(this.db, this.store.dir, this.modelRow(name));
  }

  getVersion(name: string, version: number | string): ModelVersion {
    const model = this.modelRow(name);
    const number = checkVersionNumber(version, `model "${name}"`);
    const found = versionsOf(this.db, this.store.dir, model, number)[0];
    if (!found) throw new NotFoundError(`Model "${name}" has no version ${number} (${this.versionRange(model)}).`);
    return found;
  }

  /** Versions registered from a run (a run may be registered under several models). */
  versionsOfRun(runId: string): ModelVersion[] {
    return this.db
      .rows('SELECT m.name, v.version FROM model_versions v JOIN registered_models m ON m.model_id = v.model_id WHERE v.run_id = ? ORDER BY m.name, v.version', [runId])
      .map(([name, version]) => this.getVersion(String(name), Number(version)));
  }

  private versionRange(model: ModelRow): string {
    const versions = this.db.rows('SELECT version FROM model_versions WHERE model_id = ? ORDER BY version', [model.modelId]).map((r) => Number(r[0]));
    if (versions.length === 0) return 'it has no versions yet';
    return `its versions: ${versions.length > 12 ? `${versions.slice(0, 5).join(', ')}, …, ${versions.slice(-3).join(', ')}` : versions.join(', ')}`;
  }

  private versionRow(name: string, version: number | string): { model: ModelRow; version: number } {
    const found = this.getVersion(name, version);
    return { model: this.modelRow(name), version: found.version };
  }

  async setVersionDescription(name: string, version: number | string, description: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    const text = checkDescription(description, `version ${v} of model "${name}"`);
    const now = this.clock();
    await this.commit(
      [{ sql: 'UPDATE model_versions SET description = ?, last_updated_time = ? WHERE model_id = ? AND version = ?', params: [text, now, model.modelId, v] }],
      [{ time: now, actor, action: 'version.described', modelId: model.modelId, name, version: v, detail: { to: text } }],
      { kind: 'version', name, version: v },
    );
  }

  async setVersionTag(name: string, version: number | string, key: string, value: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    const [tag] = checkTags([{ key, value }]) as [RegistryTag];
    const now = this.clock();
    await this.commit(
      [{ sql: 'INSERT INTO model_version_tags VALUES (?, ?, ?, ?) ON CONFLICT(model_id, version, key) DO UPDATE SET value = excluded.value', params: [model.modelId, v, tag.key, tag.value] }],
      [{ time: now, actor, action: 'version.tagged', modelId: model.modelId, name, version: v, detail: { key: tag.key, value: tag.value } }],
      { kind: 'version', name, version: v },
    );
  }

  async deleteVersionTag(name: string, version: number | string, key: string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    if (this.db.rows('SELECT 1 FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?', [model.modelId, v, key]).length === 0) throw new NotFoundError(`Version ${v} of model "${name}" has no tag "${key}".`);
    const now = this.clock();
    await this.commit(
      [{ sql: 'DELETE FROM model_version_tags WHERE model_id = ? AND version = ? AND key = ?', params: [model.modelId, v, key] }],
      [{ time: now, actor, action: 'version.tag_deleted', modelId: model.modelId, name, version: v, detail: { key } }],
      { kind: 'version', name, version: v },
    );
  }

  /** MLflow's stage transition; `archiveExistingVersions` archives the others in that stage. */
  async transitionStage(name: string, version: number | string, stage: string, options: ActorOption & { archiveExistingVersions?: boolean } = {}): Promise<ModelVersion> {
    const actor = await this.actor(options);
    const target = MODEL_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase());
    if (!target) throw new InvalidArgumentError(`Stage "${stage}" is not one of ${MODEL_STAGES.join(', ')}.`);
    const { model, version: v } = this.versionRow(name, version);
    const now = this.clock();
    const statements: SqlStatement[] = [];
    const audit: AuditRecord[] = [];
    const from = String(this.db.rows('SELECT current_stage FROM model_versions WHERE model_id = ? AND version = ?', [model.modelId, v])[0]?.[0]);
    if (options.archiveExistingVersions && (target === 'Staging' || target === 'Production')) {
      for (const [other] of this.db.rows('SELECT version FROM model_versions WHERE model_id = ? AND current_stage = ? AND version != ?', [model.modelId, target, v])) {
        statements.push({ sql: "UPDATE model_versions SET current_stage = 'Archived', last_updated_time = ? WHERE model_id = ? AND version = ?", params: [now, model.modelId, Number(other)] });
        audit.push({ time: now, actor, action: 'version.stage', modelId: model.modelId, name, version: Number(other), detail: { from: target, to: 'Archived', reason: `version ${v} moved to ${target}` } });
      }
    }
    statements.push({ sql: 'UPDATE model_versions SET current_stage = ?, last_updated_time = ? WHERE model_id = ? AND version = ?', params: [target, now, model.modelId, v] });
    audit.push({ time: now, actor, action: 'version.stage', modelId: model.modelId, name, version: v, detail: { from, to: target } });
    await this.commit(statements, audit, { kind: 'version', name, version: v });
    return this.getVersion(name, v);
  }

  /** Deletes a version and its frozen files; aliases on it are removed (and audited), the number is never reused. */
  async deleteVersion(name: string, version: number | string, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    const storage = storageOf(this.db, model.modelId, v);
    const now = this.clock();
    const aliases = Object.entries(aliasMap(this.db, model.modelId)).filter(([, target]) => target === v).map(([alias]) => alias);
    const pending = reviewRows(this.db, "r.model_id = ? AND r.version = ? AND r.status = 'PENDING'", [model.modelId, v]);
    await this.commit(
      [
        ...['model_aliases', 'model_version_tags', 'model_versions'].map((table) => ({ sql: `DELETE FROM ${table} WHERE model_id = ? AND version = ?`, params: [model.modelId, v] })),
        { sql: "UPDATE model_reviews SET status = 'CANCELLED', decided_by = ?, decided_at = ?, decision_comment = 'version deleted' WHERE model_id = ? AND version = ? AND status = 'PENDING'", params: [actor, now, model.modelId, v] },
        { sql: 'UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?', params: [now, model.modelId] },
      ],
      [
        ...aliases.map((alias) => ({ time: now, actor, action: 'alias.deleted' as const, modelId: model.modelId, name, version: v, alias, detail: { from: v, reason: `version ${v} deleted` } })),
        ...pending.map((r) => ({ time: now, actor, action: 'review.cancelled' as const, modelId: model.modelId, name, version: v, alias: r.alias, detail: { reviewId: r.reviewId, reason: `version ${v} deleted` } })),
        { time: now, actor, action: 'version.deleted', modelId: model.modelId, name, version: v, detail: { aliases } },
      ],
      { kind: 'version', name, version: v },
    );
    if (storage) removeFrozenCopy(this.store.dir, storage);
  }

  // ---- aliases -------------------------------------------------------------------------------

  /** Statements and audit entry that point `alias` at `version` (nothing when it already does). */
  private aliasChange(model: ModelRow, alias: string, version: number, actor: string, now: number, detail: Record<string, unknown> = {}): { statements: SqlStatement[]; audit: AuditRecord[] } {
    const current = aliasMap(this.db, model.modelId)[alias];
    if (current === version) return { statements: [], audit: [] };
    return {
      statements: [
        { sql: 'INSERT INTO model_aliases VALUES (?, ?, ?) ON CONFLICT(model_id, alias) DO UPDATE SET version = excluded.version', params: [model.modelId, alias, version] },
        { sql: 'UPDATE registered_models SET last_updated_time = ? WHERE model_id = ?', params: [now, model.modelId] },
      ],
      audit: [{ time: now, actor, action: current === undefined ? 'alias.set' : 'alias.moved', modelId: model.modelId, name: model.name, version, alias, detail: { from: current ?? null, to: version, ...detail } }],
    };
  }

  /**
   * Points an alias at a version. On a model that requires review this throws ReviewRequiredError:
   * use requestReview, then approveReview.
   */
  async setAlias(name: string, alias: string, version: number | string, options: ActorOption & AuditDetailOption = {}): Promise<ModelVersion> {
    checkAlias(alias);
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    if (model.requireReview && aliasMap(this.db, model.modelId)[alias] !== v) throw new ReviewRequiredError(name, alias, v);
    const { statements, audit } = this.aliasChange(model, alias, v, actor, this.clock(), options.detail);
    if (statements.length > 0) await this.commit(statements, audit, { kind: 'alias', name, version: v });
    return this.getVersion(name, v);
  }

  async deleteAlias(name: string, alias: string, options: ActorOption = {}): Promise<void> {
    checkAlias(alias);
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    const aliases = aliasMap(this.db, model.modelId);
    const current = aliases[alias];
    if (current === undefined) throw new NotFoundError(`Model "${name}" has no alias "${alias}" (${describeAliases(aliases)}).`);
    const now = this.clock();
    await this.commit(
      [{ sql: 'DELETE FROM model_aliases WHERE model_id = ? AND alias = ?', params: [model.modelId, alias] }],
      [{ time: now, actor, action: 'alias.deleted', modelId: model.modelId, name, version: current, alias, detail: { from: current } }],
      { kind: 'alias', name, version: current },
    );
  }

  /** The version a `models:/` URI points at; errors name the model, version or alias not found. */
  resolveUri(uri: string): ModelVersion {
    const ref = parseModelUri(uri);
    const model = modelRowByName(this.db, ref.name);
    if (!model) {
      const names = allModelRows(this.db).map((m) => m.name);
      throw new NotFoundError(`${uri}: no registered model "${ref.name}" (${names.length === 0 ? 'the registry is empty' : `registered: ${names.slice(0, 10).join(', ')}`}).`);
    }
    switch (ref.kind) {
      case 'version': {
        const found = versionsOf(this.db, this.store.dir, model, ref.version)[0];
        if (!found) throw new NotFoundError(`${uri}: model "${ref.name}" has no version ${ref.version} (${this.versionRange(model)}).`);
        return found;
      }
      case 'alias': {
        const aliases = aliasMap(this.db, model.modelId);
        const version = aliases[ref.alias];
        if (version === undefined) throw new NotFoundError(`${uri}: model "${ref.name}" has no alias "${ref.alias}" (${describeAliases(aliases)}).`);
        return versionsOf(this.db, this.store.dir, model, version)[0] as ModelVersion;
      }
      case 'latest': {
        const latest = versionsOf(this.db, this.store.dir, model)[0];
        if (!latest) throw new NotFoundError(`${uri}: model "${ref.name}" has no versions yet.`);
        return latest;
      }
      case 'stage': {
        const found = versionsOf(this.db, this.store.dir, model).find((v) => v.currentStage === ref.stage);
        if (!found) throw new NotFoundError(`${uri}: no version of model "${ref.name}" is in stage ${ref.stage}.`);
        return found;
      }
    }
  }

  // ---- reviews -------------------------------------------------------------------------------

  /** Asks for `alias` to point at `version`; one pending request per alias at a time. */
  async requestReview(name: string, alias: string, version: number | string, comment: string, options: ActorOption & AuditDetailOption = {}): Promise<AliasReview> {
    checkAlias(alias);
    const actor = await this.actor(options);
    const { model, version: v } = this.versionRow(name, version);
    const text = checkDescription(comment, 'a review comment');
    const pending = reviewRows(this.db, "r.model_id = ? AND r.alias = ? AND r.status = 'PENDING'", [model.modelId, alias])[0];
    if (pending) {
      throw new TrackingError(`Review #${pending.reviewId} (@${alias} → version ${pending.version}, requested by ${pending.requestedBy}) is still pending for model "${name}"; approve, reject or cancel it first.`, 'INVALID_STATE');
    }
    const current = aliasMap(this.db, model.modelId)[alias];
    if (current === v) throw new InvalidArgumentError(`@${alias} of model "${name}" already points to version ${v}; there is nothing to review.`);
    const now = this.clock();
    const reviewId = Number(this.db.rows('SELECT coalesce(max(review_id), 0) + 1 FROM model_reviews')[0]?.[0] ?? 1);
    await this.commit(
      [{ sql: "INSERT INTO model_reviews VALUES (?, ?, ?, ?, ?, 'PENDING', ?, ?, ?, NULL, NULL, NULL)", params: [reviewId, model.modelId, alias, v, current ?? null, actor, now, text] }],
      [{ time: now, actor, action: 'review.requested', modelId: model.modelId, name, version: v, alias, detail: { ...options.detail, reviewId, from: current ?? null, to: v, comment: text } }],
      { kind: 'review', name, version: v },
    );
    return this.getReview(reviewId);
  }

  getReview(reviewId: number): AliasReview {
    const review = reviewRows(this.db, 'r.review_id = ?', [reviewId])[0];
    if (!review) throw new NotFoundError(`No review #${reviewId} (see mlops models review list).`);
    return stripModelId(review);
  }

  listReviews(filter: { name?: string; status?: ReviewStatus } = {}): AliasReview[] {
    const where: string[] = [];
    const params: string[] = [];
    if (filter.name !== undefined) {
      where.push('m.name = ?');
      params.push(filter.name);
    }
    if (filter.status !== undefined) {
      where.push('r.status = ?');
      params.push(filter.status);
    }
    return reviewRows(this.db, where.join(' AND '), params).map(stripModelId);
  }

  /** Approves a pending review and moves the alias, in one durable step. The requester may approve too; both names are kept. */
  async approveReview(reviewId: number, options: ActorOption & { comment?: string } = {}): Promise<AliasReview> {
    return this.decide(reviewId, 'APPROVED', options);
  }

  async rejectReview(reviewId: number, options: ActorOption & { comment?: string } = {}): Promise<AliasReview> {
    return this.decide(reviewId, 'REJECTED', options);
  }

  async cancelReview(reviewId: number, options: ActorOption & { comment?: string } = {}): Promise<AliasReview> {
    return this.decide(reviewId, 'CANCELLED', options);
  }

  private async decide(reviewId: number, status: 'APPROVED' | 'REJECTED' | 'CANCELLED', options: ActorOption & { comment?: string }): Promise<AliasReview> {
    const actor = await this.actor(options);
    const review = reviewRows(this.db, 'r.review_id = ?', [reviewId])[0];
    if (!review) throw new NotFoundError(`No review #${reviewId} (see mlops models review list).`);
    if (review.status !== 'PENDING') throw new TrackingError(`Review #${reviewId} was already ${review.status.toLowerCase()} by ${review.decidedBy ?? 'someone'}; only pending reviews can be decided.`, 'INVALID_STATE');
    const comment = checkDescription(options.comment ?? '', 'a review comment');
    const model = this.modelRow(review.name);
    if (status === 'APPROVED' && actor === review.requestedBy && !allowsSelfApproval(this.getModel(review.name))) {
      throw new TrackingError(
        `Review #${reviewId} (${review.name}@${review.alias} → v${review.version}) was requested by ${actor}, and ${review.name}'s review policy needs a different reviewer to approve it. ` +
          `Ask a colleague to approve it, or allow self-approval for ${review.name}: "MLOps: Review Policy…" in VS Code, or mlops models self-approval ${review.name} on.`,
        'PERMISSION_DENIED',
      );
    }
    const now = this.clock();
    const action = status === 'APPROVED' ? 'review.approved' : status === 'REJECTED' ? 'review.rejected' : 'review.cancelled';
    const statements: SqlStatement[] = [
      { sql: 'UPDATE model_reviews SET status = ?, decided_by = ?, decided_at = ?, decision_comment = ? WHERE review_id = ?', params: [status, actor, now, comment, reviewId] },
    ];
    const audit: AuditRecord[] = [
      { time: now, actor, action, modelId: model.modelId, name: review.name, version: review.version, alias: review.alias, detail: { reviewId, requestedBy: review.requestedBy, comment, selfApproved: status === 'APPROVED' && actor === review.requestedBy } },
    ];
    if (status === 'APPROVED') {
      const change = this.aliasChange(model, review.alias, review.version, actor, now, { reviewId, requestedBy: review.requestedBy });
      statements.push(...change.statements);
      audit.push(...change.audit);
    }
    await this.commit(statements, audit, { kind: status === 'APPROVED' ? 'alias' : 'review', name: review.name, version: review.version });
    return this.getReview(reviewId);
  }

  // ---- history -------------------------------------------------------------------------------

  /**
   * Appends a decision made outside the registry about one of its models (automated retraining:
   * what was compared, the scores, why) to the same append-only audit log.
   */
  async recordDecision(name: string, action: ExternalAuditAction, entry: { version?: number; alias?: string; detail: Readonly<Record<string, unknown>> }, options: ActorOption = {}): Promise<void> {
    const actor = await this.actor(options);
    const model = this.modelRow(name);
    await this.commit([], [{ time: this.clock(), actor, action, modelId: model.modelId, name, version: entry.version ?? null, alias: entry.alias ?? null, detail: entry.detail }], { kind: 'model', name });
  }

  auditLog(query: AuditQuery = {}): AuditEntry[] {
    return readAuditLog(this.db, query);
  }

  /** Every stretch of time an alias (or each alias) of a model held a version, oldest first. */
  aliasHistory(name: string, alias?: string): AliasHolding[] {
    if (alias !== undefined) checkAlias(alias);
    return aliasHistory(this.db, name, alias);
  }

  /** Which version held `alias` of `name` at `at` (epoch ms or a Date); undefined when none did. */
  aliasAt(name: string, alias: string, at: number | Date): AliasHolding | undefined {
    checkAlias(alias);
    return aliasAt(this.db, name, alias, typeof at === 'number' ? at : at.getTime());
  }
}

function lineageOfRegistration(run: Run, name: string, version: number, now: number): SqlStatement[] {
  const digests = new Set(run.inputs.datasetInputs.map((d) => d.digest));
  const tagged = run.data.tags.find((t) => t.key === 'mlops.dataset.digest')?.value;
  if (tagged) digests.add(tagged);
  return [
    ...[...digests].flatMap((digest) => edgeStatements({ from: datasetNode(digest), to: runNode(run.info.runId), relation: 'trained' }, now)),
    ...edgeStatements({ from: runNode(run.info.runId), to: modelVersionNode(name, version), relation: 'registered' }, now),
  ];
}

function stripModelId(review: AliasReview & { modelId: string }): AliasReview {
  const { modelId: _modelId, ...rest } = review;
  return rest;
}
