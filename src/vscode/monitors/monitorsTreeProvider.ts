import * as vscode from 'vscode';
import type { DriftHistoryEntry } from '../../core/monitoring/driftHistory';
import type { MonitorTreeEntry } from '../../core/engine/methods/monitoringMethods';
import type { RetrainAttempt } from '../../core/retraining/retrainAttempts';
import { engineOf, type StoreService } from '../store/storeService';

export interface MonitorNode {
  name: string;
  file: string;
  /** why the spec cannot be used, when it cannot */
  invalid?: string;
  last?: DriftHistoryEntry;
  openAlerts: number;
  /** the retraining policy in one line, when the monitor has one */
  retrain?: string;
  lastRetrain?: RetrainAttempt;
}

/** Changes in the store refresh the view at most this often. */
const STORE_CHANGE_DEBOUNCE_MS = 500;

const RETRAIN_STATE: Partial<Record<RetrainAttempt['status'], string>> = { running: 'retraining…', failed: 'retrain failed', review_requested: 'retrain awaits review' };

/** The parts of the monitors' state the view shows, as one comparable string. */
function stateKey(states: readonly MonitorTreeEntry[]): string {
  return JSON.stringify(states.map((s) => [s.name, s.last?.id ?? 0, s.openAlerts, s.lastRetrain?.id ?? 0, s.lastRetrain?.status ?? '']));
}

/** The Monitors view: every *.monitor.yaml with its last status; the view's badge counts open alerts. */
export class MonitorsTreeProvider implements vscode.TreeDataProvider<MonitorNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<MonitorNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly watcher: vscode.FileSystemWatcher;
  view: vscode.TreeView<MonitorNode> | undefined;

  private readonly storeSubscription: vscode.Disposable;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly storeService: StoreService) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.monitor.yaml');
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
    // Reports, alerts and attempts written anywhere (the CLI, another window, a retraining job in
    // the holder) show here. After a burst of changes (a training run's metrics) one small request
    // says whether any monitor's state moved; only then is the view rebuilt.
    this.storeSubscription = storeService.onDidChange(() => {
      this.pending ??= setTimeout(() => {
        this.pending = undefined;
        void this.refreshIfMoved().catch(() => undefined);
      }, STORE_CHANGE_DEBOUNCE_MS);
    });
  }

  /** what the view last showed from the store, per monitor (see stateKey) */
  private shown: { readonly monitors: readonly { name: string; retrain: boolean }[]; readonly key: string } | undefined;

  private async refreshIfMoved(): Promise<void> {
    const shown = this.shown;
    if (!shown) return this.refresh(); // never shown from the store: build it
    const engine = engineOf(await this.storeService.access());
    if (!engine || shown.monitors.length === 0) return;
    if (stateKey(await engine.call('monitoring.treeState', { monitors: shown.monitors })) !== shown.key) this.refresh();
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: MonitorNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
    item.resourceUri = vscode.Uri.file(node.file);
    item.contextValue = 'monitor';
    item.command = { command: 'vscode.open', title: 'Open monitor spec', arguments: [vscode.Uri.file(node.file)] };
    if (node.invalid) {
      item.description = 'invalid spec';
      item.tooltip = node.invalid;
      item.iconPath = new vscode.ThemeIcon('warning');
      return item;
    }
    const last = node.last;
    if (!last) {
      item.description = 'never run';
      item.iconPath = new vscode.ThemeIcon('circle-outline');
      item.tooltip = new vscode.MarkdownString(`**${node.name}** — never run`);
    } else {
      const share = `${Math.round(last.driftShare * 100)}% of ${last.columnCount} columns drifted`;
      item.description = `${last.datasetDrift ? 'DRIFT' : 'ok'} · ${share}${node.openAlerts ? ` · ${node.openAlerts} alert${node.openAlerts === 1 ? '' : 's'}` : ''}`;
      item.iconPath = new vscode.ThemeIcon(last.datasetDrift ? 'alert' : 'pass', new vscode.ThemeColor(last.datasetDrift ? 'problemsErrorIcon.foreground' : 'testing.iconPassed'));
      const drifted = last.columns.filter((c) => c.drifted).map((c) => c.column);
      item.tooltip = new vscode.MarkdownString(`**${node.name}** — last run ${new Date(last.createdAt).toLocaleString()}\n\n${share}${drifted.length ? `: ${drifted.join(', ')}` : ''}`);
    }
    if (node.retrain && item.tooltip instanceof vscode.MarkdownString) {
      const state = node.lastRetrain ? RETRAIN_STATE[node.lastRetrain.status] : undefined;
      if (state) item.description = `${String(item.description)} · ${state}`;
      item.tooltip.appendMarkdown(`\n\nRetraining: ${node.retrain}`);
      const a = node.lastRetrain;
      if (a) item.tooltip.appendText(`\n\nLast retrain #${a.id} (${new Date(a.startedAt).toLocaleString()}): ${a.status.replace('_', ' ')} — ${a.reason || 'running'}`);
    }
    return item;
  }

  async getChildren(node?: MonitorNode): Promise<MonitorNode[]> {
    if (node) return [];
    const { findMonitorSpecs } = await import('../../core/monitoring/monitorRunner');
    const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
    const folders = vscode.workspace.workspaceFolders ?? [];
    const files = (await Promise.all(folders.map((f) => findMonitorSpecs(f.uri.fsPath)))).flat();
    const { describePolicy } = await import('../../core/retraining/retrainPolicy');
    const loaded = await Promise.all(files.map((file) => loadMonitorSpec(file).then((spec) => ({ file, spec }), (error: unknown) => ({ file, error }))));
    const specs = loaded.flatMap((l) => ('spec' in l ? [l.spec] : []));
    // One request for every monitor's last report, alerts and retraining, wherever the store is held.
    const engine = engineOf(await this.storeService.access());
    const states = engine && specs.length > 0 ? await engine.call('monitoring.treeState', { monitors: specs.map((s) => ({ name: s.name, retrain: s.retrain !== undefined })) }).catch(() => undefined) : undefined;
    const stateOf = new Map((states ?? []).map((s) => [s.name, s]));
    const asked = specs.map((s) => ({ name: s.name, retrain: s.retrain !== undefined }));
    this.shown = states ? { monitors: asked, key: stateKey(states) } : undefined;
    const nodes: MonitorNode[] = loaded.map((l): MonitorNode => {
      if (!('spec' in l)) return { name: l.file.split(/[\\/]/).pop() ?? l.file, file: l.file, invalid: l.error instanceof Error ? l.error.message : String(l.error), openAlerts: 0 };
      const { spec } = l;
      const state = stateOf.get(spec.name);
      return {
        name: spec.name,
        file: l.file,
        ...(state?.last ? { last: state.last } : {}),
        openAlerts: state?.openAlerts ?? 0,
        ...(spec.retrain ? { retrain: describePolicy(spec.retrain) } : {}),
        ...(state?.lastRetrain ? { lastRetrain: state.lastRetrain } : {}),
      };
    });
    const alerts = nodes.reduce((sum, n) => sum + n.openAlerts, 0);
    if (this.view) this.view.badge = alerts > 0 ? { value: alerts, tooltip: `${alerts} drift alert${alerts === 1 ? '' : 's'}` } : undefined;
    return nodes;
  }

  dispose(): void {
    clearTimeout(this.pending);
    this.storeSubscription.dispose();
    this.watcher.dispose();
    this.changeEmitter.dispose();
  }
}
