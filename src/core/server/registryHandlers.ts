import type { ModelRegistry } from '../registry/modelRegistry';
import type { ModelVersion, RegisteredModel } from '../registry/registryTypes';
import { MODEL_STAGES } from '../registry/registryTypes';
import { numberTest, stringTest } from '../tracking/runSearch';
import type { FilterClause, FilterDialect } from '../tracking/searchFilter';
import { parseFilter } from '../tracking/searchFilter';
import { TrackingError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import { invalidParameter, MlflowHttpError } from './mlflowHttpError';
import { runArtifactUri } from './mlflowJson';
import type { RequestParams } from './requestParams';
import { invalidValue, keyValueList, missingParameter, optionalBoolean, optionalInteger, optionalString, requiredString, stringList } from './requestParams';
import type { Handler, HandlerContext, HttpMethod, Route } from './trackingHandlers';

// MLflow's model registry endpoints over the workspace registry (src/core/registry). MLflow's
// JSON: versions are strings ("1"), timestamps numbers, `run_link` always present.

const EMPTY = {};
const SEARCH_MODELS_DEFAULT = 100;
const SEARCH_VERSIONS_DEFAULT = 10_000;
const SEARCH_LIMIT = 200_000;

const MODEL_DIALECT: FilterDialect = { numericAttributes: new Set(), stringAttributes: new Set(['name']), entities: new Set(['tags', 'attributes']), defaultEntity: 'attributes' };
const VERSION_DIALECT: FilterDialect = {
  numericAttributes: new Set(['version_number']),
  stringAttributes: new Set(['name', 'run_id', 'source_path', 'current_stage']),
  entities: new Set(['tags', 'attributes']),
  defaultEntity: 'attributes',
};

/**
 * Who the audit log names for a change made through the REST API: the client says nothing about
 * its user, so the channel, not this workspace's git user (who may not be the one running the script).
 */
export const MLFLOW_CLIENT_ACTOR = 'MLflow client';
const byClient = { actor: MLFLOW_CLIENT_ACTOR } as const;

/** A version registered from a run is attributed to the run's user, through the client. */
async function registeringActor(tracking: TrackingStore, runId: string): Promise<string> {
  try {
    const user = (await tracking.getRun(runId)).info.userId;
    return user ? `${user} (${MLFLOW_CLIENT_ACTOR})` : MLFLOW_CLIENT_ACTOR;
  } catch {
    return MLFLOW_CLIENT_ACTOR;
  }
}

function registryOf(context: HandlerContext): ModelRegistry {
  if (!context.registry) {
    throw new MlflowHttpError(501, 'NOT_IMPLEMENTED', 'This server was started on a tracking store without a model registry; the registry endpoints need the workspace store.');
  }
  return context.registry;
}

/**
 * Versions live in the registry as `runs:/<run>/<path>`; MLflow clients expect the run's artifact
 * URI, which our artifact proxy serves (`mlflow-artifacts:/<exp>/<run>/artifacts/<path>`).
 */
async function artifactSource(tracking: TrackingStore, version: ModelVersion): Promise<string> {
  const match = /^runs:\/([^/]+)\/?(.*)$/.exec(version.source);
  if (!match) return version.source;
  try {
    const run = await tracking.getRun(match[1] as string);
    const path = match[2] ?? '';
    return `${runArtifactUri(run.info.experimentId, run.info.runId)}${path === '' ? '' : `/${path}`}`;
  } catch {
    return version.source;
  }
}

async function versionJson(tracking: TrackingStore, v: ModelVersion): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    name: v.name,
    version: String(v.version),
    creation_timestamp: v.creationTime,
    last_updated_timestamp: v.lastUpdatedTime,
    current_stage: v.currentStage,
    description: v.description,
    source: await artifactSource(tracking, v),
    run_id: v.runId,
    status: v.status,
  };
  if (v.tags.length > 0) out.tags = v.tags.map((t) => ({ key: t.key, value: t.value }));
  out.run_link = '';
  if (v.aliases.length > 0) out.aliases = [...v.aliases];
  return out;
}

