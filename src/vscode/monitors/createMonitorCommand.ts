import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import * as vscode from 'vscode';
import type { EndpointNode } from '../endpoints/endpointsTreeProvider';
import type { ModelsNode } from '../models/modelsTreeProvider';
import { engineOf, type StoreService } from '../store/storeService';

/** What a new monitor watches: its name, the model whose training data is the reference, and the current side. */
interface Target {
  readonly name: string;
  readonly modelUri: string;
  readonly current: { endpoint: string; last: number } | { file: string };
}

/** A registered version, as much of it as a monitor needs. */
interface WatchableVersion {
  readonly name: string;
  readonly version: number;
  readonly aliases: readonly string[];
}

type Source = EndpointNode | Extract<ModelsNode, { kind: 'version' }> | undefined;

/** What to watch, from the clicked node: an endpoint's traffic, or a model version and a file of new data. */
async function target(node: Source, folder: string, storeService: StoreService): Promise<Target | undefined> {
  const { monitorNameFrom } = await import('../../core/monitoring/monitorSpecTemplate');
  if (node && (node.kind === 'running' || node.kind === 'stopped')) {
    const name = node.kind === 'running' ? node.endpoint.name : node.name;
    const uri = node.kind === 'running' ? node.endpoint.uri : node.uri;
    return { name: monitorNameFrom(`${name}-traffic`), modelUri: uri, current: { endpoint: name, last: 1000 } };
  }
  if (node?.kind === 'version') return versionTarget(node.version, folder);
  // From the palette: a registered version (aliased ones first); endpoints are right-clicked in their view.
  const version = await pickVersion(storeService);
  return version ? versionTarget(version, folder) : undefined;
}

/** A model version's training data as the reference, and a file of new data the user picks. */
async function versionTarget(v: WatchableVersion, folder: string): Promise<Target | undefined> {
  const { monitorNameFrom } = await import('../../core/monitoring/monitorSpecTemplate');
  const alias = v.aliases.includes('champion') ? 'champion' : v.aliases[0];
  const modelUri = alias ? `models:/${v.name}@${alias}` : `models:/${v.name}/${v.version}`;
  const picked = await vscode.window.showOpenDialog({
    title: `Create Monitor for ${modelUri}: the new data to compare with its training data`,
    canSelectMany: false,
    filters: { 'Data files': ['csv', 'tsv', 'parquet', 'pq'] },
    defaultUri: vscode.Uri.file(folder),
    openLabel: 'Compare this data',
  });
  if (!picked?.[0]) return undefined;
  return { name: monitorNameFrom(`${v.name}-${alias ?? `v${v.version}`}-drift`), modelUri, current: { file: relative(folder, picked[0].fsPath).split('\\').join('/') } };
}

async function pickVersion(storeService: StoreService): Promise<WatchableVersion | undefined> {
  // the workspace registry, asked of whichever process holds the store
  const engine = engineOf(await storeService.access());
  const versions = engine ? await engine.call('monitoring.watchableVersions', {}) : [];
  if (versions.length === 0) {
    void vscode.window.showInformationMessage('MLOps: Create Monitor needs a registered model version (Models view) or an endpoint (right-click it in the Endpoints view).');
    return undefined;
  }
  versions.sort((a, b) => Number(b.aliases.length > 0) - Number(a.aliases.length > 0) || (a.name < b.name ? -1 : a.name > b.name ? 1 : b.version - a.version));
  const picked = await vscode.window.showQuickPick(
    versions.map((v) => ({ label: `${v.name} v${v.version}`, description: v.aliases.map((a) => `@${a}`).join(' '), version: v })),
    { title: 'Create Monitor: which model version’s training data is the reference?', placeHolder: 'For an endpoint’s traffic, right-click the endpoint in the Endpoints view instead' },
  );
  return picked?.version;
}

/**
 * "Create Monitor…": writes a commented *.monitor.yaml for an endpoint's traffic or a model
 * version's new data, opens it, and the Monitors view picks it up.
 */
export function registerCreateMonitorCommand(storeService: StoreService): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.createMonitor', async (node?: Source) => {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
    if (!folder) {
      void vscode.window.showWarningMessage('MLOps: open a folder first: monitors are files in the workspace.');
      return;
    }
    const chosen = await target(node, folder, storeService);
    if (!chosen) return;
    const { monitorSpecTemplate } = await import('../../core/monitoring/monitorSpecTemplate');
    let file = join(folder, `${chosen.name}.monitor.yaml`);
    for (let n = 2; existsSync(file); n++) file = join(folder, `${chosen.name}-${n}.monitor.yaml`);
    await writeFile(file, monitorSpecTemplate({ ...chosen, everyMinutes: 60 }), { flag: 'wx' });
    await vscode.window.showTextDocument(vscode.Uri.file(file));
    const run = 'Run Monitor Now';
    const choice = await vscode.window.showInformationMessage(`MLOps: created ${vscode.workspace.asRelativePath(file)}; it runs every hour while this window is open.`, run);
    if (choice === run) await vscode.commands.executeCommand('mlops.runMonitor', { name: chosen.name, file, openAlerts: 0 });
  });
}
