// MLOps Studio in real VS Code (code-server + Chromium, started by test/e2e/runE2e.mjs):
// the MLOps activity bar and its views, and the dashboard panel, as a user sees them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  e2eEnv,
  launchBrowser,
  makeWorkspace,
  mlops,
  mlopsView,
  normalizeSpace,
  openMlopsViews,
  runCommand,
  screenshot,
  setTheme,
  treeRows,
  waitForText,
  webviewFrame,
  withWorkbench,
} from './lib/workbench.mjs';

const VIEWS = ['Experiments', 'Models', 'Features', 'Endpoints', 'Monitors'];

/** Runs "MLOps: Open Dashboard" and waits until the panel shows the store; returns the webview frame. */
async function openDashboard(page) {
  await runCommand(page, 'MLOps: Open Dashboard');
  const frame = webviewFrame(page);
  await waitForText(frame.locator('h1'), 'MLOps Studio', 45_000);
  await frame.locator('[data-testid=store-dir]').waitFor({ timeout: 30_000 });
  return frame;
}

/** Once loaded, the panel shows neither an error banner nor its loading placeholder. */
async function assertLoadedWithoutErrors(frame) {
  const alerts = frame.locator('[role=alert]');
  const count = await alerts.count();
  assert.equal(count, 0, `the dashboard shows an error: ${count ? normalizeSpace(await alerts.first().innerText()) : ''}`);
  const text = normalizeSpace(await frame.locator('body').innerText());
  assert.doesNotMatch(text, /Loading\b[^.]*…/, 'the loading placeholder is gone');
}

describe('MLOps Studio in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('empty workspace: MLOps views, and the dashboard in dark and light themes', { timeout: 150_000 }, async () => {
    const workspace = e2eEnv('MLOPS_E2E_WORKSPACE');
    await withWorkbench(browser, workspace, 'dashboard-empty', async (page) => {
      // the activity bar has the MLOps container with its five views
      const sidebar = await openMlopsViews(page);
      const headers = sidebar.locator('.pane-header');
      await waitForText(headers.last(), 'Monitors');
      const titles = (await headers.allInnerTexts()).map(normalizeSpace);
      assert.deepEqual(titles, VIEWS, 'the MLOps side bar lists its views in order');
      const experiments = mlopsView(page, 'Experiments');
      await waitForText(experiments.locator('.pane-body'), 'No experiments yet');
      await experiments.locator('.pane-body').getByRole('button', { name: 'Open Dashboard' }).waitFor({ timeout: 5_000 });

      // the dashboard, from the command palette
      await setTheme(page, 'dark');
      const frame = await openDashboard(page);
      const storeDir = normalizeSpace(await frame.locator('[data-testid=store-dir]').innerText());
      assert.match(storeDir, /[/\\]\.mlops$/, 'the store lives in the workspace folder .mlops');
      assert.ok(storeDir.startsWith(workspace), `store ${storeDir} is inside the workspace ${workspace}`);
      await waitForText(frame.locator('[data-testid=store-state]'), 'Not created yet');
      await waitForText(frame.locator('[data-testid=empty-state]'), 'Nothing tracked yet');
      assert.equal(await frame.locator('[data-testid=recent-runs]').count(), 0, 'no runs table in an empty workspace');
      await assertLoadedWithoutErrors(frame);
      assert.match(await frame.locator('body').getAttribute('class'), /vscode-dark/, 'the webview follows the dark theme');
      await screenshot(page, 'dashboard-dark');

      await setTheme(page, 'light');
      await frame.locator('body.vscode-light').waitFor({ timeout: 10_000 });
      await waitForText(frame.locator('h1'), 'MLOps Studio');
      await screenshot(page, 'dashboard-light');

      // a button in the panel reaches the extension host: "Logs" shows the MLOps Studio output channel
      await frame.getByRole('button', { name: 'Logs' }).click();
      const output = page.locator('.part.panel');
      await waitForText(output.locator('.monaco-editor .view-lines').first(), /MLOps Studio \S+ activating/, 20_000);
    });
  });

  test('a run logged with the mlops CLI shows on the dashboard', { timeout: 150_000 }, async () => {
    // log a run before VS Code opens this workspace
    const workspace = makeWorkspace('logged');
    const runId = mlops(workspace, 'log', 'start', '--experiment', 'e2e-demo').split(/\s+/).pop();
    assert.match(runId, /^[\w-]{6,}$/, `log start prints the run id (got ${JSON.stringify(runId)})`);
    mlops(workspace, 'log', 'metric', runId, 'accuracy', '0.91');
    mlops(workspace, 'log', 'end', runId);

    await withWorkbench(browser, workspace, 'dashboard-runs', async (page) => {
      // the Experiments view lists the experiment, and under it the run with its key metric
      await openMlopsViews(page);
      const runRows = treeRows(mlopsView(page, 'Experiments'));
      await runRows.filter({ hasText: 'e2e-demo' }).first().waitFor({ timeout: 30_000 });
      await waitForText(runRows.filter({ hasText: 'accuracy' }).first(), /accuracy 0\.91/);
      await setTheme(page, 'dark');
      const frame = await openDashboard(page);
      // the MLOps engine holds the store; the window is its client
      await waitForText(frame.locator('[data-testid=store-state]'), 'Held by the MLOps engine');
      await waitForText(frame.locator('[data-testid=count-runs]'), /\b1\b/);
      const table = frame.locator('[data-testid=recent-runs]');
      const rows = table.locator('tbody tr');
      await rows.first().waitFor({ timeout: 15_000 });
      assert.equal(await rows.count(), 1, 'one run in the recent-runs table');
      const row = normalizeSpace(await rows.first().innerText());
      assert.match(row, /e2e-demo/, `the row names the experiment: ${row}`);
      assert.match(row, /finished/i, `the row shows the run finished: ${row}`);
      assert.equal(await frame.locator('[data-testid=empty-state]').count(), 0, 'no empty state once a run exists');
      await assertLoadedWithoutErrors(frame);
      await screenshot(page, 'dashboard-runs');

      // a click on the run opens it: the Runs panel with the run's details
      await table.getByRole('button', { name: /^Open run / }).first().click();
      await waitForText(page.locator('.part.editor .tab.active'), /Runs/, 30_000);
      await waitForText(webviewFrame(page).locator('[data-testid=details]'), /accuracy/, 45_000);
    });
  });
});
