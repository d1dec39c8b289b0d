import * as vscode from 'vscode';
import { resolveStoreDir } from '../settings/settings';
import type { FeatureTreeNode } from './featureTreeModel';

const ICONS: Record<FeatureTreeNode['kind'], string> = { file: 'file-code', issue: 'error', view: 'table', field: 'symbol-field', entity: 'key', source: 'database' };
const TYPE_ICONS: Record<string, string> = { float: 'symbol-number', integer: 'symbol-number', string: 'symbol-string', boolean: 'symbol-boolean' };

/**
 * The Features view: every features.yaml → feature views (freshness, TTL, owner) → typed fields,
 * plus entities and sources; a spec that does not parse shows its problems, a click opens each
 * at its line. Refreshes when a spec changes or after materialization.
 */
export class FeaturesTreeProvider implements vscode.TreeDataProvider<FeatureTreeNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<FeatureTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly watchers: vscode.FileSystemWatcher[];

  constructor() {
    this.watchers = ['**/*features.yaml', '**/*features.yml', '**/.mlops/features/*/meta.json'].map((glob) => {
      const watcher = vscode.workspace.createFileSystemWatcher(glob);
      watcher.onDidCreate(() => this.refresh());
      watcher.onDidChange(() => this.refresh());
      watcher.onDidDelete(() => this.refresh());
      return watcher;
    });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: FeatureTreeNode): vscode.TreeItem {
    const hasChildren = 'children' in node && node.children.length > 0;
    const item = new vscode.TreeItem(node.label, hasChildren ? (node.kind === 'file' ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed) : vscode.TreeItemCollapsibleState.None);
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.id = `${node.file}#${node.kind}:${node.kind === 'field' ? `${node.view}.` : ''}${node.label}:${node.line}`;
    const icon = node.kind === 'field' ? (TYPE_ICONS[node.type] ?? ICONS.field) : node.kind === 'file' && !node.valid ? 'warning' : ICONS[node.kind];
    const color = node.kind === 'issue' || (node.kind === 'file' && !node.valid) ? new vscode.ThemeColor('problemsErrorIcon.foreground') : node.kind === 'view' && !node.materialized ? new vscode.ThemeColor('disabledForeground') : undefined;
    item.iconPath = new vscode.ThemeIcon(node.kind === 'view' && !node.materialized ? 'circle-outline' : icon, color);
    item.contextValue = node.kind === 'view' ? 'featureView' : node.kind === 'file' ? (node.valid ? 'featureFile' : 'featureFileInvalid') : `feature${node.kind[0]!.toUpperCase()}${node.kind.slice(1)}`;
    if (node.kind === 'file') item.resourceUri = vscode.Uri.file(node.file);
    const column = node.kind === 'issue' ? node.column - 1 : 0;
    const position = new vscode.Position(Math.max(0, node.line - 1), Math.max(0, column));
    item.command = { command: 'vscode.open', title: 'Open feature definitions', arguments: [vscode.Uri.file(node.file), { selection: new vscode.Range(position, position) } satisfies vscode.TextDocumentShowOptions] };
    return item;
  }

  async getChildren(node?: FeatureTreeNode): Promise<FeatureTreeNode[]> {
    if (node) return 'children' in node ? node.children : [];
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    const { loadFeatureWorkspace } = await import('../../core/features/featureWorkspace');
    const { featureFileNode } = await import('./featureTreeModel');
    const files = await loadFeatureWorkspace(folders, resolveStoreDir());
    const now = Date.now();
    const nodes = files.map((f) => featureFileNode({ ...f, displayPath: vscode.workspace.asRelativePath(f.file) }, now));
    await vscode.commands.executeCommand('setContext', 'mlops.hasFeatureSpecs', nodes.length > 0);
    return nodes;
  }

  dispose(): void {
    for (const w of this.watchers) w.dispose();
    this.changeEmitter.dispose();
  }
}
