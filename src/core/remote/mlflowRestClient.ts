import { readdirSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { downsampleIndices } from '../tracking/downsample';
import type { SeriesColumns } from '../tracking/metricSeriesCodec';
import { pick, sliceSteps } from '../tracking/metricSeriesCodec';
import { NotFoundError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import type {
  ArtifactEntry,
  CreateRunOptions,
  DatasetInput,
  Disposable,
  Experiment,
  LogBatchRequest,
  Metric,
  MetricHistory,
  MetricHistoryOptions,
  MetricInput,
  Run,
  RunInfo,
  SearchExperimentsOptions,
  SearchExperimentsResult,
  SearchRunsOptions,
  SearchRunsResult,
  Tag,
  TrackingChange,
  TrackingStats,
  UpdateRunOptions,
} from '../tracking/trackingTypes';
import type { Json, MlflowHttpOptions, Params } from './mlflowHttp';
import { MlflowHttp, queryString, RemoteServerError } from './mlflowHttp';
import { doubleFromJson, experimentFromJson, runFromJson, runInfoFromJson } from './mlflowRestMapping';
import { ChangeListeners } from '../tracking/changeListeners';
import { datasetForMlflow } from './mlflowDatasetLimits';

export type MlflowRestClientOptions = MlflowHttpOptions;

// MLflow's limits per log-batch request and its client's page size for histories.
const BATCH_METRICS = 1000;
const BATCH_PARAMS_TAGS = 100;
const HISTORY_PAGE = 25_000;
const SEARCH_PAGE = 1000;

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);

function osUser(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined; // no passwd entry (some containers)
  }
}

