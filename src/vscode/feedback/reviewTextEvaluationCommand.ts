import * as vscode from 'vscode';
import { DEFAULT_EVAL_EXPERIMENT } from '../../core/textEval/evalRunLogger';
import { trackingOf } from '../store/storeService';
import type { FeedbackPanelDependencies } from './feedbackPanel';

interface RunChoice extends vscode.QuickPickItem {
  runId: string;
}

async function pickEvaluationRun(deps: FeedbackPanelDependencies): Promise<string | undefined> {
  const tracking = trackingOf(await deps.storeService.access());
  if (!tracking) {
    void vscode.window.showErrorMessage('MLOps: no workspace store yet — evaluate a text model first ("MLOps: Evaluate Text Model…").');
    return undefined;
  }
  const { runs } = await tracking.searchRuns({ filter: "tags.`mlops.evaluation` = 'text'", maxResults: 200 });
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`MLOps: no text evaluation runs yet (experiment "${DEFAULT_EVAL_EXPERIMENT}"): run "MLOps: Evaluate Text Model…" first.`);
    return undefined;
  }
  const metric = (run: (typeof runs)[number], key: string): string => {
    const value = run.data.metrics.find((m) => m.key === key)?.value;
    // BLEU is on 0–100, ROUGE on 0–1, rows a count
    return typeof value === 'number' ? value.toFixed(key === 'bleu' ? 1 : key === 'rows' ? 0 : 3) : '-';
  };
  const choice = await vscode.window.showQuickPick<RunChoice>(
    runs.map((run) => ({
      label: run.info.runName,
      description: `BLEU ${metric(run, 'bleu')} · ROUGE-L ${metric(run, 'rougeL_f')} · ${metric(run, 'rows')} rows`,
      detail: `${run.info.runId} · ${new Date(run.info.startTime).toLocaleString()}`,
      runId: run.info.runId,
    })),
    { title: 'MLOps: Review Text Evaluation', placeHolder: 'The evaluation run whose rows to rate' },
  );
  return choice?.runId;
}

/** "MLOps: Review Text Evaluation…": the feedback panel for a run (given, the tree's run node, or picked). */
export function registerReviewTextEvaluationCommand(deps: FeedbackPanelDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.reviewTextEvaluation', async (arg?: unknown) => {
    const fromNode = typeof arg === 'object' && arg !== null && 'run' in arg ? (arg as { run: { info: { runId: string } } }).run.info.runId : undefined;
    const runId = typeof arg === 'string' ? arg : (fromNode ?? (await pickEvaluationRun(deps)));
    if (!runId) return;
    const { FeedbackPanel } = await import('./feedbackPanel');
    FeedbackPanel.show(runId, deps);
  });
}
