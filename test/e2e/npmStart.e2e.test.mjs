// `npm start` as a new user runs it: no desktop `code` on PATH, so scripts/start.mjs starts the
// VS Code server on the examples/ workspace and prints a URL. The test opens that URL in
// Chromium, sees the MLOps activity bar, the examples and (on the first start only) the
// walkthrough, then presses Ctrl+C (SIGINT to the foreground process group, as a terminal
// does) and checks that nothing is left running.
//
// It does not use the suite's server: it starts its own through `npm start`, with a user-data
// folder of its own (`--state-dir`) so that "first start" really is one.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { freePort, groupAlive, stopServer } from './rig/rig.mjs';
import { REPO, e2eEnv, launchBrowser, normalizeSpace, runCommand, screenshot, waitForText, waitForWorkbench, webviewFrame } from './lib/workbench.mjs';

/** PATH without any folder holding a `code` executable: the user has no desktop VS Code. */
function pathWithoutCode() {
  return (process.env.PATH || '')
    .split(delimiter)
    .filter((dir) => {
      try {
        const file = join(dir, 'code');
        if (!statSync(file).isFile()) return true;
        accessSync(file, constants.X_OK);
        return false;
      } catch {
        return true;
      }
    })
    .join(delimiter);
}

/** Command lines of every live process that mentions `needle`. */
function processesMentioning(needle) {
  const found = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      if (cmd.includes(needle) && Number(pid) !== process.pid) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}


/**
 * Runs `npm start -- --no-build --port P --state-dir S` in a process group of its own, like a
 * terminal's foreground job. Resolves once it printed the workbench URL.
 * Returns { child, url, output(), exited } (exited: a promise of the exit code or signal).
 */
async function npmStart(stateDir) {
  const port = await freePort();
  const child = spawn('npm', ['start', '--', '--no-build', '--port', String(port), '--state-dir', stateDir], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PATH: pathWithoutCode() },
  });
  let text = '';
  const output = () => text;
  const exited = new Promise((resolveExit) => child.on('exit', (code, signal) => resolveExit(code ?? signal)));
  const url = await new Promise((resolveUrl, reject) => {
    const timer = setTimeout(() => reject(new Error(`npm start printed no URL within 5 min:\n${text}`)), 300_000);
    const onData = (chunk) => {
      text += chunk;
      // the banner ends with "Press Ctrl+C to stop."; the URL line comes first, maybe in another chunk
      const match = /Press Ctrl\+C to stop/.test(text) && text.match(/^\s*(http:\/\/127\.0\.0\.1:\d+\/\S*)\s*$/m);
      if (match) {
        clearTimeout(timer);
        resolveUrl(match[1]);
      }
    };
    child.stdout.setEncoding('utf8').on('data', onData);
    child.stderr.setEncoding('utf8').on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}) before printing a URL:\n${text}`));
    });
  });
  return { child, url, output, exited, stateDir };
}

/** Runs `check(started)` on a started `npm start`, and stops it whatever happens (the next test needs the state folder). */
async function withStarted(started, check) {
  let checked = false;
  try {
    await check(started);
    checked = true;
  } finally {
    if (!checked) {
      await ctrlC(started).catch(() => undefined);
      stopServer(started.stateDir);
    }
  }
}

/** Ctrl+C in the terminal: SIGINT to the whole foreground process group. Resolves with the exit. */
async function ctrlC(started) {
  process.kill(-started.child.pid, 'SIGINT');
  const deadline = setTimeout(() => process.kill(-started.child.pid, 'SIGKILL'), 60_000);
  const code = await started.exited;
  clearTimeout(deadline);
  return code;
}

/** The walkthrough's page in the editor area, if it is open. */
const walkthroughTitle = (page) => page.locator('.part.editor').getByText('Get started with MLOps Studio', { exact: true }).first();

describe('npm start on a machine without desktop VS Code', () => {
  let browser;
  let stateDir;
  before(async () => {
    browser = await launchBrowser();
    stateDir = mkdtempSync(join(e2eEnv('MLOPS_E2E_TMP'), 'npm-start-state-'));
  });
  after(async () => {
    await browser?.close();
  });

  /** Opens the printed URL; checks the MLOps activity bar and the examples; runs `check(page)`. */
  async function openAndCheck(url, shot, check) {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 }, deviceScaleFactor: 1 });
    const page = await context.newPage();
    try {
      await page.goto(url, { waitUntil: 'domcontentloaded' });
      await waitForWorkbench(page, 90_000);
      await page.locator('.part.activitybar .action-item a.action-label[aria-label="MLOps"]').waitFor({ timeout: 60_000 });
      const explorer = page.locator('.explorer-folders-view');
      await waitForText(explorer, /penguins\.train\.yaml/, 30_000);
      await check(page);
      await screenshot(page, shot);
    } catch (error) {
      await screenshot(page, `${shot}-failure`).catch(() => {});
      throw error;
    } finally {
      await page.goto('about:blank', { timeout: 10_000 }).catch(() => {});
      await context.close().catch(() => {});
    }
  }

  /** After Ctrl+C: npm exited, and no process of the server (its group, its state dir) is left. */
  async function assertStoppedCleanly(started, code) {
    assert.ok(code === 0 || code === 130 || code === 'SIGINT', `npm start ended with ${code}:\n${started.output()}`);
    assert.match(started.output(), /Stopping the VS Code server/, 'it says it stops the server');
    const pidFile = join(stateDir, 'server.pid');
    const pgid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : undefined;
    if (pgid) assert.equal(groupAlive(pgid), false, `the server's process group ${pgid} is still alive`);
    assert.deepEqual(processesMentioning(stateDir), [], 'no process of that server is left behind');
    assert.equal(groupAlive(started.child.pid), false, 'nothing of the npm start process group is left');
  }

  test('first start: VS Code with the MLOps activity bar, the examples and the walkthrough; Ctrl+C stops everything', { timeout: 420_000 }, async () => {
    await withStarted(await npmStart(stateDir), async (started) => {
      assert.match(started.url, /\/\?folder=.*examples/, 'the URL opens the examples workspace');
      await openAndCheck(started.url, 'npm-start-first', async (page) => {
        await walkthroughTitle(page).waitFor({ timeout: 60_000 });
        const text = normalizeSpace(await page.locator('.part.editor').innerText());
        assert.match(text, /Train a model/, 'the walkthrough lists its steps');
      });
      await assertStoppedCleanly(started, await ctrlC(started));
    });
  });

  test('second start: the walkthrough does not open again', { timeout: 300_000 }, async () => {
    await withStarted(await npmStart(stateDir), async (started) => {
      await openAndCheck(started.url, 'npm-start-second', async (page) => {
        // Opening the dashboard activates the extension; the walkthrough would open at activation.
        await runCommand(page, 'MLOps: Open Dashboard');
        await waitForText(webviewFrame(page).locator('h1'), 'MLOps Studio', 60_000);
        const tabs = (await page.locator('.part.editor .tab').allInnerTexts()).map(normalizeSpace);
        assert.equal(await walkthroughTitle(page).count(), 0, `the walkthrough opened again; tabs: ${tabs.join(', ')}`);
        assert.ok(!tabs.some((t) => /Welcome|Walkthrough/i.test(t)), `no welcome tab: ${tabs.join(', ')}`);
      });
      await assertStoppedCleanly(started, await ctrlC(started));
    });
  });
});
