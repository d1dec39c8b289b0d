// While VS Code holds the workspace store, the `mlops` CLI logs through the window's local server
// (found in .mlops/server.json) instead of failing on the lock, and the dashboard updates live.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { closeWorkbench, launchBrowser, makeWorkspace, mlops, openWorkbench, runCommand, screenshot, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

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
      await waitForText(frame.locator('[data-testid=store-state]'), 'Held by the MLOps engine', 45_000);
      await waitForText(frame.locator('[data-testid=count-runs]'), /\b1\b/);
      // the window started the engine; the CLI finds it there
      const serverJson = join(workspace, '.mlops', 'server.json');
      for (let i = 0; i < 50 && !existsSync(serverJson); i++) await page.waitForTimeout(200);
      assert.ok(existsSync(serverJson), 'the engine publishes .mlops/server.json');

      const second = mlops(workspace, 'log', 'start', '--experiment', 'live-demo', '--name', 'from-the-terminal').split(/\s+/).pop();
      mlops(workspace, 'log', 'metric', second, 'accuracy', '0.97');
      mlops(workspace, 'log', 'end', second);

      await waitForText(frame.locator('[data-testid=count-runs]'), /\b2\b/, 20_000);
      await waitForText(frame.locator('[data-testid=recent-runs] tbody tr').first(), /from-the-terminal.*live-demo.*finished/i);
      await screenshot(page, 'dashboard-live-cli');
    });
  });

  test('a second window on the same folder works through the engine the first one started', { timeout: 180_000 }, async () => {
    const workspace = makeWorkspace('two-windows');
    const run = mlops(workspace, 'log', 'start', '--experiment', 'shared').split(/\s+/).pop();
    mlops(workspace, 'log', 'metric', run, 'accuracy', '0.88');
    mlops(workspace, 'log', 'end', run);

    const first = await openWorkbench(browser, workspace);
    try {
      await runCommand(first.page, 'MLOps: Open Dashboard');
      await waitForText(webviewFrame(first.page).locator('[data-testid=store-state]'), 'Held by the MLOps engine', 45_000);
      const serverJson = join(workspace, '.mlops', 'server.json');
      for (let i = 0; i < 50 && !existsSync(serverJson); i++) await first.page.waitForTimeout(200);

      await withWorkbench(browser, workspace, 'second-window', async (page) => {
        await runCommand(page, 'MLOps: Open Dashboard');
        const frame = webviewFrame(page);
        // the second window finds the engine the first one started: one holder, both its clients
        await waitForText(frame.locator('[data-testid=store-state]'), 'Held by the MLOps engine', 45_000);
        await waitForText(frame.locator('[data-testid=store-message]'), /The MLOps engine \(pid \d+\) holds .* and answers at http:\/\/127\.0\.0\.1:\d+/);
        await waitForText(frame.locator('[data-testid=count-runs]'), /\b1\b/);
        await waitForText(frame.locator('[data-testid=recent-runs] tbody tr').first(), /shared.*finished/i);
        await screenshot(page, 'dashboard-second-window');
      });
    } finally {
      await closeWorkbench(first);
    }
  });
});
