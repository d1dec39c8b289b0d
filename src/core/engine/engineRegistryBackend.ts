import type { AuditQuery } from '../registry/auditLog';
import type { RegisterVersionOptions } from '../registry/modelRegistry';
import type { RegistryBackend } from '../registry/registryBackend';
import { actorFromEnv, resolveGitActor } from '../registry/registryActor';
import type { ActorOption, AliasHolding, AliasReview, AuditEntry, ModelVersion, RegisteredModel, RegistryChange, ReviewStatus } from '../registry/registryTypes';
import { InvalidArgumentError, NotFoundError, TrackingError } from '../tracking/trackingErrors';
import { EngineCallError } from './engineWire';
import type { EngineClient } from './engineClient';
import type { EngineMethodName, EngineParams, EngineResult } from './engineMethods';
import type { RegistryModelCards, RegistryModelDetail } from './methods/registryMethods';

/**
 * The workspace registry through the engine: RegistryBackend plus what only the workspace keeps
 * (reviews and their policy, the audit log, alias history, model cards). The same whether the
 * engine is this process or the holder of the store behind its server.
 */
export interface WorkspaceRegistry extends RegistryBackend {
  readonly kind: 'local';
  /** every model and every pending review (one round trip: the Models view's top level) */
  overview(): Promise<{ models: RegisteredModel[]; pendingReviews: AliasReview[] }>;
  /** a model with its pending reviews, versions (newest first) and their runs' metrics (one round trip) */
  modelDetail(name: string): Promise<RegistryModelDetail>;
  listReviews(filter?: { name?: string; status?: ReviewStatus }): Promise<AliasReview[]>;
  getReview(reviewId: number): Promise<AliasReview>;
  approveReview(reviewId: number, options?: ActorOption & { comment?: string }): Promise<AliasReview>;
  rejectReview(reviewId: number, options?: ActorOption & { comment?: string }): Promise<AliasReview>;
  cancelReview(reviewId: number, options?: ActorOption & { comment?: string }): Promise<AliasReview>;
  setRequireReview(name: string, requireReview: boolean, options?: ActorOption): Promise<void>;
  setSelfApproval(name: string, allowed: boolean, options?: ActorOption): Promise<void>;
  auditLog(query?: AuditQuery): Promise<AuditEntry[]>;
  aliasHistory(name: string, alias?: string): Promise<AliasHolding[]>;
  /** which version held the alias at `at` (epoch ms); undefined when none did */
  aliasAt(name: string, alias: string, at: number): Promise<AliasHolding | undefined>;
  /** cards of versions of one model, in the order given, with the model and its pending reviews */
  modelCards(name: string, versions: readonly (number | string)[]): Promise<RegistryModelCards>;
}

export interface EngineRegistryOptions {
  /**
   * Where git's user.name is looked up for changes without an explicit actor (the workspace
   * folder); $MLOPS_ACTOR wins over it, as in the workspace registry itself.
   */
  readonly actorDir?: string;
}

/** Errors whose class the registry's callers tell apart (the CLI's exit codes, messages): rebuilt from the engine's reply. */
function domainError(error: unknown): unknown {
  if (!(error instanceof EngineCallError)) return error;
  let rebuilt: TrackingError;
  switch (error.code) {
    case 'NotFoundError':
      rebuilt = new NotFoundError(error.message);
      break;
    case 'InvalidArgumentError':
      rebuilt = new InvalidArgumentError(error.message);
      break;
    case 'TrackingError':
    case 'ReviewRequiredError':
    case 'ParamConflictError':
    case 'ArtifactPathError':
      rebuilt = new TrackingError(error.message, 'INVALID_STATE');
      rebuilt.name = error.code;
      break;
    default:
      return error;
  }
  return rebuilt;
}

/**
 * Changes made through any engine registry of this process. Only those: others' changes (the CLI,
 * another window, the holder itself) reach a window through StoreService.onDidChange, which is what
 * views refresh on; this one only makes this window's own changes show without waiting for that.
 */
const madeHere = new Set<(change: RegistryChange) => void>();

function announce(change: RegistryChange): void {
  for (const listener of madeHere) {
    try {
      listener(change);
    } catch {
      // A broken view must not fail the change that was made.
    }
  }
}