/** MLflow's latest_versions: the newest version in each stage. */
function latestPerStage(versions: readonly ModelVersion[], stages?: readonly string[]): ModelVersion[] {
  const wanted = stages && stages.length > 0 ? new Set(stages.map((s) => s.toLowerCase())) : undefined;
  const byStage = new Map<string, ModelVersion>();
  for (const v of versions) {
    if (wanted && !wanted.has(v.currentStage.toLowerCase())) continue;
    const current = byStage.get(v.currentStage);
    if (!current || v.version > current.version) byStage.set(v.currentStage, v);
  }
  return [...byStage.values()].sort((a, b) => a.version - b.version);
}

async function modelJson(context: HandlerContext, model: RegisteredModel, withVersions: boolean): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {
    name: model.name,
    creation_timestamp: model.creationTime,
    last_updated_timestamp: model.lastUpdatedTime,
    description: model.description,
  };
  if (withVersions && model.versionCount > 0) {
    const latest = latestPerStage(registryOf(context).listVersions(model.name));
    out.latest_versions = await Promise.all(latest.map((v) => versionJson(context.store, v)));
  }
  if (model.tags.length > 0) out.tags = model.tags.map((t) => ({ key: t.key, value: t.value }));
  const aliases = Object.entries(model.aliases);
  if (aliases.length > 0) out.aliases = aliases.map(([alias, version]) => ({ alias, version: String(version) }));
  return out;
}

function requiredVersion(params: RequestParams): string {
  const value = params.version;
  if (value === undefined || value === null || value === '') throw missingParameter('version');
  if (typeof value !== 'string' && typeof value !== 'number') throw invalidValue('version', value, 'a version number such as "1"');
  return String(value);
}

/** Filters of registry searches: `name = 'x'`, `name LIKE 'x%'`, `tags.k = 'v'`, `run_id = '…'`, AND-ed. */
function compile<T>(clauses: readonly FilterClause[], attribute: (item: T, key: string) => string | number | undefined, tag: (item: T, key: string) => string | undefined): (item: T) => boolean {
  const tests = clauses.map((clause): ((item: T) => boolean) => {
    if (clause.entity === 'tags') {
      const test = stringTest(clause);
      return (item) => {
        const v = tag(item, clause.key);
        return v !== undefined && test(v);
      };
    }
    if (typeof clause.value === 'number') {
      const test = numberTest(clause);
      return (item) => test(Number(attribute(item, clause.key)));
    }
    const test = stringTest(clause);
    return (item) => {
      const v = attribute(item, clause.key);
      return v !== undefined && test(String(v));
    };
  });
  return (item) => tests.every((t) => t(item));
}

function page<T>(items: readonly T[], params: RequestParams, defaultMax: number): { items: T[]; next?: string } {
  const max = optionalInteger(params, 'max_results') ?? defaultMax;
  if (max < 1 || max > SEARCH_LIMIT) throw invalidValue('max_results', max, `an integer from 1 to ${SEARCH_LIMIT}`);
  const token = optionalString(params, 'page_token');
  let offset = 0;
  if (token) {
    try {
      const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
      if (typeof parsed.offset !== 'number' || !Number.isSafeInteger(parsed.offset) || parsed.offset < 0) throw new Error('no offset');
      offset = parsed.offset;
    } catch {
      throw invalidParameter(`Invalid page token ${JSON.stringify(token.slice(0, 40))}: it was not returned by this server.`);
    }
  }
  const end = offset + max;
  const slice = items.slice(offset, end);
  return end < items.length ? { items: slice, next: Buffer.from(JSON.stringify({ offset: end }), 'utf8').toString('base64') } : { items: slice };
}

// ---- registered models ---------------------------------------------------------------------

/** MLflow's message for a name taken; ours names who created the model, not for a REST client to read. */
async function withNameTaken<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof TrackingError && error.code === 'RESOURCE_ALREADY_EXISTS') throw new MlflowHttpError(400, 'RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
    throw error;
  }
}

