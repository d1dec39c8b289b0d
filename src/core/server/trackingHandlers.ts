import type { ModelRegistry } from '../registry/modelRegistry';
import { MAX_TAG_VALUE_LENGTH } from '../tracking/trackingValidation';
import { NotFoundError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import type { DatasetInput, MetricInput, RunStatus, ViewType } from '../tracking/trackingTypes';
import { RUN_STATUSES } from '../tracking/trackingTypes';
import { invalidParameter, notFound } from './mlflowHttpError';
import { experimentJson, metricHistoryJson, runInfoJson, runJson } from './mlflowJson';
import type { RequestParams } from './requestParams';
import { datasetFromMlflow } from '../remote/mlflowDatasetLimits';
import {
  invalidValue,
  keyValueList,
  missingParameter,
  objectList,
  optionalEnum,
  optionalInteger,
  optionalString,
  parseDouble,
  requiredRunId,
  requiredString,
  stringList,
} from './requestParams';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A response body that is already JSON text (large metric histories are written by hand). */
export interface RawJson {
  readonly rawJson: string | Buffer;
}

export interface HandlerContext {
  readonly method: HttpMethod;
  readonly params: RequestParams;
  readonly store: TrackingStore;
  /** the workspace's model registry; undefined when the server runs on a bare TrackingStore */
  readonly registry: ModelRegistry | undefined;
}

export type Handler = (context: HandlerContext) => Promise<object | RawJson>;

export interface Route {
  readonly methods: readonly HttpMethod[];
  readonly handler: Handler;
}

// MLflow's batch limits (mlflow/utils/validation.py), so what we accept a real server accepts too.
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_TAGS_PER_BATCH = 100;
export const MAX_ENTITIES_PER_BATCH = 1000;
const MAX_RUN_IDS_PER_BULK_HISTORY = 100;
const MAX_RESULTS_PER_RUN_BULK_HISTORY = 2500;
const LOGGED_MODELS_TAG = 'mlflow.log-model.history';

const VIEW_TYPES: readonly ViewType[] = ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'];
const VIEW_TYPE_NUMBERS: ReadonlyMap<number, ViewType> = new Map([[1, 'ACTIVE_ONLY'], [2, 'DELETED_ONLY'], [3, 'ALL']]);
const STATUS_NUMBERS: ReadonlyMap<number, RunStatus> = new Map([[1, 'RUNNING'], [2, 'SCHEDULED'], [3, 'FINISHED'], [4, 'FAILED'], [5, 'KILLED']]);

const EMPTY = {};

function checkBatchLimit(entity: string, limit: number, length: number): void {
  if (length > limit) {
    throw invalidParameter(`A batch logging request can contain at most ${limit} ${entity}. Got ${length} ${entity}. Please split up ${entity} across multiple requests and try again.`);
  }
}

/** A metric of log-metric or log-batch: key, value and timestamp are required, step defaults to 0. */
function metricInput(params: RequestParams, where: string): MetricInput {
  const key = params.key;
  if (typeof key !== 'string' || key === '') throw missingParameter(`${where}key`);
  if (params.value === undefined || params.value === null) throw missingParameter(`${where}value`);
  const value = parseDouble(`${where}value`, params.value);
  const timestamp = optionalInteger(params, 'timestamp');
  if (timestamp === undefined) throw missingParameter(`${where}timestamp`);
  const step = optionalInteger(params, 'step') ?? 0;
  return { key, value, timestamp, step };
}

/** MLflow's page token for offsets: base64 of {"offset": N}. */
function encodeOffsetToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

function decodeOffsetToken(token: string): number {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown };
    if (typeof parsed.offset === 'number' && Number.isSafeInteger(parsed.offset) && parsed.offset >= 0) return parsed.offset;
  } catch {
    // reported below
  }
  throw invalidParameter(`Invalid page token ${JSON.stringify(token.slice(0, 40))}: it was not returned by this server.`);
}

function positiveMaxResults(params: RequestParams, name: string): number | undefined {
  const n = optionalInteger(params, name);
  if (n !== undefined && n < 1) throw invalidValue(name, n, 'a positive integer');
  return n;
}

