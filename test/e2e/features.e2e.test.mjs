// Features in real VS Code: the example features.yaml shows in the Features view as never
// materialized; "MLOps: Materialize Features" from the palette runs in a worker and the view then
// shows freshness; the Feature Catalog searches and shows a feature's statistics and distribution.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, setTheme, treeRows, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

describe('features in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('materialize from the palette, see freshness in the Features view, search and select in the catalog', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('features');
    await withWorkbench(browser, workspace, 'features', async (page) => {
      await setTheme(page, 'dark');
      await openMlopsViews(page);
      for (const [name, expanded] of [['Experiments', 'false'], ['Models', 'false'], ['Features', 'true']]) {
        const header = page.locator(`.part.sidebar .pane-header[aria-label^="${name}"]`);
        if ((await header.getAttribute('aria-expanded')) !== expanded) await header.click();
      }
      const view = mlopsView(page, 'Features');
      const fileRow = treeRows(view).filter({ hasText: 'features.yaml' }).first();
      await waitForText(fileRow, /2 views · 0 materialized/, 30_000);
      const morphology = treeRows(view).filter({ hasText: 'penguin_morphology' }).first();
      await waitForText(morphology, /never materialized · TTL 90d · field-team/);

      await runCommand(page, 'MLOps: Materialize Features');
      const toast = page.locator('.notifications-toasts .notification-toast').filter({ hasText: 'Materialized 2 feature views' });
      await waitForText(toast, /Materialized 2 feature views: 688 rows written \(penguin_morphology 344, penguin_weight 344\)/, 90_000);
      await waitForText(morphology, /materialized just now · 344 rows · TTL 90d · field-team/, 30_000);
      await waitForText(fileRow, /2 views · 2 materialized/);
      // the materialization is a run, with what its worker used (the CLI reads it through this window's server)
      const runs = JSON.parse(mlops(workspace, '--json', 'runs', 'list', '--experiment', 'feature-materialization')).runs;
      assert.equal(runs.length, 1, 'one materialization run');
      assert.equal(runs[0].info.status, 'FINISHED');
      assert.equal(runs[0].data.metrics.find((m) => m.key === 'rows')?.value, 688);
      assert.ok(runs[0].data.metrics.some((m) => m.key === 'cpu_seconds' && m.value > 0), 'the worker\'s CPU-seconds');
      // a view's fields with their types
      await morphology.locator('.monaco-tl-twistie').click();
      await waitForText(treeRows(view).filter({ hasText: 'bill_ratio' }).first(), /bill_ratio\s*float/);
      await screenshot(page, 'features-view-dark');

      await runCommand(page, 'MLOps: Open Feature Catalog');
      const frame = webviewFrame(page);
      const rows = frame.locator('table.features tbody tr');
      await rows.first().waitFor({ timeout: 45_000 });
      assert.equal(await rows.count(), 7);
      await frame.getByLabel('Search features').fill('owner:nutrition');
      await waitForText(frame.getByTestId('count'), /^3 of 7 features/);
      await frame.getByLabel('Search features').fill('tag:derived');
      await waitForText(frame.getByTestId('count'), /^2 of 7 features/);
      assert.deepEqual((await rows.locator('th').allInnerTexts()).map(normalizeSpace), ['bill_ratio penguin_morphology', 'body_mass_mean_90d penguin_weight']);
      await frame.getByLabel('Search features').fill('');
      await rows.filter({ hasText: 'body_mass_g' }).click();
      await frame.locator('.chart[data-chart="distribution"] canvas').waitFor({ timeout: 20_000 });
      const series = JSON.parse((await frame.locator('.chart[data-chart="distribution"]').getAttribute('data-series')) ?? '{}');
      assert.deepEqual(series, { feature: 'penguin_weight:body_mass_g', kind: 'numeric', bars: 20, total: 342 });
      const stats = normalizeSpace(await frame.getByTestId('stats').innerText());
      assert.match(stats, /344 values 0\.6% missing 2,700 min 6,300 max/);
      await waitForText(frame.getByTestId('models'), /No registered model uses it yet/);
      await screenshot(page, 'features-catalog-dark');

      await rows.filter({ hasText: 'island' }).click();
      await frame.locator('.chart[data-chart="distribution"][data-series*="island"]').waitFor({ timeout: 20_000 });
      await setTheme(page, 'light');
      await screenshot(page, 'features-catalog-light');
    });
  });

  test('the catalog follows a registration it did not make: a model trained on a feature set appears without a click', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('features-follow');
    mlops(workspace, 'features', 'materialize', '--file', join(workspace, 'features', 'features.yaml'));
    mlops(workspace, 'train', join(workspace, 'features', 'penguins-from-features.train.yaml'));
    const runId = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs[0].info.runId;
    await withWorkbench(browser, workspace, 'features-follow', async (page) => {
      await runCommand(page, 'MLOps: Open Feature Catalog');
      const frame = webviewFrame(page);
      const rows = frame.locator('table.features tbody tr');
      await rows.first().waitFor({ timeout: 45_000 });
      await rows.filter({ hasText: 'bill_length_mm' }).first().click();
      await waitForText(frame.getByTestId('models'), /No registered model uses it yet/, 30_000);
      // a script registers the run through the window's MLflow server (the window holds the store)
      const serverJson = join(workspace, '.mlops', 'server.json');
      for (let i = 0; i < 100 && !existsSync(serverJson); i++) await page.waitForTimeout(200);
      const { url, token } = JSON.parse(readFileSync(serverJson, 'utf8'));
      const post = async (path, body) => {
        const response = await fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify(body) });
        assert.ok(response.ok, `${path}: ${response.status} ${await response.text()}`);
      };
      await post('registered-models/create', { name: 'penguins-from-features' });
      await post('model-versions/create', { name: 'penguins-from-features', source: `runs:/${runId}/model`, run_id: runId });
      await frame.getByRole('button', { name: 'penguins-from-features v1' }).waitFor({ timeout: 30_000 });
      await screenshot(page, 'features-catalog-follows-registration');
    });
  });
});
