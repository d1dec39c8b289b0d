import { readFile } from 'node:fs/promises';
import { isPriced, type CostPrices } from '../process/runCost';
import { USAGE_METRIC } from '../process/systemMetrics';
import type { BackendPreference } from '../process/workerProtocol';
import type { TrackingStore } from '../tracking/trackingStore';
import { childRunUsageTotals } from './childRunUsage';
import { SpecError } from './specErrors';
import { runTraining, TrainingCancelledError, TrainingInputError, type TrainingProgress } from './trainingRunner';
import { parseTrainSpec } from './trainSpecParser';
import type { TrainingUnit } from './trainingLength';
import { makePruner } from './tunePruners';
import { makeSampler, type TrialRecord } from './tuneSamplers';
import type { TuneSpec } from './tuneSpec';
import { loadTuneSpec } from './tuneSpecParser';
import { formatObjectives, HYPERVOLUME_METRIC, OBJECTIVES_TAG, PARETO_FRONT_ARTIFACT, PARETO_TAG, paretoFrontOf, type ParetoFrontRecord } from './studyFront';
import { ensureExperiment } from '../tracking/ensureExperiment';

// Runs in the extension host or the CLI. Each trial is an ordinary training run (own worker
// process, child run of the study run); this module only samples, prunes and records.

export interface TrialSummary {
  readonly number: number;
  readonly runId?: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly state: 'complete' | 'pruned' | 'failed';
  /** objective of a complete trial; best intermediate value of a pruned one */
  readonly value?: number;
  /** with several objectives: each one's value, in the spec's order (`value` is the first) */
  readonly values?: readonly number[];
  readonly epochs: number;
  /** what `epochs` counts: a network's epochs, a booster's boosting rounds, a forest's trees (absent: epochs) */
  readonly unit?: TrainingUnit;
  readonly seconds: number;
  readonly error?: string;
}

export interface TuningProgress {
  readonly studyRunId: string;
  readonly budget: number;
  readonly started: number;
  readonly complete: number;
  readonly pruned: number;
  readonly failed: number;
  readonly running: number;
  readonly best?: TrialSummary;
  /** the trial that just ended, if any */
  readonly finished?: TrialSummary;
  readonly message: string;
}

export interface TuningOptions {
  readonly store: TrackingStore;
  /** a *.tune.yaml, or a *.train.yaml with a `tune:` section */
  readonly tuneSpecPath: string;
  readonly backend?: BackendPreference;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: TuningProgress) => void;
  /** per-trial training progress (trial number first) */
  readonly onTrialProgress?: (trial: number, progress: TrainingProgress) => void;
  /** overrides the spec's `parallel` */
  readonly parallel?: number;
  readonly workerEntry?: string;
  /** each trial gets a `cost` metric, the study their total */
  readonly prices?: CostPrices;
}

export interface TuningResult {
  readonly studyRunId: string;
  readonly experimentId: string;
  readonly objective: TuneSpec['objective'];
  readonly objectives: TuneSpec['objectives'];
  readonly trials: readonly TrialSummary[];
  /** the complete trial best in the first objective */
  readonly best?: TrialSummary;
  /** with several objectives: the Pareto front and its hypervolume (also the study's artifact) */
  readonly paretoFront?: ParetoFrontRecord;
  readonly status: 'FINISHED' | 'KILLED';
}

/**
 * Runs a hyperparameter search: a study run, then trials sampled by random/grid/TPE, `parallel`
 * at a time in their own processes, each a child run; unpromising trials are pruned (cancelled
 * and tagged). Ends within the trial and time budgets; resolves with every trial and the best.
 */
