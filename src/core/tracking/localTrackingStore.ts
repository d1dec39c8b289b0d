import { randomUUID } from 'node:crypto';
import { hostname, userInfo } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { SqlValue } from 'sql.js';
import type { DurableDatabase } from '../store/durableDatabase';
import type { FileAppend, SqlStatement } from '../store/mutationCodec';
import { isProcessAlive } from '../store/processLiveness';
import { ARTIFACTS_FOLDER, ArtifactStore } from './artifactStore';
import { downsampleIndices, downsampleView } from './downsample';
import type { MetricPoint, SeriesColumns } from './metricSeriesCodec';
import { decodeColumns, encodePoints, pick, pickTriples, POINT_BYTES, sliceSteps } from './metricSeriesCodec';
import { placePoints, seriesFile, seriesStorage, summarize, summarizeColumns, summaryStatement } from './metricSummaries';
import { checkKey, checkParamKeysUnique, checkStep, checkString, checkTimestamp, MAX_PARAM_VALUE_LENGTH, MAX_TAG_VALUE_LENGTH, truncatedString } from './trackingValidation';
import { generateRunName } from './runNames';
import { checkMaxResults, decodePageToken, encodePageToken, matchesViewType, numberTest, queryFingerprint, stringTest } from './runSearch';
import { searchRunIds } from './runSearchSql';
import { RunStateCache } from './runStateCache';
import { EXPERIMENT_FILTER_DIALECT, parseFilter, parseOrderBy } from './searchFilter';
import { InvalidArgumentError, NotFoundError, ParamConflictError, TrackingError } from './trackingErrors';
import type { ExperimentState, RunState, SummaryState } from './trackingState';
import { loadExperimentStates, loadRunStates, readInlinePoints } from './trackingStateLoader';
import type { TrackingStore } from './trackingStore';
import type {
  ArtifactEntry,
  CreateRunOptions,
  DatasetInput,
  Disposable,
  Experiment,
  LogBatchRequest,
  MetricHistory,
  MetricHistoryOptions,
  Metric,
  MetricInput,
  MetricSummary,
  Param,
  Run,
  RunInfo,
  RunStatus,
  SearchExperimentsOptions,
  SearchExperimentsResult,
  SearchRunsOptions,
  SearchRunsResult,
  Tag,
  TrackingChange,
  TrackingStats,
  UpdateRunOptions,
} from './trackingTypes';
import { RUN_STATUSES } from './trackingTypes';
import { ChangeListeners } from './changeListeners';

export interface LocalTrackingStoreOptions {
  /** a RUNNING run whose owner died is failed only once its heartbeat is this old (default 15 s) */
  readonly staleRunAfterMs?: number;
  /** params + tags + metrics of the runs kept in memory (default RUN_CACHE_ENTRIES) */
  readonly runCacheEntries?: number;
}

/**
 * Runs kept in memory, counted in params + tags + metrics: a Runs table of 10,000 runs × 200 fields
 * (what one panel shows at most) stays warm; a bigger store is read from SQLite as it is used.
 * MLOPS_RUN_CACHE_ENTRIES overrides it (benchmarks, or a machine with memory to spare).
 */
export const RUN_CACHE_ENTRIES = Number(process.env.MLOPS_RUN_CACHE_ENTRIES) > 0 ? Number(process.env.MLOPS_RUN_CACHE_ENTRIES) : 2_500_000;

/** Tag that says why the store (not the user) ended a run. */
export const FAILURE_REASON_TAG = 'mlops.failureReason';
const HEARTBEAT_EVERY_MS = 5_000;
const UPSERT_TAG = 'INSERT INTO tags (run_id, key, value) VALUES (?, ?, ?) ON CONFLICT(run_id, key) DO UPDATE SET value = excluded.value';
const UPDATE_HEARTBEAT = 'UPDATE runs SET heartbeat_time = ? WHERE run_id = ?';

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

function isTerminal(status: RunStatus): boolean {
  return status === 'FINISHED' || status === 'FAILED' || status === 'KILLED';
}

/** The tracking store on the durable workspace store (the local backend). */
export class LocalTrackingStore implements TrackingStore {
  private readonly experiments = new Map<string, ExperimentState>();
  private readonly experimentsByName = new Map<string, ExperimentState>();
  private readonly runs: RunStateCache;
  private readonly changes = new ChangeListeners<TrackingChange>();
  private readonly artifacts: ArtifactStore;
  private readonly staleRunAfterMs: number;
  private readonly host = hostname();
  /** computed once: pathToFileURL per run made big search pages measurably slower */
  private readonly artifactRootUri: string;

  private constructor(
    private readonly db: DurableDatabase,
    options: LocalTrackingStoreOptions,
  ) {
    this.artifacts = new ArtifactStore(join(db.dir, ARTIFACTS_FOLDER));
    this.staleRunAfterMs = options.staleRunAfterMs ?? 15_000;
    this.runs = new RunStateCache(options.runCacheEntries ?? RUN_CACHE_ENTRIES);
    this.artifactRootUri = pathToFileURL(join(db.dir, ARTIFACTS_FOLDER)).href;
  }

