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

export interface BatchingTrackingStoreOptions {
  /** how long metric points may wait for company (default 1 s) */
  readonly flushMs?: number;
  /** points that make one request at once (default 1000: MLflow's log-batch limit) */
  readonly maxPoints?: number;
}

/**
 * In front of a remote store: metric points (log-batch without params or tags, metric columns)
 * are gathered per run and sent together, so a training run logging every few batches makes a
 * handful of requests instead of one per report — each request to a server costs a round trip
 * and the server's own work. Like MLflow's asynchronous logging, a point is acknowledged once it
 * is queued; it reaches the server within `flushMs`, before any other call (so a read, the run's
 * end or an artifact never overtakes it) and on flush(). A failed send is thrown by the next call.
 */
export class BatchingTrackingStore implements TrackingStore {
  private pending = new Map<string, MetricInput[]>();
  private count = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private sending: Promise<void> = Promise.resolve();
  private failure: unknown;
  private readonly flushMs: number;
  private readonly maxPoints: number;

  constructor(
    private readonly inner: TrackingStore,
    options: BatchingTrackingStoreOptions = {},
  ) {
    this.flushMs = options.flushMs ?? 1000;
    this.maxPoints = options.maxPoints ?? 1000;
  }

  private queue(runId: string, metrics: readonly MetricInput[]): void {
    const now = Date.now();
    // The time of logging, not of sending, as an unbatched write would have it.
    const stamped = metrics.map((m) => (m.timestamp === undefined ? { ...m, timestamp: now } : m));
    this.pending.set(runId, [...(this.pending.get(runId) ?? []), ...stamped]);
    this.count += stamped.length;
    if (this.count >= this.maxPoints) void this.send();
    else this.timer ??= setTimeout(() => void this.send(), this.flushMs);
  }

  /** Sends what is queued (in order after what is being sent) and keeps the first failure. */
  private send(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.pending];
    this.pending = new Map();
    this.count = 0;
    if (batches.length === 0) return this.sending;
    this.sending = this.sending.then(async () => {
      for (const [runId, metrics] of batches) {
        try {
          await this.inner.logBatch({ runId, metrics });
        } catch (error) {
          this.failure ??= error;
        }
      }
    });
    return this.sending;
  }

  /** Everything queued is on the server (or its failure is thrown). */
  async flush(): Promise<void> {
    await this.send();
    if (this.failure !== undefined) {
      const failure = this.failure;
      this.failure = undefined;
      throw failure;
    }
  }

  private async afterFlush<T>(call: () => Promise<T>): Promise<T> {
    await this.flush();
    return call();
  }

  async logBatch(request: LogBatchRequest): Promise<void> {
    if ((request.params?.length ?? 0) === 0 && (request.tags?.length ?? 0) === 0 && this.failure === undefined) {
      this.queue(request.runId, request.metrics ?? []);
      return;
    }
    return this.afterFlush(() => this.inner.logBatch(request));
  }

  async logMetricColumns(runId: string, key: string, columns: SeriesColumns): Promise<void> {
    if (this.failure !== undefined) return this.afterFlush(() => this.inner.logMetricColumns(runId, key, columns));
    const metrics: MetricInput[] = [];
    for (let i = 0; i < columns.steps.length; i++) metrics.push({ key, value: columns.values[i] as number, step: columns.steps[i] as number, timestamp: columns.timestamps[i] as number });
    this.queue(runId, metrics);
  }

  async logMetric(runId: string, metric: MetricInput): Promise<void> {
    if (this.failure !== undefined) return this.afterFlush(() => this.inner.logMetric(runId, metric));
    this.queue(runId, [metric]);
  }

  /** MLflow has no heartbeats: nothing to send, nothing to wait for. */
  heartbeat(runId: string): Promise<void> {
    return this.inner.heartbeat(runId);
  }

  onDidChange(listener: (change: TrackingChange) => void): Disposable {
    return this.inner.onDidChange(listener);
  }

  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string> {
    return this.afterFlush(() => this.inner.createExperiment(name, options));
  }
  getExperiment(experimentId: string): Promise<Experiment> {
    return this.afterFlush(() => this.inner.getExperiment(experimentId));
  }
  getExperimentByName(name: string): Promise<Experiment | undefined> {
    return this.afterFlush(() => this.inner.getExperimentByName(name));
  }
  searchExperiments(options?: SearchExperimentsOptions): Promise<SearchExperimentsResult> {
    return this.afterFlush(() => this.inner.searchExperiments(options));
  }
  renameExperiment(experimentId: string, newName: string): Promise<void> {
    return this.afterFlush(() => this.inner.renameExperiment(experimentId, newName));
  }
  deleteExperiment(experimentId: string): Promise<void> {
    return this.afterFlush(() => this.inner.deleteExperiment(experimentId));
  }
  restoreExperiment(experimentId: string): Promise<void> {
    return this.afterFlush(() => this.inner.restoreExperiment(experimentId));
  }
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    return this.afterFlush(() => this.inner.setExperimentTag(experimentId, key, value));
  }
  createRun(options: CreateRunOptions): Promise<Run> {
    return this.afterFlush(() => this.inner.createRun(options));
  }
  updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo> {
    return this.afterFlush(() => this.inner.updateRun(runId, update));
  }
  deleteRun(runId: string): Promise<void> {
    return this.afterFlush(() => this.inner.deleteRun(runId));
  }
  restoreRun(runId: string): Promise<void> {
    return this.afterFlush(() => this.inner.restoreRun(runId));
  }
  getRun(runId: string): Promise<Run> {
    return this.afterFlush(() => this.inner.getRun(runId));
  }
  searchRuns(options?: SearchRunsOptions): Promise<SearchRunsResult> {
    return this.afterFlush(() => this.inner.searchRuns(options));
  }
  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.afterFlush(() => this.inner.logParam(runId, key, value));
  }
  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.afterFlush(() => this.inner.setTag(runId, key, value));
  }
  deleteTag(runId: string, key: string): Promise<void> {
    return this.afterFlush(() => this.inner.deleteTag(runId, key));
  }
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    return this.afterFlush(() => this.inner.logInputs(runId, datasets));
  }
  getMetricHistory(runId: string, key: string, options?: MetricHistoryOptions): Promise<MetricHistory> {
    return this.afterFlush(() => this.inner.getMetricHistory(runId, key, options));
  }
  getMetricColumns(runId: string, key: string, options?: MetricHistoryOptions): Promise<SeriesColumns> {
    return this.afterFlush(() => this.inner.getMetricColumns(runId, key, options));
  }
  writeArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    return this.afterFlush(() => this.inner.writeArtifact(runId, artifactPath, data));
  }
  logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    return this.afterFlush(() => this.inner.logArtifact(runId, localPath, artifactPath));
  }
  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]> {
    return this.afterFlush(() => this.inner.listArtifacts(runId, path));
  }
  readArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    return this.afterFlush(() => this.inner.readArtifact(runId, artifactPath));
  }
  stats(): Promise<TrackingStats> {
    return this.afterFlush(() => this.inner.stats());
  }
}
