import * as vscode from 'vscode';
import type { DriftHistoryEntry } from '../../core/monitoring/driftHistory';
import type { RetrainAttempt } from '../../core/retraining/retrainAttempts';
import type { StoreService } from '../store/storeService';

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

const RETRAIN_STATE: Partial<Record<RetrainAttempt['status'], string>> = { running: 'retraining…', failed: 'retrain failed', review_requested: 'retrain awaits review' };

/** The Monitors view: every *.monitor.yaml with its last status; the view's badge counts open alerts. */
export class MonitorsTreeProvider implements vscode.TreeDataProvider<MonitorNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<MonitorNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly watcher: vscode.FileSystemWatcher;
  view: vscode.TreeView<MonitorNode> | undefined;

  constructor(private readonly storeService: StoreService) {
    this.watcher = vscode.workspace.createFileSystemWatcher('**/*.monitor.yaml');
    this.watcher.onDidCreate(() => this.refresh());
    this.watcher.onDidChange(() => this.refresh());
    this.watcher.onDidDelete(() => this.refresh());
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
    const access = await this.storeService.access();
    const { driftHistory, openAlerts } = await import('../../core/monitoring/driftHistory');
    const { describePolicy } = await import('../../core/retraining/retrainPolicy');
    const { retrainAttempts } = await import('../../core/retraining/retrainAttempts');
    const nodes: MonitorNode[] = [];
    for (const file of files) {
      try {
        const spec = await loadMonitorSpec(file);
        const store = access.state === 'open' ? access.store : undefined;
        const lastRetrain = store && spec.retrain ? retrainAttempts(store, spec.name, 1)[0] : undefined;
        nodes.push({
          name: spec.name,
          file,
          last: store ? driftHistory(store, spec.name, 1)[0] : undefined,
          openAlerts: store ? openAlerts(store, spec.name).length : 0,
          ...(spec.retrain ? { retrain: describePolicy(spec.retrain) } : {}),
          ...(lastRetrain ? { lastRetrain } : {}),
        });
      } catch (error) {
        nodes.push({ name: file.split(/[\\/]/).pop() ?? file, file, invalid: error instanceof Error ? error.message : String(error), openAlerts: 0 });
      }
    }
    const alerts = nodes.reduce((sum, n) => sum + n.openAlerts, 0);
    if (this.view) this.view.badge = alerts > 0 ? { value: alerts, tooltip: `${alerts} drift alert${alerts === 1 ? '' : 's'}` } : undefined;
    return nodes;
  }

  dispose(): void {
    this.watcher.dispose();
    this.changeEmitter.dispose();
  }
}