async function createModel(context: HandlerContext): Promise<object> {
  const { params } = context;
  const description = optionalString(params, 'description');
  const name = requiredString(params, 'name');
  const model = await withNameTaken(
    name,
    registryOf(context).createModel(name, {
      ...byClient,
      tags: keyValueList(params, 'tags'),
      ...(description === undefined ? {} : { description }),
    }),
  );
  return { registered_model: await modelJson(context, model, false) };
}

async function getModel(context: HandlerContext): Promise<object> {
  return { registered_model: await modelJson(context, registryOf(context).getModel(requiredString(context.params, 'name')), true) };
}

async function renameModel(context: HandlerContext): Promise<object> {
  const name = requiredString(context.params, 'name');
  const newName = requiredString(context.params, 'new_name');
  // Versions, aliases, history and lineage follow the model; the audit log records the rename.
  const renamed = await withNameTaken(newName, registryOf(context).renameModel(name, newName, byClient));
  return { registered_model: await modelJson(context, renamed, true) };
}

async function updateModel(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const name = requiredString(context.params, 'name');
  const description = optionalString(context.params, 'description');
  if (description !== undefined) await registry.setModelDescription(name, description, byClient);
  return { registered_model: await modelJson(context, registry.getModel(name), true) };
}

async function deleteModel(context: HandlerContext): Promise<object> {
  await registryOf(context).deleteModel(requiredString(context.params, 'name'), byClient);
  return EMPTY;
}

async function searchModels(context: HandlerContext): Promise<object> {
  const clauses = parseFilter(optionalString(context.params, 'filter'), MODEL_DIALECT);
  const test = compile<RegisteredModel>(clauses, (m, key) => (key === 'name' ? m.name : undefined), (m, key) => m.tags.find((t) => t.key === key)?.value);
  const models = registryOf(context).listModels().filter(test).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const { items, next } = page(models, context.params, SEARCH_MODELS_DEFAULT);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.registered_models = await Promise.all(items.map((m) => modelJson(context, m, true)));
  if (next) out.next_page_token = next;
  return out;
}

async function setModelTag(context: HandlerContext): Promise<object> {
  const { params } = context;
  await registryOf(context).setModelTag(requiredString(params, 'name'), requiredString(params, 'key'), optionalString(params, 'value') ?? '', byClient);
  return EMPTY;
}

// MLflow deletes a tag that is not there without a word (the model or version must exist).
async function deleteModelTag(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const name = requiredString(context.params, 'name');
  const key = requiredString(context.params, 'key');
  if (registry.getModel(name).tags.some((t) => t.key === key)) await registry.deleteModelTag(name, key, byClient);
  return EMPTY;
}

async function alias(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const { params } = context;
  const name = requiredString(params, 'name');
  const aliasName = requiredString(params, 'alias');
  if (context.method === 'POST') {
    await registry.setAlias(name, aliasName, requiredVersion(params), byClient);
    return EMPTY;
  }
  // As in MLflow: deleting an alias the model does not have is fine; asking for one is an
  // INVALID_PARAMETER_VALUE (the client's get_model_version_by_alias depends on that code).
  if (context.method === 'DELETE') {
    if (registry.getModel(name).aliases[aliasName] !== undefined) await registry.deleteAlias(name, aliasName, byClient);
    return EMPTY;
  }
  if (registry.findModel(name)?.aliases[aliasName] === undefined) throw invalidParameter(`Registered model alias ${aliasName} not found.`);
  return { model_version: await versionJson(context.store, registry.resolveUri(`models:/${name}@${aliasName}`)) };
}

async function latestVersions(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const versions = latestPerStage(registry.listVersions(requiredString(context.params, 'name')), stringList(context.params, 'stages'));
  return versions.length === 0 ? EMPTY : { model_versions: await Promise.all(versions.map((v) => versionJson(context.store, v))) };
}

// ---- model versions ------------------------------------------------------------------------

/** The run and artifact folder a source names on this server (`runs:/` or our `mlflow-artifacts:/` URI), if it names one. */
function runFolderOf(source: string): { runId: string; artifactPath: string } | undefined {
  const runs = /^runs:\/([^/]+)\/?(.*)$/.exec(source);
  if (runs) return { runId: runs[1] as string, artifactPath: runs[2] ?? '' };
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/[^/]+\/([^/]+)\/artifacts\/?(.*)$/.exec(source);
  if (proxied) return { runId: proxied[1] as string, artifactPath: proxied[2] ?? '' };
  return undefined;
}

