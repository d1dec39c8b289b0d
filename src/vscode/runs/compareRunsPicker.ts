/**
 * "Compare Runs" with nothing selected: the recent runs of every experiment to pick from, each
 * with what tells runs apart (experiment, status, when, its main metrics). Free of `vscode` so
 * unit tests build the list; runsCommands.ts shows it.
 */
import type { Run } from '../../core/tracking/trackingTypes';
import type { RunsScope } from './runsPanel';

/** Runs offered at most: the most recent ones. */
export const MAX_PICKABLE_RUNS = 500;

export interface CompareRunItem {
  label: string;
  description: string;
  detail: string;
  runId: string;
  experimentId: string;
}

/** Metrics a reader recognizes a run by, best known first (see core/evaluation/evaluationReport.ts). */
const SUMMARY_METRICS = ['test_accuracy', 'test_f1_macro', 'test_roc_auc', 'test_rmse', 'test_r2', 'val_accuracy', 'val_loss', 'accuracy', 'loss', 'val_rmse', 'rmse'];

function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : Number(value.toPrecision(4)).toString();
}

/** The study's objective first (what a trial is judged by), then the usual quality metrics. */
function summary(run: Run): string {
  const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
  const objective = /^(?:minimize|maximize)\s+(\S+)$/.exec(run.data.tags.find((t) => t.key === 'mlops.tune.objective')?.value ?? '')?.[1];
  const keys = [...new Set([...(objective ? [objective] : []), ...SUMMARY_METRICS])].filter((k) => metrics.has(k)).slice(0, 3);
  if (keys.length === 0) {
    const kind = run.data.tags.find((t) => t.key === 'mlops.kind')?.value;
    return kind === 'study' ? 'hyperparameter study (its trials are runs of their own)' : 'no metrics';
  }
  return keys.map((k) => `${k} ${formatValue(metrics.get(k)!)}`).join(' · ');
}

export function compareRunItems(runs: readonly Run[], experimentNames: ReadonlyMap<string, string>, locale?: string): CompareRunItem[] {
  const when = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' });
  return runs.slice(0, MAX_PICKABLE_RUNS).map((run) => ({
    label: run.info.runName || run.info.runId.slice(0, 8),
    description: `${experimentNames.get(run.info.experimentId) ?? `experiment ${run.info.experimentId}`} · ${run.info.status.toLowerCase()} · ${when.format(new Date(run.info.startTime))}`,
    detail: summary(run),
    runId: run.info.runId,
    experimentId: run.info.experimentId,
  }));
}

/** The panel scope for the picked runs; undefined when none was picked. */
export function compareScope(picked: readonly Pick<CompareRunItem, 'runId' | 'experimentId'>[]): RunsScope | undefined {
  if (picked.length === 0) return undefined;
  return {
    title: `Compare ${picked.length} run${picked.length === 1 ? '' : 's'}`,
    experimentIds: [...new Set(picked.map((p) => p.experimentId))],
    compareRunIds: picked.map((p) => p.runId),
  };
}
