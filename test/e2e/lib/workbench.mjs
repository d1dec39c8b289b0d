// Helpers for e2e tests in real VS Code (code-server started by test/e2e/runE2e.mjs, see
// test/e2e/rig/). The tests drive Debian's Chromium with the project's playwright-core.
//
// Environment set by runE2e.mjs:
//   MLOPS_E2E_URL        workbench URL of the running server, opening MLOPS_E2E_WORKSPACE
//   MLOPS_E2E_WORKSPACE  a fresh copy of examples/ (tests never touch the repo's examples/)
//   MLOPS_E2E_TMP        scratch folder, deleted after the run (extra workspaces go here)
//   MLOPS_E2E_STATE_DIR  the server's state folder (user data, logs)
//   MLOPS_E2E_OUT        output folder (default test-output/e2e): screenshots/, logs
//   MLOPS_E2E_REPO       the repository root
//   MLOPS_E2E_EXTENSION_DIR  the extension folder linked into VS Code (the repo by default)
//   CHROMIUM             browser binary (default /usr/bin/chromium)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const REPO = process.env.MLOPS_E2E_REPO || resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
/** The extension under test (its dist/cli.js is the `mlops` CLI the tests run). */
export const EXTENSION_DIR = process.env.MLOPS_E2E_EXTENSION_DIR || REPO;
export const OUT_DIR = process.env.MLOPS_E2E_OUT || join(REPO, 'test-output', 'e2e');
export const SCREENSHOT_DIR = join(OUT_DIR, 'screenshots');

/** Reads a variable set by runE2e.mjs; a clear error when a test file is run on its own. */
export function e2eEnv(name) {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the e2e tests through \`npm run test:e2e\` (test/e2e/runE2e.mjs)`);
  return value;
}

/** The workbench URL that opens `folder` on the running server. */
export function workbenchUrl(folder) {
  const url = new URL(e2eEnv('MLOPS_E2E_URL'));
  url.search = '';
  url.searchParams.set('folder', folder);
  return url.href;
}

/**
 * Copies the repo's examples/ (without any store in it) into a new folder under MLOPS_E2E_TMP,
 * so a test can prepare a workspace of its own. Works when examples/ is empty or missing.
 */
export function makeWorkspace(name) {
  const parent = mkdtempSync(join(e2eEnv('MLOPS_E2E_TMP'), `ws-${name}-`));
  const ws = join(parent, name);
  copyExamples(ws);
  return ws;
}

/** Copies examples/ to `dest` (created), skipping stores and other generated folders. */
export function copyExamples(dest, repo = REPO) {
  mkdirSync(dest, { recursive: true });
  const src = join(repo, 'examples');
  if (!existsSync(src)) return dest;
  const skip = new Set(['.mlops', 'node_modules', '__pycache__', '.venv', 'mlruns']);
  cpSync(src, dest, { recursive: true, filter: (from) => !skip.has(basename(from)) });
  return dest;
}

// ------------------------------------------------------------------------- browser

/** Launches headless Chromium (Debian's package; playwright-core never downloads one). */
export async function launchBrowser() {
  const profileEnv = mkdtempSync(join(process.env.MLOPS_E2E_TMP || '/tmp', 'chromium-env-'));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // keep Chromium's dconf/cache writes out of $HOME
    env: { ...process.env, XDG_CONFIG_HOME: join(profileEnv, 'config'), XDG_CACHE_HOME: join(profileEnv, 'cache') },
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  browser.on('disconnected', () => rmSync(profileEnv, { recursive: true, force: true }));
  return browser;
}

/**
 * Opens the workbench on `folder` in a fresh browser context and waits until it is usable.
 * Returns { context, page, errors } (errors: uncaught page errors, for diagnostics).
 */
export async function openWorkbench(browser, folder) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(workbenchUrl(folder), { waitUntil: 'domcontentloaded' });
  await waitForWorkbench(page);
  return { context, page, errors };
}

