// Serving in real VS Code: Serve Model… from the palette, the Endpoints view with its live
// figures, and Send Sample Request answered by the endpoint.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlopsView, openMlopsViews, treeRows, runCommand, screenshot, waitForText, withWorkbench, trainChampion } from './lib/workbench.mjs';

describe('endpoints in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Serve Model… from the palette, the Endpoints view, Send Sample Request', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('endpoints');
    trainChampion(workspace);
    await withWorkbench(browser, workspace, 'endpoints', async (page) => {
      await openMlopsViews(page);
      await runCommand(page, 'MLOps: Serve Model…');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pick.filter({ hasText: 'penguins@champion' }).first().waitFor({ timeout: 20_000 });
      await pick.filter({ hasText: 'penguins@champion' }).first().click();
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ timeout: 10_000 });
      await page.waitForTimeout(300);
      await input.press('Enter');
      // examples/features defines views whose fields are model inputs, but none is materialized:
      // no values to look up, so Serve Model… does not ask about online lookups and just serves.
      const title = page.locator('.quick-input-widget .quick-input-title');
      await waitForText(page.locator('.notifications-toasts'), /penguins-champion serves version 1 at http:\/\/127\.0\.0\.1:\d+\/invocations/, 60_000);
      assert.equal(await title.filter({ hasText: 'Look up online features' }).isVisible(), false, 'no question about views that hold no values');
      const pane = mlopsView(page, 'Endpoints');
      await pane.click().catch(() => undefined);
      const row = treeRows(pane).filter({ hasText: 'penguins-champion' }).first();
      await waitForText(row, /penguins-champion\s*v1 · \d+ req/, 30_000);
      await screenshot(page, 'endpoints-view');
      await runCommand(page, 'MLOps: Send Sample Request');
      await waitForText(page.locator('.monaco-editor .view-lines').first(), /"predictions"/, 30_000);
      await page.waitForTimeout(1500);
      await screenshot(page, 'endpoints-sample-response');
      await waitForText(row, /penguins-champion\s*v1 · [1-9]\d* req · p50/, 30_000);
      await screenshot(page, 'endpoints-view-traffic');
      assert.ok(true);
    });
  });
});
