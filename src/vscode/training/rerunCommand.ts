import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { RerunResult } from '../../core/training/rerun';
import { trainingStepText } from '../../core/training/trainingLength';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import { formatMetricValue } from '../experiments/runHeadline';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import type { StoreService } from '../store/storeService';
import { requireTrust } from '../trust/requireTrust';
import { workspaceTrainingOf } from './workspaceTraining';

export interface RerunCommandDependencies {
  readonly storeService: StoreService;
  readonly jobs: JobStatusBar;
  readonly log: vscode.LogOutputChannel;
}

type RerunArgument = ExperimentsNode | { runId: string } | string | undefined;

const PICKABLE_RUNS = 200;

/**
 * "Re-run…": trains a run's exact spec again at its commit (a temporary git worktree when the
 * workspace differs), as a new run linked to the original, and says whether the metrics matched.
 */
export function registerRerunCommand(deps: RerunCommandDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.rerunRun', async (argument?: RerunArgument) => {
    if (!(await requireTrust('Re-running a training'))) return;
    const workspace = workspaceTrainingOf(await deps.storeService.access());
    if ('unavailable' in workspace) {
      void vscode.window.showWarningMessage(`MLOps: cannot re-run — ${workspace.unavailable.replace(/\.$/, '')}.`);
      return;
    }
    const tracking = workspace.tracking;
    const runId = typeof argument === 'string' ? argument : argument && 'runId' in argument ? argument.runId : argument?.kind === 'run' ? argument.run.info.runId : await pickTraining(deps, tracking);
    if (!runId) return;
    const original = await tracking.getRun(runId);
    const name = original.info.runName;
    const job = deps.jobs.start(`Re-running ${name}`);
    const { rerunTraining } = await import('../../core/training/rerun');
    try {
      const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: re-running ${name}`, cancellable: true }, async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        return rerunTraining({
          store: tracking,
          engine: workspace.engine,
          storeDir: workspace.storeDir,
          runId,
          workspaceRoot: vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd(),
          signal: controller.signal,
          onProgress: (p) => {
            if (p.runId) job.trackRun(p.runId, () => controller.abort());
            progress.report({ message: p.message });
            job.update(trainingStepText(p));
          },
        });
      });
      const text = rerunMessage(name, result);
      deps.log.info(text);
      const openRun = 'Open Re-run';
      const compare = 'Compare Runs';
      const show = result.matched ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
      void show(text, openRun, compare).then((choice) => {
        if (choice === openRun) return vscode.commands.executeCommand('mlops.openRun', { runId: result.training.runId });
        if (choice === compare) {
          // compareRuns takes the Experiments view's nodes: the clicked one and the selection
          return tracking.getRun(result.training.runId).then((rerun) => vscode.commands.executeCommand('mlops.compareRuns', undefined, [original, rerun].map((run) => ({ kind: 'run', run }))));
        }
        return undefined;
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error(`Re-run of ${name}: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: re-run of ${name} failed: ${message}`);
    } finally {
      job.end();
    }
  });
}

/** "reproduced its metrics (12 equal)" or the metrics that moved, first few. */
export function rerunMessage(name: string, result: RerunResult): string {
  const where = result.where === 'worktree' ? ` at commit ${result.commit?.slice(0, 10) ?? ''} in a temporary worktree` : result.where === 'copy' ? ' from the spec the run kept' : '';
  if (result.matched) return `MLOps: re-run of ${name} reproduced its metrics (${result.compared.length} equal)${where}.`;
  const moved = result.compared.filter((c) => !c.equal);
  if (moved.length === 0) return `MLOps: re-run of ${name} has no metric in common with it to compare${where}.`;
  const shown = moved.slice(0, 3).map((c) => `${c.key} ${formatMetricValue(c.original)} → ${formatMetricValue(c.rerun)}`).join(', ');
  return `MLOps: re-run of ${name} did not reproduce it: ${shown}${moved.length > 3 ? ` and ${moved.length - 3} more` : ''}${where}.`;
}

async function pickTraining(deps: RerunCommandDependencies, tracking: TrackingStore): Promise<string | undefined> {
  const { runs } = await tracking.searchRuns({ filter: 'tags.`mlops.kind` = "train"', orderBy: ['attributes.start_time DESC'], maxResults: PICKABLE_RUNS, viewType: 'ACTIVE_ONLY' });
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no training runs to re-run yet: train a model first.');
    return undefined;
  }
  const items = runs.map((run) => ({
    label: run.info.runName,
    description: `${new Date(run.info.startTime).toLocaleString()} · ${run.info.status.toLowerCase()}`,
    detail: run.data.metrics.filter((m) => m.key.startsWith('test_')).slice(0, 3).map((m) => `${m.key} ${formatMetricValue(m.value)}`).join(' · ') || undefined,
    runId: run.info.runId,
  }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Re-run…', placeHolder: 'Which training to run again (same spec, commit and seed)?', matchOnDescription: true });
  deps.log.info(picked ? `Re-run… picked ${picked.runId}` : 'Re-run… cancelled');
  return picked?.runId;
}
