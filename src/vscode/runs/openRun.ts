/**
 * "Open Run" (a click on a run in the Experiments view, the "trained …" notification, the palette)
 * and a study's leaderboard: both are the Runs panel of the run's experiment, one with the run's
 * details open, the other filtered to the study's trials and sorted by its objective.
 */
import * as vscode from 'vscode';
import { runLabel } from '../../core/tracking/runAnnotations';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/trackingTypes';
import type { RunsFocus } from '../../protocol/runs/runsContract';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import { requireTracking } from '../experiments/requireTracking';
import { headlineMetric } from '../experiments/runHeadline';
import { studyObjective } from '../experiments/studyTrials';
import type { RunsPanelDependencies } from './runsPanel';

/** What callers pass: a tree node, a run id (notifications, other panels), or nothing (palette). */
export type OpenRunArgument = ExperimentsNode | { runId: string } | string | undefined;

/** How many recent runs the palette's quick pick offers. */
const PICK_LIMIT = 300;

/** `studies` narrows the palette's pick to hyperparameter studies ("Show Leaderboard"). */
export async function openRun(deps: RunsPanelDependencies, argument: OpenRunArgument, selection: readonly ExperimentsNode[], studies = false): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const run = await resolveRun(tracking, argument, selection, studies);
  if (!run) return;
  const study = studyObjective(run);
  // A study opens as its leaderboard: the trials are what there is to look at.
  const focus: RunsFocus = study ? { detailsRunId: run.info.runId, query: leaderboardQuery(run.info.runId, study) } : { detailsRunId: run.info.runId };
  // A tree click keeps the keyboard in the tree, so arrowing through runs keeps working.
  await showInPanel(deps, tracking, run, focus, typeof argument === 'object' && 'kind' in argument);
}

/** The Runs panel on the study's experiment: its trials only, best objective first. */
export async function showStudyLeaderboard(deps: RunsPanelDependencies, studyRunId: string): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const study = await tracking.getRun(studyRunId);
  const objective = studyObjective(study);
  if (!objective) throw new Error(`run ${runLabel(study.info)} is not a hyperparameter study.`);
  await showInPanel(deps, tracking, study, { query: leaderboardQuery(studyRunId, objective) }, false);
}

/** The filter and sort that list a study's trials by its objective. */
export function leaderboardQuery(studyRunId: string, objective: { metric: string; direction: 'minimize' | 'maximize' }): NonNullable<RunsFocus['query']> {
  return {
    filter: `tags.mlflow.parentRunId = '${studyRunId}'`,
    sort: [{ columnId: `metrics.${objective.metric}`, descending: objective.direction === 'maximize' }],
  };
}

async function showInPanel(deps: RunsPanelDependencies, tracking: TrackingStore, run: Run, focus: RunsFocus, preserveFocus: boolean): Promise<void> {
  const experiment = await tracking.getExperiment(run.info.experimentId).catch(() => undefined);
  const { RunsPanel } = await import('./runsPanel');
  RunsPanel.show({ title: `Runs: ${experiment?.name ?? run.info.experimentId}`, experimentIds: [run.info.experimentId], compareRunIds: [] }, deps, focus, preserveFocus);
}

async function resolveRun(tracking: TrackingStore, argument: OpenRunArgument, selection: readonly ExperimentsNode[], studies: boolean): Promise<Run | undefined> {
  if (typeof argument === 'string') return tracking.getRun(argument);
  if (argument && 'runId' in argument) return tracking.getRun(argument.runId);
  if (argument?.kind === 'run') return argument.run;
  return pickRun(tracking, selection, studies);
}

/** The palette's way in: recent runs, the Experiments view's selection first. */
async function pickRun(tracking: TrackingStore, selection: readonly ExperimentsNode[], studies: boolean): Promise<Run | undefined> {
  const [{ runs }, { experiments }] = await Promise.all([
    tracking.searchRuns({ orderBy: ['attributes.start_time DESC'], maxResults: PICK_LIMIT, ...(studies ? { filter: "tags.`mlops.kind` = 'study'" } : {}) }),
    tracking.searchExperiments({ maxResults: 1000 }),
  ]);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(
      studies
        ? 'MLOps: there is no hyperparameter study yet. Run "MLOps: Tune Hyperparameters…" on a *.tune.yaml.'
        : 'MLOps: there are no runs yet. Train a model ("MLOps: Train Model…") or run a script as an experiment.',
    );
    return undefined;
  }
  const names = new Map(experiments.map((e) => [e.experimentId, e.name]));
  const selected = new Set(selection.flatMap((n) => (n.kind === 'run' ? [n.run.info.runId] : [])));
  const ordered = [...runs].sort((a, b) => Number(selected.has(b.info.runId)) - Number(selected.has(a.info.runId)));
  const picked = await vscode.window.showQuickPick(
    ordered.map((run) => {
      const objective = studyObjective(run);
      const metric = headlineMetric(run, objective ? `best_${objective.metric}` : undefined);
      return {
        label: runLabel(run.info),
        description: [names.get(run.info.experimentId), metric ? `${metric.key} ${metric.text}` : undefined, run.info.status.toLowerCase(), selected.has(run.info.runId) ? 'selected in Experiments' : undefined]
          .filter(Boolean)
          .join(' · '),
        detail: `${run.info.runId} · started ${new Date(run.info.startTime).toLocaleString()}`,
        run,
      };
    }),
    {
      title: studies ? 'MLOps: Show Leaderboard' : 'MLOps: Open Run',
      placeHolder: studies ? 'Which study? Its trials open in the Runs panel, best first' : 'Which run? Its details open in the Runs panel of its experiment',
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return picked?.run;
}
