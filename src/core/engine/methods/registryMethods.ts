import type { AuditQuery } from '../../registry/auditLog';
import { modelCard, type ModelCard } from '../../registry/modelCard';
import { modelRegistryFor } from '../../registry/registryAccess';
import {
  AUDIT_ACTIONS,
  type AliasHolding,
  type AliasReview,
  type AuditAction,
  type AuditEntry,
  type ModelVersion,
  type RegisteredModel,
  type RegistryTag,
  type ReviewStatus,
} from '../../registry/registryTypes';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import type { MetricSummary } from '../../tracking/trackingTypes';
import type { EngineContext, EngineMethodTable } from '../engineMethod';
import type { VersionCopyResult } from '../../remote/modelVersionCopy';

/*
 * The workspace model registry for clients (a window, the CLI): what RegistryBackend offers plus
 * what only the workspace keeps (reviews, the audit log, alias history, model cards). Every change
 * names its actor: the client's user ($MLOPS_ACTOR, mlops.user.name, git user.name where the
 * client runs), never the holder's, so the audit log says who did it whichever process holds the store.
 */

const REVIEW_STATUSES: readonly ReviewStatus[] = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELLED'];

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') throw new InvalidArgumentError(`Engine call: ${what} must be a non-empty string, got ${JSON.stringify(value) ?? 'nothing'}.`);
  return value;
}

function optionalText(value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : typeof value === 'string' ? value : text(value, what);
}

function versionParam(value: unknown): number | string {
  if (typeof value === 'number' || typeof value === 'string') return value;
  throw new InvalidArgumentError(`Engine call: version must be a number or a string, got ${JSON.stringify(value) ?? 'nothing'}.`);
}

function count(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new InvalidArgumentError(`Engine call: ${what} must be a whole number ≥ 0, got ${JSON.stringify(value) ?? 'nothing'}.`);
  return value;
}

/** The client's user, required: an engine's own default (its process's git user) would misname who did it. */
function actorOf(params: { actor?: unknown }): { actor: string } {
  if (typeof params.actor !== 'string' || params.actor.trim() === '') throw new InvalidArgumentError('Engine call: a registry change needs its actor (the user of the window or CLI that makes it).');
  return { actor: params.actor };
}

function tagsParam(value: unknown): readonly RegistryTag[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((t: unknown) => typeof t === 'object' && t !== null && typeof (t as RegistryTag).key === 'string' && typeof (t as RegistryTag).value === 'string')) {
    throw new InvalidArgumentError('Engine call: tags must be a list of { key, value } strings.');
  }
  return value as readonly RegistryTag[];
}

function auditQuery(params: { name?: unknown; alias?: unknown; actions?: unknown; since?: unknown; until?: unknown; newestFirst?: unknown; limit?: unknown }): AuditQuery {
  const actions = params.actions;
  if (actions !== undefined && (!Array.isArray(actions) || !actions.every((a) => (AUDIT_ACTIONS as readonly unknown[]).includes(a)))) {
    throw new InvalidArgumentError(`Engine call: actions must be a list of audit actions (${AUDIT_ACTIONS.join(', ')}).`);
  }
  const name = optionalText(params.name, 'name');
  const alias = optionalText(params.alias, 'alias');
  return {
    ...(name === undefined ? {} : { name }),
    ...(alias === undefined ? {} : { alias }),
    ...(actions === undefined ? {} : { actions: actions as readonly AuditAction[] }),
    ...(params.since === undefined ? {} : { since: count(params.since, 'since') }),
    ...(params.until === undefined ? {} : { until: count(params.until, 'until') }),
    ...(params.newestFirst === true ? { newestFirst: true } : {}),
    ...(params.limit === undefined ? {} : { limit: count(params.limit, 'limit') }),
  };
}

/** A version's run metrics, for the Models view's badges; [] when the run is gone. */
async function runMetrics(store: EngineContext['store'], runId: string): Promise<readonly MetricSummary[]> {
  if (runId === '') return [];
  try {
    return (await store.tracking.getRun(runId)).data.metrics;
  } catch {
    return [];
  }
}

