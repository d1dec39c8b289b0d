import { basename, extname } from 'node:path';
import * as vscode from 'vscode';
import type { ScriptRunResult } from '../../core/scripts/scriptRun';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import type { TrackingServerService } from '../server/trackingServerService';
import type { StoreService } from '../store/storeService';
import { readSettings } from '../settings/settings';
import { requireTrust } from '../trust/requireTrust';
import { workspaceTrainingOf } from '../training/workspaceTraining';
import { ensureExperiment } from '../../core/tracking/ensureExperiment';

export interface RunScriptDependencies {
  storeService: StoreService;
  server: TrackingServerService;
  jobs: JobStatusBar;
  log: vscode.LogOutputChannel;
  workspaceState: vscode.Memento;
}

const LAST_COMMAND = 'mlops.runScript.lastCommand';
const LAST_EXPERIMENT = 'mlops.runScript.lastExperiment';

/** How to run a file by its extension, for the command's default. */
const RUNNERS: Record<string, string> = { '.py': 'python3', '.sh': 'bash', '.js': 'node', '.mjs': 'node', '.ts': 'npx tsx', '.r': 'Rscript', '.R': 'Rscript' };

interface ExperimentChoice extends vscode.QuickPickItem {
  experimentId?: string;
  create?: boolean;
}

/**
 * "MLOps: Run Script as Experiment": runs any command in a terminal as a tracked run. The run
 * exists before the script starts and is handed over through MLFLOW_RUN_ID, so `mlflow` calls in
 * a Python script log into it through the local server; the exit code sets its status.
 */
export function registerRunScriptCommand(deps: RunScriptDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.runScript', async (uri?: vscode.Uri) => {
    if (!(await requireTrust('Running a script as an experiment'))) return;
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (!folder) {
      void vscode.window.showInformationMessage('MLOps: open a folder first; runs are kept in the workspace store.');
      return;
    }
    const file = uri ?? vscode.window.activeTextEditor?.document.uri;
    const runner = file ? RUNNERS[extname(file.fsPath)] : undefined;
    const suggested = file && runner ? `${runner} ${quoteArg(vscode.workspace.asRelativePath(file, false))}` : deps.workspaceState.get<string>(LAST_COMMAND, 'python3 train.py');
    const command = await vscode.window.showInputBox({
      title: 'MLOps: Run Script as Experiment (1/2)',
      prompt: `Command to run in ${folder.name} (MLFLOW_TRACKING_URI, MLFLOW_EXPERIMENT_ID and MLFLOW_RUN_ID are set for it)`,
      value: suggested,
      ignoreFocusOut: true,
      validateInput: (v) => (v.trim() === '' ? 'Enter a command, e.g. python3 train.py --epochs 5' : undefined),
    });
    if (!command) return;
    const workspace = workspaceTrainingOf(await deps.storeService.access({ create: true }));
    if ('unavailable' in workspace) {
      void vscode.window.showErrorMessage(`MLOps: cannot run the script — ${workspace.unavailable}`);
      return;
    }
    const tracking = workspace.tracking;
    const experimentId = await pickExperiment(deps, tracking, command, file);
    if (experimentId === undefined) return;
    await deps.workspaceState.update(LAST_COMMAND, command);

    // The script's mlflow calls go to the server of the process that holds the store.
    let server;
    try {
      server = await deps.server.ensureRunning();
    } catch (error) {
      void vscode.window.showErrorMessage(`MLOps: cannot start the local server the script logs into — ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const { runScriptAsExperiment } = await import('../../core/scripts/scriptRun');
    const write = new vscode.EventEmitter<string>();
    const close = new vscode.EventEmitter<number>();
    const controller = new AbortController();
    let finished = false;
    // VS Code drops what a pseudoterminal writes before it opens: hold it until then.
    let pending: string[] | undefined = [];
    const pty: vscode.Pseudoterminal = {
      onDidWrite: write.event,
      onDidClose: close.event,
      open: () => {
        for (const text of pending ?? []) write.fire(text);
        pending = undefined;
      },
      // Ctrl+C in the terminal cancels like in a shell.
      handleInput: (data) => {
        if (data === '\x03') controller.abort();
      },
      close: () => {
        if (!finished) controller.abort();
      },
    };
    const label = command.length > 40 ? `${command.slice(0, 39)}…` : command;
    const terminal = vscode.window.createTerminal({ name: `MLOps: ${label}`, pty, iconPath: new vscode.ThemeIcon('beaker') });
    terminal.show(true);
    const job = deps.jobs.start(`Running ${label}`);
    const toTerminal = (text: string): void => {
      const crlf = text.replace(/\r?\n/g, '\r\n');
      if (pending) pending.push(crlf);
      else write.fire(crlf);
    };
    let result: ScriptRunResult | undefined;
    try {
      result = await runScriptAsExperiment({
        store: tracking,
        command,
        cwd: folder.uri.fsPath,
        experimentId,
        prices: readSettings(folder.uri).costPrices,
        tracking: { uri: server.url, ...(server.token ? { token: server.token } : {}) },
        signal: controller.signal,
        onStarted: ({ runId }) => {
          job.trackRun(runId, () => controller.abort());
          toTerminal(`\x1b[2m# MLOps run ${runId} · MLFLOW_TRACKING_URI=${server.url} · Ctrl+C cancels\x1b[0m\n`);
          deps.log.info(`Running "${command}" as run ${runId}`);
        },
        onOutput: toTerminal,
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      toTerminal(`\n\x1b[31mMLOps: ${message}\x1b[0m\n`);
      void vscode.window.showErrorMessage(`MLOps: running "${label}" failed: ${message}`);
    } finally {
      finished = true;
      job.end();
    }
    if (!result) return;
    const summary = result.status === 'FINISHED' ? 'finished' : result.status === 'KILLED' ? 'was cancelled' : `failed (exit ${result.exitCode ?? result.signal})`;
    toTerminal(`\n\x1b[${result.status === 'FINISHED' ? '32' : '31'}m# run ${result.runId} ${summary}\x1b[0m\n`);
    deps.log.info(`"${command}" ${summary}; run ${result.runId} is ${result.status}`);
    const show = result.status === 'FINISHED' ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
    void show(`MLOps: "${label}" ${summary} — run ${result.runId.slice(0, 8)} is ${result.status}.`, 'Open Dashboard').then((c) => c && vscode.commands.executeCommand('mlops.openDashboard'));
  });
}

