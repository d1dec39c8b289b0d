// Comparing runs in real VS Code: two trained runs, multi-selected in the Experiments view,
// "Compare Runs" (context menu or palette) opens the Runs panel on their metric curves; the table
// lists them and the side-by-side view shows their params and metrics.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, setTheme, treeRows, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

describe('comparing runs in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Compare Runs on two selected runs shows their curves, table and side-by-side values', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('compare');
    // two runs of the example that differ in their seed and learning rate
    const spec = readFileSync(join(workspace, 'penguins.train.yaml'), 'utf8');
    const variant = spec.replace(/^seed: \d+$/m, 'seed: 11').replace(/learning_rate: [\d.]+/, 'learning_rate: 0.003');
    assert.notEqual(variant, spec, 'the variant spec differs');
    writeFileSync(join(workspace, 'penguins-variant.train.yaml'), variant);
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins-variant.train.yaml'));

    await withWorkbench(browser, workspace, 'compare-runs', async (page) => {
      await openMlopsViews(page);
      const rows = treeRows(mlopsView(page, 'Experiments'));
      const runRows = rows.filter({ hasText: 'test_accuracy' });
      await runRows.nth(1).waitFor({ timeout: 30_000 });
      await runRows.nth(0).click();
      await runRows.nth(1).click({ modifiers: ['Control'] });
      const frame = webviewFrame(page);
      // the runs selected in the tree are what "Compare Runs" compares (palette or context menu)
      await runCommand(page, 'MLOps: Compare Runs');
      await waitForText(frame.locator('[data-testid=selection-count]'), /2 selected/, 45_000);
      assert.equal(await frame.locator('[data-testid=tab-curves]').getAttribute('aria-selected'), 'true', 'compare opens on the metric curves');
      const curve = frame.locator('[data-testid^=curve-] canvas').first();
      await curve.waitFor({ timeout: 30_000 });
      await setTheme(page, 'dark');
      await screenshot(page, 'runs-compare-curves');

      await frame.locator('[data-testid=tab-table]').click();
      await waitForText(frame.locator('[data-testid=run-count]'), /2 runs/);
      await screenshot(page, 'runs-table');

      await frame.locator('[data-testid=tab-sideBySide]').click();
      const side = await waitForText(frame.locator('[data-testid=side-by-side]'), /batch_size/);
      assert.match(side, /test_accuracy/, 'metrics are compared too');
      await screenshot(page, 'runs-side-by-side');
      // "Only differences" hides what the two runs share
      await frame.locator('[data-testid=only-diff]').check();
      const diff = normalizeSpace(await waitForText(frame.locator('[data-testid=side-by-side]'), /Started/));
      assert.doesNotMatch(diff, /batch_size/, `identical params are hidden: ${diff.slice(0, 300)}`);
      assert.match(diff, /learning_rate/, 'the param that differs stays');

      // High contrast: the table and the curves still read (screenshots to look at).
      await setTheme(page, 'highContrast');
      await frame.locator('[data-testid=tab-table]').click();
      await waitForText(frame.locator('[data-testid=run-count]'), /2 runs/);
      await screenshot(page, 'runs-table-high-contrast');
      await frame.locator('[data-testid=tab-curves]').click();
      await frame.locator('[data-testid^=curve-] canvas').first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'runs-curves-high-contrast');
    });
  });

  test('Compare Runs with nothing selected offers the runs to pick; a run\'s details show its confusion matrix as a table', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('compare-picker');
    const spec = readFileSync(join(workspace, 'penguins.train.yaml'), 'utf8');
    writeFileSync(join(workspace, 'penguins-variant.train.yaml'), spec.replace(/learning_rate: [\d.]+/, 'learning_rate: 0.003'));
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins-variant.train.yaml'));

    await withWorkbench(browser, workspace, 'compare-picker', async (page) => {
      // Straight from the palette, nothing selected anywhere.
      await runCommand(page, 'MLOps: Compare Runs');
      const picks = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await picks.nth(1).waitFor({ timeout: 30_000 });
      assert.equal(await picks.count(), 2, 'the two trained runs are offered');
      assert.match(await page.locator('.quick-input-widget .quick-input-list').innerText(), /finished[\s\S]*test_accuracy \d/, 'each with its status and main metric');
      // a multi-select pick: tick both with the header's toggle-all box (a click on a row can be
      // swallowed by the hover card of the row above it)
      await page.locator('.quick-input-widget .quick-input-header').getByRole('checkbox').first().click();
      await waitForText(page.locator('.quick-input-widget .quick-input-count'), /2 Selected/, 10_000);
      await page.keyboard.press('Enter');
      const frame = webviewFrame(page);
      await waitForText(frame.locator('[data-testid=selection-count]'), /2 selected/, 45_000);

      await frame.locator('[data-testid=tab-table]').click();
      await frame.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().click();
      await page.keyboard.press('Enter');
      const matrix = frame.locator('[data-testid=confusion-matrix]');
      await matrix.waitFor({ timeout: 30_000 });
      assert.deepEqual(await matrix.locator('thead th[scope=col]').allTextContents(), ['Adelie', 'Chinstrap', 'Gentoo', 'total']);
      assert.deepEqual(await matrix.locator('tbody th[scope=row]').allTextContents(), ['Adelie', 'Chinstrap', 'Gentoo']);
      const keys = await frame.locator('[data-testid=details-metrics] tbody th').allTextContents();
      assert.ok(keys.length > 0 && !keys.some((k) => k.startsWith('test_confusion_')), `the confusion counts are not listed as metrics: ${keys.join(', ')}`);
      await setTheme(page, 'dark');
      await screenshot(page, 'runs-details-confusion');
    });
  });
});
