/**
 * The Experiments view's run menu: rename, note, star, delete/restore, reveal artifacts, show
 * logs, stop. Registered at activation; the work is in `runItemActions`, imported on first use.
 * From the command palette (no clicked node) each command asks which run(s) with a quick pick.
 */
import * as vscode from 'vscode';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import { RUN_LOG_SCHEME, runLogContentProvider } from '../runs/runLogDocuments';
import { RUN_NOTE_SCHEME, RunNoteFileSystem } from '../runs/runNoteFileSystem';
import type { StoreService } from '../store/storeService';
import type { ExperimentsNode } from './experimentsTreeProvider';
import type * as RunItemActionsModule from './runItemActions';
import { requireTracking } from './requireTracking';

export interface RunItemCommandDependencies {
  storeService: StoreService;
  jobs: JobStatusBar;
  log: vscode.LogOutputChannel;
  /** re-reads the Experiments view at once */
  refresh: () => void;
  /** what is selected in the Experiments view, offered first when a command runs from the palette */
  selection: () => readonly ExperimentsNode[];
  /** the Experiments view's row of a run as it is now (the tree may have re-read it since the menu opened) */
  row?: (runId: string) => RunNode | undefined;
}

type RunNode = Extract<ExperimentsNode, { kind: 'run' }>;

type RunItemActions = typeof RunItemActionsModule;
type ActionName = 'renameRun' | 'addNote' | 'starRuns' | 'unstarRuns' | 'deleteRuns' | 'restoreRuns' | 'revealArtifacts' | 'showLogs' | 'stopRuns';

const COMMANDS: readonly (readonly [command: string, action: ActionName, title: string])[] = [
  ['mlops.renameRun', 'renameRun', 'Rename Run'],
  ['mlops.addRunNote', 'addNote', 'Add Run Note'],
  ['mlops.editRunNote', 'addNote', 'Edit Run Note'],
  ['mlops.starRun', 'starRuns', 'Star Run'],
  ['mlops.unstarRun', 'unstarRuns', 'Unstar Run'],
  ['mlops.deleteRun', 'deleteRuns', 'Delete Run'],
  ['mlops.restoreRun', 'restoreRuns', 'Restore Run'],
  ['mlops.revealRunArtifacts', 'revealArtifacts', 'Reveal Run Artifacts'],
  ['mlops.showRunLogs', 'showLogs', 'Show Run Logs'],
  ['mlops.stopRun', 'stopRuns', 'Stop Run'],
];

export function registerRunItemCommands(deps: RunItemCommandDependencies): vscode.Disposable[] {
  const notes = new RunNoteFileSystem(
    () => requireTracking(deps.storeService),
    () => {
      deps.refresh();
      void deps.storeService.access().then((a) => a.state === 'client' && deps.storeService.refresh());
    },
  );
  return [
    ...COMMANDS.map(([command, action, title]) =>
      vscode.commands.registerCommand(command, async (node?: ExperimentsNode, selected?: readonly ExperimentsNode[]) => {
        try {
          const actions: RunItemActions = await import('./runItemActions');
          // A row is resolved by its run's id against the rows the tree has now; a selection entry
          // VS Code could no longer resolve (undefined) is left out rather than failing the command.
          const current = (n: ExperimentsNode | undefined): RunNode | undefined => (n?.kind === 'run' ? (deps.row?.(n.run.info.runId) ?? n) : undefined);
          const rows = selected?.flatMap((n) => current(n) ?? []);
          await actions[action](deps, current(node), rows);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          deps.log.error(`${title}: ${error instanceof Error ? (error.stack ?? message) : message}`);
          void vscode.window.showErrorMessage(`MLOps: ${title} failed: ${message}`);
        }
      }),
    ),
    notes,
    vscode.workspace.registerFileSystemProvider(RUN_NOTE_SCHEME, notes, { isCaseSensitive: true }),
    vscode.workspace.registerTextDocumentContentProvider(RUN_LOG_SCHEME, runLogContentProvider(() => requireTracking(deps.storeService))),
  ];
}
