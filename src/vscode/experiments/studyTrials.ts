/**
 * Parent and child runs as a person reads them: a hyperparameter study (or any MLflow parent run)
 * with its trials under it, the study's objective, the best trial, pruned trials called pruned.
 * Pure: read from the tags `tuningRunner` writes and MLflow's `mlflow.parentRunId`.
 */
import type { Run } from '../../core/tracking/trackingTypes';
import { OBJECTIVES_TAG, PARETO_TAG, parseObjectivesTag } from '../../core/training/studyFront';

export interface StudyObjective {
  metric: string;
  direction: 'minimize' | 'maximize';
}

const tag = (run: Run, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;

/** The study's objective, or undefined when the run is not a study. */
export function studyObjective(run: Run): StudyObjective | undefined {
  // Trials carry their study's objective tag too: a trial number says it is one of them.
  if (tag(run, 'mlops.tune.trial') !== undefined) return undefined;
  const written = tag(run, 'mlops.tune.objective');
  const match = written ? /^(minimize|maximize)\s+(\S+)$/.exec(written.trim()) : null;
  if (match) return { direction: match[1] as StudyObjective['direction'], metric: match[2]! };
  if (tag(run, 'mlops.kind') !== 'study') return undefined;
  const metric = run.data.params.find((p) => p.key === 'objective.metric')?.value;
  const direction = run.data.params.find((p) => p.key === 'objective.direction')?.value;
  return metric && (direction === 'minimize' || direction === 'maximize') ? { metric, direction } : undefined;
}

/** A study with several objectives ("maximize val_accuracy, minimize cost"): its trials have a Pareto front, not one best. */
export function studyObjectives(run: Run): StudyObjective[] | undefined {
  if (tag(run, 'mlops.tune.trial') !== undefined) return undefined;
  return parseObjectivesTag(tag(run, OBJECTIVES_TAG));
}

/** A trial the study recorded on its Pareto front when it ended. */
export function onParetoFront(run: Run): boolean {
  return tag(run, PARETO_TAG) === 'true';
}

/** The trial's number in its study, when it is one. */
export function trialNumber(run: Run): number | undefined {
  const value = tag(run, 'mlops.tune.trial');
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/** "pruned at epoch 7" ("at boosting round 7" for a booster) for a trial the pruner stopped, undefined otherwise. */
export function prunedText(run: Run): string | undefined {
  const value = tag(run, 'mlops.tune.pruned');
  if (value === undefined) return undefined;
  const at = /(epoch|boosting round|tree) (\d+)/.exec(value);
  return at ? `pruned at ${at[1]} ${at[2]}` : 'pruned';
}

/** The objective's value a run reached, if it logged it. */
export function objectiveValue(run: Run, objective: StudyObjective): number | undefined {
  return run.data.metrics.find((m) => m.key === objective.metric)?.value;
}

/**
 * The study's best trial: the one the study recorded when it ended, else (while it runs) the
 * finished trial with the best objective so far. Pruned and failed trials never count.
 */
export function bestTrialId(study: Run, trials: readonly Run[]): string | undefined {
  const recorded = tag(study, 'mlops.tune.best_run');
  if (recorded) return recorded;
  const objective = studyObjective(study);
  if (!objective) return undefined;
  const sign = objective.direction === 'minimize' ? 1 : -1;
  let best: { id: string; value: number } | undefined;
  for (const trial of trials) {
    if (trial.info.status !== 'FINISHED' || prunedText(trial) !== undefined) continue;
    const value = objectiveValue(trial, objective);
    if (value === undefined || !Number.isFinite(value)) continue;
    if (!best || sign * (value - best.value) < 0) best = { id: trial.info.runId, value };
  }
  return best?.id;
}

/** A child's label under its parent: "trial 3", or its name without the parent's name in front. */
export function childLabel(child: Run, parent: Run): string {
  const number = trialNumber(child);
  if (number !== undefined) return `trial ${number}`;
  const name = child.info.runName;
  const prefix = parent.info.runName;
  if (name && prefix && name.startsWith(prefix) && name.length > prefix.length + 1 && /[-_ .]/.test(name[prefix.length]!)) return name.slice(prefix.length + 1);
  return name || child.info.runId.slice(0, 8);
}

export interface NestedRuns {
  /** runs shown at the experiment's level, in the order given */
  top: Run[];
  /** children by parent run id, in the order given */
  children: Map<string, Run[]>;
}

/** Children under their parent when the parent is listed too; an orphan (its parent deleted or not listed) stays on top. */
export function nestRuns(runs: readonly Run[]): NestedRuns {
  const ids = new Set(runs.map((r) => r.info.runId));
  const top: Run[] = [];
  const children = new Map<string, Run[]>();
  for (const run of runs) {
    const parent = run.info.parentRunId;
    if (parent && parent !== run.info.runId && ids.has(parent)) {
      const list = children.get(parent) ?? [];
      list.push(run);
      children.set(parent, list);
    } else top.push(run);
  }
  return { top, children };
}