/** Closes a workbench gracefully: unloading lets the server end its extension host at once. */
export async function closeWorkbench({ context, page }) {
  await page?.goto('about:blank', { timeout: 10_000 }).catch(() => {});
  await context?.close().catch(() => {});
}

/**
 * Opens the workbench on `folder`, runs `fn(page)`, and always closes it again. When `fn` throws,
 * saves test-output/e2e/screenshots/<name>-failure.png and prints the page's uncaught errors.
 */
export async function withWorkbench(browser, folder, name, fn) {
  let wb;
  try {
    wb = await openWorkbench(browser, folder);
    return await fn(wb.page);
  } catch (error) {
    const page = wb?.page ?? browser.contexts().at(-1)?.pages().at(-1);
    if (page) {
      const shot = await screenshot(page, `${name}-failure`).catch(() => undefined);
      if (shot) console.error(`# failure screenshot: ${relative(REPO, shot)}`);
    }
    if (wb?.errors.length) console.error(`# page errors:\n${wb.errors.map((e) => `#   ${e.slice(0, 300)}`).join('\n')}`);
    throw error;
  } finally {
    if (wb) await closeWorkbench(wb);
  }
}

/** Waits until the workbench is up and connected to the server (explorer resolved the folder). */
export async function waitForWorkbench(page, timeout = 60_000) {
  await page.locator('.monaco-workbench').waitFor({ timeout });
  await page.locator('.statusbar').waitFor({ timeout });
  // the explorer tree exists once the remote workspace is resolved (also for an empty folder)
  await page.locator('.explorer-folders-view').first().waitFor({ state: 'attached', timeout });
}

const escapeRegExp = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The quick-input rows whose label is exactly `label` (ignores keybindings, "recently used"). */
function quickPickRow(page, label) {
  return page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) }) })
    .first();
}

/**
 * Runs a command by its palette title ("MLOps: Open Dashboard"). The palette snapshots the
 * command list when it opens, and the remote extension host registers extension commands a
 * few seconds after the workbench appears, so close and reopen it until the entry shows up.
 * Returns the number of attempts.
 */
export async function runCommand(page, title, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  const input = page.locator('.quick-input-widget input.input');
  for (let attempt = 1; ; attempt++) {
    await page.keyboard.press('F1');
    await input.waitFor({ state: 'visible', timeout: 20_000 });
    await input.fill('>' + title);
    const row = quickPickRow(page, title);
    try {
      await row.waitFor({ timeout: 2_000 });
      await row.click();
      await input.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
      return attempt;
    } catch (e) {
      if (Date.now() > deadline) {
        throw new Error(`command "${title}" not found in the command palette: ${e.message}`, { cause: e });
      }
      await page.keyboard.press('Escape');
      await page.waitForTimeout(1_000);
    }
  }
}

/**
 * The extension's webview document. A webview is <iframe class="webview ready"> (VS Code's
 * pre/index.html, served by code-server) > <iframe id="active-frame"> (the extension HTML).
 * Hidden editors keep their outer iframes; take the visible one.
 */
export function webviewFrame(page) {
  return page
    .locator('iframe.webview.ready')
    .filter({ visible: true })
    .first()
    .contentFrame()
    .locator('iframe#active-frame')
    .contentFrame();
}