  /** Loads the experiments, makes sure "Default" exists, and fails runs whose owner died (runs load as they are used). */
  static async open(db: DurableDatabase, options: LocalTrackingStoreOptions = {}): Promise<LocalTrackingStore> {
    const store = new LocalTrackingStore(db, options);
    store.load();
    if (!store.experiments.has('0')) {
      const now = Date.now();
      await store.commit([{ sql: "INSERT INTO experiments VALUES ('0', 'Default', 'artifacts', 'active', ?, ?)", params: [now, now] }]);
      store.addExperimentState({ experimentId: '0', name: 'Default', artifactLocation: 'artifacts', lifecycleStage: 'active', creationTime: now, lastUpdateTime: now, tags: new Map() });
    }
    await store.recoverAbandonedRuns();
    try {
      store.artifacts.removeAbandonedTemps();
    } catch {
      // an unreadable temp folder costs disk space, not the store; the next open tries again
    }
    return store;
  }

  private load(): void {
    for (const experiment of loadExperimentStates(this.db)) this.addExperimentState(experiment);
  }

  private addExperimentState(state: ExperimentState): void {
    this.experiments.set(state.experimentId, state);
    this.experimentsByName.set(state.name, state);
  }

  // ---- plumbing ----------------------------------------------------------------------------

  /** Applies now (synchronously, so the caller's later validation sees it) and resolves when durable. */
  private commit(statements: SqlStatement[], appends?: FileAppend[]): Promise<void> {
    return this.db.commit(appends ? { statements, appends } : { statements });
  }

  private emit(change: TrackingChange): void {
    this.changes.emit(change);
  }

  onDidChange(listener: (change: TrackingChange) => void): Disposable {
    return this.changes.add(listener);
  }

  private experimentState(experimentId: string): ExperimentState {
    const state = this.experiments.get(String(experimentId));
    if (!state) throw new NotFoundError(`No experiment with id ${experimentId}`);
    return state;
  }

  private runState(runId: string): RunState {
    const state = this.runs.get(runId) ?? (typeof runId === 'string' ? this.loadRuns([runId])[0] : undefined);
    if (!state) throw new NotFoundError(`No run with id ${runId}`);
    return state;
  }

  /** The states of these runs in this order (those that do not exist left out), read from SQLite when not in memory. */
  private loadRuns(runIds: readonly string[]): RunState[] {
    // Cached states are taken before any load is cached: caching may evict them, not drop them from this answer.
    const found = runIds.map((id) => this.runs.get(id));
    const loaded = loadRunStates(this.db, runIds.filter((_, i) => found[i] === undefined));
    const states: RunState[] = [];
    for (let i = 0; i < runIds.length; i++) {
      const cached = found[i];
      const state = cached ?? loaded.get(runIds[i] as string);
      if (!state) continue;
      if (!cached) this.runs.set(state);
      states.push(state);
    }
    return states;
  }

  private runExists(runId: string): boolean {
    return this.runs.peek(runId) !== undefined || this.db.rows('SELECT 1 FROM runs WHERE run_id = ?', [runId]).length > 0;
  }

  /** MLflow's check and message (sqlalchemy_store._check_run_is_active): INVALID_PARAMETER_VALUE. */
  private activeRun(runId: string): RunState {
    const run = this.runState(runId);
    if (run.lifecycleStage !== 'active') throw new InvalidArgumentError(`The run ${runId} must be in the 'active' state. Current state is ${run.lifecycleStage}. Restore it before logging to it.`);
    return run;
  }

  private activeExperiment(experimentId: string): ExperimentState {
    const state = this.experimentState(experimentId);
    if (state.lifecycleStage !== 'active') throw new InvalidArgumentError(`The experiment ${state.experimentId} must be in the 'active' state. Current state is ${state.lifecycleStage} (restore experiment "${state.name}" first).`);
    return state;
  }

  private heartbeatStatements(run: RunState, now: number, out: SqlStatement[]): void {
    if (run.status === 'RUNNING' && (run.heartbeatTime === null || now - run.heartbeatTime >= HEARTBEAT_EVERY_MS)) {
      out.push({ sql: UPDATE_HEARTBEAT, params: [now, run.runId] });
    }
  }

  private applyHeartbeat(run: RunState, statements: readonly SqlStatement[], now: number): void {
    if (statements.some((s) => s.sql === UPDATE_HEARTBEAT)) run.heartbeatTime = now;
    run.view = undefined;
  }

  // ---- experiments -------------------------------------------------------------------------

  private toExperiment(state: ExperimentState): Experiment {
    return {
      experimentId: state.experimentId,
      name: state.name,
      artifactLocation: pathToFileURL(join(this.db.dir, state.artifactLocation)).href,
      lifecycleStage: state.lifecycleStage,
      creationTime: state.creationTime,
      lastUpdateTime: state.lastUpdateTime,
      tags: [...state.tags].map(([key, value]) => ({ key, value })),
    };
  }

