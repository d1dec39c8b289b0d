import * as vscode from 'vscode';
import type { RetrainTrigger } from '../../core/retraining/retrainAttempts';
import type { RetrainOutcome } from '../../core/retraining/retrainRunner';
import { readSettings } from '../settings/settings';
import { engineOf } from '../store/storeService';
import { requireTrust } from '../trust/requireTrust';
import type { MonitorsCommandsDependencies } from './monitorsCommands';
import type { MonitorNode } from './monitorsTreeProvider';

/** How an attempt was asked for: by a person (asks before overriding the cool-down) or by the scheduler (silent unless it decides). */
export interface RetrainRequest {
  readonly manual: boolean;
  readonly trigger?: RetrainTrigger;
}

/**
 * Runs a monitor's retraining policy in the process that holds the store and follows it from this
 * window: a cancellable job in the status bar, progress in the log, and a notification with the
 * decision. The scheduler calls it on alerts (trusted
 * workspaces only); "MLOps: Retrain Now" calls it by hand.
 */
export async function retrainMonitorFile(deps: MonitorsCommandsDependencies, file: string, request: RetrainRequest): Promise<RetrainOutcome | undefined> {
  const log = deps.log;
  if (request.manual ? !(await requireTrust('Retraining')) : !vscode.workspace.isTrusted) return undefined;
  const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
  const { outcomeHeadline } = await import('../../core/retraining/retrainText');
  const spec = await loadMonitorSpec(file).catch((error: unknown) => {
    // the Monitors view shows why a spec is invalid; only a person who asked gets a message
    if (request.manual) void vscode.window.showErrorMessage(`MLOps: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  });
  if (!spec) return undefined;
  if (!spec.retrain) {
    if (request.manual) {
      const open = 'Open Monitor Spec';
      const choice = await vscode.window.showInformationMessage(`MLOps: monitor ${spec.name} has no retraining policy. Add a \`retrain:\` block (spec, model, data) to ${vscode.workspace.asRelativePath(file)}.`, open);
      if (choice === open) await vscode.window.showTextDocument(vscode.Uri.file(file));
    }
    return undefined;
  }
  const access = await deps.storeService.access({ create: true });
  // The attempt runs where the store is held (this window or another process); this window follows it.
  const engine = engineOf(access);
  if (!engine) {
    const why = access.state === 'client' ? 'the workspace store is needed, and this window tracks to an MLflow server (mlops.tracking.uri)' : access.state === 'noFolder' ? 'open a folder first' : 'message' in access ? access.message : 'the workspace store is not available';
    log?.warn(`Retraining ${spec.name} skipped: ${why}`);
    if (request.manual) void vscode.window.showWarningMessage(`MLOps: cannot retrain ${spec.name} — ${why}.`);
    return undefined;
  }
  let ignoreCooldown = false;
  if (request.manual) {
    const cooldown = await engine.call('monitoring.retrainCooldown', { monitor: spec.name, cooldownHours: spec.retrain.cooldownHours });
    if (cooldown && cooldown.endsAt > Date.now()) {
      const anyway = 'Retrain Anyway';
      const last = new Date(cooldown.lastStartedAt).toLocaleString();
      const choice = await vscode.window.showWarningMessage(`MLOps: monitor ${spec.name} last retrained at ${last}, within its ${spec.retrain.cooldownHours} h cool-down. Retrain now anyway?`, { modal: true }, anyway);
      if (choice !== anyway) return undefined;
      ignoreCooldown = true;
    }
  }

  const controller = new AbortController();
  const job = deps.jobs.start(`Retraining ${spec.name}`, { cancel: () => controller.abort() });
  let outcome: RetrainOutcome;
  try {
    const settings = readSettings(vscode.Uri.file(spec.retrain.specPath));
    const started = await engine.call('monitoring.startRetrain', {
      monitorFile: spec.file,
      ...(request.trigger ? { trigger: request.trigger } : {}),
      ignoreCooldown,
      backend: settings.trainingBackend,
      prices: settings.costPrices,
    });
    if (started.kind === 'skipped') {
      outcome = started;
    } else {
      const { followRetrain } = await import('../../core/retraining/retrainFollow');
      const attempt = await followRetrain(engine, started.attemptId, {
        signal: controller.signal,
        onProgress: (p) => {
          job.update(p.step);
          if (!p.message.startsWith('training: ')) log?.info(`Retraining ${spec.name}${p.attemptId ? ` #${p.attemptId}` : ''}: ${p.message}`);
        },
      });
      outcome = { kind: 'finished', monitor: spec.name, attempt };
    }
  } catch (error) {
    // Spec problems (the train spec, the policy's metric) and a closed store end here; the attempt, if it started, recorded them.
    const message = error instanceof Error ? error.message : String(error);
    log?.error(`Retraining ${spec.name}: ${message}`);
    void vscode.window.showErrorMessage(`MLOps: retraining ${spec.name} could not run: ${message}`);
    return undefined;
  } finally {
    job.end();
    deps.tree.refresh();
  }
  const headline = outcomeHeadline(outcome);
  log?.info(headline);
  await announce(outcome, headline, request.manual, deps);
  return outcome;
}

async function announce(outcome: RetrainOutcome, headline: string, manual: boolean, deps: MonitorsCommandsDependencies): Promise<void> {
  if (outcome.kind === 'skipped') {
    // The scheduler meets the cool-down on every alert: only a person who asked hears about it.
    if (manual) void vscode.window.showInformationMessage(`MLOps: ${headline}`);
    return;
  }
  if (outcome.kind !== 'finished') return;
  const attempt = outcome.attempt;
  const history = 'Show Model History';
  const approve = 'Approve Review…';
  const logs = 'Show Logs';
  const showHistory = async (): Promise<void> => {
    const engine = engineOf(await deps.storeService.access());
    const model = engine ? await engine.call('monitoring.retrainedModel', { model: attempt.model }) : null;
    if (model) await vscode.commands.executeCommand('mlops.showModelHistory', { kind: 'model', model, pendingReviews: 0 });
  };
  switch (attempt.status) {
    case 'promoted':
    case 'kept': {
      const choice = await vscode.window.showInformationMessage(`MLOps: ${headline}`, history);
      if (choice === history) await showHistory();
      return;
    }
    case 'review_requested': {
      const choice = await vscode.window.showInformationMessage(`MLOps: ${headline}`, approve, history);
      if (choice === history) await showHistory();
      if (choice === approve && attempt.reviewId !== null) {
        const engine = engineOf(await deps.storeService.access());
        if (!engine) return;
        await vscode.commands.executeCommand('mlops.approveReview', { kind: 'review', review: await engine.call('monitoring.retrainReview', { reviewId: attempt.reviewId }) });
      }
      return;
    }
    case 'cancelled':
      void vscode.window.showInformationMessage(`MLOps: ${headline}.`);
      return;
    default: {
      const choice = await vscode.window.showErrorMessage(`MLOps: ${headline}`, logs);
      if (choice === logs) deps.log?.show(true);
    }
  }
}

/** "MLOps: Retrain Now" on a monitor (or picked from the monitors that have a policy). */
export function registerRetrainCommand(deps: MonitorsCommandsDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.retrainNow', async (node?: MonitorNode) => {
    let file = node?.file;
    if (!file) {
      const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
      const found = await vscode.workspace.findFiles('**/*.monitor.yaml', '**/node_modules/**');
      const withPolicy = (await Promise.all(found.map(async (uri) => ((await loadMonitorSpec(uri.fsPath).catch(() => undefined))?.retrain ? uri : undefined)))).filter((u): u is vscode.Uri => u !== undefined);
      if (withPolicy.length === 0) {
        void vscode.window.showInformationMessage('MLOps: no monitor has a retraining policy. Add a `retrain:` block (spec, model, data) to a *.monitor.yaml.');
        return;
      }
      const picked = await vscode.window.showQuickPick(withPolicy.map((u) => ({ label: vscode.workspace.asRelativePath(u), uri: u })), { title: 'Retrain with which monitor\'s policy?' });
      file = picked?.uri.fsPath;
    }
    if (file) await retrainMonitorFile(deps, file, { manual: true });
  });
}
