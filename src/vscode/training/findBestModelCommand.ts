import { basename } from 'node:path';
import * as vscode from 'vscode';
import { isPriced, type CostPrices } from '../../core/process/runCost';
import type { ModelSearchResult } from '../../core/training/modelSearch';
import type { LeaderboardEntry } from '../../core/training/modelSearchLeaderboard';
import { budgetOutcome } from '../../core/training/modelSearchOutcome';
import { readSettings } from '../settings/settings';
import { requireTrust } from '../trust/requireTrust';
import { pickSpec, type TrainingCommandDependencies } from './trainModelCommand';
import { workspaceTrainingOf } from './workspaceTraining';

const LEADERBOARD_SCHEME = 'mlops-leaderboard';

interface BudgetChoice extends vscode.QuickPickItem {
  seconds: number;
}

/**
 * "MLOps: Find Best Model…": trains a spec with several model families and sizes within a time
 * budget (each a child run) and shows the ranked leaderboard as a Markdown preview.
 */
export function registerFindBestModelCommand(deps: TrainingCommandDependencies): vscode.Disposable[] {
  const leaderboards = new Map<string, string>();
  const provider: vscode.TextDocumentContentProvider = { provideTextDocumentContent: (uri) => leaderboards.get(uri.path) ?? '' };
  return [
    vscode.workspace.registerTextDocumentContentProvider(LEADERBOARD_SCHEME, provider),
    vscode.commands.registerCommand('mlops.findBestModel', async (uri?: vscode.Uri) => {
      if (!(await requireTrust('Find Best Model'))) return;
      const specUri = uri ?? (await pickSpec('MLOps: Find Best Model'));
      if (!specUri) return;
      const budget = await vscode.window.showQuickPick<BudgetChoice>(
        [
          { label: '2 minutes', description: 'a linear baseline and four network sizes on small data', seconds: 120 },
          { label: '5 minutes', seconds: 300 },
          { label: '15 minutes', seconds: 900 },
          { label: '1 minute', description: 'the quickest look', seconds: 60 },
        ],
        { title: 'MLOps: Find Best Model — time budget', placeHolder: 'No new candidate starts after this time' },
      );
      if (!budget) return;
      const costBudget = await askCostBudget(readSettings(specUri).costPrices);
      if (costBudget === null) return;
      const maxLatencyMs = await askLatencyBudget();
      if (maxLatencyMs === null) return;
      const workspace = workspaceTrainingOf(await deps.storeService.access({ create: true }));
      if ('unavailable' in workspace) {
        void vscode.window.showErrorMessage(`MLOps: cannot search models — ${workspace.unavailable}`);
        return;
      }
      const name = basename(specUri.fsPath).replace(/\.train\.ya?ml$/i, '');
      const job = deps.jobs.start(`Finding the best model for ${name}`);
      const { searchWhereTheStoreIs } = await import('../../core/training/searchThroughEngine');
      try {
        const result = await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: `MLOps: finding the best model for ${name}`, cancellable: true },
          async (progress, token) => {
            const controller = new AbortController();
            token.onCancellationRequested(() => controller.abort());
            // In the workspace engine: a reload of this window does not end the search.
            return searchWhereTheStoreIs({
              store: workspace.tracking,
              engine: workspace.engine,
              specPath: specUri.fsPath,
              budgetSeconds: budget.seconds,
              ...(costBudget !== undefined ? { costBudget } : {}),
              ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
              backend: readSettings(specUri).trainingBackend,
              prices: readSettings(specUri).costPrices,
              signal: controller.signal,
              onUpdate: (board, done, total) => {
                const leader = board.find((e) => e.state === 'complete');
                progress.report({ message: `${done}/${total} candidates${leader ? ` · best so far: ${leader.label}` : ''}`, increment: 100 / total });
                job.update(`${done}/${total}`);
              },
            });
          },
        );
        const path = `/${name}-${result.parentRunId.slice(0, 8)}.md`;
        leaderboards.set(path, leaderboardMarkdown(name, result));
        deps.log.info(`${name}: model search ${result.parentRunId} done; best ${result.leaderboard[0]?.label ?? 'none'}${budgetOutcome(result) ? ` — ${budgetOutcome(result)}` : ''}`);
        await vscode.commands.executeCommand('markdown.showPreview', vscode.Uri.from({ scheme: LEADERBOARD_SCHEME, path }));
        // the winner as a reviewable, re-runnable spec next to the data (never over an existing file)
        const { bestSpecText, searchWinner, writeBestSpec } = await import('../../core/training/bestModelSpec');
        if (searchWinner(result)) {
          const { loadTrainSpec } = await import('../../core/training/trainSpecParser');
          const { spec } = await loadTrainSpec(specUri.fsPath);
          const outPath = await writeBestSpec(spec.dataset, (out) => bestSpecText({ baseSpecPath: specUri.fsPath, outPath: out, experiment: spec.experiment, result, foundBy: '"MLOps: Find Best Model…"' }));
          await vscode.window.showTextDocument(vscode.Uri.file(outPath), { preview: false });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`${name}: model search failed: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: finding the best model for ${name} failed: ${message}`, 'Show Logs').then((c) => c && deps.log.show(true));
      } finally {
        job.end();
      }
    }),
  ];
}

