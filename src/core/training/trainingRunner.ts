import { basename, dirname, join } from 'node:path';
import { ChildJobError, JobCancelledError, runChildJob } from '../process/childJob';
import type { BackendName, BackendPreference } from '../process/workerProtocol';
import { tableCacheFolder } from '../data/tableCache';
import type { EngineClient } from '../engine/engineClient';
import type { RegistryBackend } from '../registry/registryBackend';
import { gitRunFields, readGitSource, writeUncommittedDiff } from '../tracking/gitSource';
import type { TrackingStore } from '../tracking/trackingStore';
import type { MetricInput, Param, Tag } from '../tracking/trackingTypes';
import type { EvaluationReport } from '../evaluation/evaluationReport';
import { MODEL_DIR } from '../modelPackage/modelPackageFormat';
import { backendLabel } from '../process/backendLabel';
import { runCost, type CostPrices } from '../process/runCost';
import { sampleMetrics, startSystemMetrics, usageMetrics, type SystemMetricsSampler, type SystemSample, type SystemUsage } from '../process/systemMetrics';
import { registerFromSpec, type TrainingRegistration } from './specRegistration';
import type { SpecOverrides } from './specOverrides';
import type { TrainJobResult } from './trainJob';
import type { TrainEvent, TrainProgressEvent, TrainReadyEvent } from './trainingEvents';
import type { TrainSpec } from './trainSpec';
import { trainingLengthMetrics, trainingUnit, type TrainingUnit } from './trainingLength';
import { loadTrainSpec } from './trainSpecParser';
import { ensureExperiment } from '../tracking/ensureExperiment';

// This module runs in the extension host or the CLI: it only parses the spec, starts the worker
// and persists what the worker streams. TensorFlow.js never loads here.

export type TrainingPhase = 'starting' | 'training' | 'evaluating' | 'packaging' | 'finished';

/** What a progress UI shows; `fraction` grows from 0 to 1 over the run. */
export interface TrainingProgress {
  readonly phase: TrainingPhase;
  /** set once the run exists (after the data passed its checks) */
  readonly runId?: string;
  readonly backend?: BackendName;
  /** what `epoch` and `epochs` count: a network's epochs, a booster's rounds, a forest's trees */
  readonly unit: TrainingUnit;
  /** 1-based epoch (boosting round, tree) in progress or just finished; 0 before training */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly fraction: number;
  /** metrics of the last finished epoch (loss, val_loss, accuracy/val_accuracy or rmse/val_rmse) */
  readonly metrics: Readonly<Record<string, number>>;
  /** training throughput so far (rows per second, epoch loops only) */
  readonly samplesPerSecond?: number;
  /** one line for a notification or a terminal: "epoch 3/60 · loss 0.1234 · val_accuracy 0.9800" */
  readonly message: string;
  /** set on the report that starts training when the data needed a warning (rows dropped for a missing label, …) */
  readonly warnings?: readonly string[];
}

export interface TrainingOptions {
  readonly store: TrackingStore;
  /** path of the *.train.yaml file */
  readonly specPath: string;
  /** default "auto": tfjs-node → wasm → cpu */
  readonly backend?: BackendPreference;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TrainingProgress) => void;
  /** values replacing the spec's, by dotted YAML path (tuning trials), e.g. { 'optimizer.learning_rate': 0.003 } */
  readonly overrides?: SpecOverrides;
  /** experiment to log into; default: the spec's `experiment` */
  readonly experimentName?: string;
  readonly runName?: string;
  /**
   * The spec the run belongs to when `specPath` is a copy of it (a re-run trains the spec as it
   * was, in a temporary git worktree); default `specPath`.
   */
  readonly recordedSpecPath?: string;
  /** makes the run a child run (a tuning trial) */
  readonly parentRunId?: string;
  readonly extraTags?: readonly Tag[];
  /**
   * The engine of the workspace store the run goes into (this process's, or the holder's when
   * another process holds the store): the spec's `register:` registers there, and the lineage of
   * a training set built from feature views is recorded there. Unset on a team's MLflow server.
   */
  readonly engine?: EngineClient;
  /**
   * The workspace store's folder on this disk (files only, never its database): the materialized
   * feature views a feature-set spec reads, where the built training set is kept, and, with an
   * engine, the cache of prepared tables.
   */
  readonly storeDir?: string;
  /** who the audit log names for the spec's `register:` (default: $MLOPS_ACTOR or the git user here); a job in the engine gets its client's */
  readonly actor?: string;
  /** where the spec's `register:` registers instead of the engine (a team's MLflow registry) */
  readonly registry?: RegistryBackend;
  /** worker entry override (tests) */
  readonly workerEntry?: string;
  readonly wasmDir?: string;
  /** prices of a CPU-hour and a GB-hour: the run gets a `cost` metric when any is set */
  readonly prices?: CostPrices;
  /** how often the worker's process tree is sampled for `system/*` metrics; default 5000 */
  readonly systemMetricsIntervalMs?: number;
}

