import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { TrainingProgress, TrainingResult } from '../../core/training/trainingRunner';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import { readSettings } from '../settings/settings';
import type { StoreService } from '../store/storeService';
import { requireTrust } from '../trust/requireTrust';
import { backendLabel } from '../../core/process/backendLabel';
import { trainingStepText } from '../../core/training/trainingLength';
import { createTrainSpec } from './createTrainSpec';
import { workspaceTrainingOf } from './workspaceTraining';

export interface TrainingCommandDependencies {
  storeService: StoreService;
  jobs: JobStatusBar;
  log: vscode.LogOutputChannel;
}

const SPEC_GLOB = '**/*.train.{yaml,yml}';
const EXCLUDE_GLOB = '**/{node_modules,.mlops,.git}/**';
/** Log a progress line at most this often (the notification shows every update). */
const LOG_EVERY_MS = 2000;

interface SpecChoice extends vscode.QuickPickItem {
  uri?: vscode.Uri;
  create?: boolean;
}

/** "MLOps: Train Model…" and "MLOps: Create Training Spec from Dataset…". */
export function registerTrainingCommands(deps: TrainingCommandDependencies): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlops.trainModel', (uri?: vscode.Uri) => trainModel(deps, uri)),
    vscode.commands.registerCommand('mlops.createTrainSpec', async (uri?: vscode.Uri) => {
      const spec = await createTrainSpec(uri);
      if (!spec) return;
      const train = 'Train Now';
      const choice = await vscode.window.showInformationMessage(`MLOps: created ${vscode.workspace.asRelativePath(spec)}. Adjust it, or train it as it is.`, train);
      if (choice === train) await trainModel(deps, spec);
    }),
  ];
}

