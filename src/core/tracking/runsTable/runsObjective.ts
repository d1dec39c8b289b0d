/**
 * What a set of runs is optimized for, read from what the engine records: a study's
 * `mlops.tune.objective` tag ("maximize val_accuracy", also on its trials), else the metric a
 * training spec's early stopping monitors (the `early_stopping` param, "val_loss patience 5 …").
 */
import { parseObjectivesTag } from '../../training/studyFront';
import type { RunsObjective } from '../../../protocol/runs/runsContract';

/** Metrics where smaller is better; anything else (accuracy, f1, auc, r2) is maximized. */
const SMALLER_IS_BETTER = /loss|rmse|mae|mse|error/i;

export function objectiveOf(studyTag: string | undefined, earlyStopping: string | undefined, hasMetric: (key: string) => boolean): RunsObjective | undefined {
  const study = /^(minimize|maximize)\s+(\S.*)$/.exec(studyTag?.trim() ?? '');
  if (study && hasMetric(study[2]!)) return { metric: study[2]!, direction: study[1] as RunsObjective['direction'], source: 'study' };
  const monitored = /^(\S+)\s+patience\b/.exec(earlyStopping?.trim() ?? '');
  if (monitored && hasMetric(monitored[1]!)) {
    const metric = monitored[1]!;
    return { metric, direction: SMALLER_IS_BETTER.test(metric) ? 'minimize' : 'maximize', source: 'spec' };
  }
  return undefined;
}

/**
 * The objectives of a study with several (its `mlops.tune.objectives` tag, "maximize val_accuracy,
 * minimize cost"), when the runs have every one as a metric; undefined otherwise.
 */
export function objectivesOf(studyTag: string | undefined, hasMetric: (key: string) => boolean): RunsObjective[] | undefined {
  const objectives = parseObjectivesTag(studyTag);
  if (!objectives || !objectives.every((o) => hasMetric(o.metric))) return undefined;
  return objectives.map((o) => ({ ...o, source: 'study' }));
}
