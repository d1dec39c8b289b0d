// The tracking model, shaped after MLflow's entities so the MLflow REST protocol can sit on top.

export type LifecycleStage = 'active' | 'deleted';
export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];

export interface Tag {
  readonly key: string;
  readonly value: string;
}

export interface Param {
  readonly key: string;
  readonly value: string;
}

/** One logged point. NaN and ±Infinity are legal values and come back exactly. */
export interface Metric {
  readonly key: string;
  readonly value: number;
  readonly step: number;
  /** milliseconds since the epoch */
  readonly timestamp: number;
}

/** The latest point of a (run, key) series plus its running statistics, for tables and search. */
export interface MetricSummary extends Metric {
  /** smallest finite-or-infinite value; NaN when every value was NaN */
  readonly min: number;
  readonly max: number;
  readonly count: number;
}

export interface Experiment {
  readonly experimentId: string;
  readonly name: string;
  readonly artifactLocation: string;
  readonly lifecycleStage: LifecycleStage;
  readonly creationTime: number;
  readonly lastUpdateTime: number;
  readonly tags: readonly Tag[];
}

export interface RunSource {
  /** MLflow's source types: LOCAL, NOTEBOOK, JOB, PROJECT, UNKNOWN */
  readonly type: string;
  readonly name: string;
}

export interface RunInfo {
  readonly runId: string;
  readonly runName: string;
  readonly experimentId: string;
  readonly userId: string;
  readonly status: RunStatus;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly lifecycleStage: LifecycleStage;
  /** file URL of the run's artifact folder */
  readonly artifactUri: string;
  readonly source: RunSource | null;
  readonly gitCommit: string | null;
  readonly gitDirty: boolean | null;
  readonly parentRunId: string | null;
  /** the process that owns the run while it is RUNNING (for crash recovery) */
  readonly ownerPid: number | null;
  readonly ownerHost: string | null;
  readonly heartbeatTime: number | null;
}

export interface DatasetInput {
  readonly name: string;
  readonly digest: string;
  readonly sourceType: string;
  readonly source: string;
  readonly schema?: string;
  readonly profile?: string;
  /** MLflow's mlflow.data.context input tag: "training", "validation", … */
  readonly context?: string;
}

export interface RunData {
  readonly metrics: readonly MetricSummary[];
  readonly params: readonly Param[];
  readonly tags: readonly Tag[];
}

export interface Run {
  readonly info: RunInfo;
  readonly data: RunData;
  readonly inputs: { readonly datasetInputs: readonly DatasetInput[] };
}

export interface CreateRunOptions {
  readonly experimentId: string;
  readonly runName?: string;
  readonly startTime?: number;
  readonly userId?: string;
  readonly tags?: readonly Tag[];
  readonly source?: RunSource;
  readonly gitCommit?: string;
  readonly gitDirty?: boolean;
  readonly parentRunId?: string;
  /**
   * pid of the process doing the work (default: this process); crash recovery watches it. null:
   * no owner to watch (e.g. a remote client), the run stays RUNNING until someone ends it.
   */
  readonly ownerPid?: number | null;
  readonly status?: RunStatus;
}

export interface UpdateRunOptions {
  readonly status?: RunStatus;
  readonly endTime?: number;
  readonly runName?: string;
}

/** A point to log; step defaults to 0 and timestamp to now. */
export interface MetricInput {
  readonly key: string;
  readonly value: number;
  readonly step?: number;
  readonly timestamp?: number;
}

export interface LogBatchRequest {
  readonly runId: string;
  readonly metrics?: readonly MetricInput[];
  readonly params?: readonly Param[];
  readonly tags?: readonly Tag[];
}

export interface MetricHistoryOptions {
  /** downsample to at most this many points (non-finite values are always kept on top) */
  readonly maxPoints?: number;
  readonly method?: 'lttb' | 'minmax';
  /** only points with minStep <= step <= maxStep */
  readonly minStep?: number;
  readonly maxStep?: number;
}

export interface MetricHistory {
  readonly key: string;
  readonly points: readonly Metric[];
  /** points in the series (in the step range) before downsampling */
  readonly total: number;
  readonly downsampled: boolean;
}

export interface SearchRunsOptions {
  /** default: every experiment */
  readonly experimentIds?: readonly string[];
  readonly filter?: string;
  /** e.g. ["metrics.acc DESC", "attributes.start_time"]; default start_time DESC */
  readonly orderBy?: readonly string[];
  /** default 1000, at most 50,000 (MLflow's limits) */
  readonly maxResults?: number;
  readonly pageToken?: string;
  readonly viewType?: ViewType;
}

export interface SearchRunsResult {
  readonly runs: readonly Run[];
  readonly nextPageToken?: string;
}

export interface SearchExperimentsOptions {
  /** `name LIKE '…'`, `attributes.name = '…'`, `tags.k = '…'`, joined by AND */
  readonly filter?: string;
  readonly viewType?: ViewType;
  readonly maxResults?: number;
  readonly pageToken?: string;
  /** e.g. ["name ASC"] or ["attributes.creation_time DESC"]; default last_update_time DESC */
  readonly orderBy?: readonly string[];
}

export interface SearchExperimentsResult {
  readonly experiments: readonly Experiment[];
  readonly nextPageToken?: string;
}

export interface ArtifactEntry {
  /** path relative to the run's artifact root, with "/" separators */
  readonly path: string;
  readonly isDir: boolean;
  readonly fileSize?: number;
}

/** What changed, so views can refresh just that. */
export interface TrackingChange {
  readonly kind: 'experiment' | 'run' | 'metrics' | 'artifacts';
  readonly experimentId?: string;
  readonly runId?: string;
}

export interface TrackingStats {
  readonly experiments: number;
  readonly runs: number;
  readonly activeRuns: number;
  readonly metricPoints: number;
}

export interface Disposable {
  dispose(): void;
}
