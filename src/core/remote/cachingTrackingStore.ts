import type { SeriesColumns } from '../tracking/metricSeriesCodec';
import type { TrackingStore } from '../tracking/trackingStore';
import type {
  ArtifactEntry,
  CreateRunOptions,
  DatasetInput,
  Disposable,
  Experiment,
  LogBatchRequest,
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

export interface CachingTrackingStoreOptions {
  /** how long a read of something that may still change is reused (default 2 s) */
  readonly ttlMs?: number;
  /** how long a metric history of a finished run is reused (default 10 min: it cannot change) */
  readonly finishedTtlMs?: number;
  /** entries kept at most; the least recently used go first (default 500) */
  readonly maxEntries?: number;
  /** the clock (tests move it) */
  readonly now?: () => number;
}

interface Entry {
  readonly value: Promise<unknown>;
  expires: number;
  /** what a write must drop: 'experiments', 'runs', or a run id */
  readonly scope: string;
}

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);

/**
 * A TrackingStore in front of a remote one (an MLflow server) that keeps panels fast: identical
 * reads within a short time share one request (and concurrent ones one promise), histories of
 * finished runs are kept longer, and every write through this store drops what it could change.
 * Writes made by others on the server show up once the short TTL has passed.
 */
export class CachingTrackingStore implements TrackingStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly finishedTtlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly inner: TrackingStore,
    options: CachingTrackingStoreOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 2_000;
    this.finishedTtlMs = options.finishedTtlMs ?? 600_000;
    this.maxEntries = options.maxEntries ?? 500;
    this.now = options.now ?? Date.now;
  }

  private cached<T>(key: string, scope: string, load: () => Promise<T>, ttl: (value: T) => number = () => this.ttlMs): Promise<T> {
    const hit = this.entries.get(key);
    if (hit && hit.expires > this.now()) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.value as Promise<T>;
    }
    const value = load();
    // In flight: shared until it settles, then kept for its TTL (failures are not kept).
    const entry: Entry = { value, expires: Number.POSITIVE_INFINITY, scope };
    this.entries.set(key, entry);
    value.then(
      (v) => {
        entry.expires = this.now() + ttl(v);
      },
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
    );
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
    return value;
  }

  /** Drops cached reads in these scopes ('experiments', 'runs' — every search — or a run id). */
  invalidate(...scopes: string[]): void {
    const drop = new Set(scopes);
    for (const [key, entry] of this.entries) if (drop.has(entry.scope)) this.entries.delete(key);
  }

  /** Drops everything (e.g. on a "Refresh" command). */
  clear(): void {
    this.entries.clear();
  }

  private async write<T>(operation: Promise<T>, ...scopes: string[]): Promise<T> {
    try {
      return await operation;
    } finally {
      // Also after a failure: the server may have applied part of it (a split log-batch).
      this.invalidate(...scopes);
    }
  }

  // ---- reads ---------------------------------------------------------------------------------

  getExperiment(experimentId: string): Promise<Experiment> {
    return this.cached(`exp:${experimentId}`, 'experiments', () => this.inner.getExperiment(experimentId));
  }

  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.cached(`expName:${name}`, 'experiments', () => this.inner.getExperimentByName(name));
  }

  searchExperiments(options: SearchExperimentsOptions = {}): Promise<SearchExperimentsResult> {
    return this.cached(`expSearch:${JSON.stringify(options)}`, 'experiments', () => this.inner.searchExperiments(options));
  }

  getRun(runId: string): Promise<Run> {
    return this.cached(`run:${runId}`, runId, () => this.inner.getRun(runId));
  }

  searchRuns(options: SearchRunsOptions = {}): Promise<SearchRunsResult> {
    return this.cached(`runSearch:${JSON.stringify(options)}`, 'runs', () => this.inner.searchRuns(options));
  }

  /** Histories of runs that ended cannot grow, so they are kept for finishedTtlMs. */
  private async historyTtl(runId: string): Promise<number> {
    try {
      return TERMINAL.has((await this.getRun(runId)).info.status) ? this.finishedTtlMs : this.ttlMs;
    } catch {
      return this.ttlMs;
    }
  }

  async getMetricHistory(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<MetricHistory> {
    const ttl = await this.historyTtl(runId);
    return this.cached(`history:${runId}:${key}:${JSON.stringify(options)}`, runId, () => this.inner.getMetricHistory(runId, key, options), () => ttl);
  }

  async getMetricColumns(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<SeriesColumns> {
    const ttl = await this.historyTtl(runId);
    return this.cached(`columns:${runId}:${key}:${JSON.stringify(options)}`, runId, () => this.inner.getMetricColumns(runId, key, options), () => ttl);
  }

  listArtifacts(runId: string, path = ''): Promise<ArtifactEntry[]> {
    return this.cached(`artifacts:${runId}:${path}`, runId, () => this.inner.listArtifacts(runId, path));
  }

  /** Artifacts are immutable once written, but large: not cached. */
  readArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    return this.inner.readArtifact(runId, artifactPath);
  }

  stats(): Promise<TrackingStats> {
    return this.cached('stats', 'runs', () => this.inner.stats());
  }

  onDidChange(listener: (change: TrackingChange) => void): Disposable {
    return this.inner.onDidChange(listener);
  }

  // ---- writes --------------------------------------------------------------------------------

  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string> {
    return this.write(this.inner.createExperiment(name, options), 'experiments');
  }

  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.write(this.inner.renameExperiment(experimentId, newName), 'experiments', 'runs');
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.write(this.inner.deleteExperiment(experimentId), 'experiments', 'runs');
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.write(this.inner.restoreExperiment(experimentId), 'experiments', 'runs');
  }

  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.write(this.inner.setExperimentTag(experimentId, key, value), 'experiments');
  }

  createRun(options: CreateRunOptions): Promise<Run> {
    return this.write(this.inner.createRun(options), 'runs');
  }

  updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo> {
    return this.write(this.inner.updateRun(runId, update), runId, 'runs');
  }

  deleteRun(runId: string): Promise<void> {
    return this.write(this.inner.deleteRun(runId), runId, 'runs');
  }

  restoreRun(runId: string): Promise<void> {
    return this.write(this.inner.restoreRun(runId), runId, 'runs');
  }

  heartbeat(runId: string): Promise<void> {
    return this.inner.heartbeat(runId);
  }

  logMetric(runId: string, metric: MetricInput): Promise<void> {
    return this.write(this.inner.logMetric(runId, metric), runId, 'runs');
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.write(this.inner.logParam(runId, key, value), runId, 'runs');
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.write(this.inner.setTag(runId, key, value), runId, 'runs');
  }

  deleteTag(runId: string, key: string): Promise<void> {
    return this.write(this.inner.deleteTag(runId, key), runId, 'runs');
  }

  logBatch(request: LogBatchRequest): Promise<void> {
    return this.write(this.inner.logBatch(request), request.runId, 'runs');
  }

  logMetricColumns(runId: string, key: string, columns: SeriesColumns): Promise<void> {
    return this.write(this.inner.logMetricColumns(runId, key, columns), runId, 'runs');
  }

  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    return this.write(this.inner.logInputs(runId, datasets), runId, 'runs');
  }

  writeArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    return this.write(this.inner.writeArtifact(runId, artifactPath, data), runId);
  }

  logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    return this.write(this.inner.logArtifact(runId, localPath, artifactPath), runId);
  }
}