/** MLflow's check before any write to a run (sqlalchemy_store._check_run_is_active). */
async function requireActiveRun(store: TrackingStore, runId: string): Promise<void> {
  const run = await store.getRun(runId);
  if (run.info.lifecycleStage !== 'active') throw invalidParameter(`The run ${runId} must be in the 'active' state. Current state is ${run.info.lifecycleStage}.`);
}

// ---- experiments ---------------------------------------------------------------------------

async function createExperiment({ params, store }: HandlerContext): Promise<object> {
  const name = requiredString(params, 'name');
  // artifact_location is ignored on purpose: artifacts always live in the workspace store.
  const experimentId = await store.createExperiment(name, { tags: keyValueList(params, 'tags') });
  return { experiment_id: experimentId };
}

async function getExperiment({ params, store }: HandlerContext): Promise<object> {
  return { experiment: experimentJson(await store.getExperiment(requiredString(params, 'experiment_id'))) };
}

async function getExperimentByName({ params, store }: HandlerContext): Promise<object> {
  const name = requiredString(params, 'experiment_name');
  const experiment = await store.getExperimentByName(name);
  if (!experiment) throw notFound(`Could not find experiment with name '${name}'`);
  return { experiment: experimentJson(experiment) };
}

async function searchExperiments({ params, store }: HandlerContext): Promise<object> {
  const filter = optionalString(params, 'filter');
  const pageToken = optionalString(params, 'page_token');
  const maxResults = positiveMaxResults(params, 'max_results');
  const viewType = optionalEnum(params, 'view_type', VIEW_TYPES, VIEW_TYPE_NUMBERS);
  const orderBy = stringList(params, 'order_by');
  const result = await store.searchExperiments({
    ...(filter ? { filter } : {}),
    ...(pageToken ? { pageToken } : {}),
    ...(maxResults === undefined ? {} : { maxResults }),
    ...(viewType ? { viewType } : {}),
    ...(orderBy.length > 0 ? { orderBy } : {}),
  });
  const out: Record<string, unknown> = {};
  if (result.experiments.length > 0) out.experiments = result.experiments.map(experimentJson);
  if (result.nextPageToken) out.next_page_token = result.nextPageToken;
  return out;
}

async function updateExperiment({ params, store }: HandlerContext): Promise<object> {
  const experimentId = requiredString(params, 'experiment_id');
  const newName = optionalString(params, 'new_name');
  if (newName) await store.renameExperiment(experimentId, newName);
  else await store.getExperiment(experimentId);
  return EMPTY;
}

/** MLflow looks the experiment up among the active (delete) or deleted (restore) ones only. */
async function experimentInStage(store: TrackingStore, experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
  const experiment = await store.getExperiment(experimentId).catch(() => undefined);
  if (experiment?.lifecycleStage !== stage) throw notFound(`No Experiment with id=${experimentId} exists`);
}

async function deleteExperiment({ params, store }: HandlerContext): Promise<object> {
  const experimentId = requiredString(params, 'experiment_id');
  await experimentInStage(store, experimentId, 'active');
  await store.deleteExperiment(experimentId);
  return EMPTY;
}

async function restoreExperiment({ params, store }: HandlerContext): Promise<object> {
  const experimentId = requiredString(params, 'experiment_id');
  await experimentInStage(store, experimentId, 'deleted');
  await store.restoreExperiment(experimentId);
  return EMPTY;
}

async function setExperimentTag({ params, store }: HandlerContext): Promise<object> {
  const experimentId = requiredString(params, 'experiment_id');
  const key = requiredString(params, 'key');
  await store.setExperimentTag(experimentId, key, optionalString(params, 'value') ?? '');
  return EMPTY;
}

// ---- runs ----------------------------------------------------------------------------------

async function createRun({ params, store }: HandlerContext): Promise<object> {
  const experimentId = optionalString(params, 'experiment_id') || '0';
  const runName = optionalString(params, 'run_name');
  const userId = optionalString(params, 'user_id');
  const startTime = optionalInteger(params, 'start_time');
  const run = await store.createRun({
    experimentId,
    tags: keyValueList(params, 'tags'),
    ...(runName ? { runName } : {}),
    ...(userId ? { userId } : {}),
    ...(startTime === undefined ? {} : { startTime }),
    // A REST client's process is not ours to watch; the run stays RUNNING until it is ended.
    ownerPid: null,
  });
  return { run: runJson(run) };
}

