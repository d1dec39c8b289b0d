/**
 * "Open Runs", "Open Run", "Show Leaderboard" (a study's trials) and "Compare Runs". Kept apart from the panel so activation loads neither the panel
 * nor the engine: both are imported on first use.
 */
import * as vscode from 'vscode';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import { trackingOf, type StoreService } from '../store/storeService';
import type { OpenRunArgument } from './openRun';
import type { RunsPanelDependencies, RunsScope } from './runsPanel';

/**
 * `experimentsSelection` gives the runs selected in the Experiments view, so "Compare Runs" from
 * the command palette (or a keybinding) compares them just as the context menu does.
 */
export function registerRunsCommands(deps: RunsPanelDependencies, experimentsSelection: () => readonly ExperimentsNode[] = () => []): vscode.Disposable[] {
  const show = async (scope: RunsScope): Promise<void> => {
    const { RunsPanel } = await import('./runsPanel');
    RunsPanel.show(scope, deps);
  };
  const guarded =
    <A extends unknown[]>(title: string, body: (...args: A) => Promise<void>) =>
    async (...args: A): Promise<void> => {
      try {
        await body(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`${title}: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: ${title} failed: ${message}`);
      }
    };
  return [
    vscode.commands.registerCommand(
      'mlops.openRun',
      guarded('Open Run', async (argument?: OpenRunArgument) => {
        const { openRun } = await import('./openRun');
        await openRun(deps, argument, experimentsSelection());
      }),
    ),
    vscode.commands.registerCommand(
      'mlops.showStudyLeaderboard',
      guarded('Show Leaderboard', async (argument?: OpenRunArgument) => {
        const { openRun, showStudyLeaderboard } = await import('./openRun');
        const runId = typeof argument === 'string' ? argument : argument && 'runId' in argument ? argument.runId : argument?.kind === 'run' ? argument.run.info.runId : undefined;
        // From the palette: pick a run; a study opens as its leaderboard.
        if (runId === undefined) await openRun(deps, undefined, experimentsSelection(), true);
        else await showStudyLeaderboard(deps, runId);
      }),
    ),
    vscode.commands.registerCommand('mlops.openRuns', async (node?: ExperimentsNode) => {
      if (node?.kind === 'experiment') {
        await show({ title: `Runs: ${node.experiment.name}`, experimentIds: [node.experiment.experimentId], compareRunIds: [] });
        return;
      }
      const scope = await pickExperiments(deps.storeService);
      if (scope) await show(scope);
    }),
    vscode.commands.registerCommand('mlops.compareRuns', async (node?: ExperimentsNode, selected?: readonly ExperimentsNode[]) => {
      // A context-menu click passes the clicked node and the whole multi-selection.
      const nodes = selected && selected.length > 0 ? selected : node ? [node] : experimentsSelection();
      const runs = nodes.flatMap((n) => (n.kind === 'run' ? [n.run] : []));
      if (runs.length === 0) {
        // Nothing selected (the palette, a keybinding): offer the recent runs to pick from.
        const { pickRunsToCompare } = await import('./compareRunsPrompt');
        const scope = await pickRunsToCompare(deps.storeService);
        if (scope) await show(scope);
        return;
      }
      const experimentIds = [...new Set(runs.map((r) => r.info.experimentId))];
      await show({ title: `Compare ${runs.length} runs`, experimentIds, compareRunIds: runs.map((r) => r.info.runId) });
    }),
  ];
}

async function pickExperiments(storeService: StoreService): Promise<RunsScope | undefined> {
  const access = await storeService.access();
  // This window's store, or the writer window / MLflow server it is a client of.
  const tracking = trackingOf(access);
  if (!tracking) {
    const why = access.state === 'noFolder' ? 'no folder is open' : access.state === 'absent' ? `there is no store at ${access.dir} yet` : access.state === 'client' ? '' : access.message;
    void vscode.window.showWarningMessage(`MLOps: cannot open the Runs panel: ${why}.`);
    return undefined;
  }
  const { experiments } = await tracking.searchExperiments({ orderBy: ['attributes.last_update_time DESC'], maxResults: 1000 });
  type Item = vscode.QuickPickItem & { scope: RunsScope };
  const items: Item[] = [
    { label: '$(list-flat) All experiments', scope: { title: 'Runs: all experiments', experimentIds: [], compareRunIds: [] } },
    ...experiments.map((e) => ({ label: `$(beaker) ${e.name}`, description: `id ${e.experimentId}`, scope: { title: `Runs: ${e.name}`, experimentIds: [e.experimentId], compareRunIds: [] } })),
  ];
  const picked = await vscode.window.showQuickPick(items, { title: 'Open Runs', placeHolder: 'Which experiment’s runs?' });
  return picked?.scope;
}
