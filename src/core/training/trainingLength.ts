/*
 * How long a model trained, in the words of its type: a network counts epochs, a booster its
 * boosting rounds, a forest its trees. A tree model has no epochs, and a card or a terminal line
 * that says "epochs" for one makes its reader wonder what went wrong.
 */

/** What one step of training grows. */
export type TrainingUnit = 'epoch' | 'boosting round' | 'tree';

/**
 * The run metrics that say how long training went, per unit. Runs of tree models logged before
 * these names existed have `epochs_run`/`best_epoch`; readers fall back to those.
 */
export const TRAINING_LENGTH_METRICS: Readonly<Record<TrainingUnit, { readonly ran: string; readonly kept: string }>> = {
  epoch: { ran: 'epochs_run', kept: 'best_epoch' },
  // LightGBM's and XGBoost's word for a boosting round's index
  'boosting round': { ran: 'iterations_run', kept: 'best_iteration' },
  // a forest grows all its trees and keeps them all
  tree: { ran: 'trees', kept: 'trees' },
};

/** The metrics a finished run logs about its length: {epochs_run, best_epoch}, {iterations_run, best_iteration} or {trees}. */
export function trainingLengthMetrics(unit: TrainingUnit, ran: number, kept: number): Record<string, number> {
  const names = TRAINING_LENGTH_METRICS[unit];
  return { [names.ran]: ran, [names.kept]: kept };
}

/** The spec param that caps the training length (logged by specParams). */
const LIMIT_PARAMS: Readonly<Record<TrainingUnit, string>> = { epoch: 'epochs', 'boosting round': 'model.max_iter', tree: 'model.n_estimators' };

export function trainingUnit(modelType: string | null | undefined): TrainingUnit {
  return modelType === 'gbdt' ? 'boosting round' : modelType === 'random_forest' ? 'tree' : 'epoch';
}

export interface TrainingLength {
  readonly unit: TrainingUnit;
  /** epochs or boosting rounds trained (a forest: its trees) */
  readonly ran: number;
  /** the epoch whose weights were kept, or the boosting rounds the saved model holds */
  readonly kept: number;
  /** what the spec allowed (`epochs`, `model.max_iter`); null when not known */
  readonly limit: number | null;
  readonly stoppedEarly: boolean;
}

/** What a finished run logged about its length: its metrics, `mlops.stopped_early` tag and params. */
export interface LoggedRun {
  readonly metrics: Readonly<Record<string, number>>;
  readonly tags: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, string>>;
}

/** A tracked run's metrics (latest values), tags and params, as loggedTrainingLength reads them. */
export function runLog(run: { readonly data: { readonly metrics: readonly { key: string; value: number }[]; readonly tags: readonly { key: string; value: string }[]; readonly params: readonly { key: string; value: string }[] } }): LoggedRun {
  return {
    metrics: Object.fromEntries(run.data.metrics.map((m) => [m.key, m.value])),
    tags: Object.fromEntries(run.data.tags.map((t) => [t.key, t.value])),
    params: Object.fromEntries(run.data.params.map((p) => [p.key, p.value])),
  };
}

/** The training length a run logged, or undefined when it logged none (not a training, or still running). */
export function loggedTrainingLength(modelType: string | null | undefined, run: LoggedRun): TrainingLength | undefined {
  const unit = trainingUnit(modelType);
  const names = TRAINING_LENGTH_METRICS[unit];
  const ran = run.metrics[names.ran] ?? run.metrics[TRAINING_LENGTH_METRICS.epoch.ran];
  if (ran === undefined) return undefined;
  const kept = run.metrics[names.kept] ?? run.metrics[TRAINING_LENGTH_METRICS.epoch.kept] ?? ran;
  const limit = Number(run.params[LIMIT_PARAMS[unit]]);
  return { unit, ran, kept, limit: Number.isFinite(limit) && limit > 0 ? limit : null, stoppedEarly: run.tags['mlops.stopped_early'] === 'true' };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/**
 * The length as a fact: label "Boosting rounds", value "137 of 500, stopped early (the best of 147
 * grown)"; "Trees", "100"; "Epochs", "37 of 100, stopped early (weights of epoch 27 kept)".
 */
export function trainingLengthFact(length: TrainingLength): { readonly label: string; readonly value: string } {
  const of = length.limit !== null && length.limit !== length.ran ? ` of ${length.limit}` : '';
  switch (length.unit) {
    case 'tree':
      return { label: 'Trees', value: String(length.ran) };
    case 'boosting round': {
      // the package holds the best round's trees; the rounds grown after it were dropped
      const dropped = length.kept < length.ran ? ` (the best of ${length.ran} grown)` : '';
      return { label: 'Boosting rounds', value: `${length.kept}${length.limit !== null && length.limit !== length.kept ? ` of ${length.limit}` : ''}${length.stoppedEarly ? ', stopped early' : ''}${dropped}` };
    }
    default:
      return { label: 'Epochs', value: `${length.ran}${of}${length.stoppedEarly ? ', stopped early' : ''}${length.kept < length.ran ? ` (weights of epoch ${length.kept} kept)` : ''}` };
  }
}

/** "boosting rounds: 137 of 500, stopped early" — for a line of terminal output. */
export function trainingLengthText(length: TrainingLength): string {
  const fact = trainingLengthFact(length);
  return `${fact.label.toLowerCase()}: ${fact.value}`;
}

/**
 * What a model's final training metrics (loss, val_loss, …) were measured on: the kept epoch, the
 * kept boosting round, or the whole forest.
 */
export function trainingMetricsLabel(modelType: string | null | undefined, length: TrainingLength | undefined): string {
  const unit = trainingUnit(modelType);
  if (unit === 'tree') return length ? `All ${plural(length.ran, 'tree')}` : 'The whole forest';
  if (unit === 'boosting round') return length ? `After boosting round ${length.kept}` : 'After the last boosting round kept';
  return length && length.kept < length.ran ? `Epoch ${length.kept} (kept)` : 'Last epoch';
}

/** "137 boosting rounds", "1 epoch", "100 trees". */
export function trainingCount(unit: TrainingUnit, n: number): string {
  return plural(n, unit);
}

/** A training job's status-bar text: "boosting round 3/300", "tree 40/100", "epoch 3/60", else its phase. */
export function trainingStepText(progress: { readonly unit?: TrainingUnit; readonly phase: string; readonly epoch: number; readonly epochs: number }): string {
  // `unit` is absent from the progress of an engine from before it was added: those count epochs
  return progress.epochs > 0 && progress.epoch > 0 ? `${progress.unit ?? 'epoch'} ${progress.epoch}/${progress.epochs}` : progress.phase;
}
