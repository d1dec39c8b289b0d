import * as vscode from 'vscode';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import type { ModelVersion } from '../../core/registry/registryTypes';
import { allVersions } from '../models/modelPickers';
import { aliasOrder, type ModelsNode } from '../models/modelsTreeProvider';
import { openWorkspaceRegistry } from '../models/workspaceRegistry';
import type { ModelReviewPanelDependencies, ModelReviewSubject } from './modelReviewPanel';

/** A version given by a Models-view node, by `{ name, version }` (lineage click-through), or undefined. */
type VersionArgument = ModelsNode | { name: string; version: number } | undefined;

function versionOf(argument: VersionArgument): { name: string; version: number } | undefined {
  if (!argument || typeof argument !== 'object') return undefined;
  if ('kind' in argument) {
    if (argument.kind === 'version') return { name: argument.version.name, version: argument.version.version };
    if (argument.kind === 'review') return { name: argument.review.name, version: argument.review.version };
    return undefined;
  }
  return typeof argument.name === 'string' && Number.isInteger(argument.version) ? { name: argument.name, version: argument.version } : undefined;
}

function describeVersion(v: ModelVersion): string {
  return [...v.aliases].sort((a, b) => aliasOrder(a) - aliasOrder(b)).map((a) => `@${a}`).join(' ');
}

/** Every version of every model, aliased ones first: the palette's way to name one. */
async function pickVersion(registry: WorkspaceRegistry, title: string): Promise<{ name: string; version: number } | undefined> {
  const versions = await allVersions(registry);
  if (versions.length === 0) {
    void vscode.window.showInformationMessage('MLOps: no model is registered yet. Register a trained run from the Experiments view ("Register Model…").');
    return undefined;
  }
  versions.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) || Number(b.aliases.length > 0) - Number(a.aliases.length > 0) || b.version - a.version);
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: `${v.name} v${v.version}`, description: describeVersion(v), detail: `registered ${new Date(v.creationTime).toLocaleString()} by ${v.createdBy}`, name: v.name, version: v.version })),
    { title, placeHolder: 'Model version', matchOnDescription: true },
  );
  return picked ? { name: picked.name, version: picked.version } : undefined;
}

/**
 * The versions to review for the clicked one: the multi-selection when it holds several versions
 * of one model, else the clicked version against its model's champion (or the versions the user
 * picks when there is no champion, or the clicked version is it).
 */
async function reviewSubject(registry: WorkspaceRegistry, clicked: { name: string; version: number }, selected: readonly ModelsNode[]): Promise<ModelReviewSubject | undefined> {
  const fromSelection = selected.flatMap((n) => (n.kind === 'version' && n.version.name === clicked.name ? [n.version.version] : []));
  if (fromSelection.length >= 2) return { name: clicked.name, versions: [...new Set(fromSelection)].sort((a, b) => a - b) };
  const model = await registry.getModel(clicked.name);
  const champion = model.aliases['champion'];
  if (champion !== undefined && champion !== clicked.version) return { name: clicked.name, versions: [champion, clicked.version] };
  const others = (await registry.listVersions(clicked.name)).filter((v) => v.version !== clicked.version).sort((a, b) => b.version - a.version);
  if (others.length === 0) {
    void vscode.window.showInformationMessage(`MLOps: ${clicked.name} has only v${clicked.version}; register another version to compare. Opening its model card.`);
    return { name: clicked.name, versions: [clicked.version] };
  }
  const picked = await vscode.window.showQuickPick(
    others.map((v) => ({ label: `v${v.version}`, description: describeVersion(v), detail: `registered ${new Date(v.creationTime).toLocaleString()} by ${v.createdBy}`, version: v.version })),
    { title: `Compare ${clicked.name} v${clicked.version} with…`, canPickMany: true, placeHolder: 'One or more versions; the first shown is the baseline of the deltas' },
  );
  if (!picked || picked.length === 0) return undefined;
  return { name: clicked.name, versions: [...picked.map((p) => p.version).sort((a, b) => a - b), clicked.version] };
}

/** "Open Model Card" and "Compare Versions": the model review panel from the Models view, the palette or a lineage node. */
export function registerModelReviewCommands(deps: ModelReviewPanelDependencies): vscode.Disposable[] {
  const withRegistry = (name: string, body: (registry: WorkspaceRegistry, argument: VersionArgument, selected: readonly ModelsNode[]) => Promise<void>) =>
    async (argument?: VersionArgument, selected?: readonly ModelsNode[]): Promise<void> => {
      try {
        const opened = await openWorkspaceRegistry(deps.storeService);
        if (!('registry' in opened)) {
          void vscode.window.showWarningMessage(`MLOps: ${opened.message ?? 'there is no model registry in this folder yet: register a trained run first ("Register Model…").'}`);
          return;
        }
        await body(opened.registry, argument, selected ?? []);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        deps.log.error(`${name}: ${message}`);
        void vscode.window.showErrorMessage(`MLOps: ${message}`);
      }
    };
  const show = async (subject: ModelReviewSubject): Promise<void> => {
    const { ModelReviewPanel } = await import('./modelReviewPanel');
    ModelReviewPanel.show(subject, deps);
  };
  return [
    vscode.commands.registerCommand('mlops.openModelCard', withRegistry('Open Model Card', async (registry, argument) => {
      const target = versionOf(argument) ?? (await pickVersion(registry, 'Open Model Card'));
      if (!target) return;
      await registry.getVersion(target.name, target.version); // a clear "no such version" before a panel opens
      await show({ name: target.name, versions: [target.version] });
    })),
    vscode.commands.registerCommand('mlops.compareModelVersions', withRegistry('Compare Versions', async (registry, argument, selected) => {
      // A pending review compares what the alias holds now with what it would move to.
      if (argument && 'kind' in argument && argument.kind === 'review' && argument.review.previousVersion !== null) {
        await show({ name: argument.review.name, versions: [argument.review.previousVersion, argument.review.version] });
        return;
      }
      const clicked = versionOf(argument) ?? (await pickVersion(registry, 'Compare Versions: which version to review?'));
      if (!clicked) return;
      const subject = await reviewSubject(registry, clicked, selected);
      if (subject) await show(subject);
    })),
  ];
}