  async createExperiment(name: string, options: { artifactLocation?: string; tags?: readonly Tag[] } = {}): Promise<string> {
    if (typeof name !== 'string' || name.trim() === '') throw new InvalidArgumentError('An experiment needs a non-empty name');
    const existing = this.experimentsByName.get(name);
    if (existing) {
      throw new TrackingError(`Experiment "${name}" already exists (id ${existing.experimentId}${existing.lifecycleStage === 'deleted' ? ', deleted — restore it or pick another name' : ''})`, 'RESOURCE_ALREADY_EXISTS');
    }
    const tags = (options.tags ?? []).map((t) => ({ key: checkKey('tag', t.key), value: checkString('Tag', t.key, t.value, MAX_TAG_VALUE_LENGTH) }));
    let next = 1;
    for (const id of this.experiments.keys()) next = Math.max(next, Number(id) + 1 || next);
    const experimentId = String(next);
    const now = Date.now();
    const artifactLocation = options.artifactLocation ?? ARTIFACTS_FOLDER;
    const statements: SqlStatement[] = [
      { sql: 'INSERT INTO experiments VALUES (?, ?, ?, ?, ?, ?)', params: [experimentId, name, artifactLocation, 'active', now, now] },
      ...tags.map((t) => ({ sql: 'INSERT INTO experiment_tags VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value', params: [experimentId, t.key, t.value] })),
    ];
    const durable = this.commit(statements);
    this.addExperimentState({ experimentId, name, artifactLocation, lifecycleStage: 'active', creationTime: now, lastUpdateTime: now, tags: new Map(tags.map((t) => [t.key, t.value])) });
    await durable;
    this.emit({ kind: 'experiment', experimentId });
    return experimentId;
  }

  async getExperiment(experimentId: string): Promise<Experiment> {
    return this.toExperiment(this.experimentState(experimentId));
  }

  async getExperimentByName(name: string): Promise<Experiment | undefined> {
    const state = this.experimentsByName.get(name);
    return state ? this.toExperiment(state) : undefined;
  }

  async searchExperiments(options: SearchExperimentsOptions = {}): Promise<SearchExperimentsResult> {
    const clauses = parseFilter(options.filter, EXPERIMENT_FILTER_DIALECT);
    const terms = (options.orderBy ?? []).map((t) => parseOrderBy(t, EXPERIMENT_FILTER_DIALECT));
    const viewType = options.viewType ?? 'ACTIVE_ONLY';
    const maxResults = checkMaxResults(options.maxResults);
    const fingerprint = queryFingerprint(['experiments', options.filter ?? '', options.orderBy ?? [], viewType]);
    const offset = options.pageToken ? decodePageToken(options.pageToken, fingerprint) : 0;
    const attributeOf = (e: ExperimentState, key: string): string | number | undefined =>
      key === 'name' ? e.name : key === 'experiment_id' ? e.experimentId : key === 'creation_time' ? e.creationTime : key === 'last_update_time' ? e.lastUpdateTime : undefined;
    const tests = clauses.map((clause): ((e: ExperimentState) => boolean) => {
      if (clause.entity === 'tags') {
        const test = stringTest(clause);
        return (e) => {
          const v = e.tags.get(clause.key);
          return v !== undefined && test(v);
        };
      }
      if (typeof clause.value === 'number') {
        const test = numberTest(clause);
        return (e) => test(Number(attributeOf(e, clause.key)));
      }
      const test = stringTest(clause);
      return (e) => test(String(attributeOf(e, clause.key)));
    });
    const matched = [...this.experiments.values()].filter((e) => matchesViewType(e.lifecycleStage, viewType) && tests.every((t) => t(e)));
    const effectiveTerms = terms.length > 0 ? terms : [{ entity: 'attributes' as const, key: 'last_update_time', ascending: false }];
    matched.sort((a, b) => {
      for (const term of effectiveTerms) {
        const x = term.entity === 'tags' ? a.tags.get(term.key) : attributeOf(a, term.key);
        const y = term.entity === 'tags' ? b.tags.get(term.key) : attributeOf(b, term.key);
        if (x === y) continue;
        if (x === undefined) return 1;
        if (y === undefined) return -1;
        const cmp = x < y ? -1 : 1;
        return term.ascending ? cmp : -cmp;
      }
      return Number(a.experimentId) - Number(b.experimentId);
    });
    const page = matched.slice(offset, offset + maxResults).map((e) => this.toExperiment(e));
    const next = offset + maxResults;
    return next < matched.length ? { experiments: page, nextPageToken: encodePageToken({ offset: next, fingerprint }) } : { experiments: page };
  }

  async renameExperiment(experimentId: string, newName: string): Promise<void> {
    const state = this.experimentState(experimentId);
    if (state.lifecycleStage !== 'active') throw new TrackingError('Cannot rename a non-active experiment.', 'INVALID_STATE');
    if (typeof newName !== 'string' || newName.trim() === '') throw new InvalidArgumentError('An experiment needs a non-empty name');
    if (newName === state.name) return;
    if (this.experimentsByName.has(newName)) throw new TrackingError(`Experiment "${newName}" already exists`, 'RESOURCE_ALREADY_EXISTS');
    const now = Date.now();
    const durable = this.commit([{ sql: 'UPDATE experiments SET name = ?, last_update_time = ? WHERE experiment_id = ?', params: [newName, now, state.experimentId] }]);
    this.experimentsByName.delete(state.name);
    state.name = newName;
    state.lastUpdateTime = now;
    this.experimentsByName.set(newName, state);
    await durable;
    this.emit({ kind: 'experiment', experimentId: state.experimentId });
  }