/** What the Models view shows under a model, in one round trip. */
export interface RegistryModelDetail {
  /** null: the model was deleted or renamed meanwhile */
  readonly model: RegisteredModel | null;
  readonly pendingReviews: readonly AliasReview[];
  /** newest first */
  readonly versions: readonly ModelVersion[];
  /** run id → its metrics */
  readonly metrics: Readonly<Record<string, readonly MetricSummary[]>>;
}

/** The model review panel's data: the model, one card per version asked for (in that order), its pending reviews. */
export interface RegistryModelCards {
  readonly model: RegisteredModel;
  readonly cards: readonly ModelCard[];
  readonly pendingReviews: readonly AliasReview[];
}

type ActorParam = { actor: string };

export const registryMethods = {
  // ---- reads -----------------------------------------------------------------------------------
  'registry.models': ({ store }: EngineContext, _params: Record<string, never>): RegisteredModel[] => modelRegistryFor(store).listModels(),
  /** the Models view's top level: every model and every pending review */
  'registry.overview': ({ store }: EngineContext, _params: Record<string, never>): { models: RegisteredModel[]; pendingReviews: AliasReview[] } => {
    const registry = modelRegistryFor(store);
    return { models: registry.listModels(), pendingReviews: registry.listReviews({ status: 'PENDING' }) };
  },
  'registry.modelDetail': async ({ store }: EngineContext, params: { name: string }): Promise<RegistryModelDetail> => {
    const registry = modelRegistryFor(store);
    const name = text(params.name, 'name');
    const model = registry.findModel(name) ?? null;
    if (!model) return { model: null, pendingReviews: [], versions: [], metrics: {} };
    const versions = registry.listVersions(name);
    const runIds = [...new Set(versions.map((v) => v.runId))];
    const metrics = await Promise.all(runIds.map((runId) => runMetrics(store, runId)));
    return { model, pendingReviews: registry.listReviews({ name, status: 'PENDING' }), versions, metrics: Object.fromEntries(runIds.map((runId, i) => [runId, metrics[i] ?? []])) };
  },
  'registry.findModel': ({ store }: EngineContext, params: { name: string }): RegisteredModel | null => modelRegistryFor(store).findModel(text(params.name, 'name')) ?? null,
  'registry.getModel': ({ store }: EngineContext, params: { name: string }): RegisteredModel => modelRegistryFor(store).getModel(text(params.name, 'name')),
  'registry.listVersions': ({ store }: EngineContext, params: { name: string }): ModelVersion[] => modelRegistryFor(store).listVersions(text(params.name, 'name')),
  'registry.getVersion': ({ store }: EngineContext, params: { name: string; version: number | string }): ModelVersion =>
    modelRegistryFor(store).getVersion(text(params.name, 'name'), versionParam(params.version)),
  'registry.resolveUri': ({ store }: EngineContext, params: { uri: string }): ModelVersion => modelRegistryFor(store).resolveUri(text(params.uri, 'uri')),
  'registry.listReviews': ({ store }: EngineContext, params: { name?: string; status?: ReviewStatus }): AliasReview[] => {
    if (params.status !== undefined && !REVIEW_STATUSES.includes(params.status)) throw new InvalidArgumentError(`Engine call: status must be one of ${REVIEW_STATUSES.join(', ')}.`);
    const name = optionalText(params.name, 'name');
    return modelRegistryFor(store).listReviews({ ...(name === undefined ? {} : { name }), ...(params.status === undefined ? {} : { status: params.status }) });
  },
  'registry.getReview': ({ store }: EngineContext, params: { reviewId: number }): AliasReview => modelRegistryFor(store).getReview(count(params.reviewId, 'reviewId')),
  'registry.auditLog': ({ store }: EngineContext, params: AuditQuery): AuditEntry[] => modelRegistryFor(store).auditLog(auditQuery(params)),
  'registry.aliasHistory': ({ store }: EngineContext, params: { name: string; alias?: string }): AliasHolding[] =>
    modelRegistryFor(store).aliasHistory(text(params.name, 'name'), optionalText(params.alias, 'alias')),
  /** `at`: epoch ms */
  'registry.aliasAt': ({ store }: EngineContext, params: { name: string; alias: string; at: number }): AliasHolding | null =>
    modelRegistryFor(store).aliasAt(text(params.name, 'name'), text(params.alias, 'alias'), count(params.at, 'at')) ?? null,
  /** model cards (with the feedback posted to endpoints) of versions of one model, in the order asked */
  'registry.modelCards': async ({ store }: EngineContext, params: { name: string; versions: readonly (number | string)[] }): Promise<RegistryModelCards> => {
    const registry = modelRegistryFor(store);
    const name = text(params.name, 'name');
    if (!Array.isArray(params.versions) || params.versions.length === 0) throw new InvalidArgumentError('Engine call: versions must be a non-empty list.');
    const model = registry.getModel(name);
    const cards = await Promise.all(params.versions.map((v) => modelCard(registry, store.tracking, name, versionParam(v), { database: store.database })));
    return { model, cards, pendingReviews: registry.listReviews({ name, status: 'PENDING' }) };
  },

  // ---- changes (each names the client's user as its actor) ---------------------------------------
  'registry.registerVersion': ({ store }: EngineContext, params: ActorParam & { runId: string; name: string; artifactPath?: string; description?: string; tags?: readonly RegistryTag[]; createModel?: boolean }): Promise<ModelVersion> => {
    const artifactPath = optionalText(params.artifactPath, 'artifactPath');
    const description = optionalText(params.description, 'description');
    const tags = tagsParam(params.tags);
    return modelRegistryFor(store).registerVersion(text(params.runId, 'runId'), text(params.name, 'name'), {
      ...actorOf(params),
      ...(artifactPath === undefined ? {} : { artifactPath }),
      ...(description === undefined ? {} : { description }),
      ...(tags === undefined ? {} : { tags }),
      ...(params.createModel === false ? { createModel: false } : {}),
    });
  },
  'registry.setAlias': ({ store }: EngineContext, params: ActorParam & { name: string; alias: string; version: number | string }): Promise<ModelVersion> =>
    modelRegistryFor(store).setAlias(text(params.name, 'name'), text(params.alias, 'alias'), versionParam(params.version), actorOf(params)),
  'registry.deleteAlias': ({ store }: EngineContext, params: ActorParam & { name: string; alias: string }): Promise<void> =>
    modelRegistryFor(store).deleteAlias(text(params.name, 'name'), text(params.alias, 'alias'), actorOf(params)),
  'registry.setModelDescription': ({ store }: EngineContext, params: ActorParam & { name: string; description: string }): Promise<void> =>
    modelRegistryFor(store).setModelDescription(text(params.name, 'name'), optionalText(params.description, 'description') ?? '', actorOf(params)),
  'registry.setVersionDescription': ({ store }: EngineContext, params: ActorParam & { name: string; version: number | string; description: string }): Promise<void> =>
    modelRegistryFor(store).setVersionDescription(text(params.name, 'name'), versionParam(params.version), optionalText(params.description, 'description') ?? '', actorOf(params)),
  'registry.setModelTag': ({ store }: EngineContext, params: ActorParam & { name: string; key: string; value: string }): Promise<void> =>
    modelRegistryFor(store).setModelTag(text(params.name, 'name'), text(params.key, 'key'), optionalText(params.value, 'value') ?? '', actorOf(params)),
  'registry.setVersionTag': ({ store }: EngineContext, params: ActorParam & { name: string; version: number | string; key: string; value: string }): Promise<void> =>
    modelRegistryFor(store).setVersionTag(text(params.name, 'name'), versionParam(params.version), text(params.key, 'key'), optionalText(params.value, 'value') ?? '', actorOf(params)),
  'registry.transitionStage': ({ store }: EngineContext, params: ActorParam & { name: string; version: number | string; stage: string; archiveExistingVersions?: boolean }): Promise<ModelVersion> =>
    modelRegistryFor(store).transitionStage(text(params.name, 'name'), versionParam(params.version), text(params.stage, 'stage'), { ...actorOf(params), archiveExistingVersions: params.archiveExistingVersions === true }),
  'registry.renameModel': ({ store }: EngineContext, params: ActorParam & { name: string; newName: string }): Promise<RegisteredModel> =>
    modelRegistryFor(store).renameModel(text(params.name, 'name'), text(params.newName, 'newName'), actorOf(params)),
  'registry.deleteModel': ({ store }: EngineContext, params: ActorParam & { name: string }): Promise<void> => modelRegistryFor(store).deleteModel(text(params.name, 'name'), actorOf(params)),
  'registry.deleteVersion': ({ store }: EngineContext, params: ActorParam & { name: string; version: number | string }): Promise<void> =>
    modelRegistryFor(store).deleteVersion(text(params.name, 'name'), versionParam(params.version), actorOf(params)),
  'registry.requestReview': ({ store }: EngineContext, params: ActorParam & { name: string; alias: string; version: number | string; comment: string }): Promise<AliasReview> =>
    modelRegistryFor(store).requestReview(text(params.name, 'name'), text(params.alias, 'alias'), versionParam(params.version), optionalText(params.comment, 'comment') ?? '', actorOf(params)),
  'registry.decideReview': ({ store }: EngineContext, params: ActorParam & { reviewId: number; decision: 'approve' | 'reject' | 'cancel'; comment?: string }): Promise<AliasReview> => {
    const registry = modelRegistryFor(store);
    const comment = optionalText(params.comment, 'comment');
    const options = { ...actorOf(params), ...(comment === undefined ? {} : { comment }) };
    const reviewId = count(params.reviewId, 'reviewId');
    switch (params.decision) {
      case 'approve':
        return registry.approveReview(reviewId, options);
      case 'reject':
        return registry.rejectReview(reviewId, options);
      case 'cancel':
        return registry.cancelReview(reviewId, options);
      default:
        throw new InvalidArgumentError(`Engine call: decision must be approve, reject or cancel, got ${JSON.stringify(params.decision) ?? 'nothing'}.`);
    }
  },
  'registry.setRequireReview': ({ store }: EngineContext, params: ActorParam & { name: string; requireReview: boolean }): Promise<void> => {
    if (typeof params.requireReview !== 'boolean') throw new InvalidArgumentError('Engine call: requireReview must be true or false.');
    return modelRegistryFor(store).setRequireReview(text(params.name, 'name'), params.requireReview, actorOf(params));
  },
  /**
   * `mlops copy model`: versions with their runs and files between this registry and a team's
   * MLflow server, run where the store is (the engine talks to the server with the client's
   * credentials, which are not kept).
   */
  'registry.copyVersions': async (
    { store }: EngineContext,
    params: { direction: 'to' | 'from'; url: string; token: string | null; username?: string; password?: string; versions: readonly { name: string; version: number }[] },
  ): Promise<VersionCopyResult[]> => {
    if (params.direction !== 'to' && params.direction !== 'from') throw new InvalidArgumentError('Engine call: direction must be "to" or "from".');
    const url = text(params.url, 'url');
    if (!/^https?:\/\//i.test(url)) throw new InvalidArgumentError(`Engine call: url must be an http(s) address, got ${JSON.stringify(url)}.`);
    if (!Array.isArray(params.versions) || params.versions.length === 0) throw new InvalidArgumentError('Engine call: versions must name at least one version.');
    const versions = params.versions.map((v) => ({ name: text(v.name, 'a version name'), version: count(v.version, 'a version number') }));
    const [{ MlflowRestClient }, { MlflowRegistryClient }, { copyVersionsToLocal, copyVersionsToRemote }] = await Promise.all([
      import('../../remote/mlflowRestClient'),
      import('../../remote/mlflowRegistryClient'),
      import('../../remote/modelVersionCopy'),
    ]);
    const auth = { url, token: params.token ?? null, ...(params.username && params.password ? { username: params.username, password: params.password } : {}) };
    const remote = { tracking: new MlflowRestClient(auth), registry: new MlflowRegistryClient(auth) };
    const local = { tracking: store.tracking, registry: modelRegistryFor(store) };
    return params.direction === 'to' ? copyVersionsToRemote(local, remote, versions, `workspace:${store.dir}`) : copyVersionsToLocal(remote, local, versions, url);
  },
  'registry.setSelfApproval': ({ store }: EngineContext, params: ActorParam & { name: string; allowed: boolean }): Promise<void> => {
    if (typeof params.allowed !== 'boolean') throw new InvalidArgumentError('Engine call: allowed must be true or false.');
    return modelRegistryFor(store).setSelfApproval(text(params.name, 'name'), params.allowed, actorOf(params));
  },
} satisfies EngineMethodTable;
