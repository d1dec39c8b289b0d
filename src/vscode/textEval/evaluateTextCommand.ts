import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { EvalRow } from '../../core/textEval/evalSet';
import type { StoreService } from '../store/storeService';
import { engineOf, trackingOf } from '../store/storeService';

export interface EvaluateTextDependencies {
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
}

const EVAL_GLOB = '**/*.jsonl';

async function pickEvalSet(): Promise<vscode.Uri | undefined> {
  const found = await vscode.workspace.findFiles(EVAL_GLOB, '**/{node_modules,.mlops,.git}/**', 200);
  const browse = '$(folder-opened) Browse…';
  const choice = await vscode.window.showQuickPick(
    [...found.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })), { label: browse, uri: undefined }],
    { title: 'MLOps: Evaluate Text Model — evaluation set', placeHolder: 'A JSONL file with input, reference(s) and prediction on each line' },
  );
  if (!choice) return undefined;
  if (choice.uri) return choice.uri;
  const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: { 'Evaluation sets': ['jsonl'] }, title: 'Evaluation set (JSONL)' });
  return picked?.[0];
}

/**
 * Which registered version made the predictions: linking the run to it puts its scores and the
 * reviewers' ratings on that version's card. Resolves to `models:/NAME/VERSION`, to '' for "not
 * a registered model" (also when nothing is registered), or to undefined when the user cancels.
 */
async function pickEvaluatedModel(storeService: StoreService, name: string): Promise<string | undefined> {
  // the workspace registry, asked of whichever process holds the store; none on a team's MLflow server
  const engine = engineOf(await storeService.access());
  if (!engine) return '';
  const versions = (await engine.call('feedback.evaluatableVersions', {}))
    // aliased versions first (the ones being served and judged), then the newest
    .sort((a, b) => Number(b.aliases.length > 0) - Number(a.aliases.length > 0) || b.creationTime - a.creationTime);
  if (versions.length === 0) return '';
  const notLinked = { label: '$(circle-slash) Not a registered model', description: 'the run is not linked to any version', uri: '' };
  const picked = await vscode.window.showQuickPick(
    [
      ...versions.map((v) => ({
        label: `${v.name} v${v.version}`,
        description: v.aliases.map((a) => `@${a}`).join(' ') || undefined,
        detail: `its model card will show this evaluation and the ratings it gets · registered ${new Date(v.creationTime).toLocaleString()} by ${v.createdBy}`,
        uri: `models:/${v.name}/${v.version}`,
      })),
      notLinked,
    ],
    { title: `MLOps: Evaluate Text Model — which model version made the predictions in ${name}?`, placeHolder: 'Link the evaluation to a version so its card shows it', matchOnDescription: true, ignoreFocusOut: true },
  );
  return picked?.uri;
}

/**
 * "MLOps: Evaluate Text Model…": scores a JSONL evaluation set with BLEU, ROUGE and exact match
 * into a new run of the "text-eval" experiment and shows the headline numbers.
 */
export function registerEvaluateTextCommand(deps: EvaluateTextDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.evaluateTextModel', async (uri?: vscode.Uri) => {
    const fileUri = uri ?? (await pickEvalSet());
    if (!fileUri) return;
    const name = basename(fileUri.fsPath);
    try {
      const where = vscode.workspace.asRelativePath(fileUri);
      const { parseEvalSet } = await import('../../core/textEval/evalSet');
      const parsed = parseEvalSet(await readFile(fileUri.fsPath, 'utf8'), where, { predictionOptional: true });
      const unpredicted = parsed.filter((r) => r.prediction === undefined).length;
      let endpoint: string | undefined;
      if (unpredicted > 0) {
        // Rows without a prediction: a served model (this extension's endpoint or any MLflow-protocol server) answers them.
        const { invocationsUrl } = await import('../../core/textEval/endpointPredictions');
        endpoint = await vscode.window.showInputBox({
          title: `${name}: ${unpredicted} of ${parsed.length} rows have no prediction`,
          prompt: 'Which served model should answer them? Its URL (MLflow scoring protocol: {"inputs": ["…"]} to /invocations)',
          placeHolder: 'http://127.0.0.1:5001/invocations',
          ignoreFocusOut: true,
          validateInput: (value) => {
            try {
              invocationsUrl(value.trim());
              return undefined;
            } catch (error) {
              return error instanceof Error ? error.message.replace(/^--endpoint /, '') : String(error);
            }
          },
        });
        if (endpoint === undefined) return;
        endpoint = endpoint.trim();
      }
      const evaluatedModel = await pickEvaluatedModel(deps.storeService, name);
      if (evaluatedModel === undefined) return;
      const result = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `MLOps: evaluating ${name}`, cancellable: true },
        async (progress, token) => {
          const { evaluateTextRows } = await import('../../core/textEval/textEvaluation');
          const { logTextEvaluation } = await import('../../core/textEval/evalRunLogger');
          let rows;
          if (endpoint) {
            const { predictWithEndpoint } = await import('../../core/textEval/endpointPredictions');
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            rows = await predictWithEndpoint(parsed, where, { url: endpoint, signal: controller.signal, onProgress: (done, total) => progress.report({ message: `asking the model: ${done} of ${total} rows` }) });
          } else {
            rows = parsed.filter((r): r is EvalRow => r.prediction !== undefined); // every row has one here
          }
          let reported = 0;
          const rougeStemming = vscode.workspace.getConfiguration('mlops.textEval').get<boolean>('rougeStemming', false);
          const evaluation = await evaluateTextRows(rows, {
            rougeStemming,
            isCancelled: () => token.isCancellationRequested,
            onProgress: (done, total) => {
              progress.report({ message: `${done} of ${total} rows`, increment: ((done - reported) / total) * 90 });
              reported = done;
            },
          });
          const access = await deps.storeService.access({ create: true });
          const tracking = trackingOf(access);
          if (!tracking) throw new Error(`no store to log the run to (${'message' in access ? access.message : 'open a folder first'})`);
          progress.report({ message: 'logging the run' });
          const runId = await logTextEvaluation(tracking, rows, evaluation, {
            datasetPath: fileUri.fsPath,
            smoothing: 'exp',
            rougeStemming,
            source: 'MLOps: Evaluate Text Model',
            ...(endpoint ? { predictionsFrom: endpoint } : {}),
            ...(evaluatedModel ? { evaluatedModel } : {}),
          });
          return { runId, metrics: evaluation.metrics, rows: rows.length, rougeStemming };
        },
      );
      const m = (key: string, digits: number): string => (result.metrics[key] ?? 0).toFixed(digits);
      deps.log.info(`${name}: evaluated ${result.rows} rows into run ${result.runId}`);
      const action = await vscode.window.showInformationMessage(
        `${name}: BLEU ${m('bleu', 2)} · ROUGE-1 ${m('rouge1_f', 3)} · ROUGE-2 ${m('rouge2_f', 3)} · ROUGE-L ${m('rougeL_f', 3)}${result.rougeStemming ? ' (stemmed)' : ''} · exact match ${m('exact_match', 3)} (${result.rows} rows, run ${result.runId.slice(0, 8)})`,
        'Review Rows',
        'Copy Run Id',
      );
      if (action === 'Copy Run Id') await vscode.env.clipboard.writeText(result.runId);
      if (action === 'Review Rows') await vscode.commands.executeCommand('mlops.reviewTextEvaluation', result.runId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      deps.log.error(`${name}: text evaluation failed: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: evaluating ${name} failed: ${message}`);
    }
  });
}
