/**
 * "MLOps: Show Lineage". Registered at activation; the registry, the store and the panel load
 * only when it runs.
 */
import * as vscode from 'vscode';
import type { LineageNodeRef } from '../../core/lineage/lineageTypes';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
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
  const { lineageArgument, lineageUnavailable } = await import('./lineageRootChoices');
  const access = await deps.storeService.access();
  const why = lineageUnavailable(access);
  if (why !== undefined || access.state !== 'open') {
    void vscode.window.showWarningMessage(`MLOps: cannot show lineage: ${why ?? 'the workspace store is not open.'}`);
    return;
  }
  const store = access.store;
  const { lineageFor, modelRegistryFor } = await import('../../core/registry/registryAccess');
  const named = lineageArgument(arg);
  let root: LineageNodeRef | undefined;
  if (named && 'root' in named) root = named.root;
  else if (named) {
    const { resolveLineageRoot } = await import('../../core/lineage/lineageRoot');
    root = resolveLineageRoot(modelRegistryFor(store), named.target);
  } else root = await pickRoot(store);
  if (!root) return;
  const { LineagePanel } = await import('./lineagePanel');
  LineagePanel.show(root, lineageFor(store).describe(root).label, deps);
}

/** From the palette: model versions (aliases first), recent runs, endpoints and monitors. */
async function pickRoot(store: WorkspaceStore): Promise<LineageNodeRef | undefined> {
  const { lineageRootChoices, rootChoiceSources } = await import('./lineageRootChoices');
  const choices = lineageRootChoices(await rootChoiceSources(store));
  if (choices.length === 0) {
    void vscode.window.showInformationMessage('MLOps: nothing has recorded lineage yet. Train a model ("MLOps: Train Model…") and register it; training, registering, serving and monitoring record lineage as they happen.');
    return undefined;
  }
  const items = choices.map((c) => (c.separator ? { label: c.label, kind: vscode.QuickPickItemKind.Separator } : { ...c }));
  const picked = await vscode.window.showQuickPick(items, { title: 'Show Lineage', placeHolder: 'Lineage of which model version, run or endpoint?', matchOnDescription: true, matchOnDetail: true });
  return picked && 'root' in picked ? picked.root : undefined;
}
