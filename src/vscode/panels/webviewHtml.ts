import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { renderPanelHtml } from './panelHtmlTemplate';

export interface WebviewHtmlOptions {
  webview: vscode.Webview;
  extensionUri: vscode.Uri;
  /** bundle name under dist/webview/, e.g. "dashboard" */
  bundle: string;
  title: string;
}

/** A fresh nonce per render: 128 random bits. */
export function createNonce(): string {
  return randomBytes(16).toString('base64');
}

/** The panel shell with webview URIs for the bundle, codicons and the shared stylesheet. */
export function buildWebviewHtml(options: WebviewHtmlOptions): string {
  const { webview, extensionUri, bundle, title } = options;
  const asset = (...path: string[]): string => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...path)).toString();
  return renderPanelHtml({
    title,
    nonce: createNonce(),
    cspSource: webview.cspSource,
    scriptUri: asset('dist', 'webview', `${bundle}.js`),
    codiconCssUri: asset('dist', 'webview', 'codicon.css'),
    panelCssUri: asset('media', 'webview', 'panel.css'),
  });
}
