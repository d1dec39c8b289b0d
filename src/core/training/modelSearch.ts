import { isPriced, type CostPrices } from '../process/runCost';
import { USAGE_METRIC } from '../process/systemMetrics';
import type { BackendPreference } from '../process/workerProtocol';
import type { TrackingStore } from '../tracking/trackingStore';
import { childRunUsageTotals } from './childRunUsage';
import { runTraining, TrainingCancelledError, TrainingInputError } from './trainingRunner';
import { loadTrainSpec } from './trainSpecParser';
import type { HiddenLayerSpec } from './trainSpec';
import { formatAmount } from './modelSearchOutcome';
import { latencyVerdict, rankLeaderboard, type LeaderboardEntry } from './modelSearchLeaderboard';
import { ensureExperiment } from '../tracking/ensureExperiment';

/** One model family and size tried by "Find Best Model". */
export interface ModelCandidate {
  readonly label: string;
  /** the spec's `model` section for this candidate (YAML terms) */
  readonly model: { readonly type: string; readonly layers?: readonly Partial<HiddenLayerSpec>[] };
}

export interface ModelSearchResult {
  readonly parentRunId: string;
  readonly metric: string;
  readonly direction: 'minimize' | 'maximize';
  readonly leaderboard: readonly LeaderboardEntry[];
  /** the search space: every candidate, in the order tried */
  readonly candidates: readonly ModelCandidate[];
  readonly budgetSeconds: number;
  /** the cost budget, when one was given (in the prices' currency) */
  readonly costBudget?: number;
  /** the latency budget, when one was given: the most a candidate's one-row p99 may take, in ms */
  readonly maxLatencyMs?: number;
  /** what the search used: seconds since it started, and its candidates' cost when priced */
  readonly spent: { readonly seconds: number; readonly cost?: number };
  /** why candidates were left untried: a budget ran out, or the search was cancelled */
  readonly stoppedBy?: 'time' | 'cost' | 'cancelled';
  /** the spec's task, or the one the first run inferred */
  readonly task?: 'classification' | 'regression';
}

export interface ModelSearchOptions {
  readonly store: TrackingStore;
  readonly specPath: string;
  /** no new candidate starts after this many seconds (default 120) */
  readonly budgetSeconds?: number;
  /** no new candidate starts once the candidates cost this much together (needs `prices`) */
  readonly costBudget?: number;
  /** candidates whose measured one-row p99 latency is over this many ms are ranked out ("too slow") */
  readonly maxLatencyMs?: number;
  /** the metric to rank by (default: val_loss, val_rmse for regression, loss without a validation split) */
  readonly metric?: string;
  readonly backend?: BackendPreference;
  /** each candidate run gets a `cost` metric when a price is set */
  readonly prices?: CostPrices;
  readonly signal?: AbortSignal;
  readonly candidates?: readonly ModelCandidate[];
  /** after each candidate, the leaderboard so far */
  readonly onUpdate?: (leaderboard: readonly LeaderboardEntry[], done: number, total: number) => void;
  readonly workerEntry?: string;
}

/**
 * Linear first (fast, a baseline), then the tree ensembles (fast, and what wins most tabular
 * problems), then MLPs from small to larger.
 */
export function defaultCandidates(task: 'classification' | 'regression'): ModelCandidate[] {
  return [
    { label: task === 'classification' ? 'logistic regression' : 'linear regression', model: { type: task === 'classification' ? 'logistic_regression' : 'linear_regression' } },
    { label: 'boosted trees', model: { type: 'gbdt' } },
    { label: 'random forest', model: { type: 'random_forest' } },
    { label: 'MLP 16', model: { type: 'mlp', layers: [{ units: 16 }] } },
    { label: 'MLP 64', model: { type: 'mlp', layers: [{ units: 64 }] } },
    { label: 'MLP 64-32', model: { type: 'mlp', layers: [{ units: 64 }, { units: 32 }] } },
    { label: 'MLP 128-64 dropout 0.2', model: { type: 'mlp', layers: [{ units: 128, dropout: 0.2 }, { units: 64, dropout: 0.2 }] } },
  ];
}