async function getRun({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  try {
    return { run: runJson(await store.getRun(runId)) };
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(`Run with id=${runId} not found`);
    throw error;
  }
}

async function updateRun({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const status = optionalEnum(params, 'status', RUN_STATUSES, STATUS_NUMBERS);
  const endTime = optionalInteger(params, 'end_time');
  const runName = optionalString(params, 'run_name');
  await requireActiveRun(store, runId);
  const info = await store.updateRun(runId, {
    ...(status ? { status } : {}),
    ...(endTime === undefined ? {} : { endTime }),
    ...(runName ? { runName } : {}),
  });
  return { run_info: runInfoJson(info) };
}

async function deleteRun({ params, store }: HandlerContext): Promise<object> {
  await store.deleteRun(requiredRunId(params));
  return EMPTY;
}

async function restoreRun({ params, store }: HandlerContext): Promise<object> {
  await store.restoreRun(requiredRunId(params));
  return EMPTY;
}

async function searchRuns({ params, store }: HandlerContext): Promise<object> {
  const experimentIds = stringList(params, 'experiment_ids');
  const filter = optionalString(params, 'filter');
  const pageToken = optionalString(params, 'page_token');
  const maxResults = positiveMaxResults(params, 'max_results');
  const viewType = optionalEnum(params, 'run_view_type', VIEW_TYPES, VIEW_TYPE_NUMBERS);
  const orderBy = stringList(params, 'order_by');
  // The engine reads "no experiments" as "all of them"; MLflow finds nothing.
  if (experimentIds.length === 0) return EMPTY;
  const result = await store.searchRuns({
    experimentIds,
    ...(filter ? { filter } : {}),
    ...(pageToken ? { pageToken } : {}),
    ...(maxResults === undefined ? {} : { maxResults }),
    ...(viewType ? { viewType } : {}),
    ...(orderBy.length > 0 ? { orderBy } : {}),
  });
  const out: Record<string, unknown> = {};
  if (result.runs.length > 0) out.runs = result.runs.map(runJson);
  if (result.nextPageToken) out.next_page_token = result.nextPageToken;
  return out;
}

async function logMetric({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  await store.logMetric(runId, metricInput(params, ''));
  return EMPTY;
}

async function logParameter({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const key = requiredString(params, 'key');
  await store.logParam(runId, key, optionalString(params, 'value') ?? '');
  return EMPTY;
}

async function setTag({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const key = requiredString(params, 'key');
  const value = optionalString(params, 'value') ?? '';
  await store.setTag(runId, key, value);
  // MLflow renames the run when this tag is set (the UI edits names this way).
  if (key === 'mlflow.runName' && value !== '') await store.updateRun(runId, { runName: value });
  return EMPTY;
}

async function deleteTag({ params, store }: HandlerContext): Promise<object> {
  await store.deleteTag(requiredRunId(params), requiredString(params, 'key'));
  return EMPTY;
}

async function logBatch({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const rawMetrics = objectList(params, 'metrics');
  const rawParams = objectList(params, 'params');
  const rawTags = objectList(params, 'tags');
  checkBatchLimit('metrics', MAX_METRICS_PER_BATCH, rawMetrics.length);
  checkBatchLimit('params', MAX_PARAMS_TAGS_PER_BATCH, rawParams.length);
  checkBatchLimit('tags', MAX_PARAMS_TAGS_PER_BATCH, rawTags.length);
  checkBatchLimit('metrics, params, and tags', MAX_ENTITIES_PER_BATCH, rawMetrics.length + rawParams.length + rawTags.length);
  // Everything is checked before the engine writes anything: the batch is all or nothing.
  const metrics = rawMetrics.map((m, i) => metricInput(m, `metrics[${i}].`));
  const batchParams = keyValueList(params, 'params');
  const tags = keyValueList(params, 'tags');
  if (metrics.length + batchParams.length + tags.length === 0) {
    await requireActiveRun(store, runId); // still an error for an unknown or deleted run, as in MLflow
    return EMPTY;
  }
  await store.logBatch({ runId, metrics, params: batchParams, tags });
  return EMPTY;
}

function datasetInput(item: RequestParams, i: number): DatasetInput {
  const dataset = item.dataset;
  if (typeof dataset !== 'object' || dataset === null || Array.isArray(dataset)) throw missingParameter(`datasets[${i}].dataset`);
  const d = dataset as RequestParams;
  const field = (name: string): string => {
    const value = d[name];
    if (typeof value !== 'string' || value === '') throw missingParameter(`datasets[${i}].dataset.${name}`);
    return value;
  };
  const context = keyValueList(item, 'tags').find((t) => t.key === 'mlflow.data.context')?.value;
  const schema = optionalString(d, 'schema');
  const profile = optionalString(d, 'profile');
  return {
    name: field('name'),
    digest: field('digest'),
    sourceType: field('source_type'),
    source: field('source'),
    ...(schema === undefined ? {} : { schema }),
    ...(profile === undefined ? {} : { profile }),
    ...(context === undefined ? {} : { context }),
  };
}

async function logInputs({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  // A client that fitted a dataset to MLflow's limits (ours does, for any server) sent the whole
  // values along: this store has no such limits, so it keeps them whole, as if logged locally.
  const datasets = objectList(params, 'datasets').map(datasetInput).map(datasetFromMlflow);
  if (datasets.length === 0) await requireActiveRun(store, runId);
  else await store.logInputs(runId, datasets);
  return EMPTY;
}

/**
 * MLflow keeps the MLmodel of every logged model in the run tag `mlflow.log-model.history`; the
 * UI and `mlflow.models` read it. Oldest entries go first when the tag would exceed its limit.
 */
async function logModel({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const modelJson = requiredString(params, 'model_json');
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch (error) {
    throw invalidValue('model_json', modelJson, `a JSON object (${(error as Error).message})`);
  }
  if (typeof model !== 'object' || model === null || Array.isArray(model)) throw invalidValue('model_json', modelJson, 'a JSON object');
  const run = await store.getRun(runId);
  let history: unknown[] = [];
  const current = run.data.tags.find((t) => t.key === LOGGED_MODELS_TAG)?.value;
  if (current !== undefined) {
    try {
      const parsed = JSON.parse(current) as unknown;
      if (Array.isArray(parsed)) history = parsed;
    } catch {
      history = [];
    }
  }
  history.push(model);
  let value = JSON.stringify(history);
  while (value.length > MAX_TAG_VALUE_LENGTH && history.length > 1) {
    history.shift();
    value = JSON.stringify(history);
  }
  if (value.length <= MAX_TAG_VALUE_LENGTH) await store.setTag(runId, LOGGED_MODELS_TAG, value);
  return EMPTY;
}

// ---- metric history ------------------------------------------------------------------------

async function getMetricHistory({ params, store }: HandlerContext): Promise<RawJson> {
  const runId = requiredRunId(params);
  const key = requiredString(params, 'metric_key');
  const maxResults = positiveMaxResults(params, 'max_results');
  const pageToken = optionalString(params, 'page_token');
  const offset = pageToken ? decodeOffsetToken(pageToken) : 0;
  let columns;
  try {
    columns = await store.getMetricColumns(runId, key);
  } catch (error) {
    // MLflow answers 200 {} for an unknown run as for an unknown key (observed with curl).
    if (error instanceof NotFoundError) return { rawJson: '{}' };
    throw error;
  }
  const total = columns.steps.length;
  const end = maxResults === undefined ? total : Math.min(total, offset + maxResults);
  const next = end < total ? encodeOffsetToken(end) : undefined;
  return { rawJson: metricHistoryJson(key, columns.steps, columns.values, columns.timestamps, Math.min(offset, total), end, next) };
}

async function getMetricHistoryBulkInterval({ params, store }: HandlerContext): Promise<RawJson> {
  const runIds = stringList(params, 'run_ids');
  if (runIds.length === 0) throw missingParameter('run_ids');
  if (runIds.length > MAX_RUN_IDS_PER_BULK_HISTORY) throw invalidValue('run_ids', `${runIds.length} run ids`, `at most ${MAX_RUN_IDS_PER_BULK_HISTORY} run ids`);
  const key = requiredString(params, 'metric_key');
  const startStep = optionalInteger(params, 'start_step');
  const endStep = optionalInteger(params, 'end_step');
  if ((startStep === undefined) !== (endStep === undefined)) throw invalidParameter('If either start step or end step are specified, both must be specified.');
  const maxResults = positiveMaxResults(params, 'max_results') ?? MAX_RESULTS_PER_RUN_BULK_HISTORY;
  if (maxResults > MAX_RESULTS_PER_RUN_BULK_HISTORY) throw invalidValue('max_results', maxResults, `at most ${MAX_RESULTS_PER_RUN_BULK_HISTORY}`);
  const parts: Buffer[] = [];
  for (const runId of runIds) {
    const columns = await store.getMetricColumns(runId, key, {
      maxPoints: maxResults,
      ...(startStep === undefined ? {} : { minStep: startStep }),
      ...(endStep === undefined ? {} : { maxStep: endStep }),
    });
    if (columns.steps.length === 0) continue;
    const json = metricHistoryJson(key, columns.steps, columns.values, columns.timestamps, 0, columns.steps.length, undefined, runId);
    parts.push(json.subarray('{"metrics":['.length, json.length - 2));
  }
  if (parts.length === 0) return { rawJson: '{}' };
  const joined: Buffer[] = [Buffer.from('{"metrics":[')];
  parts.forEach((part, i) => joined.push(...(i === 0 ? [part] : [Buffer.from(','), part])));
  joined.push(Buffer.from(']}'));
  return { rawJson: Buffer.concat(joined) };
}

// ---- artifacts (non-proxied listing) -------------------------------------------------------

async function listRunArtifacts({ params, store }: HandlerContext): Promise<object> {
  const runId = requiredRunId(params);
  const path = optionalString(params, 'path') ?? '';
  const run = await store.getRun(runId);
  const out: Record<string, unknown> = { root_uri: runInfoJson(run.info).artifact_uri };
  let entries;
  try {
    entries = await store.listArtifacts(runId, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return out;
    throw error;
  }
  if (entries.length > 0) out.files = entries.map((e) => (e.isDir ? { path: e.path, is_dir: true } : { path: e.path, is_dir: false, file_size: e.fileSize ?? 0 }));
  return out;
}

const POST: readonly HttpMethod[] = ['POST'];
const GET: readonly HttpMethod[] = ['GET'];

/** MLflow's tracking endpoints, by path below `/api/2.0/mlflow/` (and `/ajax-api/2.0/mlflow/`). */
export const TRACKING_ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['experiments/create', { methods: POST, handler: createExperiment }],
  ['experiments/get', { methods: GET, handler: getExperiment }],
  ['experiments/get-by-name', { methods: GET, handler: getExperimentByName }],
  ['experiments/search', { methods: ['POST', 'GET'], handler: searchExperiments }],
  ['experiments/update', { methods: POST, handler: updateExperiment }],
  ['experiments/delete', { methods: POST, handler: deleteExperiment }],
  ['experiments/restore', { methods: POST, handler: restoreExperiment }],
  ['experiments/set-experiment-tag', { methods: POST, handler: setExperimentTag }],
  ['runs/create', { methods: POST, handler: createRun }],
  ['runs/get', { methods: GET, handler: getRun }],
  ['runs/update', { methods: POST, handler: updateRun }],
  ['runs/delete', { methods: POST, handler: deleteRun }],
  ['runs/restore', { methods: POST, handler: restoreRun }],
  ['runs/search', { methods: POST, handler: searchRuns }],
  ['runs/log-metric', { methods: POST, handler: logMetric }],
  ['runs/log-parameter', { methods: POST, handler: logParameter }],
  ['runs/set-tag', { methods: POST, handler: setTag }],
  ['runs/delete-tag', { methods: POST, handler: deleteTag }],
  ['runs/log-batch', { methods: POST, handler: logBatch }],
  ['runs/log-inputs', { methods: POST, handler: logInputs }],
  ['runs/log-model', { methods: POST, handler: logModel }],
  ['metrics/get-history', { methods: GET, handler: getMetricHistory }],
  ['metrics/get-history-bulk-interval', { methods: GET, handler: getMetricHistoryBulkInterval }],
  ['artifacts/list', { methods: GET, handler: listRunArtifacts }],
]);
