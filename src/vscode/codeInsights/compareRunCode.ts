import { basename } from 'node:path';
import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/trackingTypes';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import { trackingOf, type StoreService } from '../store/storeService';

/** Read-only documents holding a run's code: `mlops-run-code:/<runId>/<file name>`. */
export const RUN_CODE_SCHEME = 'mlops-run-code';
/** What a training keeps of its spec (modelPackageFormat's PACKAGE_FILES.spec, inside the model package). */
const SPEC_ARTIFACT = 'model/spec.train.yaml';
const DIFF_ARTIFACT = 'code/uncommitted.diff';
const PICKABLE_RUNS = 200;

export interface CompareRunCodeDependencies {
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
  readonly selection: () => readonly ExperimentsNode[];
}

/**
 * "Compare Code of Runs": VS Code's diff editor between what two runs ran — the specs they
 * trained from (the copy each run kept), or their scripts as they were at each run's commit
 * with its uncommitted changes applied.
 */
export function registerCompareRunCode(deps: CompareRunCodeDependencies): vscode.Disposable[] {
  const provider = new RunCodeDocuments(deps.storeService);
  return [
    vscode.workspace.registerTextDocumentContentProvider(RUN_CODE_SCHEME, provider),
    vscode.commands.registerCommand('mlops.compareRunCode', async (node?: ExperimentsNode, selected?: readonly ExperimentsNode[]) => {
      try {
        const nodes = selected && selected.length > 0 ? selected : node ? [node] : deps.selection();
        let runs = nodes.flatMap((n) => (n.kind === 'run' ? [n.run] : []));
        if (runs.length !== 2) runs = (await pickTwoRuns(deps.storeService, runs)) ?? [];
        const [older, newer] = [...runs].sort((a, b) => a.info.startTime - b.info.startTime);
        if (!older || !newer) return;
        const file = (await provider.fileName(older)) ?? (await provider.fileName(newer));
        if (!file) {
          void vscode.window.showWarningMessage(`MLOps: runs ${older.info.runName} and ${newer.info.runName} recorded neither a spec nor a script to compare.`);
          return;
        }
        const left = runCodeUri(older, (await provider.fileName(older)) ?? file);
        const right = runCodeUri(newer, (await provider.fileName(newer)) ?? file);
        await vscode.commands.executeCommand('vscode.diff', left, right, `${older.info.runName} ↔ ${newer.info.runName} (${file})`, { preview: false });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`Compare Code of Runs: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: ${message}`);
      }
    }),
  ];
}

function runCodeUri(run: Run, file: string): vscode.Uri {
  return vscode.Uri.from({ scheme: RUN_CODE_SCHEME, path: `/${run.info.runId}/${file}` });
}

/** The two runs to compare: the picked ones, completed from a quick pick of recent runs. */
async function pickTwoRuns(storeService: StoreService, already: readonly Run[]): Promise<Run[] | undefined> {
  const tracking = trackingOf(await storeService.access());
  if (!tracking) {
    void vscode.window.showInformationMessage('MLOps: there are no runs yet: train a model or run a script first.');
    return undefined;
  }
  // One run clicked: offer the others of its experiment; from the palette: every recent run.
  const first = already[0];
  const { runs } = await tracking.searchRuns({ ...(first ? { experimentIds: [first.info.experimentId] } : {}), orderBy: ['attributes.start_time DESC'], maxResults: PICKABLE_RUNS, viewType: 'ACTIVE_ONLY' });
  const candidates = runs.filter((r) => r.info.runId !== first?.info.runId);
  if (candidates.length === 0 || (!first && candidates.length < 2)) {
    void vscode.window.showInformationMessage('MLOps: Compare Code of Runs needs two runs.');
    return undefined;
  }
  type Item = vscode.QuickPickItem & { run: Run };
  const items: Item[] = candidates.map((run) => ({
    label: run.info.runName,
    description: `${new Date(run.info.startTime).toLocaleString()} · ${run.info.status.toLowerCase()}`,
    detail: commitText(run),
    run,
  }));
  const title = 'Compare Code of Runs';
  if (first) {
    const picked = await vscode.window.showQuickPick(items, { title, placeHolder: `Compare the code of ${first.info.runName} with…`, matchOnDescription: true });
    return picked ? [first, picked.run] : undefined;
  }
  const picked = await vscode.window.showQuickPick(items, { title, placeHolder: 'Pick two runs', canPickMany: true, matchOnDescription: true });
  if (!picked || picked.length === 0) return undefined;
  if (picked.length !== 2) {
    void vscode.window.showWarningMessage(`MLOps: pick exactly two runs to compare their code (${picked.length} picked).`);
    return undefined;
  }
  return picked.map((p) => p.run);
}

function commitText(run: Run): string {
  const commit = run.info.gitCommit ?? run.data.tags.find((t) => t.key === 'mlflow.source.git.commit')?.value;
  if (!commit) return 'no git commit recorded';
  const dirty = run.info.gitDirty ?? run.data.tags.find((t) => t.key === 'mlops.git.dirty')?.value === 'true';
  return `commit ${commit.slice(0, 10)}${dirty ? ' + uncommitted changes' : ''}`;
}

/** The text of `mlops-run-code:` documents, read from the store (and git) when VS Code opens one. */
class RunCodeDocuments implements vscode.TextDocumentContentProvider {
  constructor(private readonly storeService: StoreService) {}

  /** The name a run's code document gets (its language comes from it); undefined when it has none. */
  async fileName(run: Run): Promise<string | undefined> {
    const { runCodeFile } = await import('../../core/tracking/runCodeFile');
    const file = runCodeFile(run, workspaceRoot());
    return file ? basename(file.path) : undefined;
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const runId = uri.path.split('/')[1] ?? '';
    const tracking = trackingOf(await this.storeService.access());
    if (!tracking) return '# The workspace store is not available in this window.\n';
    const run = await tracking.getRun(runId);
    return runCodeText(tracking, run);
  }
}

function workspaceRoot(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}

async function runCodeText(tracking: TrackingStore, run: Run): Promise<string> {
  const { runCodeFile, runCommit, fileAsRunSawIt } = await import('../../core/tracking/runCodeFile');
  const file = runCodeFile(run, workspaceRoot());
  // A training keeps the exact spec it trained from: no git needed.
  if (file?.kind === 'spec') {
    const kept = await tracking.readArtifact(run.info.runId, SPEC_ARTIFACT).catch(() => undefined);
    if (kept) return kept.toString('utf8');
  }
  if (!file) return `# Run ${run.info.runName} recorded neither a spec nor a script.\n`;
  const commit = runCommit(run);
  if (!commit) return `# Run ${run.info.runName} recorded no git commit: the code it ran is unknown.\n`;
  const diff = await tracking.readArtifact(run.info.runId, DIFF_ARTIFACT).then((b) => b.toString('utf8'), () => undefined);
  try {
    const seen = await fileAsRunSawIt(file.path, commit, diff);
    return seen.text;
  } catch (error) {
    return `# ${basename(file.path)} at commit ${commit.slice(0, 10)} could not be read: ${error instanceof Error ? error.message : String(error)}\n`;
  }
}
