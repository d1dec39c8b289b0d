// While VS Code holds the workspace store, the `mlops` CLI logs through the window's local server
// (found in .mlops/server.json) instead of failing on the lock, and the dashboard updates live.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_DIR, launchBrowser, makeWorkspace, runCommand, screenshot, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

function mlops(workspace, ...args) {
  try {
    return execFileSync(process.execPath, [join(EXTENSION_DIR, 'dist', 'cli.js'), '-w', workspace, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 }).trim();
  } catch (error) {
    throw new Error(`mlops ${args.join(' ')} failed: ${error.stderr || error.message}`, { cause: error });
  }
}

describe('a second writer while VS Code holds the store', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the CLI logs through the window and the dashboard shows the new run live', { timeout: 150_000 }, async () => {
    const workspace = makeWorkspace('live');
    const first = mlops(workspace, 'log', 'start', '--experiment', 'live-demo').split(/\s+/).pop();
    mlops(workspace, 'log', 'end', first);

    await withWorkbench(browser, workspace, 'live-logging', async (page) => {
      await runCommand(page, 'MLOps: Open Dashboard');
      const frame = webviewFrame(page);
      await waitForText(frame.locator('[data-testid=store-state]'), 'Open in this window', 45_000);
      await waitForText(frame.locator('[data-testid=count-runs]'), /\b1\b/);
      // the window serves its store; the CLI finds it there
      const serverJson = join(workspace, '.mlops', 'server.json');
      for (let i = 0; i < 50 && !existsSync(serverJson); i++) await page.waitForTimeout(200);
      assert.ok(existsSync(serverJson), 'the writer window publishes .mlops/server.json');

      const second = mlops(workspace, 'log', 'start', '--experiment', 'live-demo', '--name', 'from-the-terminal').split(/\s+/).pop();
      mlops(workspace, 'log', 'metric', second, 'accuracy', '0.97');
      mlops(workspace, 'log', 'end', second);

      await waitForText(frame.locator('[data-testid=count-runs]'), /\b2\b/, 20_000);
      await waitForText(frame.locator('[data-testid=recent-runs] tbody tr').first(), /from-the-terminal.*live-demo.*finished/i);
      await screenshot(page, 'dashboard-live-cli');
    });
  });
});