export async function runTuning(options: TuningOptions): Promise<TuningResult> {
  const spec = await loadTuneSpec(options.tuneSpecPath);
  const baseText = await readFile(spec.trainSpecPath, 'utf8');
  const base = parseTrainSpec(baseText, spec.trainSpecPath);
  const sampler = makeSampler(spec);
  const pruner = makePruner(spec.pruner);
  const score = (v: number): number => (spec.objective.direction === 'minimize' ? v : -v);
  const history: TrialRecord[] = [];
  const summaries: TrialSummary[] = [];
  const store = options.store;
  const parallel = options.parallel ?? spec.parallel;
  const multi = spec.objectives.length > 1;
  spec.objectives.forEach((o, i) => {
    // a run has a `cost` only when something is priced: say so now, not after the first trial
    if (o.metric === USAGE_METRIC.cost && !isPriced(options.prices)) {
      const field = spec.objectives.length > 1 || spec.objective.metric !== o.metric ? `objectives[${i}].metric` : 'objective.metric';
      throw new SpecError(spec.tuneSpecPath, [{ message: `${field}: "cost" needs a price — set mlops.cost.cpuHour (or gbHour, gpuHour) in the settings, or --cpu-hour-price on the command line; cpu_seconds is the unpriced alternative`, field, line: 1, column: 1 }]);
    }
  });
  const objectiveTags = (): Array<{ key: string; value: string }> => [
    { key: 'mlops.tune.objective', value: `${spec.objective.direction} ${spec.objective.metric}` },
    ...(multi ? [{ key: OBJECTIVES_TAG, value: formatObjectives(spec.objectives) }] : []),
  ];

  // a first sample checked against the train schema catches wrong paths before any run exists
  const probe = makeSampler({ ...spec, sampler: 'random' }).next([]);
  if (probe) {
    try {
      parseTrainSpec(baseText, spec.trainSpecPath, probe);
    } catch (error) {
      if (error instanceof SpecError) throw new SpecError(spec.tuneSpecPath, error.issues.map((i) => ({ ...i, message: `with the searched values, ${i.message}`, line: 1, column: 1 })));
      throw new SpecError(spec.tuneSpecPath, [{ message: (error as Error).message, field: 'params', line: 1, column: 1 }]);
    }
  }

  const experimentName = base.spec.experiment;
  const experimentId = await ensureExperiment(store, experimentName);
  const study = await store.createRun({
    experimentId,
    ...(spec.name ? { runName: spec.name } : {}),
    source: { type: 'LOCAL', name: spec.tuneSpecPath },
    tags: [
      { key: 'mlops.kind', value: 'study' },
      { key: 'mlops.spec', value: spec.trainSpecPath },
      { key: 'mlops.tune.spec', value: spec.tuneSpecPath },
      ...objectiveTags(),
    ],
  });
  const studyRunId = study.info.runId;
  await store.logBatch({
    runId: studyRunId,
    params: [
      { key: 'sampler', value: spec.sampler },
      { key: 'trials', value: String(spec.trials) },
      { key: 'parallel', value: String(parallel) },
      { key: 'seed', value: String(spec.seed) },
      { key: 'objective.metric', value: spec.objective.metric },
      { key: 'objective.direction', value: spec.objective.direction },
      ...(multi ? [{ key: 'objectives', value: formatObjectives(spec.objectives) }] : []),
      ...(spec.sampler === 'nsga2' ? [{ key: 'population_size', value: String(spec.populationSize) }] : []),
      { key: 'pruner', value: spec.pruner.type },
      { key: 'timeout_seconds', value: spec.timeoutSeconds === undefined ? 'none' : String(spec.timeoutSeconds) },
      { key: 'search_space', value: JSON.stringify(Object.fromEntries(spec.params)).slice(0, 6000) },
    ],
  });

  const started = Date.now();
  let nextNumber = 0;
  let running = 0;
  let stopReason: Error | undefined;
  let best: TrialSummary | undefined;
  const controllers = new Set<AbortController>();
  const onStudyAbort = (): void => controllers.forEach((c) => c.abort());
  options.signal?.addEventListener('abort', onStudyAbort, { once: true });
  // study-run writes stay ordered
  let writes: Promise<void> = Promise.resolve();
  const enqueue = (write: () => Promise<void>): void => {
    writes = writes.then(write).catch(() => undefined);
  };

  const report = (finished?: TrialSummary): void => {
    const count = (state: TrialSummary['state']): number => summaries.filter((s) => s.state === state).length;
    const progress: TuningProgress = {
      studyRunId,
      budget: spec.trials,
      started: nextNumber,
      complete: count('complete'),
      pruned: count('pruned'),
      failed: count('failed'),
      running,
      ...(best ? { best } : {}),
      ...(finished ? { finished } : {}),
      message: `${summaries.length}/${spec.trials} trials (${count('pruned')} pruned, ${count('failed')} failed, ${running} running)${multi ? frontNote() : best?.value !== undefined ? ` · best ${spec.objective.metric} ${best.value.toFixed(4)} (trial ${best.number})` : ''}`,
    };
    options.onProgress?.(progress);
  };

  const frontNote = (): string => {
    const complete = summaries.filter((s) => s.state === 'complete' && s.values);
    if (complete.length === 0) return '';
    const size = paretoFrontOf(complete.map((s) => ({ number: s.number, params: s.params, values: s.values as number[] })), spec.objectives).front.length;
    return ` · Pareto front ${size} trial${size === 1 ? '' : 's'}`;
  };

  const runOne = async (number: number, params: Record<string, unknown>): Promise<void> => {
    const record: TrialRecord = { number, params, state: 'running', intermediate: new Map() };
    history.push(record);
    const controller = new AbortController();
    controllers.add(controller);
    let pruned = false;
    let runId: string | undefined;
    let epochs = 0;
    let unit: TrainingUnit = 'epoch';
    const t0 = Date.now();
    let summary: TrialSummary;
    try {
      const result = await runTraining({
        store,
        specPath: spec.trainSpecPath,
        overrides: params,
        backend: options.backend ?? 'auto',
        signal: controller.signal,
        parentRunId: studyRunId,
        runName: `${study.info.runName}-trial-${number}`,
        extraTags: [
          { key: 'mlops.tune.study', value: studyRunId },
          { key: 'mlops.tune.trial', value: String(number) },
          // on each trial too, so a table of trials alone (filtered, another experiment) knows what they optimize
          ...objectiveTags(),
        ],
        ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
        ...(options.prices ? { prices: options.prices } : {}),
        onProgress: (p) => {
          if (runId === undefined && p.runId !== undefined) {
            runId = p.runId;
            const trialRunId = runId;
            // What the sampler chose, as params of their own (the spec's params show `model.layers`
            // as one string): the Runs table and parallel coordinates show what was tuned.
            enqueue(() => store.logBatch({ runId: trialRunId, params: tunedParams(params) }));
          }
          options.onTrialProgress?.(number, p);
          unit = p.unit;
          const value = p.metrics[spec.objective.metric];
          if (p.phase !== 'training' || p.epoch === 0 || p.batch !== p.batchesPerEpoch || value === undefined || record.intermediate.has(p.epoch)) return;
          record.intermediate.set(p.epoch, value);
          epochs = p.epoch;
          if (!pruned && pruner.shouldPrune(record, p.epoch, history, score)) {
            pruned = true;
            controller.abort();
          }
        },
      });
      runId = result.runId;
      epochs = result.epochsRun;
      unit = result.stepName;
      // what the trial used counts as a metric too: cost and time can be objectives
      const metrics: Record<string, number> = {
        ...result.metrics,
        [USAGE_METRIC.cpuSeconds]: result.usage.cpuSeconds,
        [USAGE_METRIC.wallSeconds]: result.usage.wallSeconds,
        [USAGE_METRIC.peakRssMegabytes]: result.usage.peakRssMegabytes,
        ...(result.usage.gpuSeconds > 0 ? { [USAGE_METRIC.gpuSeconds]: result.usage.gpuSeconds } : {}),
        ...(result.cost !== undefined ? { [USAGE_METRIC.cost]: result.cost } : {}),
      };
      const values = spec.objectives.map((o) => {
        const v = metrics[o.metric];
        if (v === undefined) throw new Error(`the trial has no metric "${o.metric}" (it has: ${Object.keys(metrics).filter((k) => !k.includes('confusion')).join(', ')})`);
        return v;
      });
      const value = values[0] as number;
      record.state = 'complete';
      record.value = value;
      if (multi) record.values = values;
      summary = { number, runId, params, state: 'complete', value, ...(multi ? { values } : {}), epochs, unit, seconds: (Date.now() - t0) / 1000 };
    } catch (error) {
      if (error instanceof TrainingCancelledError && pruned) {
        const values = [...record.intermediate.values()];
        const value = values.length ? values.reduce((a, b) => (score(a) <= score(b) ? a : b)) : undefined;
        record.state = 'pruned';
        if (value !== undefined) record.value = value;
        if (runId) {
          const id = runId;
          // "true (boosting round 7)": where a tree model's trial was stopped, in its words
          enqueue(() => store.setTag(id, 'mlops.tune.pruned', `true (${unit} ${epochs})`));
        }
        summary = { number, ...(runId ? { runId } : {}), params, state: 'pruned', ...(value !== undefined ? { value } : {}), epochs, unit, seconds: (Date.now() - t0) / 1000 };
      } else {
        record.state = 'failed';
        const message = error instanceof Error ? error.message : String(error);
        summary = { number, ...(runId ? { runId } : {}), params, state: 'failed', epochs, unit, seconds: (Date.now() - t0) / 1000, error: message };
        // bad data or spec fails every trial alike: stop rather than burn the budget
        if (error instanceof TrainingInputError || error instanceof SpecError) stopReason ??= error;
        if (error instanceof TrainingCancelledError) stopReason ??= error;
      }
    } finally {
      controllers.delete(controller);
    }
    summaries.push(summary);
    running--;
    if (summary.state === 'complete' && summary.value !== undefined && (best?.value === undefined || score(summary.value) < score(best.value))) best = summary;
    const now = Date.now();
    const logged = summaries.length;
    const snapshot = best;
    enqueue(() =>
      store.logBatch({
        runId: studyRunId,
        metrics: [
          ...(summary.value !== undefined ? [{ key: 'trial_value', value: summary.value, step: number, timestamp: now }] : []),
          ...(snapshot?.value !== undefined ? [{ key: `best_${spec.objective.metric}`, value: snapshot.value, step: logged, timestamp: now }] : []),
        ],
      }),
    );
    report(summary);
  };

  const budgetLeft = (): boolean =>
    !stopReason && !options.signal?.aborted && nextNumber < spec.trials && (spec.timeoutSeconds === undefined || Date.now() - started < spec.timeoutSeconds * 1000);

  const lane = async (): Promise<void> => {
    while (budgetLeft()) {
      const params = sampler.next(history);
      if (!params) return; // grid exhausted
      const number = nextNumber++;
      running++;
      report();
      await runOne(number, params);
    }
  };
  report();
  await Promise.all(Array.from({ length: parallel }, () => lane()));
  options.signal?.removeEventListener('abort', onStudyAbort);
  await writes;

  const killed = Boolean(options.signal?.aborted);
  // what the trials used together (pruned and failed ones too)
  const totals = await childRunUsageTotals(store, experimentId, studyRunId);
  const paretoFront = multi
    ? paretoFrontOf(summaries.filter((s) => s.state === 'complete' && s.values).map((s) => ({ number: s.number, ...(s.runId ? { runId: s.runId } : {}), params: s.params, values: s.values as number[] })), spec.objectives)
    : undefined;
  if (paretoFront) {
    for (const trial of paretoFront.front) if (trial.runId) await store.setTag(trial.runId, PARETO_TAG, 'true');
    totals.push(
      { key: HYPERVOLUME_METRIC, value: paretoFront.hypervolume, step: 0, timestamp: Date.now() },
      { key: 'pareto_front_size', value: paretoFront.front.length, step: 0, timestamp: Date.now() },
    );
  }
  const bestParams = best ? Object.entries(best.params).map(([key, value]) => ({ key: `best.${key}`, value: JSON.stringify(value) })) : [];
  await store.logBatch({
    runId: studyRunId,
    metrics: totals,
    params: bestParams,
    tags: [
      ...(best?.runId ? [{ key: 'mlops.tune.best_run', value: best.runId }] : []),
      ...(paretoFront ? [{ key: 'mlops.tune.pareto_front', value: paretoFront.front.map((t) => t.number).join(', ').slice(0, 4000) }] : []),
      { key: 'mlops.tune.trials', value: `${summaries.length} (${summaries.filter((s) => s.state === 'pruned').length} pruned, ${summaries.filter((s) => s.state === 'failed').length} failed)` },
      ...(stopReason && !killed ? [{ key: 'mlops.error', value: stopReason.message.slice(0, 4000) }] : []),
    ],
  });
  await store.writeArtifact(studyRunId, 'study/trials.json', `${JSON.stringify({ objective: spec.objective, ...(multi ? { objectives: spec.objectives } : {}), sampler: spec.sampler, best: best ?? null, trials: summaries }, null, 2)}\n`);
  if (paretoFront) await store.writeArtifact(studyRunId, PARETO_FRONT_ARTIFACT, `${JSON.stringify(paretoFront, null, 2)}\n`);
  const failedStudy = stopReason !== undefined && !killed && !(stopReason instanceof TrainingCancelledError);
  await store.updateRun(studyRunId, { status: killed ? 'KILLED' : failedStudy ? 'FAILED' : 'FINISHED', endTime: Date.now() });
  if (failedStudy && summaries.every((s) => s.state === 'failed')) throw new TrainingInputError(`every trial failed: ${stopReason?.message ?? ''}`);
  return { studyRunId, experimentId, objective: spec.objective, objectives: spec.objectives, trials: summaries, ...(best ? { best } : {}), ...(paretoFront ? { paretoFront } : {}), status: killed ? 'KILLED' : 'FINISHED' };
}

/** A trial's sampled values as `tune.<name>` params (`tune.model.layers.0.units` = `35`). */
export function tunedParams(params: Readonly<Record<string, unknown>>): Array<{ key: string; value: string }> {
  return Object.entries(params).map(([key, value]) => ({ key: `tune.${key}`, value: typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? String(value) : JSON.stringify(value) }));
}
