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
  options: { respond: RequestResponder; theme?: keyof typeof THEMES; initialState?: unknown; viewport?: { width: number; height: number } },
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
  await page.exposeFunction('__hostRespond', async (message: PostedMessage) => {
    try {
      const result = await options.respond(message.method, message.params);
      return { kind: 'response', id: message.id, ok: true, result };
    } catch (error) {
      return { kind: 'response', id: message.id, ok: false, error: { message: error instanceof Error ? error.message : String(error) } };
    }
  });
  await page.addInitScript(
    ({ theme, initialState }) => {
      const w = window as unknown as Record<string, unknown>;
      const posted: unknown[] = [];
      let state = initialState;
      w.__posted = posted;
      w.__securityViolations = [];
      document.addEventListener('securitypolicyviolation', (e) => {
        (w.__securityViolations as string[]).push(`${e.violatedDirective} ${e.blockedURI}`);
      });
      w.acquireVsCodeApi = () => ({
        postMessage(message: { kind: string }) {
          posted.push(message);
          if (message.kind === 'request') {
            void (w.__hostRespond as (m: unknown) => Promise<unknown>)(message).then((response) => window.postMessage(response, '*'));
          }
        },
        getState: () => state,
        setState(next: unknown) {
          state = next;
          w.__savedState = next;
        },
      });
      const applyTheme = (): void => {
        for (const [k, v] of Object.entries(theme)) document.documentElement.style.setProperty(k, v);
      };
      if (document.documentElement) applyTheme();
      document.addEventListener('DOMContentLoaded', applyTheme);
    },
    { theme: THEMES[options.theme ?? 'dark'], initialState: options.initialState },
  );
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
