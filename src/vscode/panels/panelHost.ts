import * as vscode from 'vscode';
import type {
  HostNotificationMethod,
  HostToViewMessage,
  PanelContract,
  RequestMethod,
  RequestParams,
  RequestResult,
  ViewNotificationMethod,
} from '../../protocol/rpc';
import { validateViewMessage, type ContractValidators } from '../../protocol/rpcValidation';
import { buildWebviewHtml } from './webviewHtml';

export type RequestHandlers<C extends PanelContract> = {
  [M in RequestMethod<C>]: (params: RequestParams<C, M>) => Promise<RequestResult<C, M>> | RequestResult<C, M>;
};
export type NotificationHandlers<C extends PanelContract> = {
  [M in ViewNotificationMethod<C>]: (params: C['viewNotifications'][M]) => void | Promise<void>;
};

export interface PanelDescriptor<C extends PanelContract> {
  viewType: string;
  title: string;
  /** bundle name under dist/webview/ */
  bundle: string;
  validators: ContractValidators<C>;
  iconPath?: vscode.Uri | { light: vscode.Uri; dark: vscode.Uri };
}

/** Options for a webview that may only load the extension's built bundles and media. */
export function panelWebviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions & vscode.WebviewPanelOptions {
  return {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

/**
 * Lifecycle shared by every panel: HTML with CSP, validation of every incoming message,
 * request/response dispatch by id, errors turned into responses the view shows, notifications
 * to the view, and disposal. Subclasses provide handlers; they never touch raw messages.
 */
export abstract class PanelHost<C extends PanelContract> implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private disposed = false;
  private readonly disposeEmitter = new vscode.EventEmitter<void>();
  readonly onDidDispose = this.disposeEmitter.event;

  protected constructor(
    readonly panel: vscode.WebviewPanel,
    protected readonly extensionUri: vscode.Uri,
    protected readonly descriptor: PanelDescriptor<C>,
    protected readonly log: vscode.LogOutputChannel,
  ) {
    panel.webview.options = panelWebviewOptions(extensionUri);
    if (descriptor.iconPath) panel.iconPath = descriptor.iconPath;
    panel.webview.html = buildWebviewHtml({ webview: panel.webview, extensionUri, bundle: descriptor.bundle, title: descriptor.title });
    this.disposables.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => void this.receive(raw)),
      panel.onDidDispose(() => this.dispose()),
    );
  }

  protected abstract readonly requestHandlers: RequestHandlers<C>;
  protected abstract readonly notificationHandlers: NotificationHandlers<C>;

  /** Pushes a notification; silently dropped once the panel is gone. */
  protected notify<M extends HostNotificationMethod<C>>(method: M, params: C['hostNotifications'][M]): void {
    this.post({ kind: 'notify', method, params });
  }

  protected track(disposable: vscode.Disposable): void {
    this.disposables.push(disposable);
  }

  private post(message: HostToViewMessage): void {
    if (this.disposed) return;
    void this.panel.webview.postMessage(message).then(undefined, (error: unknown) => {
      this.log.warn(`${this.descriptor.viewType}: could not post ${message.kind}: ${String(error)}`);
    });
  }

  private async receive(raw: unknown): Promise<void> {
    const checked = validateViewMessage(raw, this.descriptor.validators);
    if (!checked.ok) {
      this.log.warn(`${this.descriptor.viewType}: rejected message: ${checked.error}`);
      if (checked.id !== undefined) this.post({ kind: 'response', id: checked.id, ok: false, error: { message: checked.error } });
      return;
    }
    const message = checked.message;
    if (message.kind === 'notify') {
      const handler = this.notificationHandlers[message.method as ViewNotificationMethod<C>];
      try {
        await handler(message.params as C['viewNotifications'][ViewNotificationMethod<C>]);
      } catch (error) {
        this.log.error(`${this.descriptor.viewType}: ${message.method} failed: ${describeError(error)}`);
        void vscode.window.showErrorMessage(`MLOps: ${describeError(error)}`);
      }
      return;
    }
    const handler = this.requestHandlers[message.method as RequestMethod<C>];
    try {
      const result = await handler(message.params as RequestParams<C, RequestMethod<C>>);
      this.post({ kind: 'response', id: message.id, ok: true, result });
    } catch (error) {
      this.log.error(`${this.descriptor.viewType}: ${message.method} failed: ${describeError(error)}`);
      this.post({ kind: 'response', id: message.id, ok: false, error: { message: describeError(error) } });
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.disposeEmitter.fire();
    this.disposeEmitter.dispose();
    this.panel.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
