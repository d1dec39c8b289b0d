/**
 * Loads a built webview bundle (dist/webview/<name>.js) in headless Chromium under the same HTML
 * and CSP the extension uses, with a stand-in for `acquireVsCodeApi` that records what the view
 * posts and answers its requests from the test.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { renderPanelHtml } from '../../../src/vscode/panels/panelHtmlTemplate';

const ROOT = join(__dirname, '..', '..', '..');
const ORIGIN = 'https://panel.test';
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

const MIME: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.html': 'text/html',
  '.svg': 'image/svg+xml',
  '.map': 'application/json',
};

/** A subset of the variables VS Code sets on a webview, for the two stock themes. */
export const THEMES = {
  dark: {
    '--vscode-foreground': '#cccccc',
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'monospace',
    '--vscode-panel-border': '#2b2b2b',
    '--vscode-textLink-foreground': '#4daafc',
    '--vscode-textCodeBlock-background': '#2b2b2b',
    '--vscode-errorForeground': '#f85149',
    '--vscode-button-background': '#0078d4',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
    '--vscode-sideBar-background': '#181818',
  },
  light: {
    '--vscode-foreground': '#3b3b3b',
    '--vscode-editor-background': '#ffffff',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-editor-font-family': 'monospace',
    '--vscode-panel-border': '#e5e5e5',
    '--vscode-textLink-foreground': '#005fb8',
    '--vscode-textCodeBlock-background': '#f2f2f2',
    '--vscode-errorForeground': '#f85149',
    '--vscode-button-background': '#005fb8',
    '--vscode-button-foreground': '#ffffff',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
    '--vscode-sideBar-background': '#f8f8f8',
  },
} as const;

export interface PostedMessage {
  kind: string;
  id?: number;
  method: string;
  params: unknown;
}

export type RequestResponder = (method: string, params: unknown) => Promise<unknown> | unknown;

export interface PanelPage {
  page: Page;
  /** every message the view posted so far */
  posted(): Promise<PostedMessage[]>;
  /** sends a host → view notification */
  notify(method: string, params: unknown): Promise<void>;
  /** what the view last saved with setState */
  savedState(): Promise<unknown>;
  /** CSP violations and console errors seen so far */
  problems: string[];
}

/** Runs in the page before the bundle: the `acquireVsCodeApi` stand-in, theme variables, CSP watch. */
const STAND_IN_SCRIPT = `function (theme, initialState) {
  var posted = [];
  var state = initialState === null ? undefined : initialState;
  window.__posted = posted;
  window.__securityViolations = [];
  document.addEventListener('securitypolicyviolation', function (e) {
    window.__securityViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });
  window.acquireVsCodeApi = function () {
    return {
      postMessage: function (message) {
        posted.push(message);
        if (message.kind === 'request') {
          // As in VS Code: JSON between the processes, then a structured clone into the frame.
          window.__hostRespond(message).then(function (text) { window.postMessage(JSON.parse(text), '*'); });
        }
      },
      getState: function () { return state; },
      setState: function (next) { state = next; window.__savedState = next; },
    };
  };
  function applyTheme() {
    for (var k in theme) document.documentElement.style.setProperty(k, theme[k]);
  }
  if (document.documentElement) applyTheme();
  document.addEventListener('DOMContentLoaded', applyTheme);
}`;

let browser: Browser | undefined;

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's chromium package (or set CHROMIUM_PATH)`);
  browser ??= await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
  });
  return browser;
}

export async function closeBrowser(): Promise<void> {
  await browser?.close();
  browser = undefined;
}

export async function openPanel(
  bundle: string,
  options: {
    respond: RequestResponder;
    theme?: keyof typeof THEMES;
    initialState?: unknown;
    viewport?: { width: number; height: number };
    /** runs before the page loads, e.g. to install Playwright's fake clock */
    beforeLoad?: (page: Page) => Promise<void>;
  },
): Promise<PanelPage> {
  const scriptPath = join(ROOT, 'dist', 'webview', `${bundle}.js`);
  if (!existsSync(scriptPath)) throw new Error(`${scriptPath} is missing: run "npm run build" first`);
  const b = await launchBrowser();
  const page = await b.newPage({ viewport: options.viewport ?? { width: 1000, height: 760 } });
  const problems: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));

  const nonce = 'test-nonce-123';
  const html = renderPanelHtml({
    title: bundle,
    nonce,
    cspSource: ORIGIN,
    scriptUri: `${ORIGIN}/dist/webview/${bundle}.js`,
    codiconCssUri: `${ORIGIN}/dist/webview/codicon.css`,
    panelCssUri: `${ORIGIN}/media/webview/panel.css`,
  });
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/index.html') return route.fulfill({ body: html, contentType: 'text/html' });
    const file = normalize(join(ROOT, decodeURIComponent(url.pathname)));
    if (!file.startsWith(ROOT) || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({ body: readFileSync(file), contentType: MIME[extname(file)] ?? 'application/octet-stream' });
  });
  // Answers cross as JSON text, the way VS Code carries a webview message from the extension host
  // (and because Playwright moves one string far faster than a tree of values).
  await page.exposeFunction('__hostRespond', async (message: PostedMessage): Promise<string> => {
    try {
      const result = await options.respond(message.method, message.params);
      return JSON.stringify({ kind: 'response', id: message.id, ok: true, result });
    } catch (error) {
      return JSON.stringify({ kind: 'response', id: message.id, ok: false, error: { message: error instanceof Error ? error.message : String(error) } });
    }
  });
  // A string, not a function: tsx would wrap a function's inner names in a helper the page lacks.
  await page.addInitScript(`(${STAND_IN_SCRIPT})(${JSON.stringify(THEMES[options.theme ?? 'dark'])}, ${JSON.stringify(options.initialState ?? null)});`);
  await options.beforeLoad?.(page);
  await page.goto(`${ORIGIN}/index.html`);
  return {
    page,
    problems,
    posted: () => page.evaluate(() => (window as unknown as { __posted: PostedMessage[] }).__posted.slice()),
    notify: (method, params) => page.evaluate((m) => window.postMessage(m, '*'), { kind: 'notify', method, params }),
    savedState: () => page.evaluate(() => (window as unknown as { __savedState: unknown }).__savedState),
  };
}

/** CSP violations recorded in the page (must stay empty: the bundle has to run under the real CSP). */
export async function securityViolations(panel: PanelPage): Promise<string[]> {
  return panel.page.evaluate(() => (window as unknown as { __securityViolations: string[] }).__securityViolations.slice());
}