/** MLflow's is_local_uri: no scheme (a path) or file:, a Windows drive letter too. */
function isLocalUri(source: string): boolean {
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(source)?.[1];
  return scheme === undefined || scheme.toLowerCase() === 'file' || scheme.length === 1;
}

/**
 * MLflow's checks of a version's source (server/handlers.py _validate_source): a local path is
 * refused (our runs' artifacts are never local to a client), and so is a path with `..` in it.
 */
function checkSource(source: string): void {
  if (isLocalUri(source)) {
    throw invalidParameter(`Invalid model version source: '${source}'. To use a local path as a model version source, the run_id request parameter has to be specified and the local path has to be contained within the artifact directory of the run specified by the run_id.`);
  }
  let decoded = source;
  for (let next = safeDecode(decoded); next !== decoded; next = safeDecode(decoded)) decoded = next;
  if (decoded.includes('\0') || decoded.split('/').some((part) => part === '..')) {
    throw invalidParameter(`Invalid model version source: '${source}'. If supplying a source as an http, https, local file path, ftp, objectstore, or mlflow-artifacts uri, an absolute path must be provided without relative path references present. Please provide an absolute path.`);
  }
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/**
 * MLflow registers any source. A run folder of this server holding a model package becomes a
 * version with its frozen copy and card; anything else (an `s3://` URI, a folder without MLmodel,
 * a run of another server) is kept as an external version with only what is known.
 */
async function createVersion(context: HandlerContext): Promise<object> {
  const { params } = context;
  const registry = registryOf(context);
  const name = requiredString(params, 'name');
  const source = requiredString(params, 'source');
  const runId = optionalString(params, 'run_id') ?? '';
  const description = optionalString(params, 'description');
  const tags = keyValueList(params, 'tags');
  checkSource(source);
  registry.getModel(name);
  const folder = runFolderOf(source);
  const fromRun = folder !== undefined && (runId === '' || runId === folder.runId) ? folder : undefined;
  const actor = await registeringActor(context.store, fromRun?.runId ?? runId);
  const version =
    fromRun && registry.hasModelPackage(fromRun.runId, fromRun.artifactPath)
      ? await registry.registerVersion(fromRun.runId, name, { actor, artifactPath: fromRun.artifactPath, tags, createModel: false, ...(description === undefined ? {} : { description }) })
      : await registry.registerExternalVersion(name, source, { actor, runId, tags, ...(description === undefined ? {} : { description }) });
  return { model_version: await versionJson(context.store, version) };
}

async function getVersion(context: HandlerContext): Promise<object> {
  const version = registryOf(context).getVersion(requiredString(context.params, 'name'), requiredVersion(context.params));
  return { model_version: await versionJson(context.store, version) };
}

async function updateVersion(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const name = requiredString(context.params, 'name');
  const version = requiredVersion(context.params);
  const description = optionalString(context.params, 'description');
  if (description !== undefined) await registry.setVersionDescription(name, version, description, byClient);
  return { model_version: await versionJson(context.store, registry.getVersion(name, version)) };
}

async function deleteVersion(context: HandlerContext): Promise<object> {
  await registryOf(context).deleteVersion(requiredString(context.params, 'name'), requiredVersion(context.params), byClient);
  return EMPTY;
}

async function searchVersions(context: HandlerContext): Promise<object> {
  const registry = registryOf(context);
  const clauses = parseFilter(optionalString(context.params, 'filter'), VERSION_DIALECT);
  const byName = clauses.find((c) => c.entity === 'attributes' && c.key === 'name' && c.comparator === '=');
  const models = byName ? [registry.findModel(String(byName.value))].filter((m): m is RegisteredModel => m !== undefined) : registry.listModels();
  const all = models.flatMap((m) => registry.listVersions(m.name));
  const sources = new Map<ModelVersion, string>();
  for (const v of all) sources.set(v, await artifactSource(context.store, v));
  const attribute = (v: ModelVersion, key: string): string | number | undefined =>
    key === 'name' ? v.name : key === 'run_id' ? v.runId : key === 'source_path' ? sources.get(v) : key === 'current_stage' ? v.currentStage : key === 'version_number' ? v.version : undefined;
  const test = compile<ModelVersion>(clauses, attribute, (v, key) => v.tags.find((t) => t.key === key)?.value);
  // MLflow's default order: last updated first, then name, then newest version.
  const matched = all.filter(test).sort((a, b) => b.lastUpdatedTime - a.lastUpdatedTime || (a.name < b.name ? -1 : a.name > b.name ? 1 : b.version - a.version));
  const { items, next } = page(matched, context.params, SEARCH_VERSIONS_DEFAULT);
  const out: Record<string, unknown> = {};
  if (items.length > 0) out.model_versions = await Promise.all(items.map((v) => versionJson(context.store, v)));
  if (next) out.next_page_token = next;
  return out;
}

async function setVersionTag(context: HandlerContext): Promise<object> {
  const { params } = context;
  await registryOf(context).setVersionTag(requiredString(params, 'name'), requiredVersion(params), requiredString(params, 'key'), optionalString(params, 'value') ?? '', byClient);
  return EMPTY;
}

async function deleteVersionTag(context: HandlerContext): Promise<object> {
  const { params } = context;
  const registry = registryOf(context);
  const name = requiredString(params, 'name');
  const version = requiredVersion(params);
  const key = requiredString(params, 'key');
  if (registry.getVersion(name, version).tags.some((t) => t.key === key)) await registry.deleteVersionTag(name, version, key, byClient);
  return EMPTY;
}

async function transitionStage(context: HandlerContext): Promise<object> {
  const { params } = context;
  const stage = requiredString(params, 'stage');
  if (!MODEL_STAGES.some((s) => s.toLowerCase() === stage.toLowerCase())) throw invalidValue('stage', stage, `one of ${MODEL_STAGES.join(', ')}`);
  const version = await registryOf(context).transitionStage(requiredString(params, 'name'), requiredVersion(params), stage, {
    ...byClient,
    archiveExistingVersions: optionalBoolean(params, 'archive_existing_versions') ?? false,
  });
  return { model_version: await versionJson(context.store, version) };
}

async function downloadUri(context: HandlerContext): Promise<object> {
  const version = registryOf(context).getVersion(requiredString(context.params, 'name'), requiredVersion(context.params));
  return { artifact_uri: await artifactSource(context.store, version) };
}

function route(methods: readonly HttpMethod[], handler: Handler): Route {
  return { methods, handler };
}

/** MLflow's registry endpoints, by path below `/api/2.0/mlflow/`. */
export const REGISTRY_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['registered-models/create', route(['POST'], createModel)],
  ['registered-models/get', route(['GET'], getModel)],
  ['registered-models/rename', route(['POST'], renameModel)],
  ['registered-models/update', route(['PATCH'], updateModel)],
  ['registered-models/delete', route(['DELETE'], deleteModel)],
  ['registered-models/search', route(['GET'], searchModels)],
  ['registered-models/set-tag', route(['POST'], setModelTag)],
  ['registered-models/delete-tag', route(['DELETE'], deleteModelTag)],
  ['registered-models/alias', route(['POST', 'DELETE', 'GET'], alias)],
  ['registered-models/get-latest-versions', route(['POST', 'GET'], latestVersions)],
  ['model-versions/create', route(['POST'], createVersion)],
  ['model-versions/get', route(['GET'], getVersion)],
  ['model-versions/update', route(['PATCH'], updateVersion)],
  ['model-versions/delete', route(['DELETE'], deleteVersion)],
  ['model-versions/search', route(['GET'], searchVersions)],
  ['model-versions/set-tag', route(['POST'], setVersionTag)],
  ['model-versions/delete-tag', route(['DELETE'], deleteVersionTag)],
  ['model-versions/transition-stage', route(['POST'], transitionStage)],
  ['model-versions/get-download-uri', route(['GET'], downloadUri)],
]);