/** The workspace registry answered by `engine`; `location` names it in messages. */
export function engineRegistryBackend(engine: EngineClient, location: string, options: EngineRegistryOptions = {}): WorkspaceRegistry {
  let gitActor: Promise<string> | undefined;
  const actor = async (given: ActorOption | undefined): Promise<string> => {
    if (given?.actor !== undefined) {
      if (given.actor.trim() === '') throw new InvalidArgumentError('The actor of a registry change cannot be empty.');
      return given.actor.trim();
    }
    const fromEnv = actorFromEnv();
    if (fromEnv) return fromEnv;
    gitActor ??= resolveGitActor(options.actorDir ?? process.cwd());
    return gitActor;
  };
  const call = async <M extends EngineMethodName>(method: M, params: EngineParams<M>): Promise<EngineResult<M>> => {
    try {
      return await engine.call(method, params);
    } catch (error) {
      throw domainError(error);
    }
  };
  /** A change: made as the client's user, then announced to this process's listeners. */
  const change = async <M extends EngineMethodName, R extends EngineResult<M>>(
    method: M,
    params: Omit<EngineParams<M>, 'actor'>,
    given: ActorOption | undefined,
    what: (result: R) => RegistryChange,
  ): Promise<R> => {
    const result = (await call(method, { ...params, actor: await actor(given) } as unknown as EngineParams<M>)) as R;
    announce(what(result));
    return result;
  };
  const decide = (decision: 'approve' | 'reject' | 'cancel') => (reviewId: number, given: ActorOption & { comment?: string } = {}): Promise<AliasReview> =>
    change('registry.decideReview', { reviewId, decision, ...(given.comment === undefined ? {} : { comment: given.comment }) }, given, (r: AliasReview) => ({ kind: decision === 'approve' ? 'alias' : 'review', name: r.name, version: r.version }));
  return {
    kind: 'local',
    location,
    listModels: () => call('registry.models', {}),
    overview: () => call('registry.overview', {}),
    modelDetail: (name) => call('registry.modelDetail', { name }),
    findModel: async (name) => (await call('registry.findModel', { name })) ?? undefined,
    getModel: (name) => call('registry.getModel', { name }),
    listVersions: (name) => call('registry.listVersions', { name }),
    getVersion: (name, version) => call('registry.getVersion', { name, version }),
    resolveUri: (uri) => call('registry.resolveUri', { uri }),
    registerVersion: (runId: string, name: string, given: RegisterVersionOptions = {}) =>
      change(
        'registry.registerVersion',
        {
          runId,
          name,
          ...(given.artifactPath === undefined ? {} : { artifactPath: given.artifactPath }),
          ...(given.description === undefined ? {} : { description: given.description }),
          ...(given.tags === undefined ? {} : { tags: given.tags }),
          ...(given.createModel === undefined ? {} : { createModel: given.createModel }),
        },
        given,
        (v: ModelVersion) => ({ kind: 'version', name: v.name, version: v.version }),
      ),
    setAlias: (name, alias, version, given) => change('registry.setAlias', { name, alias, version }, given, (v: ModelVersion) => ({ kind: 'alias', name, version: v.version })),
    deleteAlias: (name, alias, given) => change('registry.deleteAlias', { name, alias }, given, () => ({ kind: 'alias', name })),
    setModelDescription: (name, description, given) => change('registry.setModelDescription', { name, description }, given, () => ({ kind: 'model', name })),
    setVersionDescription: (name, version, description, given) => change('registry.setVersionDescription', { name, version, description }, given, () => ({ kind: 'version', name })),
    setModelTag: (name, key, value, given) => change('registry.setModelTag', { name, key, value }, given, () => ({ kind: 'model', name })),
    setVersionTag: (name, version, key, value, given) => change('registry.setVersionTag', { name, version, key, value }, given, () => ({ kind: 'version', name })),
    transitionStage: (name, version, stage, given) =>
      change('registry.transitionStage', { name, version, stage, archiveExistingVersions: given?.archiveExistingVersions === true }, given, (v: ModelVersion) => ({ kind: 'version', name, version: v.version })),
    renameModel: (name, newName, given) => change('registry.renameModel', { name, newName }, given, (m: RegisteredModel) => ({ kind: 'model', name: m.name })),
    deleteModel: (name, given) => change('registry.deleteModel', { name }, given, () => ({ kind: 'model', name })),
    deleteVersion: (name, version, given) => change('registry.deleteVersion', { name, version }, given, () => ({ kind: 'version', name })),
    pendingReviews: (name) => call('registry.listReviews', { ...(name === undefined ? {} : { name }), status: 'PENDING' }),
    listReviews: (filter = {}) => call('registry.listReviews', filter),
    getReview: (reviewId) => call('registry.getReview', { reviewId }),
    requestReview: (name, alias, version, comment, given) => change('registry.requestReview', { name, alias, version, comment }, given, (r: AliasReview) => ({ kind: 'review', name, version: r.version })),
    approveReview: decide('approve'),
    rejectReview: decide('reject'),
    cancelReview: decide('cancel'),
    setRequireReview: (name, requireReview, given) => change('registry.setRequireReview', { name, requireReview }, given, () => ({ kind: 'model', name })),
    setSelfApproval: (name, allowed, given) => change('registry.setSelfApproval', { name, allowed }, given, () => ({ kind: 'model', name })),
    auditLog: (query = {}) => call('registry.auditLog', query),
    aliasHistory: (name, alias) => call('registry.aliasHistory', { name, ...(alias === undefined ? {} : { alias }) }),
    aliasAt: async (name, alias, at) => (await call('registry.aliasAt', { name, alias, at })) ?? undefined,
    modelCards: (name, versions) => call('registry.modelCards', { name, versions }),
    // See madeHere: this process's own changes only; views refresh on StoreService.onDidChange for the rest.
    onDidChange: (listener) => {
      madeHere.add(listener);
      return { dispose: () => madeHere.delete(listener) };
    },
  };
}