function jsonDouble(value: number): number | string {
  if (Number.isFinite(value)) return value;
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/**
 * MLflow names an experiment's attributes `attribute.X` (or bare `X`) where runs take
 * `attributes.X`, and refuses the plural ("Invalid entity type 'attributes'"); the engine writes
 * the plural for both. Rewritten outside quoted values only.
 */
function experimentAttributes(text: string): string {
  return text
    .split(/('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/(^|[^\w.`])attributes\./g, '$1attribute.')))
    .join('');
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function encodePath(path: string): string {
  return path.split('/').filter((s) => s !== '').map(encodeURIComponent).join('/');
}

/**
 * The engine's TrackingStore over MLflow's REST API 2.0: the project's own server, or a team's
 * MLflow tracking server. Artifacts go through the server's mlflow-artifacts proxy.
 */
export class MlflowRestClient implements TrackingStore {
  private readonly http: MlflowHttp;
  private readonly changes = new ChangeListeners<TrackingChange>();
  private readonly artifactUris = new Map<string, string>();

  constructor(options: MlflowRestClientOptions) {
    this.http = new MlflowHttp(options);
  }

  private call(method: 'GET' | 'POST', endpoint: string, params: Params = {}): Promise<Json> {
    return this.http.call(method, endpoint, params);
  }

  private emit(change: TrackingChange): void {
    this.changes.emit(change);
  }

  onDidChange(listener: (change: TrackingChange) => void): Disposable {
    return this.changes.add(listener);
  }

  // ---- experiments -------------------------------------------------------------------------

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] } = {}): Promise<string> {
    const out = await this.call('POST', 'experiments/create', {
      name,
      ...(options.artifactLocation ? { artifact_location: options.artifactLocation } : {}),
      ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
    });
    const experimentId = String(out.experiment_id);
    this.emit({ kind: 'experiment', experimentId });
    return experimentId;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    const out = await this.call('GET', 'experiments/get', { experiment_id: experimentId });
    return experimentFromJson(out.experiment as Json);
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    try {
      const out = await this.call('GET', 'experiments/get-by-name', { experiment_name: name });
      return experimentFromJson(out.experiment as Json);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<SearchExperimentsResult> {
    const out = await this.call('POST', 'experiments/search', {
      max_results: options.maxResults ?? SEARCH_PAGE,
      ...(options.filter ? { filter: experimentAttributes(options.filter) } : {}),
      view_type: options.viewType ?? 'ACTIVE_ONLY',
      ...(options.orderBy && options.orderBy.length > 0 ? { order_by: options.orderBy.map(experimentAttributes) } : {}),
      ...(options.pageToken ? { page_token: options.pageToken } : {}),
    });
    const experiments = Array.isArray(out.experiments) ? (out.experiments as Json[]).map(experimentFromJson) : [];
    return typeof out.next_page_token === 'string' && out.next_page_token !== '' ? { experiments, nextPageToken: out.next_page_token } : { experiments };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    await this.call('POST', 'experiments/update', { experiment_id: experimentId, new_name: newName });
    this.emit({ kind: 'experiment', experimentId });
  }

  async deleteExperiment(experimentId: string): Promise<void> {
    await this.call('POST', 'experiments/delete', { experiment_id: experimentId });
    this.emit({ kind: 'experiment', experimentId });
  }

  async restoreExperiment(experimentId: string): Promise<void> {
    await this.call('POST', 'experiments/restore', { experiment_id: experimentId });
    this.emit({ kind: 'experiment', experimentId });
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key, value });
    this.emit({ kind: 'experiment', experimentId });
  }

  // ---- runs --------------------------------------------------------------------------------

  async createRun(options: CreateRunOptions): Promise<Run> {
    // MLflow keeps source, git commit and parent as system tags.
    const tags: Tag[] = [...(options.tags ?? [])];
    const has = (key: string): boolean => tags.some((t) => t.key === key);
    if (options.source && !has('mlflow.source.name')) tags.push({ key: 'mlflow.source.name', value: options.source.name }, { key: 'mlflow.source.type', value: options.source.type });
    if (options.gitCommit && !has('mlflow.source.git.commit')) tags.push({ key: 'mlflow.source.git.commit', value: options.gitCommit });
    if (options.parentRunId && !has('mlflow.parentRunId')) tags.push({ key: 'mlflow.parentRunId', value: options.parentRunId });
    // As MLflow's client: the OS user when no one is named.
    const userId = options.userId ?? osUser();
    if (userId && !has('mlflow.user')) tags.push({ key: 'mlflow.user', value: userId });
    const out = await this.call('POST', 'runs/create', {
      experiment_id: options.experimentId,
      start_time: options.startTime ?? Date.now(),
      ...(userId ? { user_id: userId } : {}),
      ...(options.runName ? { run_name: options.runName } : {}),
      ...(tags.length > 0 ? { tags } : {}),
    });
    let run = runFromJson(out.run as Json);
    this.artifactUris.set(run.info.runId, run.info.artifactUri);
    if (options.status && options.status !== 'RUNNING') {
      await this.updateRun(run.info.runId, { status: options.status, endTime: run.info.startTime });
      run = await this.getRun(run.info.runId);
    }
    this.emit({ kind: 'run', experimentId: run.info.experimentId, runId: run.info.runId });
    return run;
  }

  async updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo> {
    // MLflow's client sends the end time with a terminal status (set_terminated); the server does not fill it in.
    const endTime = update.endTime ?? (update.status && TERMINAL.has(update.status) ? Date.now() : undefined);
    const out = await this.call('POST', 'runs/update', {
      run_id: runId,
      run_uuid: runId,
      ...(update.status ? { status: update.status } : {}),
      ...(endTime === undefined ? {} : { end_time: endTime }),
      ...(update.runName ? { run_name: update.runName } : {}),
    });
    const info = runInfoFromJson(out.run_info as Json);
    this.emit({ kind: 'run', experimentId: info.experimentId, runId });
    return info;
  }

  async deleteRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/delete', { run_id: runId });
    this.emit({ kind: 'run', runId });
  }

  async restoreRun(runId: string): Promise<void> {
    await this.call('POST', 'runs/restore', { run_id: runId });
    this.emit({ kind: 'run', runId });
  }

  async getRun(runId: string): Promise<Run> {
    const out = await this.call('GET', 'runs/get', { run_uuid: runId, run_id: runId });
    return runFromJson(out.run as Json);
  }

  private async allExperimentIds(): Promise<string[]> {
    const ids: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchExperiments({ viewType: 'ALL', ...(pageToken ? { pageToken } : {}) });
      ids.push(...page.experiments.map((e) => e.experimentId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    return ids;
  }

  async searchRuns(options: SearchRunsOptions = {}): Promise<SearchRunsResult> {
    // The engine reads "no experiments" as "all"; MLflow needs them listed.
    const experimentIds = options.experimentIds && options.experimentIds.length > 0 ? [...options.experimentIds] : await this.allExperimentIds();
    const out = await this.call('POST', 'runs/search', {
      experiment_ids: experimentIds,
      ...(options.filter ? { filter: options.filter } : {}),
      run_view_type: options.viewType ?? 'ACTIVE_ONLY',
      max_results: options.maxResults ?? SEARCH_PAGE,
      ...(options.orderBy && options.orderBy.length > 0 ? { order_by: options.orderBy } : {}),
      ...(options.pageToken ? { page_token: options.pageToken } : {}),
    });
    const runs = Array.isArray(out.runs) ? (out.runs as Json[]).map(runFromJson) : [];
    return typeof out.next_page_token === 'string' && out.next_page_token !== '' ? { runs, nextPageToken: out.next_page_token } : { runs };
  }

  /** MLflow has no heartbeats; a run on a server lives until someone ends it. */
  async heartbeat(runId: string): Promise<void> {
    void runId;
  }

  // ---- params, tags, metrics ----------------------------------------------------------------

  async logMetric(runId: string, metric: MetricInput): Promise<void> {
    await this.call('POST', 'runs/log-metric', {
      run_id: runId,
      run_uuid: runId,
      key: metric.key,
      value: jsonDouble(metric.value),
      timestamp: metric.timestamp ?? Date.now(),
      step: metric.step ?? 0,
    });
    this.emit({ kind: 'metrics', runId });
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'runs/log-parameter', { run_id: runId, run_uuid: runId, key, value });
    this.emit({ kind: 'run', runId });
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.call('POST', 'runs/set-tag', { run_id: runId, run_uuid: runId, key, value });
    this.emit({ kind: 'run', runId });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.call('POST', 'runs/delete-tag', { run_id: runId, key });
    this.emit({ kind: 'run', runId });
  }

  /** Split as the mlflow client splits: at most 100 params, 100 tags and 1000 entries per request. */
  async logBatch(request: LogBatchRequest): Promise<void> {
    const now = Date.now();
    const metrics = (request.metrics ?? []).map((m) => ({ key: m.key, value: jsonDouble(m.value), timestamp: m.timestamp ?? now, step: m.step ?? 0 }));
    const params = [...(request.params ?? [])];
    const tags = [...(request.tags ?? [])];
    while (params.length > 0 || tags.length > 0 || metrics.length > 0) {
      const p = params.splice(0, BATCH_PARAMS_TAGS);
      const t = tags.splice(0, BATCH_PARAMS_TAGS);
      const m = metrics.splice(0, BATCH_METRICS - p.length - t.length);
      await this.call('POST', 'runs/log-batch', { run_id: request.runId, metrics: m, params: p, tags: t });
    }
    this.emit({ kind: (request.params?.length ?? 0) + (request.tags?.length ?? 0) > 0 ? 'run' : 'metrics', runId: request.runId });
  }

  async logMetricColumns(runId: string, key: string, columns: SeriesColumns): Promise<void> {
    const metrics: MetricInput[] = [];
    for (let i = 0; i < columns.steps.length; i++) {
      metrics.push({ key, value: columns.values[i] as number, step: columns.steps[i] as number, timestamp: columns.timestamps[i] as number });
    }
    for (const part of chunks(metrics, BATCH_METRICS)) await this.logBatch({ runId, metrics: part });
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    await this.call('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: datasets.map(datasetForMlflow).map((d) => ({
        ...(d.context === undefined ? {} : { tags: [{ key: 'mlflow.data.context', value: d.context }] }),
        dataset: {
          name: d.name,
          digest: d.digest,
          source_type: d.sourceType,
          source: d.source,
          ...(d.schema === undefined ? {} : { schema: d.schema }),
          ...(d.profile === undefined ? {} : { profile: d.profile }),
        },
      })),
    });
    this.emit({ kind: 'run', runId });
  }

  /** The whole series, page by page, as columns. */
  private async fetchColumns(runId: string, key: string): Promise<SeriesColumns> {
    const steps: number[] = [];
    const values: number[] = [];
    const timestamps: number[] = [];
    let pageToken: string | undefined;
    do {
      const out = await this.call('GET', 'metrics/get-history', {
        run_uuid: runId,
        run_id: runId,
        metric_key: key,
        max_results: HISTORY_PAGE,
        ...(pageToken ? { page_token: pageToken } : {}),
      });
      for (const m of Array.isArray(out.metrics) ? (out.metrics as Json[]) : []) {
        steps.push(Number(m.step ?? 0));
        values.push(doubleFromJson(m.value));
        timestamps.push(Number(m.timestamp ?? 0));
      }
      pageToken = typeof out.next_page_token === 'string' && out.next_page_token !== '' ? out.next_page_token : undefined;
    } while (pageToken);
    return { steps: Float64Array.from(steps), values: Float64Array.from(values), timestamps: Float64Array.from(timestamps) };
  }

  private async history(runId: string, key: string, options: MetricHistoryOptions): Promise<{ columns: SeriesColumns; total: number; downsampled: boolean }> {
    let columns = await this.fetchColumns(runId, key);
    if (options.minStep !== undefined || options.maxStep !== undefined) columns = sliceSteps(columns, options.minStep ?? -Infinity, options.maxStep ?? Infinity);
    const total = columns.steps.length;
    if (options.maxPoints === undefined || total <= options.maxPoints) return { columns, total, downsampled: false };
    return { columns: pick(columns, downsampleIndices(columns, options.maxPoints, options.method ?? 'lttb')), total, downsampled: true };
  }

  async getMetricHistory(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<MetricHistory> {
    const { columns, total, downsampled } = await this.history(runId, key, options);
    const points: Metric[] = [];
    for (let i = 0; i < columns.steps.length; i++) points.push({ key, value: columns.values[i] as number, step: columns.steps[i] as number, timestamp: columns.timestamps[i] as number });
    return { key, points, total, downsampled };
  }

  async getMetricColumns(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<SeriesColumns> {
    return (await this.history(runId, key, options)).columns;
  }

  // ---- artifacts ---------------------------------------------------------------------------

  /** `<exp>/<run>/artifacts` below the server's artifact proxy, from the run's artifact_uri. */
  private async artifactRoot(runId: string): Promise<string> {
    // A run's artifact location never changes: one runs/get per run, not one per file.
    let uri = this.artifactUris.get(runId);
    if (uri === undefined) {
      uri = (await this.getRun(runId)).info.artifactUri;
      this.artifactUris.set(runId, uri);
    }
    const match = /^mlflow-artifacts:(?:\/\/[^/]*)?\/(.*)$/.exec(uri);
    if (!match) throw new RemoteServerError(`Run ${runId} keeps its artifacts at ${uri}, which the server does not proxy; only mlflow-artifacts: roots are supported (start the server with --serve-artifacts).`, null, null);
    return (match[1] as string).replace(/\/+$/, '');
  }

  private artifactUrl(root: string, path: string): string {
    const rel = encodePath(path);
    return `/api/2.0/mlflow-artifacts/artifacts/${encodePath(root)}${rel === '' ? '' : `/${rel}`}`;
  }

  async writeArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    const root = await this.artifactRoot(runId);
    await this.put(this.artifactUrl(root, artifactPath), typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    this.emit({ kind: 'artifacts', runId });
  }

  private async put(path: string, body: Uint8Array): Promise<void> {
    const response = await this.http.send('PUT', path, body, 'application/octet-stream');
    if (!response.ok) await this.http.fail(response, `PUT ${path}`);
    await response.arrayBuffer();
  }

  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    const root = await this.artifactRoot(runId);
    const upload = async (local: string, target: string): Promise<void> => {
      if (statSync(local).isDirectory()) {
        for (const entry of readdirSync(local)) await upload(join(local, entry), target === '' ? entry : `${target}/${entry}`);
        return;
      }
      await this.put(this.artifactUrl(root, target), readFileSync(local));
    };
    await upload(localPath, artifactPath ?? localPath.split(/[\\/]/).filter(Boolean).pop() ?? '');
    this.emit({ kind: 'artifacts', runId });
  }

  /** Entries with paths relative to the run's artifact root, as the local store gives them. */
  async listArtifacts(runId: string, path = ''): Promise<ArtifactEntry[]> {
    const root = await this.artifactRoot(runId);
    const dir = path.split('/').filter((s) => s !== '' && s !== '.').join('/');
    const listPath = dir === '' ? root : `${root}/${dir}`;
    const response = await this.http.send('GET', `/api/2.0/mlflow-artifacts/artifacts${queryString({ path: listPath })}`);
    if (!response.ok) return this.http.fail(response, `GET artifacts of ${listPath}`);
    const out = (await response.json()) as Json;
    const files = Array.isArray(out.files) ? (out.files as Json[]) : [];
    return files.map((f) => {
      const rel = dir === '' ? String(f.path) : `${dir}/${String(f.path)}`;
      return f.is_dir === true ? { path: rel, isDir: true } : { path: rel, isDir: false, fileSize: Number(f.file_size ?? 0) };
    });
  }

  async readArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    const root = await this.artifactRoot(runId);
    const path = this.artifactUrl(root, artifactPath);
    const response = await this.http.send('GET', path);
    if (!response.ok) return this.http.fail(response, `GET ${path}`);
    return Buffer.from(await response.arrayBuffer());
  }

  /** Counted with searches (MLflow has no statistics endpoint); metric points are not counted. */
  async stats(): Promise<TrackingStats> {
    const experimentIds: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.searchExperiments(pageToken ? { pageToken } : {});
      experimentIds.push(...page.experiments.map((e) => e.experimentId));
      pageToken = page.nextPageToken;
    } while (pageToken);
    let runs = 0;
    let activeRuns = 0;
    if (experimentIds.length > 0) {
      do {
        const page = await this.searchRuns({ experimentIds, maxResults: SEARCH_PAGE, ...(pageToken ? { pageToken } : {}) });
        runs += page.runs.length;
        activeRuns += page.runs.filter((r) => r.info.status === 'RUNNING').length;
        pageToken = page.nextPageToken;
      } while (pageToken);
    }
    return { experiments: experimentIds.length, runs, activeRuns, metricPoints: 0 };
  }
}