async function trainModel(deps: TrainingCommandDependencies, uriArg?: vscode.Uri): Promise<TrainingResult | undefined> {
  if (!(await requireTrust('Training'))) return undefined;
  const specUri = uriArg ?? (await pickSpec());
  if (!specUri) return undefined;
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === specUri.toString());
  if (open?.isDirty) await open.save();

  const workspace = workspaceTrainingOf(await deps.storeService.access({ create: true }));
  if ('unavailable' in workspace) {
    void vscode.window.showErrorMessage(`MLOps: cannot train — ${workspace.unavailable}`);
    return undefined;
  }
  const specName = basename(specUri.fsPath).replace(/\.train\.ya?ml$/i, '');
  const backend = readSettings(specUri).trainingBackend;
  const job = deps.jobs.start(`Training ${specName}`);
  const started = Date.now();
  deps.log.info(`Training ${specUri.fsPath} (backend setting: ${backend})`);
  const { TrainingCancelledError, TrainingFailedError, TrainingInputError } = await import('../../core/training/trainingRunner');
  const { trainWhereTheStoreIs } = await import('../../core/training/trainThroughEngine');
  const { SpecError } = await import('../../core/training/specErrors');
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `MLOps: training ${specName}`, cancellable: true },
      async (progress, token) => {
        const controller = new AbortController();
        token.onCancellationRequested(() => controller.abort());
        let reported = 0;
        let lastLog = 0;
        const onProgress = (p: TrainingProgress): void => {
          if (p.runId) job.trackRun(p.runId, () => controller.abort());
          progress.report({ message: p.message, increment: Math.max(0, (p.fraction - reported) * 100) });
          reported = Math.max(reported, p.fraction);
          job.update(trainingStepText(p));
          if (Date.now() - lastLog >= LOG_EVERY_MS || p.phase !== 'training') {
            lastLog = Date.now();
            deps.log.info(`${specName}${p.runId ? ` [${p.runId.slice(0, 8)}]` : ''}: ${p.message}`);
          }
        };
        // In the workspace engine: a reload of this window does not end it (a team's server: here).
        const result = await trainWhereTheStoreIs({ store: workspace.tracking, engine: workspace.engine, storeDir: workspace.storeDir, specPath: specUri.fsPath, backend, prices: readSettings(specUri).costPrices, signal: controller.signal, onProgress });
        const seconds = ((Date.now() - started) / 1000).toFixed(1);
        const summary = headlineMetrics(result.metrics);
        deps.log.info(`${specName}: finished in ${seconds} s with ${backendLabel(result.backend)} (backend "${result.backend}"), run ${result.runId}${summary ? `, ${summary}` : ''}`);
        const registration = result.registration;
        const registered = !registration ? '' : 'error' in registration ? ` Not registered: ${registration.error}.` : ` Registered models:/${registration.name}/${registration.version}${registration.reviewId !== undefined ? `; review #${registration.reviewId} asks to point @${registration.alias} at it` : registration.alias ? ` as @${registration.alias}` : ''}.`;
        if (registration && 'error' in registration) deps.log.warn(`${specName}: ${registration.error}`);
        const card = registration && !('error' in registration) ? 'Open Model Card' : undefined;
        const openRun = 'Open Run';
        void vscode.window
          .showInformationMessage(`MLOps: trained ${specName} in ${seconds} s with ${backendLabel(result.backend)}${summary ? ` — ${summary}` : ''}.${registered}`, openRun, ...(card ? [card] : []), 'Show Logs')
          .then((choice) => {
            if (!choice) return;
            if (choice === card && registration && !('error' in registration)) return vscode.commands.executeCommand('mlops.openModelCard', { name: registration.name, version: registration.version });
            if (choice === openRun) return vscode.commands.executeCommand('mlops.openRun', { runId: result.runId });
            return vscode.commands.executeCommand('mlops.showLogs');
          });
        return result;
      },
    );
  } catch (error) {
    if (error instanceof SpecError) {
      const first = error.issues[0];
      deps.log.error(error.message);
      const choice = await vscode.window.showErrorMessage(`MLOps: the spec ${basename(error.file)} has a problem: ${first ? `line ${first.line}: ${first.message}` : error.message}`, 'Open Spec');
      if (choice === 'Open Spec') {
        const position = new vscode.Position(Math.max(0, (first?.line ?? 1) - 1), Math.max(0, (first?.column ?? 1) - 1));
        await vscode.window.showTextDocument(vscode.Uri.file(error.file), { selection: new vscode.Range(position, position) });
      }
    } else if (error instanceof TrainingInputError) {
      deps.log.error(`${specName}: ${error.message}`);
      void vscode.window.showErrorMessage(`MLOps: cannot train ${specName}: ${error.message}`, 'Show Logs').then((c) => c && deps.log.show(true));
    } else if (error instanceof TrainingCancelledError) {
      deps.log.info(`${specName}: cancelled${error.runId ? `; run ${error.runId} marked KILLED` : ''}`);
      void vscode.window.showInformationMessage(`MLOps: training ${specName} was cancelled${error.runId ? '; its run is marked KILLED' : ''}.`);
    } else if (error instanceof TrainingFailedError) {
      deps.log.error(`${specName}: run ${error.runId} failed: ${error.message}${error.stderrTail ? `\n${error.stderrTail}` : ''}`);
      void vscode.window.showErrorMessage(`MLOps: training ${specName} failed: ${error.message}`, 'Show Logs').then((c) => c && deps.log.show(true));
    } else {
      deps.log.error(`${specName}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void vscode.window.showErrorMessage(`MLOps: training ${specName} failed: ${error instanceof Error ? error.message : String(error)}`, 'Show Logs').then((c) => c && deps.log.show(true));
    }
    return undefined;
  } finally {
    job.end();
  }
}

/** The metrics a person looks at first: test scores when there are, else the last validation ones. */
function headlineMetrics(metrics: Readonly<Record<string, number>>): string {
  const preferred = ['test_accuracy', 'test_f1_macro', 'test_roc_auc', 'test_rmse', 'test_r2', 'val_accuracy', 'val_rmse', 'val_loss'];
  return preferred
    .filter((k) => metrics[k] !== undefined)
    .slice(0, 3)
    .map((k) => `${k.replace(/_/g, ' ')} ${formatMetric(metrics[k]!)}`)
    .join(', ');
}

function formatMetric(value: number): string {
  return Number.isFinite(value) ? (Math.abs(value) >= 100 ? value.toFixed(1) : value.toFixed(4)) : String(value);
}

/** Quick pick of the workspace's training specs (the active editor's first), or a new one from a dataset. */
export async function pickSpec(title = 'MLOps: Train Model'): Promise<vscode.Uri | undefined> {
  const specs = (await vscode.workspace.findFiles(SPEC_GLOB, EXCLUDE_GLOB, 500)).sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  const active = vscode.window.activeTextEditor?.document.uri;
  const activeIsSpec = active !== undefined && /\.train\.ya?ml$/i.test(active.path);
  const items: SpecChoice[] = specs.map((uri) => ({
    label: `$(beaker) ${basename(uri.fsPath)}`,
    description: vscode.workspace.asRelativePath(dirname(uri.fsPath)) === dirname(uri.fsPath) ? '' : vscode.workspace.asRelativePath(dirname(uri.fsPath)),
    ...(activeIsSpec && uri.toString() === active.toString() ? { detail: 'open in the editor' } : {}),
    uri,
  }));
  // The spec in the active editor comes first: that is usually the one the user means.
  items.sort((a, b) => Number(Boolean(b.detail)) - Number(Boolean(a.detail)));
  items.push({ label: '$(add) Create a spec from a dataset…', create: true });
  const picked = await vscode.window.showQuickPick(items, {
    title,
    placeHolder: specs.length ? 'Training spec to run (*.train.yaml)' : 'No *.train.yaml in this folder yet: create one from a dataset',
    matchOnDescription: true,
  });
  if (!picked) return undefined;
  if (picked.create) return createTrainSpec();
  return picked.uri;
}
