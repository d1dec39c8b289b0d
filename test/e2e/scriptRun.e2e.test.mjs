// "MLOps: Run Script as Experiment…" in real VS Code: a script that logs through MLflow's REST
// API (as the Python client does) into the window's local server; the run shows its metric.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlopsView, openMlopsViews, treeRows, runCommand, screenshot, waitForText, withWorkbench } from './lib/workbench.mjs';

// What `mlflow.log_metric()` sends, from a script that knows only the MLflow environment variables.
const SCRIPT = `
const { MLFLOW_TRACKING_URI: uri, MLFLOW_TRACKING_TOKEN: token, MLFLOW_RUN_ID: runId } = process.env;
for (let step = 0; step < 3; step++) {
  const res = await fetch(uri + '/api/2.0/mlflow/runs/log-metric', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: 'Bearer ' + token },
    body: JSON.stringify({ run_id: runId, run_uuid: runId, key: 'loss', value: 1 / (step + 1), step, timestamp: Date.now() }),
  });
  if (!res.ok) throw new Error('log-metric failed: ' + res.status + ' ' + (await res.text()));
}
console.log('logged 3 loss points to ' + runId);
`;

describe('scripts as tracked runs in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a script run as an experiment logs through the local MLflow server and finishes', { timeout: 150_000 }, async () => {
    const workspace = makeWorkspace('script');
    writeFileSync(join(workspace, 'log_metrics.mjs'), SCRIPT);
    await withWorkbench(browser, workspace, 'script-run', async (page) => {
      await runCommand(page, 'MLOps: Run Script as Experiment…');
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 15_000 });
      await input.fill('node log_metrics.mjs');
      await page.keyboard.press('Enter');
      // experiment: a new one, named by the script
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'New experiment' }).first().click();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('scripts-e2e');
      await page.keyboard.press('Enter');

      // the terminal shows the script's output, and a notification the outcome
      await waitForText(page.locator('.notifications-toasts'), /finished — run \w+ is FINISHED/, 60_000);
      await page.locator('.part.panel .terminal-wrapper').first().waitFor({ timeout: 15_000 });
      await screenshot(page, 'script-run-terminal');
      // the terminal draws on a canvas; what it showed is also kept on the run, as its output artifact
      const artifacts = join(workspace, '.mlops', 'artifacts');
      const outputs = readdirSync(artifacts).map((run) => join(artifacts, run, 'logs', 'output.txt')).filter((f) => existsSync(f));
      assert.equal(outputs.length, 1, 'one run with captured output');
      assert.match(readFileSync(outputs[0], 'utf8'), /logged 3 loss points to [0-9a-f]{32}/);

      // the run is in the Experiments view with the metric the script logged
      await openMlopsViews(page);
      const runRows = treeRows(mlopsView(page, 'Experiments'));
      await runRows.filter({ hasText: 'scripts-e2e' }).first().waitFor({ timeout: 30_000 });
      const run = await waitForText(runRows.filter({ hasText: 'loss' }).first(), /loss 0\.3333/);
      assert.match(run, /loss 0\.3333/, 'the last logged value is the key metric');
      await screenshot(page, 'script-run-experiments');
    });
  });
});
