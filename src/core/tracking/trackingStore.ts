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
} from './trackingTypes';
import type { SeriesColumns } from './metricSeriesCodec';

/**
 * The engine's tracking API (MLflow's model). The local store implements it on the workspace
 * store; a remote MLflow server can implement it too. Every write resolves once it is durable.
 */
export interface TrackingStore {
  createExperiment(name: string, options?: { artifactLocation?: string; tags?: readonly Tag[] }): Promise<string>;
  getExperiment(experimentId: string): Promise<Experiment>;
  getExperimentByName(name: string): Promise<Experiment | undefined>;
  searchExperiments(options?: SearchExperimentsOptions): Promise<SearchExperimentsResult>;
  renameExperiment(experimentId: string, newName: string): Promise<void>;
  deleteExperiment(experimentId: string): Promise<void>;
  restoreExperiment(experimentId: string): Promise<void>;
  setExperimentTag(experimentId: string, key: string, value: string): Promise<void>;

  createRun(options: CreateRunOptions): Promise<Run>;
  updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo>;
  deleteRun(runId: string): Promise<void>;
  restoreRun(runId: string): Promise<void>;
  getRun(runId: string): Promise<Run>;
  searchRuns(options?: SearchRunsOptions): Promise<SearchRunsResult>;
  /** records that the run's owner is alive (any write to the run does this too) */
  heartbeat(runId: string): Promise<void>;

  logMetric(runId: string, metric: MetricInput): Promise<void>;
  logParam(runId: string, key: string, value: string): Promise<void>;
  setTag(runId: string, key: string, value: string): Promise<void>;
  deleteTag(runId: string, key: string): Promise<void>;
  logBatch(request: LogBatchRequest): Promise<void>;
  /** many points of one metric at once, as columns (the fast path for trainers) */
  logMetricColumns(runId: string, key: string, columns: SeriesColumns): Promise<void>;
  logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void>;
  getMetricHistory(runId: string, key: string, options?: MetricHistoryOptions): Promise<MetricHistory>;
  /** the same history as columns, without an object per point (for charts) */
  getMetricColumns(runId: string, key: string, options?: MetricHistoryOptions): Promise<SeriesColumns>;

  writeArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void>;
  logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void>;
  listArtifacts(runId: string, path?: string): Promise<ArtifactEntry[]>;
  readArtifact(runId: string, artifactPath: string): Promise<Buffer>;

  stats(): Promise<TrackingStats>;
  onDidChange(listener: (change: TrackingChange) => void): Disposable;
}
