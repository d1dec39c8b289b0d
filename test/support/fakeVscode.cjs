// A minimal stand-in for the `vscode` module: enough to load the extension and call activate()
// outside VS Code (activation cost and "what does activation load" checks). Real behaviour is
// tested in real VS Code by the e2e suite.
const registered = { commands: [], trees: [], serializers: [], customEditors: [] };
class EventEmitter {
  constructor() { this.listeners = new Set(); this.event = (l) => { this.listeners.add(l); return { dispose: () => this.listeners.delete(l) }; }; }
  fire(v) { for (const l of this.listeners) l(v); }
  dispose() { this.listeners.clear(); }
}
const disposable = { dispose() {} };
const log = { info() {}, warn() {}, error() {}, debug() {}, trace() {}, show() {}, dispose() {} };
class FakeDisposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new FakeDisposable(() => items.forEach((d) => d.dispose())); }
  dispose() { this.fn?.(); }
}
module.exports = {
  __registered: registered,
  Disposable: FakeDisposable,
  StatusBarAlignment: { Left: 1, Right: 2 },
  languages: {
    createDiagnosticCollection: () => ({ set() {}, delete() {}, clear() {}, dispose() {} }),
    registerCodeLensProvider: () => disposable,
    registerHoverProvider: () => disposable,
    registerDocumentLinkProvider: () => disposable,
  },
  version: '1.95.0-fake',
  EventEmitter,
  Uri: { file: (p) => ({ fsPath: p, scheme: 'file', path: p }), parse: (text) => ({ scheme: text.split(':')[0], toString: () => text }), joinPath: (u, ...s) => ({ ...u, path: [u.path, ...s].join('/') }) },
  ViewColumn: { Active: -1 },
  MarkdownString: class MarkdownString { constructor(value = '') { this.value = value; } appendMarkdown(v) { this.value += v; return this; } },
  UIKind: { Desktop: 1, Web: 2 },
  ThemeIcon: class ThemeIcon { constructor(id, color) { this.id = id; this.color = color; } },
  ThemeColor: class ThemeColor { constructor(id) { this.id = id; } },
  TreeItem: class TreeItem { constructor(label, state) { this.label = label; this.collapsibleState = state; } },
  TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
  env: { appHost: 'fake', appName: 'Fake VS Code', uiKind: 1 },
  window: {
    createOutputChannel: () => log,
    registerTreeDataProvider: (id) => { registered.trees.push(id); return disposable; },
    createTreeView: (id) => { registered.trees.push(id); return { message: undefined, dispose() {} }; },
    registerWebviewPanelSerializer: (id) => { registered.serializers.push(id); return disposable; },
    registerCustomEditorProvider: (id) => { registered.customEditors.push(id); return disposable; },
    createTerminal: () => ({ show() {}, dispose() {} }),
    createStatusBarItem: () => ({ show() {}, hide() {}, dispose() {} }),
    withProgress: async (_options, task) => task({ report() {} }, { onCancellationRequested: () => disposable }),
    showInformationMessage: async () => undefined,
    showErrorMessage: async () => undefined,
  },
  commands: {
    registerCommand: (id) => { registered.commands.push(id); return disposable; },
    executeCommand: async () => undefined,
  },
  workspace: {
    isTrusted: true,
    name: 'fake',
    workspaceFolders: undefined,
    getConfiguration: () => ({ get: (_k, d) => d, inspect: () => undefined }),
    registerTextDocumentContentProvider: () => disposable,
    registerFileSystemProvider: () => disposable,
    onDidChangeConfiguration: () => disposable,
    onDidGrantWorkspaceTrust: () => disposable,
    textDocuments: [],
    onDidOpenTextDocument: () => disposable,
    onDidChangeTextDocument: () => disposable,
    onDidCloseTextDocument: () => disposable,
    createFileSystemWatcher: () => ({ onDidCreate: () => disposable, onDidChange: () => disposable, onDidDelete: () => disposable, dispose() {} }),
  },
};