/** Scores and accuracies rank higher-is-better; losses and errors lower-is-better. */
export function metricDirection(metric: string): 'minimize' | 'maximize' {
  return /(accuracy|f1|precision|recall|r2|auc)/i.test(metric) ? 'maximize' : 'minimize';
}

/**
 * "Find Best Model": trains the spec with each candidate model (child runs of one parent run)
 * within a time budget and ranks them by validation loss (RMSE for regression).
 */
export async function findBestModel(options: ModelSearchOptions): Promise<ModelSearchResult> {
  if (options.maxLatencyMs !== undefined && !(options.maxLatencyMs > 0)) throw new Error(`the latency budget must be a number of ms > 0, not ${options.maxLatencyMs}`);
  if (options.costBudget !== undefined && !(options.costBudget > 0)) throw new Error(`the cost budget must be a number > 0, not ${options.costBudget}`);
  // a cost budget without a price could never be spent: say so rather than search for ever
  if (options.costBudget !== undefined && !isPriced(options.prices)) throw new Error('a cost budget needs a price: set mlops.cost.cpuHour (or gbHour, gpuHour), or --cpu-hour-price on the command line');
  const parsed = await loadTrainSpec(options.specPath);
  // The linear baseline depends on the task. When the spec leaves the task to inference (which
  // needs the data, read only in the worker), MLPs go first and the first run tells the task.
  let task = parsed.spec.task;
  const candidates: ModelCandidate[] = options.candidates ? [...options.candidates] : task ? defaultCandidates(task) : defaultCandidates('classification').slice(1);
  const metricFor = (t: 'classification' | 'regression' | undefined): string => (parsed.spec.split.validation > 0 ? (t === 'regression' ? 'val_rmse' : 'val_loss') : 'loss');
  let metric = options.metric ?? metricFor(task);
  const direction = metricDirection(metric);
  const store = options.store;
  const experimentId = await ensureExperiment(store, parsed.spec.experiment);
  const parent = await store.createRun({
    experimentId,
    runName: `${parsed.spec.experiment}-find-best-model`,
    source: { type: 'LOCAL', name: options.specPath },
    tags: [
      { key: 'mlops.kind', value: 'model-search' },
      { key: 'mlops.spec', value: options.specPath },
    ],
  });
  const budgetSeconds = options.budgetSeconds ?? 120;
  await store.logBatch({
    runId: parent.info.runId,
    params: [
      { key: 'candidates', value: candidates.map((c) => c.label).join(', ') },
      { key: 'time_budget_seconds', value: String(budgetSeconds) },
      ...(options.costBudget !== undefined ? [{ key: 'cost_budget', value: String(options.costBudget) }] : []),
      ...(options.maxLatencyMs !== undefined ? [{ key: 'max_latency_ms', value: String(options.maxLatencyMs) }] : []),
    ],
  });
  const budgetMs = budgetSeconds * 1000;
  const started = Date.now();
  const entries: Omit<LeaderboardEntry, 'rank'>[] = [];
  const ranked = (): LeaderboardEntry[] => rankLeaderboard(entries, metric, direction);
  let cancelled = false;
  // what the candidates cost so far, failed ones included (they used the machine too)
  let spentCost = 0;
  let stoppedBy: ModelSearchResult['stoppedBy'];
  for (let c = 0; c < candidates.length; c++) {
    const candidate = candidates[c] as ModelCandidate;
    if (!stoppedBy) {
      if (cancelled || options.signal?.aborted) stoppedBy = 'cancelled';
      else if (options.costBudget !== undefined && spentCost >= options.costBudget) stoppedBy = 'cost';
      else if (Date.now() - started > budgetMs) stoppedBy = 'time';
    }
    if (stoppedBy) {
      const why = stoppedBy === 'cancelled' ? 'cancelled' : stoppedBy === 'cost' ? `cost budget used up (${formatAmount(spentCost)} of ${formatAmount(options.costBudget as number)})` : `time budget used up (${budgetSeconds} s)`;
      entries.push({ label: candidate.label, state: 'skipped', metrics: {}, seconds: 0, error: why });
      continue;
    }
    const t0 = Date.now();
    try {
      const result = await runTraining({
        store,
        specPath: options.specPath,
        overrides: { model: candidate.model },
        backend: options.backend ?? 'auto',
        ...(options.prices ? { prices: options.prices } : {}),
        parentRunId: parent.info.runId,
        runName: `${parsed.spec.experiment}-${candidate.label.replace(/\s+/g, '-').toLowerCase()}`,
        extraTags: [{ key: 'mlops.model_search.candidate', value: candidate.label }],
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
      });
      if (!task && result.evaluation) {
        task = result.evaluation.task;
        if (!options.metric) metric = metricFor(task);
        if (!options.candidates) candidates.push(defaultCandidates(task)[0] as ModelCandidate);
      }
      const tooSlow = latencyVerdict(result.metrics, options.maxLatencyMs);
      entries.push({ label: candidate.label, runId: result.runId, state: tooSlow ? 'too_slow' : 'complete', value: result.metrics[metric], metrics: result.metrics, seconds: (Date.now() - t0) / 1000, ...(tooSlow ? { error: tooSlow } : {}) });
    } catch (error) {
      if (error instanceof TrainingCancelledError) cancelled = true;
      entries.push({ label: candidate.label, state: 'failed', metrics: {}, seconds: (Date.now() - t0) / 1000, error: error instanceof Error ? error.message : String(error) });
      if (error instanceof TrainingInputError) break; // the data is the problem, not the model
    }
    if (options.costBudget !== undefined) spentCost = (await childRunUsageTotals(store, experimentId, parent.info.runId)).find((m) => m.key === USAGE_METRIC.cost)?.value ?? spentCost;
    options.onUpdate?.(ranked(), entries.length, candidates.length);
  }
  const leaderboard = ranked();
  const best = leaderboard.find((e) => e.state === 'complete');
  const totals = await childRunUsageTotals(store, experimentId, parent.info.runId);
  const totalCost = totals.find((m) => m.key === USAGE_METRIC.cost)?.value;
  const spent = { seconds: (Date.now() - started) / 1000, ...(isPriced(options.prices) ? { cost: totalCost ?? 0 } : {}) };
  await store.logBatch({
    runId: parent.info.runId,
    params: [{ key: 'metric', value: metric }],
    tags: [
      ...(best?.runId ? [{ key: 'mlops.model_search.best_run', value: best.runId }, { key: 'mlops.model_search.best', value: best.label }] : []),
      ...(stoppedBy ? [{ key: 'mlops.model_search.stopped_by', value: stoppedBy }] : []),
    ],
    // the candidates' CPU-seconds and cost together
    metrics: [...(best?.value !== undefined ? [{ key: `best_${metric}`, value: best.value, step: 0 }] : []), ...totals],
  });
  await store.writeArtifact(parent.info.runId, 'leaderboard.json', `${JSON.stringify({ metric, direction, leaderboard, budgets: { seconds: budgetSeconds, ...(options.costBudget !== undefined ? { cost: options.costBudget } : {}), ...(options.maxLatencyMs !== undefined ? { latencyP99Ms: options.maxLatencyMs } : {}) }, spent, stoppedBy: stoppedBy ?? null }, null, 2)}\n`);
  await store.updateRun(parent.info.runId, { status: cancelled || options.signal?.aborted ? 'KILLED' : 'FINISHED', endTime: Date.now() });
  return { parentRunId: parent.info.runId, metric, direction, leaderboard, candidates, budgetSeconds, ...(options.costBudget !== undefined ? { costBudget: options.costBudget } : {}), ...(options.maxLatencyMs !== undefined ? { maxLatencyMs: options.maxLatencyMs } : {}), spent, ...(stoppedBy ? { stoppedBy } : {}), ...(task ? { task } : {}) };
}