/**
 * With a price set, the search can also stop at a cost: empty means no cost budget. Undefined:
 * none; null: the user cancelled.
 */
async function askCostBudget(prices: CostPrices): Promise<number | undefined | null> {
  if (!isPriced(prices)) return undefined;
  const text = await vscode.window.showInputBox({
    title: 'MLOps: Find Best Model — cost budget',
    prompt: 'No new candidate starts once the candidates cost this much together (at the mlops.cost.* prices). Empty: no cost budget.',
    placeHolder: 'e.g. 0.05',
    validateInput: (value) => (value.trim() === '' || Number(value) > 0 ? undefined : 'An amount above 0, or empty for none'),
  });
  if (text === undefined) return null;
  return text.trim() === '' ? undefined : Number(text);
}

/** The most a candidate's one-row predict p99 may take, in ms: empty means no latency budget. Null: the user cancelled. */
async function askLatencyBudget(): Promise<number | undefined | null> {
  const text = await vscode.window.showInputBox({
    title: 'MLOps: Find Best Model — latency budget',
    prompt: 'Rank out candidates whose measured one-row predict latency (p99 on the test rows) is over this many milliseconds. Empty: no latency budget.',
    placeHolder: 'e.g. 2 (ms)',
    validateInput: (value) => (value.trim() === '' || Number(value) > 0 ? undefined : 'Milliseconds above 0, or empty for none'),
  });
  if (text === undefined) return null;
  return text.trim() === '' ? undefined : Number(text);
}

/** The leaderboard as a Markdown table, best first, with why a candidate has no score. */
export function leaderboardMarkdown(name: string, result: ModelSearchResult): string {
  const format = (v: number | undefined): string => (v === undefined ? '—' : Number.isFinite(v) ? v.toPrecision(4) : String(v));
  const extra = ['test_accuracy', 'test_f1_macro', 'test_rmse', 'test_r2'].filter((k) => result.leaderboard.some((e) => e.metrics[k] !== undefined));
  const rows = result.leaderboard.map(
    (e: LeaderboardEntry) =>
      `| ${e.state === 'complete' ? e.rank : '—'} | ${e.label} | ${format(e.value)} | ${extra.map((k) => format(e.metrics[k])).join(' | ')}${extra.length ? ' | ' : ''}${e.seconds.toFixed(1)} s | ${e.state === 'complete' ? `\`${e.runId?.slice(0, 8)}\`` : (e.error ?? e.state)} |`,
  );
  return [
    `# Best model for ${name}`,
    '',
    `Ranked by **${result.metric}** (${result.direction === 'minimize' ? 'lower is better' : 'higher is better'}). Each candidate is a child run of \`${result.parentRunId}\`.`,
    '',
    ...(budgetOutcome(result) ? [`**${budgetOutcome(result) as string}**`, ''] : []),
    `| rank | model | ${result.metric} | ${extra.join(' | ')}${extra.length ? ' | ' : ''}time | run |`,
    `| ---: | --- | ---: | ${extra.map(() => '---:').join(' | ')}${extra.length ? ' | ' : ''}---: | --- |`,
    ...rows,
    '',
  ].join('\n');
}
