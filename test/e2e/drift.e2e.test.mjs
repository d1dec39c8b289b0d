// The drift panel in real VS Code: a monitor that never ran opens on its empty state, runs from the
// panel, and shows the verdict, the per-column table with the drifted columns first and the
// reference-vs-current distributions; the Monitors view gets its alert badge.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, setTheme, treeRows, waitForText, webviewFrame, withWorkbench, trainChampion } from './lib/workbench.mjs';

/** penguins.csv with longer bills and flippers and heavier birds: three numeric columns drift, the rest do not. */
function shiftedPenguins(csv) {
  const [header, ...lines] = csv.trim().split('\n');
  const columns = header.split(',');
  const bill = columns.indexOf('bill_length_mm');
  const mass = columns.indexOf('body_mass_g');
  const flipper = columns.indexOf('flipper_length_mm');
  return [header, ...lines.map((line) => {
    const cells = line.split(',');
    if (cells[bill] !== 'NA' && cells[bill] !== '') cells[bill] = (Number(cells[bill]) + 9).toFixed(1);
    if (cells[mass] !== 'NA' && cells[mass] !== '') cells[mass] = String(Number(cells[mass]) + 900);
    if (cells[flipper] !== 'NA' && cells[flipper] !== '') cells[flipper] = String(Number(cells[flipper]) + 15);
    return cells.join(',');
  })].join('\n') + '\n';
}

describe('drift panel in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Show Drift Report on a new monitor, run it from the panel, read the verdict and distributions', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('drift');
    writeFileSync(join(workspace, 'data', 'penguins-2027.csv'), shiftedPenguins(readFileSync(join(workspace, 'data', 'penguins.csv'), 'utf8')));
    writeFileSync(join(workspace, 'penguins.monitor.yaml'), 'name: penguins-2027\nreference:\n  file: data/penguins.csv\ncurrent:\n  file: data/penguins-2027.csv\ncolumns: [bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, island]\n');

    await withWorkbench(browser, workspace, 'drift', async (page) => {
      await setTheme(page, 'dark');
      await openMlopsViews(page);
      // room for the Monitors view: fold Experiments and Models, unfold Monitors
      for (const [name, expanded] of [['Experiments', 'false'], ['Models', 'false'], ['Monitors', 'true']]) {
        const header = page.locator(`.part.sidebar .pane-header[aria-label^="${name}"]`);
        if ((await header.getAttribute('aria-expanded')) !== expanded) await header.click();
      }
      const monitorRow = treeRows(mlopsView(page, 'Monitors')).filter({ hasText: 'penguins-2027' }).first();
      await waitForText(monitorRow, /never run/, 30_000);

      await runCommand(page, 'MLOps: Show Drift Report');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'penguins-2027' }).first();
      await pick.waitFor({ timeout: 15_000 });
      await pick.click();
      const frame = webviewFrame(page);
      await waitForText(frame.locator('#app'), /No reports yet/, 45_000);
      await frame.getByRole('button', { name: 'Run Monitor now' }).click();

      const status = await waitForText(frame.getByRole('status'), /Dataset drift: 3 of 5 columns drifted \(60% ≥ 50%\)/, 90_000);
      assert.match(normalizeSpace(status), /Reference data\/penguins\.csv \(344 rows\) → current data\/penguins-2027\.csv \(344 rows\)/);
      const names = await frame.locator('table.drift tbody tr th').allInnerTexts();
      assert.deepEqual(names.slice(0, 3).sort(), ['bill_length_mm', 'body_mass_g', 'flipper_length_mm'], `drifted columns first: ${names.join(', ')}`);
      assert.equal(await frame.locator('table.drift tbody tr .pill.drifted').count(), 3);
      await frame.locator('.chart[data-chart="distribution"] canvas').waitFor({ timeout: 15_000 });
      await frame.locator('table.drift tbody tr', { hasText: 'island' }).click();
      await waitForText(frame.getByTestId('column-detail'), /island[\s\S]*no drift/);
      await screenshot(page, 'drift-panel-dark');

      // the tripped monitor: a badge and DRIFT in the Monitors view
      await waitForText(monitorRow, /DRIFT · 60% of 5 columns drifted · 1 alert/, 30_000);
      await setTheme(page, 'light');
      await screenshot(page, 'drift-panel-light');
      await frame.getByRole('button', { name: 'Acknowledge 1 alert' }).click();
      await waitForText(monitorRow, /^(?![\s\S]*alert)[\s\S]*DRIFT/, 20_000);
    });
  });

  test('Create Monitor… for a registered version writes a spec that compares new data with its training data', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('create-monitor');
    writeFileSync(join(workspace, 'data', 'penguins-2027.csv'), shiftedPenguins(readFileSync(join(workspace, 'data', 'penguins.csv'), 'utf8')));
    trainChampion(workspace);

    await withWorkbench(browser, workspace, 'create-monitor', async (page) => {
      await openMlopsViews(page);
      await runCommand(page, 'MLOps: Create Monitor…');
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'penguins v1' }).first().waitFor({ timeout: 20_000 });
      await rows.filter({ hasText: 'penguins v1' }).first().click();
      // code-server's open dialog is a quick input that takes a path
      const input = page.locator('.quick-input-widget input.input');
      await waitForText(page.locator('.quick-input-widget .quick-input-title'), /new data to compare/, 20_000);
      await input.fill(join(workspace, 'data', 'penguins-2027.csv'));
      await page.waitForTimeout(500);
      await input.press('Enter');
      const toast = page.locator('.notifications-toasts');
      await waitForText(toast, /created penguins-champion-drift\.monitor\.yaml/, 30_000);
      const spec = readFileSync(join(workspace, 'penguins-champion-drift.monitor.yaml'), 'utf8');
      assert.match(spec, /model: "models:\/penguins@champion"/);
      assert.match(spec, /file: "data\/penguins-2027\.csv"/);
      await screenshot(page, 'create-monitor');
      await toast.getByRole('button', { name: 'Run Monitor Now' }).click();
      // three shifted numeric columns of seven: the columns drifted, the dataset (43% < 50%) did not
      await waitForText(toast, /Monitor penguins-champion-drift: no dataset drift \(3 of 7 columns drifted\)/, 90_000);
    });
  });
});
