/**
 * The HTML shell of every panel, as a pure function (no `vscode` import) so webview tests in
 * Chromium load bundles under exactly the CSP that VS Code will enforce.
 */
export interface PanelHtmlParts {
  title: string;
  nonce: string;
  /** the webview's `cspSource` (origin of the extension's resources) */
  cspSource: string;
  scriptUri: string;
  codiconCssUri: string;
  panelCssUri: string;
}

/**
 * The CSP allows no remote content: scripts only with this render's nonce, styles and fonts only
 * from the extension's own files (plus inline styles, which Lit and ECharts set on elements),
 * images from the extension and data: URIs (chart exports).
 */
export function panelContentSecurityPolicy(cspSource: string, nonce: string): string {
  return [
    `default-src 'none'`,
    `script-src 'nonce-${nonce}'`,
    `style-src ${cspSource} 'unsafe-inline'`,
    `font-src ${cspSource}`,
    `img-src ${cspSource} data:`,
  ].join('; ');
}

export function renderPanelHtml(parts: PanelHtmlParts): string {
  const title = escapeHtml(parts.title);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${panelContentSecurityPolicy(parts.cspSource, parts.nonce)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <title>${title}</title>
  <link rel="stylesheet" href="${parts.codiconCssUri}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${parts.panelCssUri}">
</head>
<body>
  <main id="app" aria-busy="true"><p class="loading">Loading ${title}…</p></main>
  <script nonce="${parts.nonce}" src="${parts.scriptUri}"></script>
</body>
</html>`;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
