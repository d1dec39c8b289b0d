import * as vscode from 'vscode';
import { pickDataFile } from '../data/pickDataFile';
import type { DriftReport } from '../../core/drift/driftTypes';
import type { MonitorRunResult } from '../../core/monitoring/monitorRunner';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import { engineOf, type StoreService } from '../store/storeService';
import type { MonitorNode, MonitorsTreeProvider } from './monitorsTreeProvider';
import { registerRetrainCommand, retrainMonitorFile } from './retrainCommands';

export interface MonitorsCommandsDependencies {
  storeService: StoreService;
  jobs: JobStatusBar;
  tree: MonitorsTreeProvider;
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
}

/** A one-off check's report in the drift panel (kept in memory; monitors' reports are stored). */
async function showCheck(deps: MonitorsCommandsDependencies, report: DriftReport): Promise<void> {
  const { DriftPanel } = await import('../drift/driftPanel');
  DriftPanel.showCheck(report, deps);
}

async function showMonitor(deps: MonitorsCommandsDependencies, monitor: { name: string; file: string }): Promise<void> {
  const { DriftPanel } = await import('../drift/driftPanel');
  DriftPanel.showMonitor(monitor, deps);
}

/**
 * Runs one monitor spec: reads the data here, computes in a worker process, stores the report,
 * refreshes the view; a tripped monitor always notifies (schedules pass announceCalm: false).
 * Resolves with the result without waiting for the notification to be answered.
 */
export async function runMonitorFile(deps: MonitorsCommandsDependencies, file: string, options: { announceCalm: boolean }): Promise<MonitorRunResult | undefined> {
  const job = deps.jobs.start('Running drift monitor');
  try {
    const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
    const { runMonitor } = await import('../../core/monitoring/monitorRunner');
    const { runChildJob } = await import('../../core/process/childJob');
    const spec = await loadMonitorSpec(file);
    const access = await deps.storeService.access({ create: true });
    // Reading an endpoint's traffic and recording the report go to whichever process holds the store.
    const engine = engineOf(access);
    const result = await runMonitor(spec, {
      ...(engine ? { engine } : {}),
      // the worker reads and parses the files too: nothing heavy on the extension host's thread
      compute: (reference, current) =>
        runChildJob('drift', { reference: { kind: 'file', path: reference.path, name: reference.name }, current: current.table ? { kind: 'table', table: current.table } : { kind: 'file', path: current.path, name: current.name }, options: spec.options }),
    });
    deps.tree.refresh();
    const { DriftPanel } = await import('../drift/driftPanel');
    DriftPanel.monitorChanged(spec.name);
    const monitor = { name: spec.name, file };
    if (result.tripped) {
      // A scheduled run retrains by itself; a run by hand offers it.
      const actions = spec.retrain && options.announceCalm ? ['Show Report', 'Retrain Now'] : ['Show Report'];
      void vscode.window.showWarningMessage(result.alert ?? `Monitor ${spec.name} tripped`, ...actions).then(async (choice) => {
        if (choice === 'Show Report') await showMonitor(deps, monitor);
        if (choice === 'Retrain Now') await retrainMonitorFile(deps, file, { manual: true, ...(result.reportId !== undefined ? { trigger: { kind: 'manual', reportId: result.reportId } } : {}) });
      });
    } else if (options.announceCalm) {
      void vscode.window.showInformationMessage(`Monitor ${spec.name}: no dataset drift (${result.report.driftedColumns} of ${result.report.columnCount} columns drifted).`, 'Show Report').then(async (choice) => {
        if (choice === 'Show Report') await showMonitor(deps, monitor);
      });
    }
    return result;
  } catch (error) {
    void vscode.window.showErrorMessage(`Monitor ${file} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  } finally {
    job.end();
  }
}

/** "MLOps: Check Drift…", "MLOps: Run Monitor", "MLOps: Acknowledge Monitor Alerts", "MLOps: Retrain Now". */
export function registerMonitorsCommands(deps: MonitorsCommandsDependencies): vscode.Disposable[] {
  return [
    registerRetrainCommand(deps),
    vscode.commands.registerCommand('mlops.checkDrift', async () => {
      const extensions = ['csv', 'tsv', 'parquet', 'pq'] as const;
      const referenceFile = await pickDataFile({ title: 'Check drift (1/2): reference data', placeHolder: 'The data to compare against, e.g. the training data', extensions });
      if (!referenceFile) return;
      const currentFile = await pickDataFile({ title: 'Check drift (2/2): current data', placeHolder: `New data to compare with ${vscode.workspace.asRelativePath(referenceFile)}`, extensions, exclude: referenceFile });
      if (!currentFile) return;
      const job = deps.jobs.start('Checking drift');
      try {
        const { runChildJob } = await import('../../core/process/childJob');
        // Large files: the statistics run in a worker process, off the extension host's event loop.
        const report = await runChildJob('drift', {
          reference: { kind: 'file', path: referenceFile.fsPath, name: vscode.workspace.asRelativePath(referenceFile) },
          current: { kind: 'file', path: currentFile.fsPath, name: vscode.workspace.asRelativePath(currentFile) },
        });
        await showCheck(deps, report);
      } catch (error) {
        void vscode.window.showErrorMessage(`Drift check failed: ${error instanceof Error ? error.message : String(error)}`);
      } finally {
        job.end();
      }
    }),
    vscode.commands.registerCommand('mlops.runMonitor', async (node?: MonitorNode) => {
      let file = node?.file;
      if (!file) {
        const found = await vscode.workspace.findFiles('**/*.monitor.yaml', '**/node_modules/**');
        const picked = await vscode.window.showQuickPick(found.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title: 'Run which monitor?' });
        file = picked?.uri.fsPath;
      }
      if (!file) return;
      await runMonitorFile(deps, file, { announceCalm: true });
    }),
    vscode.commands.registerCommand('mlops.acknowledgeMonitorAlerts', async (node?: MonitorNode) => {
      if (!node) return;
      const engine = engineOf(await deps.storeService.access());
      if (!engine) return;
      await engine.call('monitoring.acknowledgeAlerts', { monitor: node.name });
      deps.tree.refresh();
      const { DriftPanel } = await import('../drift/driftPanel');
      DriftPanel.monitorChanged(node.name);
    }),
    vscode.commands.registerCommand('mlops.showDrift', async (node?: MonitorNode) => {
      let monitor = node && !node.invalid ? { name: node.name, file: node.file } : undefined;
      if (!monitor) {
        const nodes = (await deps.tree.getChildren()).filter((n) => !n.invalid);
        if (nodes.length === 0) {
          void vscode.window.showInformationMessage('MLOps: no monitor in this workspace. Add a *.monitor.yaml, or compare two files with "MLOps: Check Drift…".');
          return;
        }
        const picked = await vscode.window.showQuickPick(
          nodes.map((n) => ({ label: n.name, description: n.last ? `${n.last.datasetDrift ? 'DRIFT' : 'ok'} · ${new Date(n.last.createdAt).toLocaleString()}` : 'never run', detail: vscode.workspace.asRelativePath(n.file), node: n })),
          { title: 'Show Drift: which monitor?' },
        );
        monitor = picked ? { name: picked.node.name, file: picked.node.file } : undefined;
      }
      if (monitor) await showMonitor(deps, monitor);
    }),
  ];
}