  private async setExperimentStage(experimentId: string, stage: 'active' | 'deleted'): Promise<void> {
    const state = this.experimentState(experimentId);
    if (stage === 'deleted' && state.experimentId === '0') throw new InvalidArgumentError('The Default experiment cannot be deleted');
    if (state.lifecycleStage === stage) return;
    const now = Date.now();
    // As in MLflow, the experiment's runs follow it: deleted with it (no longer loggable), and all
    // of them active again when it is restored.
    const runIds = this.db.rows('SELECT run_id FROM runs WHERE experiment_id = ? AND lifecycle_stage != ?', [state.experimentId, stage]).map((row) => String(row[0]));
    const durable = this.commit([
      { sql: 'UPDATE experiments SET lifecycle_stage = ?, last_update_time = ? WHERE experiment_id = ?', params: [stage, now, state.experimentId] },
      // when each run was deleted: garbage collection keeps a deleted run's files for a grace period
      stage === 'deleted'
        ? { sql: 'INSERT OR IGNORE INTO run_deletions (run_id, deleted_time) SELECT run_id, ? FROM runs WHERE experiment_id = ?', params: [now, state.experimentId] }
        : { sql: 'DELETE FROM run_deletions WHERE run_id IN (SELECT run_id FROM runs WHERE experiment_id = ?)', params: [state.experimentId] },
      { sql: 'UPDATE runs SET lifecycle_stage = ? WHERE experiment_id = ?', params: [stage, state.experimentId] },
    ]);
    state.lifecycleStage = stage;
    state.lastUpdateTime = now;
    for (const runId of runIds) {
      const run = this.runs.peek(runId);
      if (!run) continue;
      run.lifecycleStage = stage;
      run.view = undefined;
    }
    await durable;
    this.emit({ kind: 'experiment', experimentId: state.experimentId });
    for (const runId of runIds) this.emit({ kind: 'run', experimentId: state.experimentId, runId });
  }

  deleteExperiment(experimentId: string): Promise<void> {
    return this.setExperimentStage(experimentId, 'deleted');
  }

  restoreExperiment(experimentId: string): Promise<void> {
    return this.setExperimentStage(experimentId, 'active');
  }

  async setExperimentTag(experimentId: string, key: string, value: string): Promise<void> {
    const state = this.activeExperiment(experimentId);
    checkKey('tag', key);
    checkString('Tag', key, value, MAX_TAG_VALUE_LENGTH);
    const durable = this.commit([{ sql: 'INSERT INTO experiment_tags VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET value = excluded.value', params: [state.experimentId, key, value] }]);
    state.tags.set(key, value);
    await durable;
    this.emit({ kind: 'experiment', experimentId: state.experimentId });
  }

  // ---- runs --------------------------------------------------------------------------------

  private toRunInfo(run: RunState): RunInfo {
    return {
      runId: run.runId,
      runName: run.runName,
      experimentId: run.experimentId,
      userId: run.userId,
      status: run.status,
      startTime: run.startTime,
      endTime: run.endTime,
      lifecycleStage: run.lifecycleStage,
      artifactUri: `${this.artifactRootUri}/${run.runId}`,
      source: run.source,
      gitCommit: run.gitCommit,
      gitDirty: run.gitDirty,
      parentRunId: run.parentRunId,
      ownerPid: run.ownerPid,
      ownerHost: run.ownerHost,
      heartbeatTime: run.heartbeatTime,
    };
  }

  private toRun(run: RunState): Run {
    run.view ??= this.buildRun(run);
    return run.view;
  }

  private buildRun(run: RunState): Run {
    // Plain loops into arrays of the final size: the Runs panel builds 10,000 of these (two
    // million entries) on its first query, and spreading each map into pairs first doubled that.
    const metrics = new Array<MetricSummary>(run.metrics.size);
    let i = 0;
    for (const [key, s] of run.metrics) metrics[i++] = { key, value: s.value, step: s.step, timestamp: s.timestamp, min: s.min, max: s.max, count: s.count };
    const params = new Array<Param>(run.params.size);
    i = 0;
    for (const [key, value] of run.params) params[i++] = { key, value };
    const tags = new Array<Tag>(run.tags.size);
    i = 0;
    for (const [key, value] of run.tags) tags[i++] = { key, value };
    return {
      info: this.toRunInfo(run),
      data: { metrics, params, tags },
      inputs: { datasetInputs: run.inputs.map((input) => ({ ...input })) },
    };
  }

