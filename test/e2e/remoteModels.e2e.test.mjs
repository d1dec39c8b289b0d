// The Models view in real VS Code with mlops.tracking.uri set: the team's MLflow server's registry,
// filled by the CLI with MLFLOW_TRACKING_URI (issue #18: the view showed only the local registry).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, openMlopsViews, screenshot, treeRows, updateUserSettings, waitForText, withWorkbench } from './lib/workbench.mjs';

const START = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'mlflow', 'start-server.sh');

describe('a team MLflow server in VS Code', () => {
  let browser;
  let mlflow;
  let mlflowProblem = `no MLflow here (${START})`;
  before(async () => {
    browser = await launchBrowser();
    if (!existsSync(START)) return;
    try {
      const out = execFileSync('bash', [START, mkdtempSync(join(tmpdir(), 'mlflow-e2e-')), '0'], { encoding: 'utf8', timeout: 180_000 });
      const match = /MLFLOW_URL=(\S+) MLFLOW_PID=(\d+)/.exec(out);
      if (match) mlflow = { url: match[1], pid: Number(match[2]) };
    } catch (error) {
      // MLflow's Python packages are not installed here: the test says so and skips
      mlflowProblem = error instanceof Error ? error.message.split('\n').slice(-2).join(' ') : String(error);
    }
  });
  after(async () => {
    await browser?.close();
    if (mlflow) {
      try {
        process.kill(-mlflow.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
  });

  test("the Models view lists the server's models when mlops.tracking.uri is set", { timeout: 240_000 }, async (t) => {
    if (!mlflow) return t.skip(mlflowProblem);
    const workspace = makeWorkspace('remote-models');
    // The team trains and registers with the CLI, against the server (nothing in the workspace store).
    process.env.MLFLOW_TRACKING_URI = mlflow.url;
    try {
      const trained = JSON.parse(mlops(workspace, '--json', 'train', join(workspace, 'penguins.train.yaml')));
      mlops(workspace, 'models', 'register', trained.runId, '--name', 'penguins-team');
      mlops(workspace, 'models', 'alias', 'set', 'penguins-team', 'champion', '1');
    } finally {
      delete process.env.MLFLOW_TRACKING_URI;
    }
    assert.equal(existsSync(join(workspace, '.mlops')), false);
    const restore = updateUserSettings({ 'mlops.tracking.uri': mlflow.url });
    try {
      await withWorkbench(browser, workspace, 'remote-models', async (page) => {
        await openMlopsViews(page);
        const pane = mlopsView(page, 'Models');
        const rows = treeRows(pane);
        const model = rows.filter({ hasText: 'penguins-team' }).first();
        await waitForText(model, /penguins-team\s*1 version · @champion v1/, 45_000);
        await waitForText(pane.locator('.pane-body'), /Models registered on the MLflow server/, 10_000);
        await model.click();
        await waitForText(rows.filter({ hasText: /^\s*v1(?!\d)/ }).first(), /v1\s*@champion · test_accuracy [\d.]+/, 30_000);
        await screenshot(page, 'models-view-team-server');
      });
    } finally {
      restore();
    }
  });
});