export interface TrainingResult {
  readonly runId: string;
  readonly experimentId: string;
  readonly backend: BackendName;
  /** final epoch metrics and test metrics, as logged */
  readonly metrics: Readonly<Record<string, number>>;
  readonly evaluation: EvaluationReport | undefined;
  readonly epochsRun: number;
  /** what `epochsRun` counts: a network's epochs, a booster's boosting rounds, a forest's trees */
  readonly stepName: TrainingUnit;
  readonly stoppedEarly: boolean;
  readonly datasetDigest: string;
  /** artifact path of the model package inside the run */
  readonly modelArtifactPath: string;
  /** the spec's `register:` outcome: the new version (and its alias or review), or why it was not registered */
  readonly registration?: TrainingRegistration;
  /** what the user should know about the data although training went on (also the run's `mlops.warnings` tag) */
  readonly warnings: readonly string[];
  /** CPU-seconds, wall time and peak RSS of the worker's process tree (also the run's metrics) */
  readonly usage: SystemUsage;
  /** set when a price is: also the run's `cost` metric */
  readonly cost?: number;
}

/**
 * The spec's `register:` after a FINISHED run. A failure here does not undo the run: it is
 * reported next to it (the model can still be registered by hand).
 */
async function registerTrained(options: TrainingOptions, register: NonNullable<TrainSpec['register']>, runId: string): Promise<TrainingRegistration> {
  const reviewComment = `trained from ${basename(options.specPath)} (register: in the spec)`;
  try {
    if (options.registry) return await registerFromSpec(options.registry, register, runId, reviewComment);
    if (!options.engine) return { error: `register: needs the workspace store (the registry lives there); register run ${runId} by hand` };
    // The audit log names whoever trained, also when another process holds the store.
    const { resolveActor } = await import('../registry/registryActor');
    const actor = options.actor ?? (await resolveActor(options.storeDir ? dirname(options.storeDir) : dirname(options.specPath)));
    return await options.engine.call('training.register', { runId, model: register.model, ...(register.alias ? { alias: register.alias } : {}), reviewComment, actor });
  } catch (error) {
    return { error: `register: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** The spec or the data is unusable; nothing was trained and no run was created. */
export class TrainingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingInputError';
  }
}

/** Training failed after its run was created; the run is marked FAILED with this message. */
export class TrainingFailedError extends Error {
  constructor(
    message: string,
    readonly runId: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'TrainingFailedError';
  }
}

/** Cancelled through the AbortSignal; the run (if it existed) is marked KILLED. */
export class TrainingCancelledError extends JobCancelledError {
  constructor(readonly runId: string | undefined) {
    super('train');
    this.name = 'TrainingCancelledError';
  }
}

const HEARTBEAT_MS = 5000;

/**
 * Trains the model a spec describes, in a worker process, as a tracked run. Spec and data errors
 * reject with SpecError / TrainingInputError before any run exists; later failures leave a FAILED
 * run, cancel a KILLED one. Resolves with the FINISHED run's id and metrics.
 */
export async function runTraining(options: TrainingOptions): Promise<TrainingResult> {
  const parsed = await loadTrainSpec(options.specPath, options.overrides);
  const spec = parsed.spec;
  const store = options.store;
  // Read while the worker loads the data; the run remembers the code it was trained from.
  const gitSource = readGitSource(dirname(options.specPath));
  let ready: TrainReadyEvent | undefined;
  let runId: string | undefined;
  let experimentId = '';
  let runCreation: Promise<void> | undefined;
  // writes happen in event order, one at a time; the first failure is kept and rethrown
  let writes: Promise<void> = Promise.resolve();
  let writeError: unknown;
  const enqueue = (write: () => Promise<void>): void => {
    writes = writes.then(write).catch((error: unknown) => {
      writeError ??= error;
    });
  };
  // what the run counts: a network's epochs, a booster's boosting rounds, a forest's trees
  const stepName = trainingUnit(spec.model.type);
  let progress: TrainingProgress = { phase: 'starting', unit: stepName, epoch: 0, epochs: spec.epochs, batch: 0, batchesPerEpoch: 0, fraction: 0, metrics: {}, message: 'reading the data' };
  const report = (update: Partial<TrainingProgress>): void => {
    progress = { ...progress, ...update };
    progress = { ...progress, message: describe(progress, stepName) };
    options.onProgress?.(progress);
  };
  report({});

  const onEvent = (payload: unknown): void => {
    const event = payload as TrainEvent;
    if (event.type === 'ready') {
      ready = event;
      runCreation = (async () => {
        experimentId = await ensureExperiment(store, options.experimentName ?? spec.experiment);
        const git = await gitSource;
        const { tags: gitTags, ...gitFields } = gitRunFields(git);
        const run = await store.createRun({
          experimentId,
          ...(options.runName ?? spec.runName ? { runName: options.runName ?? spec.runName } : {}),
          source: { type: 'LOCAL', name: options.recordedSpecPath ?? options.specPath },
          ...(options.parentRunId ? { parentRunId: options.parentRunId } : {}),
          ...gitFields,
          tags: [
            ...gitTags,
            { key: 'mlops.kind', value: 'train' },
            { key: 'mlops.backend', value: event.backend.chosen },
            { key: 'mlops.backend.attempts', value: JSON.stringify(event.backend.attempts.map((a) => ({ backend: a.backend, ok: a.ok, reason: a.reason }))) },
            { key: 'mlops.spec', value: options.recordedSpecPath ?? options.specPath },
            { key: 'mlops.dataset.digest', value: event.datasetDigest },
            { key: 'mlops.task', value: event.task },
            ...(event.warnings?.length ? [{ key: 'mlops.warnings', value: event.warnings.join('\n').slice(0, 4000) }] : []),
            ...(options.parentRunId ? [{ key: 'mlflow.parentRunId', value: options.parentRunId }] : []),
            ...(options.extraTags ?? []),
          ],
        });
        runId = run.info.runId;
        await store.logBatch({ runId, params: specParams(spec, event) });
        await writeUncommittedDiff(store, runId, git).catch(() => undefined);
        if (event.trainingSet && event.trainingSet.views.length > 0 && options.engine) {
          await options.engine.call('training.recordTrainingSet', { datasetDigest: event.datasetDigest, views: [...event.trainingSet.views], path: event.trainingSet.path });
        }
        await store.logInputs(runId, [
          {
            name: spec.datasetAsWritten,
            digest: event.datasetDigest,
            sourceType: 'local',
            source: event.trainingSet?.path ?? spec.dataset,
            schema: JSON.stringify({ columns: event.columns }),
            profile: JSON.stringify({ rows: event.rows.total, dropped: event.rows.dropped, train: event.rows.train, validation: event.rows.validation, test: event.rows.test }),
            context: 'training',
          },
        ]);
      })();
      enqueue(() => runCreation as Promise<void>);
      enqueue(async () => {
        report({ phase: 'training', ...(runId ? { runId } : {}), backend: event.backend.chosen, epochs: event.epochs, batchesPerEpoch: event.batchesPerEpoch, ...(event.warnings?.length ? { warnings: event.warnings } : {}) });
        // the warnings belong to this one report
        if (progress.warnings) progress = { ...progress, warnings: undefined };
      });
      return;
    }
    if (event.type === 'phase') {
      enqueue(async () => report({ phase: event.phase, fraction: event.phase === 'evaluating' ? 0.95 : 0.97 }));
      return;
    }
    enqueue(() => persistProgress(store, runId as string, event));
    const done = (event.epoch - 1 + event.batch / Math.max(event.batchesPerEpoch, 1)) / Math.max(event.epochs, 1);
    enqueue(async () =>
      report({
        phase: 'training',
        epoch: event.epoch,
        batch: event.batch,
        fraction: Math.min(0.94, done * 0.94),
        ...(event.epochMetrics ? { metrics: event.epochMetrics } : {}),
        ...(event.samplesPerSecond !== undefined ? { samplesPerSecond: event.samplesPerSecond } : {}),
      }),
    );
  };

  const heartbeat = setInterval(() => {
    if (runId) enqueue(() => store.heartbeat(runId as string));
  }, HEARTBEAT_MS);
  // System metrics of the worker's process tree; samples taken before the run exists wait for it.
  // A failed write loses a sample, never the run.
  let sampler: SystemMetricsSampler | undefined;
  const pendingSamples: SystemSample[] = [];
  const flushSamples = async (): Promise<void> => {
    if (!runId || pendingSamples.length === 0) return;
    const metrics = pendingSamples.splice(0).flatMap(sampleMetrics);
    await store.logBatch({ runId, metrics }).catch(() => undefined);
  };
  const onSpawn = (pid: number | undefined): void => {
    if (pid === undefined) return;
    sampler = startSystemMetrics({
      pid,
      ...(options.systemMetricsIntervalMs !== undefined ? { intervalMs: options.systemMetricsIntervalMs } : {}),
      onSample: (sample) => {
        pendingSamples.push(sample);
        enqueue(flushSamples);
      },
    });
  };
  let reported: { cpuSeconds: number; peakRssBytes: number } | undefined;
  const finishUsage = async (): Promise<{ usage: SystemUsage; cost: number | undefined } | undefined> => {
    const usage = await sampler?.stop(reported);
    return usage ? { usage, cost: runCost(usage, options.prices) } : undefined;
  };
  const logUsage = async (id: string, measured: { usage: SystemUsage; cost: number | undefined } | undefined): Promise<void> => {
    await flushSamples();
    if (measured) await store.logBatch({ runId: id, metrics: usageMetrics(measured.usage, measured.cost, Date.now()) }).catch(() => undefined);
  };
  let result: TrainJobResult;
  try {
    const featureRoot = options.storeDir;
    const featureSet = spec.featureSet && featureRoot
      ? { storeDir: featureRoot, output: join(featureRoot, 'training-sets', `${basename(options.specPath).replace(/\.train\.ya?ml$/i, '')}-${Date.now()}.csv`) }
      : undefined;
    result = await runChildJob('train', { specPath: options.specPath, specText: parsed.text, backend: options.backend ?? 'auto', ...(options.wasmDir ? { wasmDir: options.wasmDir } : {}), ...(options.overrides ? { overrides: options.overrides } : {}), ...(featureSet ? { featureSet } : {}), ...(options.engine && options.storeDir ? { tableCache: tableCacheFolder(options.storeDir) } : {}) }, {
      onEvent,
      onSpawn,
      onCpu: (cpu) => {
        reported = { cpuSeconds: cpu.own + cpu.children, peakRssBytes: cpu.peakRssBytes };
        sampler?.feed({ cpuSeconds: reported.cpuSeconds, rssBytes: cpu.rssBytes });
      },
      ...(options.signal ? { signal: options.signal } : {}),
      ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
    });
  } catch (error) {
    clearInterval(heartbeat);
    const measured = await finishUsage();
    await writes;
    // a failed or cancelled run used the machine too
    if (runId) await logUsage(runId, measured);
    if (!ready) {
      if (error instanceof JobCancelledError) throw new TrainingCancelledError(undefined);
      // the worker checks spec and data before sending `ready`: this is an input problem
      throw new TrainingInputError(error instanceof Error ? error.message : String(error));
    }
    if (!runId) throw writeError instanceof Error ? writeError : new Error(String(writeError ?? error));
    if (error instanceof JobCancelledError) {
      await store.setTag(runId, 'mlops.cancelled', 'true');
      await store.updateRun(runId, { status: 'KILLED', endTime: Date.now() });
      throw new TrainingCancelledError(runId);
    }
    const message = error instanceof Error ? error.message : String(error);
    const stderrTail = error instanceof ChildJobError ? error.stderrTail : '';
    await store.logBatch({ runId, tags: [{ key: 'mlops.error', value: message.slice(0, 4000) }, ...(stderrTail ? [{ key: 'mlops.stderr_tail', value: stderrTail.slice(-4000) }] : [])] });
    await store.updateRun(runId, { status: 'FAILED', endTime: Date.now() });
    throw new TrainingFailedError(message, runId, stderrTail);
  }
  clearInterval(heartbeat);
  const measured = await finishUsage();
  await writes;
  const finishedRunId = runId;
  if (!ready || !finishedRunId) throw writeError instanceof Error ? writeError : new Error('the training worker finished without starting a run');
  try {
    if (writeError) throw writeError;
    await logUsage(finishedRunId, measured);
    const now = Date.now();
    // Early stopping restored the best epoch's weights: the saved model is that epoch's, not the
    // last one's. Log its training metrics once more at the step after the last epoch (as MLflow's
    // Keras autologging does), so a run's "last" val_accuracy is the model's — the value tuning
    // ranked the trial by — and not the discarded last epoch's.
    const restored = result.bestEpoch < result.epochsRun;
    const summary: MetricInput[] = [
      ...(restored ? Object.entries(result.finalMetrics).map(([key, value]) => ({ key, value, step: result.epochsRun + 1, timestamp: now })) : []),
      ...Object.entries(result.testMetrics).map(([key, value]) => ({ key, value, step: result.epochsRun, timestamp: now })),
      ...Object.entries(result.latencyMetrics).map(([key, value]) => ({ key, value, step: 0, timestamp: now })),
      // best_epoch/epochs_run, best_iteration/iterations_run, or a forest's trees
      ...Object.entries(trainingLengthMetrics(stepName, result.epochsRun, result.bestEpoch)).map(([key, value]) => ({ key, value, step: 0, timestamp: now })),
      { key: 'train_samples_per_second', value: result.samplesPerSecond, step: 0, timestamp: now },
    ];
    await store.logBatch({ runId: finishedRunId, metrics: summary, tags: [{ key: 'mlops.stopped_early', value: String(result.stoppedEarly) }, { key: 'mlops.model', value: MODEL_DIR }] });
    for (const file of result.files) await store.writeArtifact(finishedRunId, file.path, file.data);
    await store.updateRun(finishedRunId, { status: 'FINISHED', endTime: Date.now() });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    await store.setTag(finishedRunId, 'mlops.error', message.slice(0, 4000)).catch(() => undefined);
    await store.updateRun(finishedRunId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw new TrainingFailedError(`saving the run failed: ${message}`, finishedRunId, '');
  }
  const metrics = { ...result.finalMetrics, ...result.testMetrics, ...result.latencyMetrics };
  const registration = spec.register ? await registerTrained(options, spec.register, finishedRunId) : undefined;
  report({ phase: 'finished', fraction: 1, metrics });
  return {
    ...(registration ? { registration } : {}),
    runId: finishedRunId,
    experimentId,
    backend: result.backend,
    metrics,
    evaluation: result.evaluation,
    epochsRun: result.epochsRun,
    stepName,
    stoppedEarly: result.stoppedEarly,
    datasetDigest: ready.datasetDigest,
    modelArtifactPath: MODEL_DIR,
    warnings: ready.warnings ?? [],
    usage: measured?.usage ?? { cpuSeconds: 0, wallSeconds: 0, peakRssMegabytes: 0, memoryGbHours: 0, gpuSeconds: 0 },
    ...(measured?.cost !== undefined ? { cost: measured.cost } : {}),
  };
}

async function persistProgress(store: TrackingStore, runId: string, event: TrainProgressEvent): Promise<void> {
  if (event.batchLoss.steps.length > 0) {
    await store.logMetricColumns(runId, 'batch_loss', {
      steps: Float64Array.from(event.batchLoss.steps),
      values: Float64Array.from(event.batchLoss.values),
      timestamps: Float64Array.from(event.batchLoss.timestamps),
    });
  }
  if (event.epochMetrics) {
    const timestamp = Date.now();
    const metrics: MetricInput[] = Object.entries(event.epochMetrics).map(([key, value]) => ({ key, value, step: event.epoch, timestamp }));
    if (event.samplesPerSecond !== undefined) metrics.push({ key: 'samples_per_second', value: event.samplesPerSecond, step: event.epoch, timestamp });
    await store.logBatch({ runId, metrics });
  }
}

/** The spec as flat MLflow params (snake_case keys as in the YAML). */
export function specParams(spec: TrainSpec, ready?: Pick<TrainReadyEvent, 'task' | 'classes'>): Param[] {
  const features = spec.features.mode === 'all' ? 'all' : spec.features.mode === 'list' ? spec.features.columns.join(',') : `all except ${spec.features.columns.join(',')}`;
  const entries: [string, string | number | boolean][] = [
    ['dataset', spec.datasetAsWritten],
    ...(spec.datasetEncoding ? [['dataset.encoding', spec.datasetEncoding] as [string, string]] : []),
    ['target', spec.target],
    ['task', ready?.task ?? spec.task ?? 'inferred'],
    ['features', features],
    ['model.type', spec.model.type],
    ...(spec.model.trees ? treeParams(spec.model.trees) : networkParams(spec)),
    ['seed', spec.seed],
    ['split.train', spec.split.train],
    ['split.validation', spec.split.validation],
    ['split.test', spec.split.test],
    ['split.seed', spec.split.seed],
    ['split.stratified', spec.split.stratified],
    ...(spec.model.trees
      ? ([['preprocessing', 'native: values as they are, categories as indices, missing values routed by the trees']] as [string, string][])
      : ([
          ['preprocessing.impute.numeric', spec.preprocessing.impute.numeric],
          ['preprocessing.impute.categorical', spec.preprocessing.impute.categorical],
          ['preprocessing.standardize', spec.preprocessing.standardize],
        ] as [string, string | boolean][])),
    ['preprocessing.one_hot.handle_unknown', spec.preprocessing.oneHot.handleUnknown],
    // a forest grows all its trees: early stopping is not a setting of it
    ...(spec.model.type === 'random_forest' ? [] : ([['early_stopping', spec.earlyStopping === false ? 'off' : `${spec.earlyStopping.monitor} patience ${spec.earlyStopping.patience} min_delta ${spec.earlyStopping.minDelta}`]] as [string, string][])),
    ['class_weights', spec.classWeights === undefined ? 'none' : typeof spec.classWeights === 'string' ? spec.classWeights : JSON.stringify(spec.classWeights)],
  ];
  if (spec.model.type === 'mlp') {
    entries.push(['model.layers', spec.model.layers.map((l) => `${l.units}:${l.activation}${l.dropout > 0 ? `:dropout=${l.dropout}` : ''}`).join(',')]);
    entries.push(['model.hidden_layers', spec.model.layers.length]);
  }
  if (spec.preprocessing.impute.fillValue !== undefined) entries.push(['preprocessing.impute.fill_value', spec.preprocessing.impute.fillValue]);
  if (ready && ready.classes.length > 0) entries.push(['classes', ready.classes.join(',')]);
  return entries.map(([key, value]) => ({ key, value: String(value) }));
}

/** A network's gradient-descent settings. */
function networkParams(spec: TrainSpec): [string, string | number][] {
  return [
    ['optimizer.name', spec.optimizer.name],
    ['optimizer.learning_rate', spec.optimizer.learningRate],
    ['optimizer.momentum', spec.optimizer.momentum],
    ['optimizer.l2', spec.optimizer.l2],
    ['epochs', spec.epochs],
    ['batch_size', spec.batchSize],
  ];
}

/** A tree model's settings as the spec writes them, defaults included ("none" for no limit). */
function treeParams(trees: NonNullable<TrainSpec['model']['trees']>): [string, string | number | boolean][] {
  const limit = (v: number | null): string | number => v ?? 'none';
  if (trees.type === 'gbdt') {
    return [
      ['model.learning_rate', trees.learningRate],
      ['model.max_iter', trees.maxIter],
      ['model.max_leaf_nodes', limit(trees.maxLeafNodes)],
      ['model.max_depth', limit(trees.maxDepth)],
      ['model.min_samples_leaf', trees.minSamplesLeaf],
      ['model.l2_regularization', trees.l2Regularization],
      ['model.subsample', trees.subsample],
      ['model.colsample', trees.colsample],
      ['model.max_bins', trees.maxBins],
    ];
  }
  return [
    ['model.n_estimators', trees.nEstimators],
    ['model.max_depth', limit(trees.maxDepth)],
    ['model.max_leaf_nodes', limit(trees.maxLeafNodes)],
    ['model.min_samples_leaf', trees.minSamplesLeaf],
    ['model.max_features', trees.maxFeatures],
    ['model.bootstrap', trees.bootstrap],
    ['model.max_bins', trees.maxBins],
  ];
}

function describe(p: TrainingProgress, stepName: string): string {
  switch (p.phase) {
    case 'starting':
      return 'reading and checking the data';
    case 'evaluating':
      return 'evaluating on the test split';
    case 'packaging':
      return 'saving the model package';
    case 'finished':
      return `finished: ${formatMetrics(p.metrics)}`;
    default: {
      const shown = formatMetrics(p.metrics);
      return p.epoch === 0 ? (p.backend ? `training with ${backendLabel(p.backend)}` : 'training') : `${stepName} ${p.epoch}/${p.epochs}${shown ? ` · ${shown}` : ''}`;
    }
  }
}

const SHOWN = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'rmse', 'val_rmse', 'test_accuracy', 'test_f1_macro', 'test_rmse', 'test_r2'];
function formatMetrics(metrics: Readonly<Record<string, number>>): string {
  return SHOWN.filter((k) => metrics[k] !== undefined)
    .map((k) => `${k} ${(metrics[k] as number).toFixed(4)}`)
    .join(' · ');
}