  async createRun(options: CreateRunOptions): Promise<Run> {
    const experiment = this.activeExperiment(options.experimentId);
    const tags = new Map<string, string>();
    // MLflow checks the names of a new run's tags no further (its create_run takes them as given).
    for (const t of options.tags ?? []) {
      if (typeof t.key !== 'string' || t.key === '') throw new InvalidArgumentError('A tag key must be a non-empty string');
      tags.set(t.key, truncatedString('Tag', t.key, t.value, MAX_TAG_VALUE_LENGTH));
    }
    const status = options.status ?? 'RUNNING';
    if (!RUN_STATUSES.includes(status)) throw new InvalidArgumentError(`"${String(status)}" is not a run status; expected ${RUN_STATUSES.join(', ')}`);
    const parentRunId = options.parentRunId ?? tags.get('mlflow.parentRunId') ?? null;
    if (parentRunId !== null && !this.runExists(parentRunId)) throw new NotFoundError(`Parent run ${parentRunId} does not exist`);
    const runId = randomUUID().replace(/-/g, '');
    const startTime = options.startTime ?? Date.now();
    const runName = options.runName ?? tags.get('mlflow.runName') ?? generateRunName();
    const userId = options.userId ?? tags.get('mlflow.user') ?? defaultUser();
    const source = options.source ?? (tags.has('mlflow.source.name') ? { type: tags.get('mlflow.source.type') ?? 'LOCAL', name: tags.get('mlflow.source.name') ?? '' } : null);
    const gitCommit = options.gitCommit ?? tags.get('mlflow.source.git.commit') ?? null;
    const gitDirty = options.gitDirty ?? null;
    // MLflow clients read these system tags, so they mirror the columns.
    tags.set('mlflow.runName', runName);
    tags.set('mlflow.user', userId);
    if (source) {
      tags.set('mlflow.source.type', source.type);
      tags.set('mlflow.source.name', source.name);
    }
    if (gitCommit) tags.set('mlflow.source.git.commit', gitCommit);
    if (parentRunId) tags.set('mlflow.parentRunId', parentRunId);
    const ownerPid = status === 'RUNNING' ? (options.ownerPid === undefined ? process.pid : options.ownerPid) : null;
    const ownerHost = ownerPid === null ? null : this.host;
    const endTime = isTerminal(status) ? startTime : null;
    const statements: SqlStatement[] = [
      {
        sql: 'INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [runId, experiment.experimentId, runName, userId, status, startTime, endTime, 'active', source?.type ?? null, source?.name ?? null, gitCommit, gitDirty === null ? null : gitDirty ? 1 : 0, parentRunId, ownerPid, ownerHost, startTime],
      },
      ...[...tags].map(([key, value]) => ({ sql: UPSERT_TAG, params: [runId, key, value] })),
    ];
    const durable = this.commit(statements);
    const state: RunState = {
      runId,
      experimentId: experiment.experimentId,
      runName,
      userId,
      status,
      startTime,
      endTime,
      lifecycleStage: 'active',
      source,
      gitCommit,
      gitDirty,
      parentRunId,
      ownerPid,
      ownerHost,
      heartbeatTime: startTime,
      params: new Map(),
      tags,
      metrics: new Map(),
      inputs: [],
      nextSeriesId: 1,
      view: undefined,
    };
    this.runs.set(state);
    await durable;
    this.emit({ kind: 'run', experimentId: experiment.experimentId, runId });
    return this.toRun(state);
  }

  async updateRun(runId: string, update: UpdateRunOptions): Promise<RunInfo> {
    // A deleted run may still be ended here (a trainer finishing a run deleted with its
    // experiment); the REST API refuses it as MLflow does.
    const run = this.runState(runId);
    const status = update.status ?? run.status;
    if (!RUN_STATUSES.includes(status)) throw new InvalidArgumentError(`"${String(status)}" is not a run status; expected ${RUN_STATUSES.join(', ')}`);
    const endTime = update.endTime ?? (isTerminal(status) && !isTerminal(run.status) ? Date.now() : run.endTime);
    const runName = update.runName ?? run.runName;
    const ownerPid = isTerminal(status) ? null : run.ownerPid;
    const statements: SqlStatement[] = [
      { sql: 'UPDATE runs SET status = ?, end_time = ?, run_name = ?, owner_pid = ? WHERE run_id = ?', params: [status, endTime, runName, ownerPid, runId] },
    ];
    if (runName !== run.runName) statements.push({ sql: UPSERT_TAG, params: [runId, 'mlflow.runName', runName] });
    const durable = this.commit(statements);
    run.status = status;
    run.endTime = endTime;
    run.runName = runName;
    run.ownerPid = ownerPid;
    run.tags.set('mlflow.runName', runName);
    run.view = undefined;
    await durable;
    this.emit({ kind: 'run', experimentId: run.experimentId, runId });
    return this.toRunInfo(run);
  }

  private async setRunStage(runId: string, stage: 'active' | 'deleted'): Promise<void> {
    const run = this.runState(runId);
    if (run.lifecycleStage === stage) return;
    const durable = this.commit([
      { sql: 'UPDATE runs SET lifecycle_stage = ? WHERE run_id = ?', params: [stage, runId] },
      stage === 'deleted'
        ? { sql: 'INSERT OR REPLACE INTO run_deletions (run_id, deleted_time) VALUES (?, ?)', params: [runId, Date.now()] }
        : { sql: 'DELETE FROM run_deletions WHERE run_id = ?', params: [runId] },
    ]);
    run.lifecycleStage = stage;
    run.view = undefined;
    await durable;
    this.emit({ kind: 'run', experimentId: run.experimentId, runId });
  }

  deleteRun(runId: string): Promise<void> {
    return this.setRunStage(runId, 'deleted');
  }

  restoreRun(runId: string): Promise<void> {
    return this.setRunStage(runId, 'active');
  }

  async getRun(runId: string): Promise<Run> {
    return this.toRun(this.runState(runId));
  }

