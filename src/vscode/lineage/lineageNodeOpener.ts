import * as vscode from 'vscode';
import type { LineageNode } from '../../core/lineage/lineageTypes';
import type { RunsPanelDependencies } from '../runs/runsPanel';
import { trackingOf, type StoreService } from '../store/storeService';
import { modelVersionOf, workspaceFile } from './lineageTargets';

/** Built in another branch; until it is registered here a version falls back to the Models view. */
const OPEN_MODEL_CARD = 'mlops.openModelCard';

export interface LineageOpenDependencies {
  readonly storeService: StoreService;
  readonly runs: RunsPanelDependencies;
  readonly log: vscode.LogOutputChannel;
}

/** Click-through from a lineage box to the thing it stands for. */
export async function openLineageNode(node: LineageNode, deps: LineageOpenDependencies): Promise<void> {
  if (node.missing) {
    void vscode.window.showInformationMessage(`MLOps: ${node.label} was deleted; lineage still records where it came from and what was made from it.`);
    return;
  }
  switch (node.kind) {
    case 'modelVersion':
      return openModelVersion(node, deps);
    case 'run':
      return openRun(node, deps);
    case 'dataset':
      return openDataset(node);
    case 'endpoint':
      await vscode.commands.executeCommand('mlops.endpoints.focus');
      void vscode.window.showInformationMessage(`MLOps: endpoint ${node.label}${node.detail ? ` · ${node.detail}` : ''}. It is listed in the Endpoints view.`);
      return;
    case 'monitor':
      return openMonitor(node);
    case 'featureSet':
      return openFirstFile('**/features.{yaml,yml}', node, 'Feature sets are declared in features.yaml');
    default:
      void vscode.window.showInformationMessage(`MLOps: ${node.label}${node.detail ? ` · ${node.detail}` : ''} (${node.kind} ${node.id}).`);
  }
}

async function openModelVersion(node: LineageNode, deps: LineageOpenDependencies): Promise<void> {
  const ref = modelVersionOf(node.id);
  if (!ref) return;
  const commands = await vscode.commands.getCommands(true);
  if (commands.includes(OPEN_MODEL_CARD)) {
    try {
      await vscode.commands.executeCommand(OPEN_MODEL_CARD, ref);
      return;
    } catch (error) {
      deps.log.warn(`lineage: ${OPEN_MODEL_CARD} failed for ${node.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const uri = `models:/${ref.name}/${ref.version}`;
  await vscode.commands.executeCommand('mlops.models.focus');
  const copy = 'Copy URI';
  const picked = await vscode.window.showInformationMessage(`MLOps: ${node.label} is ${uri}: it is listed under "${ref.name}" in the Models view.`, copy);
  if (picked === copy) await vscode.env.clipboard.writeText(uri);
}

async function openRun(node: LineageNode, deps: LineageOpenDependencies): Promise<void> {
  const tracking = trackingOf(await deps.storeService.access());
  const run = await tracking?.getRun(node.id).catch(() => undefined);
  if (!run) {
    void vscode.window.showWarningMessage(`MLOps: run ${node.id} is not in the workspace store any more.`);
    return;
  }
  // As a click in the Experiments view does: its experiment's Runs panel with the run's details open.
  const { openRun: showRun } = await import('../runs/openRun');
  await showRun(deps.runs, run.info.runId, []);
}

/** A dataset's source opens when it is a file in this workspace; otherwise its identity is shown. */
async function openDataset(node: LineageNode): Promise<void> {
  const file = workspaceFile(node.target, (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath));
  if (file) {
    await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(file));
    return;
  }
  const copy = 'Copy Digest';
  const where = node.target ? `its source ${node.target} is not a file in this workspace` : 'no source was recorded';
  const picked = await vscode.window.showInformationMessage(`MLOps: dataset ${node.label}, digest ${node.id}: ${where}.`, copy);
  if (picked === copy) await vscode.env.clipboard.writeText(node.id);
}

async function openMonitor(node: LineageNode): Promise<void> {
  const [spec] = await vscode.workspace.findFiles(`**/${node.id}.monitor.{yaml,yml}`, '**/node_modules/**', 1);
  if (spec) {
    await vscode.commands.executeCommand('vscode.open', spec);
    return;
  }
  await vscode.commands.executeCommand('mlops.monitors.focus');
  void vscode.window.showInformationMessage(`MLOps: monitor ${node.label}: no ${node.id}.monitor.yaml in this workspace; monitors are listed in the Monitors view.`);
}

async function openFirstFile(glob: string, node: LineageNode, hint: string): Promise<void> {
  const [file] = await vscode.workspace.findFiles(glob, '**/node_modules/**', 1);
  if (file) {
    await vscode.commands.executeCommand('vscode.open', file);
    return;
  }
  void vscode.window.showInformationMessage(`MLOps: ${node.label}. ${hint}, and none is in this workspace.`);
}