async function pickExperiment(deps: RunScriptDependencies, tracking: TrackingStore, command: string, file: vscode.Uri | undefined): Promise<string | undefined> {
  const { experiments } = await tracking.searchExperiments({ orderBy: ['attributes.last_update_time DESC'], maxResults: 500 });
  const last = deps.workspaceState.get<string>(LAST_EXPERIMENT);
  const items: ExperimentChoice[] = [
    { label: '$(add) New experiment…', create: true },
    ...experiments.map((e) => ({ label: e.name, experimentId: e.experimentId, ...(e.experimentId === last ? { description: 'last used' } : {}) })),
  ];
  items.sort((a, b) => Number(Boolean(b.description)) - Number(Boolean(a.description)));
  const picked = await vscode.window.showQuickPick(items, { title: 'MLOps: Run Script as Experiment (2/2): experiment', placeHolder: 'Experiment the run belongs to', ignoreFocusOut: true });
  if (!picked) return undefined;
  let experimentId = picked.experimentId;
  if (picked.create) {
    const stem = file ? basename(file.fsPath, extname(file.fsPath)) : (command.split(/\s+/).pop() ?? 'script').replace(/\.[^.]+$/, '');
    const name = await vscode.window.showInputBox({ title: 'New experiment', value: stem, validateInput: (v) => (v.trim() ? undefined : 'An experiment needs a name') });
    if (!name) return undefined;
    experimentId = await ensureExperiment(tracking, name.trim());
  }
  if (experimentId !== undefined) await deps.workspaceState.update(LAST_EXPERIMENT, experimentId);
  return experimentId;
}

function quoteArg(path: string): string {
  return /^[\w./-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
