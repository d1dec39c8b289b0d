/**
 * What a list of runs shows for each run — the Experiments view's rows: status, name, dates, the
 * star, the note, a headline metric and a short tooltip. A run can carry thousands of params,
 * metrics and tags; a row reads a few, so the engine sends those few and keeps the rest.
 */
import { FEEDBACK_METRICS } from '../feedback/feedbackStore';
import { HYPERVOLUME_METRIC, OBJECTIVES_TAG, parseObjectivesTag } from '../training/studyFront';
import type { Run } from './trackingTypes';

/** The metric shown beside a run: the first of these it has (text evaluations: corpus BLEU, then ROUGE-L, then exact match). */
export const HEADLINE_METRICS = ['test_accuracy', 'val_accuracy', 'accuracy', 'test_rmse', 'val_rmse', 'rmse', 'test_r2', 'val_loss', 'loss', 'bleu', 'rougeL_f', 'exact_match'];

/** How many of a run's metrics its tooltip lists (a confusion matrix's cells are not among them). */
export const TOOLTIP_METRICS = 12;

/** A study written before its objective was a tag keeps it in these params. */
const OBJECTIVE_PARAMS = ['objective.metric', 'objective.direction'];

const NAMED_METRICS = new Set<string>([...HEADLINE_METRICS, ...Object.values(FEEDBACK_METRICS), HYPERVOLUME_METRIC]);

/** Metrics a tooltip lists: in the store's order, a confusion matrix's cells left out. */
export function tooltipMetric(key: string): boolean {
  return !key.startsWith('test_confusion');
}

/**
 * The run as a list row reads it: its info whole; the system tags (star, note, study, trial,
 * error, evaluation kind, source); the objective params; and the metrics a row shows — the
 * headline ones, the study's objectives (a trial carries its study's objective tags), a study's
 * recorded best and hypervolume. The tooltip's list of metrics is read with the whole run when
 * someone hovers the row: most of a run's bytes are its metrics.
 */
export function listRow(run: Run): Run {
  // Every system tag (a handful): the row reads MLOps's, and commands on the row read some of
  // MLflow's (its source file, its commit); a user's own tags can be many and are not shown.
  const tags = run.data.tags.filter((t) => t.key.startsWith('mlops.') || t.key.startsWith('mlflow.'));
  const objectives = new Set<string>();
  const single = tags.find((t) => t.key === 'mlops.tune.objective')?.value;
  const singleMetric = single ? /^(?:minimize|maximize)\s+(\S+)$/.exec(single.trim())?.[1] : undefined;
  if (singleMetric) objectives.add(singleMetric);
  for (const o of parseObjectivesTag(tags.find((t) => t.key === OBJECTIVES_TAG)?.value) ?? []) objectives.add(o.metric);
  const params = run.data.params.filter((p) => OBJECTIVE_PARAMS.includes(p.key));
  const paramMetric = params.find((p) => p.key === 'objective.metric')?.value;
  if (paramMetric) objectives.add(paramMetric);
  const metrics = run.data.metrics.filter((m) => NAMED_METRICS.has(m.key) || objectives.has(m.key) || m.key.startsWith('best_'));
  return { info: run.info, data: { metrics, params, tags }, inputs: { datasetInputs: [] } };
}
