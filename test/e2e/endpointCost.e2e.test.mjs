// What serving costs, in real VS Code: with a CPU-hour price in the workspace settings, an endpoint
// started with Serve Model… answers some requests, and its row's tooltip in the Endpoints view says
// how much CPU a request took and what 1,000 predictions cost, with a link to the prices.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, trainChampion, treeRows, waitForText, withWorkbench } from './lib/workbench.mjs';

describe('endpoint cost in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the Endpoints view’s tooltip shows CPU per request and the cost per 1,000 predictions', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('endpoint-cost');
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'mlops.cost.cpuHour': 3600 })}\n`);
    trainChampion(workspace);
    await withWorkbench(browser, workspace, 'endpoint-cost', async (page) => {
      await openMlopsViews(page);
      await runCommand(page, 'MLOps: Serve Model…');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pick.filter({ hasText: 'penguins@champion' }).first().waitFor({ timeout: 20_000 });
      await pick.filter({ hasText: 'penguins@champion' }).first().click();
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: 10_000 });
      await input.press('Enter');
      const toast = page.locator('.notifications-toasts');
      await waitForText(toast, /serves version 1 at http:\/\/127\.0\.0\.1:\d+\/invocations/, 60_000);
      const url = /(http:\/\/127\.0\.0\.1:\d+)\/invocations/.exec(await toast.innerText())?.[1];
      assert.ok(url);
      const body = JSON.stringify({ dataframe_records: [{ island: 'Biscoe', bill_length_mm: 45, bill_depth_mm: 15, flipper_length_mm: 220, body_mass_g: 5000, sex: 'male' }] });
      for (let i = 0; i < 25; i++) assert.equal((await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status, 200);

      const pane = mlopsView(page, 'Endpoints');
      await pane.click().catch(() => undefined);
      const row = treeRows(pane).filter({ hasText: 'penguins-champion' }).first();
      await waitForText(row, /penguins-champion\s*v1 · 25 req/, 30_000);
      // the tooltip: hovering can be lost to a re-render of the row, so hover until it shows
      const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'cost per 1,000 predictions' }).first();
      for (let attempt = 0; ; attempt++) {
        await page.mouse.move(5, 5);
        await row.hover();
        try {
          await hover.waitFor({ timeout: 5_000 });
          break;
        } catch (error) {
          if (attempt === 4) throw error;
        }
      }
      const text = normalizeSpace(await hover.innerText());
      assert.match(text, /[\d.]+ ms CPU per request over the last \d+ (s|min) \(25 requests\)/);
      assert.match(text, /cost per 1,000 predictions: [\d.e-]+ \(25 predictions in the window, at the prices\)/);
      assert.equal(await hover.locator('a', { hasText: 'prices' }).count(), 1, 'a link to the prices');
      await screenshot(page, 'endpoint-cost-tooltip');
    });
  });
});