  async searchRuns(options: SearchRunsOptions = {}): Promise<SearchRunsResult> {
    const { runIds, nextPageToken } = searchRunIds(this.db, options);
    const runs = this.loadRuns(runIds).map((r) => this.toRun(r));
    return nextPageToken === undefined ? { runs } : { runs, nextPageToken };
  }

  async heartbeat(runId: string): Promise<void> {
    const run = this.runState(runId);
    const now = Date.now();
    const durable = this.commit([{ sql: UPDATE_HEARTBEAT, params: [now, runId] }]);
    run.heartbeatTime = now;
    run.view = undefined;
    await durable;
  }

  /**
   * Marks FAILED every RUNNING run whose owning process on this host is gone and whose heartbeat
   * is older than the stale limit. Called on open; the host may call it again on a timer.
   */
  async recoverAbandonedRuns(now = Date.now()): Promise<string[]> {
    const failed: string[] = [];
    // One commit for all of them: after a crash of a big sweep there can be thousands.
    const statements: SqlStatement[] = [];
    const running = this.db.rows("SELECT run_id FROM runs WHERE status = 'RUNNING' AND owner_host = ? AND owner_pid IS NOT NULL", [this.host]).map((row) => String(row[0]));
    const states = new Map(this.loadRuns(running).map((run) => [run.runId, run]));
    for (const run of states.values()) {
      if (run.status !== 'RUNNING' || run.ownerHost !== this.host || run.ownerPid === null) continue;
      if (run.ownerPid === process.pid || isProcessAlive(run.ownerPid)) continue;
      const lastSign = run.heartbeatTime ?? run.startTime;
      if (now - lastSign < this.staleRunAfterMs) continue;
      const reason = `The process that owned this run (pid ${run.ownerPid} on host ${run.ownerHost}) ended without finishing it; last heartbeat ${new Date(lastSign).toISOString()}. Marked FAILED when the store was opened at ${new Date(now).toISOString()}.`;
      statements.push(
        { sql: "UPDATE runs SET status = 'FAILED', end_time = ?, owner_pid = NULL WHERE run_id = ?", params: [lastSign, run.runId] },
        { sql: UPSERT_TAG, params: [run.runId, FAILURE_REASON_TAG, reason] },
      );
      failed.push(run.runId);
    }
    if (statements.length === 0) return failed;
    const durable = this.commit(statements);
    for (let i = 0; i < failed.length; i++) {
      const run = states.get(failed[i] as string) as RunState;
      run.status = 'FAILED';
      run.endTime = statements[i * 2]?.params?.[0] as number;
      run.ownerPid = null;
      run.tags.set(FAILURE_REASON_TAG, statements[i * 2 + 1]?.params?.[2] as string);
      run.view = undefined;
    }
    await durable;
    for (const runId of failed) this.emit({ kind: 'run', experimentId: states.get(runId)?.experimentId ?? '', runId });
    return failed;
  }

  // ---- params, tags, metrics ----------------------------------------------------------------

  logMetric(runId: string, metric: MetricInput): Promise<void> {
    return this.logBatch({ runId, metrics: [metric] });
  }

  logParam(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch({ runId, params: [{ key, value }] });
  }

  setTag(runId: string, key: string, value: string): Promise<void> {
    return this.logBatch({ runId, tags: [{ key, value }] });
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    const run = this.activeRun(runId);
    if (!run.tags.has(key)) throw new NotFoundError(`Run ${runId} has no tag "${key}"`);
    const durable = this.commit([{ sql: 'DELETE FROM tags WHERE run_id = ? AND key = ?', params: [runId, key] }]);
    run.tags.delete(key);
    run.view = undefined;
    await durable;
    this.emit({ kind: 'run', experimentId: run.experimentId, runId });
  }

