// The data profile panel in real VS Code: "MLOps: Profile Data File" on penguins.csv, the target
// picked from the file's columns, then the panel's facts, warnings, a column's histogram, the
// correlations and the sample grid, in the dark and the light theme.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, normalizeSpace, runCommand, screenshot, setTheme, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

describe('data profile panel in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Profile Data File on penguins.csv with target species: 344 rows, 7 columns, a histogram', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('profile');
    await withWorkbench(browser, workspace, 'profile', async (page) => {
      await setTheme(page, 'dark');
      await runCommand(page, 'MLOps: Profile Data File');
      // the workspace's data files are offered first (nearest folders first), "Browse…" last
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'penguins.csv' }).first().waitFor({ timeout: 20_000 });
      const files = (await rows.locator('.label-name').allInnerTexts()).map(normalizeSpace);
      assert.ok(files.includes('seattle-weather.csv') && files.includes('auto-mpg.csv'), `the example data files are offered: ${files.join(' | ')}`);
      assert.equal(files.at(-1), 'Browse…', 'a file elsewhere can still be browsed for');
      await rows.filter({ has: page.locator('.label-name', { hasText: /^\s*penguins\.csv\s*$/ }) }).first().click();

      // the target: a quick pick of the file's columns, "(no target)" first
      await rows.filter({ hasText: '(no target)' }).first().waitFor({ timeout: 20_000 });
      const labels = (await rows.locator('.label-name').allInnerTexts()).map(normalizeSpace);
      assert.deepEqual(labels.slice(0, 3), ['(no target)', 'species', 'island']);
      await rows.filter({ has: page.locator('.label-name', { hasText: /^\s*species\s*$/ }) }).first().click();

      const frame = webviewFrame(page);
      const facts = await waitForText(frame.getByTestId('facts'), /344 rows/, 90_000);
      assert.match(facts, /344 rows 7 columns .*CSV 0 duplicate rows profiled in .* target species/);
      assert.deepEqual(await frame.locator('table.columns tbody tr th').allInnerTexts(), ['species', 'island', 'bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g', 'sex']);
      // penguins has empty cells, not mistyped ones: no type-mismatch warnings
      await waitForText(frame.locator('#app'), /No warnings/);

      await frame.locator('table.columns tbody tr', { hasText: 'flipper_length_mm' }).click();
      await frame.locator('.chart[data-chart="column"] canvas').waitFor({ timeout: 15_000 });
      assert.deepEqual(JSON.parse((await frame.locator('.chart[data-chart="column"]').getAttribute('data-series')) ?? '{}'), { kind: 'histogram', column: 'flipper_length_mm', bins: 20, rows: 342 });
      assert.match(normalizeSpace(await frame.getByTestId('column-detail').innerText()), /flipper_length_mm integer values 342 missing 2 \(0\.6%\)/);
      assert.deepEqual(JSON.parse((await frame.locator('.chart[data-chart="correlation"]').getAttribute('data-series')) ?? '{}'), { measure: 'pearson', columns: 4, cells: 16 });
      assert.match(normalizeSpace(await frame.getByRole('table', { name: 'Association of each column with the target' }).locator('tbody tr').first().innerText()), /^flipper_length_mm η/);
      assert.equal(await frame.getByRole('table', { name: 'The first rows of the file' }).locator('tbody tr').count(), 100);
      await screenshot(page, 'profile-panel-dark');
      await frame.locator('.sample-scroll').scrollIntoViewIfNeeded();
      await screenshot(page, 'profile-panel-dark-lower');

      await setTheme(page, 'light');
      await frame.locator('.chart[data-chart="column"]').scrollIntoViewIfNeeded();
      await screenshot(page, 'profile-panel-light');
    });
  });
});
