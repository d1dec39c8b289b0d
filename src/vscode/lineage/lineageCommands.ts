/**
 * "MLOps: Show Lineage". Registered at activation; the panel loads only when it runs. Lineage is
 * read through the engine, so it works the same whether this window holds the store or another
 * window or process does.
 */
import * as vscode from 'vscode';
import type { EngineClient } from '../../core/engine/engineClient';
import type { LineageNode } from '../../core/lineage/lineageTypes';
import type { LineagePanelDependencies } from './lineagePanel';

export function registerLineageCommands(deps: LineagePanelDependencies): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlops.showLineage', async (arg?: unknown) => {
      try {
        await showLineage(arg, deps);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`Show Lineage: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: ${message}`);
      }
    }),
  ];
}

async function showLineage(arg: unknown, deps: LineagePanelDependencies): Promise<void> {
  const { lineageArgument, lineageEngine } = await import('./lineageRootChoices');
  const reached = lineageEngine(await deps.storeService.access());
  if ('why' in reached) {
    void vscode.window.showWarningMessage(`MLOps: cannot show lineage: ${reached.why}`);
    return;
  }
  const { engine } = reached;
  const named = lineageArgument(arg);
  let root: LineageNode | undefined;
  if (named && 'root' in named) root = await engine.call('lineage.describe', { node: named.root });
  else if (named) root = await engine.call('lineage.resolve', { target: named.target });
  else root = await pickRoot(engine);
  if (!root) return;
  const { LineagePanel } = await import('./lineagePanel');
  LineagePanel.show({ kind: root.kind, id: root.id }, root.label, deps);
}

/** From the palette: model versions (aliases first), recent runs, endpoints and monitors. */
async function pickRoot(engine: EngineClient): Promise<LineageNode | undefined> {
  const { lineageRootChoices, rootChoiceSources } = await import('./lineageRootChoices');
  const choices = lineageRootChoices(await rootChoiceSources(engine));
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('MLOps: nothing has recorded lineage yet. Train a model ("MLOps: Train Model…") and register it; training, registering, serving and monitoring record lineage as they happen.');
    return undefined;
  }
  const items = choices.map((c) => (c.separator ? { label: c.label, kind: vscode.QuickPickItemKind.Separator } : { ...c }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Show Lineage', placeHolder: 'Lineage of which model version, run or endpoint?', matchOnDescription: true, matchOnDetail: true });
  return picked && 'root' in picked && picked.root ? engine.call('lineage.describe', { node: picked.root }) : undefined;
}