  async logBatch(request: LogBatchRequest): Promise<void> {
    const run = this.activeRun(request.runId);
    const now = Date.now();
    const statements: SqlStatement[] = [];
    // Validate everything before changing anything: a batch is all or nothing.
    const newParams: Param[] = [];
    const batchParams = new Map<string, string>();
    checkParamKeysUnique(request.params ?? []);
    for (const p of request.params ?? []) {
      const key = checkKey('param', p.key);
      const value = truncatedString('Param', key, p.value, MAX_PARAM_VALUE_LENGTH);
      const old = run.params.get(key) ?? batchParams.get(key);
      if (old !== undefined) {
        if (old !== value) throw new ParamConflictError(run.runId, key, old, value);
        continue;
      }
      batchParams.set(key, value);
      newParams.push({ key, value });
      statements.push({ sql: 'INSERT INTO params (run_id, key, value) VALUES (?, ?, ?)', params: [run.runId, key, value] });
    }
    const tags: Tag[] = [];
    for (const t of request.tags ?? []) {
      const key = checkKey('tag', t.key);
      const value = truncatedString('Tag', key, t.value, MAX_TAG_VALUE_LENGTH);
      tags.push({ key, value });
      statements.push({ sql: UPSERT_TAG, params: [run.runId, key, value] });
    }
    const byKey = new Map<string, MetricPoint[]>();
    for (const m of request.metrics ?? []) {
      const key = checkKey('metric', m.key);
      if (typeof m.value !== 'number') throw new InvalidArgumentError(`Metric "${key}" needs a numeric value, got ${typeof m.value}`);
      const point = { step: checkStep(key, m.step ?? 0), value: m.value, timestamp: checkTimestamp(key, m.timestamp ?? now) };
      const list = byKey.get(key);
      if (list) list.push(point);
      else byKey.set(key, [point]);
    }
    const appends: FileAppend[] = [];
    const summaries: [string, SummaryState][] = [];
    let nextSeriesId = run.nextSeriesId;
    for (const [key, points] of byKey) {
      const previous = this.withInlinePoints(run.runId, key, run.metrics.get(key));
      const summary = summarize(previous, points, previous?.seriesId ?? nextSeriesId++);
      summaries.push([key, summary]);
      statements.push(summaryStatement(run.runId, key, summary));
      placePoints(run.runId, key, previous, summary, encodePoints(points), statements, appends);
    }
    this.heartbeatStatements(run, now, statements);
    if (statements.length === 0) return;
    const durable = this.commit(statements, appends.length > 0 ? appends : undefined);
    for (const p of newParams) run.params.set(p.key, p.value);
    for (const t of tags) run.tags.set(t.key, t.value);
    for (const [key, summary] of summaries) run.metrics.set(key, summary);
    run.view = undefined;
    run.nextSeriesId = nextSeriesId;
    this.applyHeartbeat(run, statements, now);
    await durable;
    this.emit({ kind: byKey.size > 0 && newParams.length === 0 && tags.length === 0 ? 'metrics' : 'run', experimentId: run.experimentId, runId: run.runId });
  }

