// Tuning for cost in real VS Code: a study with two objectives (val_rmse, cost) run by the CLI;
// the Experiments view says how large its Pareto front is and marks the front's trials; a click on
// the study opens its trials in the Runs panel, where the front's trials carry a ◆, and the
// Scatter tab opens on cost × val_rmse with the front listed under it. Screenshots of each.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, normalizeSpace, openMlopsViews, screenshot, treeRows, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

describe('a study with several objectives in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the Experiments view and the Runs panel show its Pareto front', { timeout: 400_000 }, async () => {
    const workspace = makeWorkspace('pareto');
    writeFileSync(
      join(workspace, 'cost.tune.yaml'),
      [
        'name: mpg-cost',
        'train: auto-mpg.train.yaml',
        'objectives:',
        '  - { metric: val_rmse }',
        '  - { metric: cost, direction: minimize }',
        'sampler: tpe',
        'startup_trials: 4',
        'trials: 8',
        'parallel: 2',
        'params:',
        '  epochs: { type: int, low: 5, high: 60 }',
        '  model.layers.0.units: { type: int, low: 2, high: 64, log: true }',
        '',
      ].join('\n'),
    );
    mlops(workspace, 'tune', join(workspace, 'cost.tune.yaml'), '--cpu-hour-price', '1');
    const front = JSON.parse(mlops(workspace, '--json', 'tune', 'front', JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs.find((r) => r.info.runName === 'mpg-cost').info.runId));
    const frontNames = front.front.map((t) => `mpg-cost-trial-${t.number}`).sort();
    assert.ok(frontNames.length >= 1);

    await withWorkbench(browser, workspace, 'pareto', async (page) => {
      await openMlopsViews(page);
      const rows = treeRows(mlopsView(page, 'Experiments'));
      const study = rows.filter({ hasText: /^\s*mpg-cost/ }).first();
      await waitForText(study, new RegExp(`mpg-cost\\s*Pareto front ${frontNames.length} of 8`), 30_000);
      await study.locator('.monaco-tl-twistie').click();
      const trialRows = rows.filter({ hasText: /^\s*trial \d/ });
      await trialRows.nth(7).waitFor({ timeout: 15_000 });
      const labels = (await trialRows.allInnerTexts()).map(normalizeSpace);
      assert.equal(labels.filter((l) => /front ·/.test(l)).length, frontNames.length, `the front's trials are marked: ${labels.join(' | ')}`);
      assert.ok(labels.every((l) => !/best ·/.test(l)), 'no single best');
      await page.mouse.move(1000, 700);
      await screenshot(page, 'pareto-experiments');

      await study.click();
      const frame = webviewFrame(page);
      await waitForText(frame.locator('[data-testid=run-count]'), /^8 runs$/, 45_000);
      await frame.locator('[data-col="attributes.run_name"] .pareto-mark').first().waitFor({ timeout: 20_000 });
      const marked = (await frame.locator('[data-col="attributes.run_name"]:has(.pareto-mark)').allInnerTexts()).map((t) => normalizeSpace(t.replace('◆', ''))).sort();
      // 8 trials: every row fits on screen, so every front trial's mark is there
      assert.deepEqual(marked, frontNames);
      await screenshot(page, 'pareto-runs-table');

      await frame.locator('[data-testid=tab-scatter]').click();
      assert.equal(await frame.locator('[data-testid=scatter-x]').inputValue(), 'metrics.cost');
      assert.equal(await frame.locator('[data-testid=scatter-y]').inputValue(), 'metrics.val_rmse');
      const list = frame.locator('[data-testid=pareto-list]');
      await list.locator('tbody tr').first().waitFor({ timeout: 30_000 });
      assert.deepEqual((await list.locator('tbody tr td:first-child').allInnerTexts()).map(normalizeSpace).sort(), frontNames);
      await screenshot(page, 'pareto-runs-scatter');
    });
  });
});

