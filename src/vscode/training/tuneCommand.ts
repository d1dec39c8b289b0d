import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { TrialSummary, TuningProgress, TuningResult } from '../../core/training/tuningRunner';
import { frontHeadline, frontTable, type ParetoFrontRecord } from '../../core/training/studyFront';
import { trainingCount } from '../../core/training/trainingLength';
import { readSettings } from '../settings/settings';
import { requireTrust } from '../trust/requireTrust';
import type { TrainingCommandDependencies } from './trainModelCommand';
import { workspaceTrainingOf } from './workspaceTraining';

const EXCLUDE_GLOB = '**/{node_modules,.mlops,.git}/**';

/** "MLOps: Tune Hyperparameters…": a study of parallel trials, each a child run, with pruning. */
export function registerTuneCommand(deps: TrainingCommandDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.tuneHyperparameters', (uri?: vscode.Uri) => tune(deps, uri));
}

async function tune(deps: TrainingCommandDependencies, uriArg?: vscode.Uri): Promise<TuningResult | undefined> {
  if (!(await requireTrust('Tuning'))) return undefined;
  const specUri = uriArg ?? (await pickTuneSpec());
  if (!specUri) return undefined;
  const workspace = workspaceTrainingOf(await deps.storeService.access({ create: true }));
  if ('unavailable' in workspace) {
    void vscode.window.showErrorMessage(`MLOps: cannot tune — ${workspace.unavailable}`);
    return undefined;
  }
  const name = basename(specUri.fsPath).replace(/\.(tune|train)\.ya?ml$/i, '');
  const job = deps.jobs.start(`Tuning ${name}`);
  const started = Date.now();
  const { tuneWhereTheStoreIs } = await import('../../core/training/tuneThroughEngine');
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `MLOps: tuning ${name}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      const onProgress = (p: TuningProgress): void => {
        job.trackRun(p.studyRunId, () => controller.abort());
        const fraction = p.budget > 0 ? (p.complete + p.pruned + p.failed) / p.budget : 0;
        progress.report({ message: p.message, increment: Math.max(0, (fraction - reported) * 100) });
        reported = Math.max(reported, fraction);
        job.update(`trial ${p.complete + p.pruned + p.failed}/${p.budget}`);
        if (p.finished) deps.log.info(`${name}: ${describeTrial(p.finished)}`);
      };
      // In the workspace engine: a reload of this window does not end the study.
      const result = await tuneWhereTheStoreIs({ store: workspace.tracking, engine: workspace.engine, tuneSpecPath: specUri.fsPath, backend: readSettings(specUri).trainingBackend, prices: readSettings(specUri).costPrices, signal: controller.signal, onProgress });
      deps.log.info(`${name}: study ${result.studyRunId} ${result.status.toLowerCase()} in ${((Date.now() - started) / 1000).toFixed(1)} s\n${leaderboard(result)}`);
      const best = result.best;
      const front = result.paretoFront;
      if (front) deps.log.info(`${name}: ${frontHeadline(front)}\n${formatFront(front)}`);
      const headline = front
        ? `Pareto front of ${front.front.length} trial${front.front.length === 1 ? '' : 's'} (${result.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')})`
        : best?.value !== undefined ? `best ${result.objective.metric} ${best.value.toPrecision(4)} (trial ${best.number})` : 'no trial completed';
      const pruned = result.trials.filter((t) => t.state === 'pruned').length;
      const failed = result.trials.filter((t) => t.state === 'failed').length;
      const counts = [pruned ? `${pruned} pruned` : undefined, failed ? `${failed} failed` : undefined].filter(Boolean).join(', ');
      void vscode.window
        .showInformationMessage(`MLOps: tuning ${name} ${result.status === 'KILLED' ? 'stopped' : 'finished'} — ${headline}; ${result.trials.length} trials${counts ? ` (${counts})` : ''}.`, 'Show Leaderboard', 'Show Logs')
        .then((choice) => {
          // The leaderboard is the Runs panel on the study's trials, best objective first.
          if (choice === 'Show Leaderboard') return vscode.commands.executeCommand('mlops.showStudyLeaderboard', { runId: result.studyRunId });
          if (choice === 'Show Logs') deps.log.show(true);
          return undefined;
        });
      return result;
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    deps.log.error(`${name}: ${message}`);
    void vscode.window.showErrorMessage(`MLOps: tuning ${name} failed: ${message}`, 'Show Logs').then((c) => c && deps.log.show(true));
    return undefined;
  } finally {
    job.end();
  }
}

/** The front as a fixed-width table, as `mlops tune` prints it. */
function formatFront(record: ParetoFrontRecord): string {
  const { header, rows } = frontTable(record);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  return [header, ...rows].map((cells) => `  ${cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd()}`).join('\n');
}

function describeTrial(t: TrialSummary): string {
  const params = Object.entries(t.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' ? Number(v.toPrecision(4)) : String(v)}`)
    .join(' ');
  const value = t.value !== undefined ? ` value ${t.value.toPrecision(4)}` : '';
  return `trial ${t.number} ${t.state}${value} after ${trainingCount(t.unit ?? 'epoch', t.epochs)} (${t.seconds.toFixed(1)} s) ${params}${t.error ? ` — ${t.error}` : ''}`;
}

/** The trials, best first, as a fixed-width table for the output channel. */
function leaderboard(result: TuningResult): string {
  const sign = result.objective.direction === 'minimize' ? 1 : -1;
  const ranked = [...result.trials].sort((a, b) => (a.value === undefined ? 1 : b.value === undefined ? -1 : sign * (a.value - b.value)));
  return ranked.map((t, i) => `  ${String(i + 1).padStart(3)}. ${describeTrial(t)}`).join('\n');
}

async function pickTuneSpec(): Promise<vscode.Uri | undefined> {
  const tuneSpecs = await vscode.workspace.findFiles('**/*.tune.{yaml,yml}', EXCLUDE_GLOB, 500);
  // A training spec can carry its own `tune:` section.
  const trainSpecs = await vscode.workspace.findFiles('**/*.train.{yaml,yml}', EXCLUDE_GLOB, 500);
  const withTune = (await Promise.all(trainSpecs.map(async (uri) => ((await readFile(uri.fsPath, 'utf8').catch(() => '')).match(/^tune:/m) ? uri : undefined)))).filter(
    (u): u is vscode.Uri => u !== undefined,
  );
  const candidates = [...tuneSpecs, ...withTune].sort((a, b) => a.fsPath.localeCompare(b.fsPath));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no tuning spec in this folder. Create a *.tune.yaml that names a training spec and the parameters to search (see examples/auto-mpg.tune.yaml).');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((uri) => ({ label: `$(settings-gear) ${basename(uri.fsPath)}`, description: vscode.workspace.asRelativePath(dirname(uri.fsPath)), uri })),
    { title: 'MLOps: Tune Hyperparameters', placeHolder: 'Tuning spec to run' },
  );
  return picked?.uri;
}