  async logMetricColumns(runId: string, key: string, columns: SeriesColumns): Promise<void> {
    const run = this.activeRun(runId);
    checkKey('metric', key);
    const n = columns.steps.length;
    if (columns.values.length !== n || columns.timestamps.length !== n) throw new InvalidArgumentError(`Metric "${key}": steps, values and timestamps must have the same length`);
    if (n === 0) return;
    const raw = new Float64Array(n * 3);
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      raw[j] = checkStep(key, columns.steps[i]);
      raw[j + 1] = columns.values[i] as number;
      raw[j + 2] = checkTimestamp(key, columns.timestamps[i]);
    }
    const previous = this.withInlinePoints(runId, key, run.metrics.get(key));
    const seriesId = previous?.seriesId ?? run.nextSeriesId;
    const summary = summarizeColumns(previous, columns, seriesId);
    const now = Date.now();
    const statements: SqlStatement[] = [summaryStatement(runId, key, summary)];
    const appends: FileAppend[] = [];
    placePoints(runId, key, previous, summary, new Uint8Array(raw.buffer), statements, appends);
    this.heartbeatStatements(run, now, statements);
    const durable = this.commit(statements, appends.length > 0 ? appends : undefined);
    run.metrics.set(key, summary);
    run.view = undefined;
    if (!previous) run.nextSeriesId = seriesId + 1;
    this.applyHeartbeat(run, statements, now);
    await durable;
    this.emit({ kind: 'metrics', experimentId: run.experimentId, runId });
  }

  async logInputs(runId: string, datasets: readonly DatasetInput[]): Promise<void> {
    const run = this.activeRun(runId);
    const statements: SqlStatement[] = [];
    const added: DatasetInput[] = [];
    for (const d of datasets) {
      for (const field of ['name', 'digest', 'sourceType', 'source'] as const) {
        if (typeof d[field] !== 'string') throw new InvalidArgumentError(`A dataset input needs a string ${field}`);
      }
      // The same dataset in the same context is logged once, as MLflow does.
      if (run.inputs.some((i) => i.name === d.name && i.digest === d.digest && i.context === d.context)) continue;
      const position = run.inputs.length + added.length;
      statements.push({
        sql: 'INSERT INTO run_inputs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
        params: [runId, position, d.name, d.digest, d.sourceType, d.source, d.schema ?? null, d.profile ?? null, d.context ?? null] as SqlValue[],
      });
      added.push({ ...d });
    }
    if (statements.length === 0) return;
    const durable = this.commit(statements);
    run.inputs.push(...added);
    run.view = undefined;
    await durable;
    this.emit({ kind: 'run', experimentId: run.experimentId, runId });
  }

  /** The summary with its inline points read (new points are appended to them). */
  private withInlinePoints(runId: string, key: string, summary: SummaryState | undefined): SummaryState | undefined {
    if (summary && summary.inline === undefined && seriesStorage(summary.count) === 'inline') summary.inline = readInlinePoints(this.db, runId, key);
    return summary;
  }

  /** The raw interleaved (step, value, timestamp) bytes of a series, 8-byte aligned. */
  private async readSeriesBytes(runId: string, key: string, summary: SummaryState): Promise<Uint8Array> {
    // Short series are read from memory; files as far as they are on disk (acknowledged writes).
    const storage = seriesStorage(summary.count);
    if (storage === 'summary') return encodePoints([summary]);
    if (storage === 'inline') return summary.inline ? summary.inline.slice() : readInlinePoints(this.db, runId, key);
    return this.db.readFile(seriesFile(runId, summary.seriesId));
  }

  private async readHistory(runId: string, key: string, options: MetricHistoryOptions): Promise<{ columns: SeriesColumns; total: number; downsampled: boolean }> {
    const summary = this.runState(runId).metrics.get(key);
    if (!summary) return { columns: { steps: new Float64Array(0), values: new Float64Array(0), timestamps: new Float64Array(0) }, total: 0, downsampled: false };
    if (options.maxPoints !== undefined && options.minStep === undefined && options.maxStep === undefined && summary.count > options.maxPoints && seriesStorage(summary.count) === 'file') {
      // Downsampled where the bytes lie: no copy of the file, no columns of every point. The
      // buffer is reused by the next read, so nothing here may await.
      const bytes = this.db.readFileTransient(seriesFile(runId, summary.seriesId));
      const total = Math.floor(bytes.byteLength / POINT_BYTES);
      const raw = new Float64Array(bytes.buffer, bytes.byteOffset, total * 3);
      const keep = downsampleView({ count: total, xs: raw, ys: raw, stride: 3, xAt: 0, yAt: 1 }, options.maxPoints, options.method ?? 'lttb');
      return { columns: pickTriples(raw, keep), total, downsampled: total > keep.length };
    }
    let columns = decodeColumns(await this.readSeriesBytes(runId, key, summary));
    if (options.minStep !== undefined || options.maxStep !== undefined) columns = sliceSteps(columns, options.minStep ?? -Infinity, options.maxStep ?? Infinity);
    const total = columns.steps.length;
    if (options.maxPoints === undefined || total <= options.maxPoints) return { columns, total, downsampled: false };
    const keep = downsampleIndices(columns, options.maxPoints, options.method ?? 'lttb');
    return { columns: pick(columns, keep), total, downsampled: true };
  }

  async getMetricColumns(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<SeriesColumns> {
    return (await this.readHistory(runId, key, options)).columns;
  }

  async getMetricHistory(runId: string, key: string, options: MetricHistoryOptions = {}): Promise<MetricHistory> {
    if (options.maxPoints === undefined && options.minStep === undefined && options.maxStep === undefined) {
      // The whole series: straight from the bytes to points, without intermediate columns.
      const summary = this.runState(runId).metrics.get(key);
      if (!summary) return { key, points: [], total: 0, downsampled: false };
      const bytes = await this.readSeriesBytes(runId, key, summary);
      const n = Math.floor(bytes.byteLength / POINT_BYTES);
      const raw = new Float64Array(bytes.buffer, bytes.byteOffset, n * 3);
      const points = new Array<Metric>(n);
      for (let i = 0, j = 0; i < n; i++, j += 3) points[i] = { key, value: raw[j + 1] as number, step: raw[j] as number, timestamp: raw[j + 2] as number };
      return { key, points, total: n, downsampled: false };
    }
    const { columns, total, downsampled } = await this.readHistory(runId, key, options);
    const points = new Array<Metric>(columns.steps.length);
    for (let i = 0; i < points.length; i++) points[i] = { key, value: columns.values[i] as number, step: columns.steps[i] as number, timestamp: columns.timestamps[i] as number };
    return { key, points, total, downsampled };
  }

  // ---- artifacts ---------------------------------------------------------------------------

  async writeArtifact(runId: string, artifactPath: string, data: Uint8Array | string): Promise<void> {
    const run = this.activeRun(runId);
    this.artifacts.write(runId, artifactPath, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    this.emit({ kind: 'artifacts', experimentId: run.experimentId, runId });
  }

  async logArtifact(runId: string, localPath: string, artifactPath?: string): Promise<void> {
    const run = this.activeRun(runId);
    const target = artifactPath ?? localPath.split(/[\\/]/).filter(Boolean).pop() ?? '';
    this.artifacts.copyFrom(runId, localPath, target);
    this.emit({ kind: 'artifacts', experimentId: run.experimentId, runId });
  }

  async listArtifacts(runId: string, path = ''): Promise<ArtifactEntry[]> {
    this.runState(runId);
    return this.artifacts.list(runId, path);
  }

  async readArtifact(runId: string, artifactPath: string): Promise<Buffer> {
    this.runState(runId);
    return this.artifacts.read(runId, artifactPath);
  }

  /** Absolute path of an artifact (checked like every other artifact path), for "Open file". */
  artifactFile(runId: string, artifactPath: string): string {
    this.runState(runId);
    return this.artifacts.resolve(runId, artifactPath);
  }

  async stats(): Promise<TrackingStats> {
    const [counts] = this.db.rows("SELECT count(*), coalesce(sum(status = 'RUNNING'), 0) FROM runs WHERE lifecycle_stage = 'active'");
    const [points] = this.db.rows("SELECT coalesce(sum(m.count), 0) FROM metric_summaries m JOIN runs r ON r.run_id = m.run_id WHERE r.lifecycle_stage = 'active'");
    const runs = Number(counts?.[0] ?? 0);
    const activeRuns = Number(counts?.[1] ?? 0);
    const metricPoints = Number(points?.[0] ?? 0);
    let experiments = 0;
    for (const e of this.experiments.values()) if (e.lifecycleStage === 'active') experiments++;
    return { experiments, runs, activeRuns, metricPoints };
  }
}