/** Polls `locator`'s text until it matches `pattern` (RegExp or substring); returns the text. */
export async function waitForText(locator, pattern, timeout = 20_000) {
  const test = typeof pattern === 'string' ? (t) => t.includes(pattern) : (t) => pattern.test(t);
  const deadline = Date.now() + timeout;
  let last = '(element not found)';
  for (;;) {
    try {
      last = normalizeSpace(await locator.innerText({ timeout: 2_000 }));
      if (test(last)) return last;
    } catch {
      // not attached yet
    }
    if (Date.now() > deadline) {
      throw new Error(`expected text of ${locator} to match ${pattern}, last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const normalizeSpace = (s) => String(s).replace(/\s+/g, ' ').trim();

/**
 * Saves a PNG of the whole window to test-output/e2e/screenshots/<name>.png (or to `name` when it
 * is an absolute path); returns the path.
 */
export async function screenshot(page, name) {
  const file = name.endsWith('.png') ? name : `${name}.png`;
  const path = isAbsolute(file) ? file : join(SCREENSHOT_DIR, file);
  mkdirSync(dirname(path), { recursive: true });
  await page.waitForTimeout(300); // let the last frame paint
  await page.screenshot({ path });
  return path;
}

/**
 * The two themes the screenshots use. `id` is the `workbench.colorTheme` setting value; the
 * theme picker labels them "Dark Modern"/"Light Modern" in VS Code 1.139 ("Default ..." in older
 * versions); `cssClass` is the class the workbench element carries while the theme is active.
 */
export const THEMES = {
  dark: { id: 'Default Dark Modern', labels: ['Dark Modern', 'Default Dark Modern'], kind: 'vs-dark', cssClass: 'vscode-theme-defaults-themes-dark_modern-json' },
  light: { id: 'Default Light Modern', labels: ['Light Modern', 'Default Light Modern'], kind: 'vs', cssClass: 'vscode-theme-defaults-themes-light_modern-json' },
  highContrast: { id: 'Default High Contrast', labels: ['Dark High Contrast', 'Default High Contrast'], kind: 'hc-black', cssClass: 'vscode-theme-defaults-themes-hc_black-json' },
};

/**
 * Switches the color theme the way a user does: "Preferences: Color Theme" in the command
 * palette, pick the theme. Waits until the workbench (and so the webviews' --vscode-* colors)
 * uses it. `theme`: 'dark', 'light' or 'highContrast' (see THEMES). No-op when that theme is already active.
 */
export async function setTheme(page, theme) {
  const spec = THEMES[theme];
  if (!spec) throw new Error(`unknown theme ${theme}: use ${Object.keys(THEMES).join(' or ')}`);
  const active = page.locator(`.monaco-workbench.${spec.kind}.${spec.cssClass}`);
  // The startup theme (dark, from the runner's settings) may apply a moment after the workbench.
  if (await active.waitFor({ timeout: 3_000 }).then(() => true, () => false)) return;
  await runCommand(page, 'Preferences: Color Theme');
  const input = page.locator('.quick-input-widget input.input');
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').first().waitFor({ timeout: 30_000 });
  await input.fill(spec.labels[0]);
  const row = page
    .locator('.quick-input-widget .quick-input-list .monaco-list-row')
    .filter({ has: page.locator('.label-name', { hasText: new RegExp(`^\\s*(${spec.labels.map(escapeRegExp).join('|')})\\s*$`) }) })
    .first();
  await row.waitFor({ timeout: 10_000 });
  await row.click();
  await input.waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
  await active.waitFor({ timeout: 10_000 });
  await page.waitForTimeout(500); // webviews receive the new colors by message
}

// ------------------------------------------------------------------------- logs

/**
 * Copies the server and extension-host logs of a run into `outDir` (default
 * test-output/e2e/logs): server.log, every exthost*\/remoteexthost.log and the "MLOps Studio"
 * output channel log file. Returns the copied paths.
 */
export function collectLogs(stateDir = process.env.MLOPS_E2E_STATE_DIR, outDir = join(OUT_DIR, 'logs')) {
  if (!stateDir || !existsSync(stateDir)) return [];
  const copied = [];
  const copy = (from) => {
    const to = join(outDir, relative(stateDir, from));
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to);
    copied.push(to);
  };
  if (existsSync(join(stateDir, 'server.log'))) copy(join(stateDir, 'server.log'));
  const logsRoot = join(stateDir, 'data', 'logs');
  for (const file of walk(logsRoot)) {
    const rel = relative(logsRoot, file);
    const isExtHost = /(^|\/)exthost[^/]*\/remoteexthost\.log$/.test(rel);
    const isOurChannel = /MLOps Studio\.log$/i.test(rel) || /mlops-studio\.mlops-studio\//.test(rel);
    if (isExtHost || isOurChannel) copy(file);
  }
  return copied;
}

function* walk(dir) {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    const st = statSync(path, { throwIfNoEntry: false });
    if (st?.isDirectory()) yield* walk(path);
    else if (st?.isFile()) yield path;
  }
}

// ------------------------------------------------------------------------- the extension

/** Runs the extension's CLI (dist/cli.js, `mlops`) on a workspace; returns its trimmed stdout. */
export function mlops(workspace, ...args) {
  try {
    return execFileSync(process.execPath, [join(EXTENSION_DIR, 'dist', 'cli.js'), '-w', workspace, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    }).trim();
  } catch (error) {
    throw new Error(`mlops ${args.join(' ')} failed: ${error.stderr || error.message}`, { cause: error });
  }
}

/**
 * Trains `spec` (default the penguins example) with the CLI and registers the run as
 * models:/penguins/1 @champion, as alice: the starting point of serving, monitoring and retraining
 * tests. Returns the run id.
 */
export function trainChampion(workspace, spec = join(workspace, 'penguins.train.yaml'), ...trainArgs) {
  mlops(workspace, 'train', spec, ...trainArgs);
  const runId = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs[0].info.runId;
  mlops(workspace, 'models', 'register', runId, '--name', 'penguins', '--actor', 'alice');
  mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice');
  return runId;
}

/** Clicks the MLOps activity bar item and returns the side bar locator. */
export async function openMlopsViews(page) {
  const item = page.locator('.part.activitybar .action-item a.action-label[aria-label="MLOps"]');
  const sidebar = page.locator('.part.sidebar');
  const title = sidebar.locator('.composite.title');
  await item.waitFor({ timeout: 30_000 });
  // The activity bar item toggles: a click while the side bar already shows MLOps (say, restored
  // after a reload a moment after we looked) hides it. So click only when it is not shown, and
  // look again after each click.
  for (let attempt = 0; ; attempt++) {
    const shown = (await sidebar.isVisible()) && /^MLOps$/i.test((await title.innerText().catch(() => '')).trim());
    if (shown) return sidebar;
    if (attempt === 4) break;
    await item.click();
    await waitForText(title, /^MLOps$/i, 5_000).catch(() => {});
  }
  await waitForText(title, /^MLOps$/i);
  return sidebar;
}

/** Reloads the workbench page (as Developer: Reload Window does) and shows the MLOps views again. */
export async function reloadWorkbench(page) {
  await page.reload({ waitUntil: 'domcontentloaded' });
  await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 60_000 });
  return openMlopsViews(page);
}

/** The MLOps side bar's view pane called `name` ("Experiments", "Models", …). */
export function mlopsView(page, name) {
  return page.locator('.part.sidebar .pane').filter({ has: page.locator(`.pane-header[aria-label^="${name}"]`) });
}

/** The rows of a view's tree. */
export function treeRows(view) {
  return view.locator('.pane-body .monaco-list-row');
}

// ------------------------------------------------------------------------- settings

/**
 * Changes the running server's user settings (data/User/settings.json), as a user editing
 * settings.json does: VS Code reloads the file and extensions see a configuration change.
 * Returns a function that restores the previous settings (tests share one server).
 */
export function updateUserSettings(patch) {
  const file = join(e2eEnv('MLOPS_E2E_STATE_DIR'), 'data', 'User', 'settings.json');
  const before = readFileSync(file, 'utf8');
  writeFileSync(file, `${JSON.stringify({ ...JSON.parse(before), ...patch }, null, 2)}\n`);
  return () => writeFileSync(file, before);
}
