// The Models view in real VS Code: models → versions with alias badges, Register Model… from the
// command palette, Set Alias… on a model that requires review, approve the review.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, openMlopsViews, treeRows, normalizeSpace, runCommand, reloadWorkbench, screenshot, waitForText, webviewFrame, updateUserSettings, withWorkbench } from './lib/workbench.mjs';

describe('models in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the Models view shows versions with alias badges; register from the palette; a review moves @champion', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('models');
    // Two trained runs, two versions, @champion on v1, and review required, all before VS Code holds the store.
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    const runIds = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs.map((r) => r.info.runId);
    mlops(workspace, 'models', 'register', runIds[1], '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'register', runIds[0], '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice');
    mlops(workspace, 'models', 'alias', 'set', 'penguins', 'challenger', '2', '--actor', 'alice');
    mlops(workspace, 'models', 'require-review', 'penguins', 'on');

    await withWorkbench(browser, workspace, 'models', async (page) => {
      await openMlopsViews(page);
      const pane = mlopsView(page, 'Models');
      const rows = treeRows(pane);
      const model = rows.filter({ hasText: 'penguins' }).first();
      await waitForText(model, /penguins\s*2 versions · @champion v1 · @challenger v2/, 30_000);
      await model.click();
      await waitForText(rows.filter({ hasText: /^\s*v1(?!\d)/ }).first(), /v1\s*@champion · test_accuracy/);
      await waitForText(rows.filter({ hasText: /^\s*v2(?!\d)/ }).first(), /v2\s*@challenger · test_accuracy/);
      await screenshot(page, 'models-view');

      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const input = page.locator('.quick-input-widget input.input');
      // Export Model… writes an ONNX file where the save dialog says (code-server's simple dialog is a quick input).
      await runCommand(page, 'MLOps: Export Model…');
      await pick.filter({ hasText: 'penguins v2' }).first().click();
      await pick.filter({ hasText: 'ONNX' }).first().click();
      await waitForText(page.locator('.quick-input-widget .quick-input-title'), /Save the ONNX model/, 15_000);
      // the dialog proposes <name>-v<version>.onnx in the workspace folder: accept it
      const onnxFile = join(workspace, 'penguins-v2.onnx');
      assert.match(await input.inputValue(), /penguins-v2\.onnx$/, 'the proposed file name');
      await input.press('Enter');
      await screenshot(page, 'models-export-saved');
      await waitForText(page.locator('.notifications-toasts'), /exported models:\/penguins\/2 as ONNX to penguins-v2\.onnx/, 30_000);
      assert.ok(statSync(onnxFile).size > 1000, 'the ONNX file is written');

      // A click on a version opens its model card.
      await page.mouse.move(1000, 700); // away from the hover card over v2
      await rows.filter({ hasText: /^\s*v1(?!\d)/ }).first().click();
      await waitForText(webviewFrame(page).locator('h1'), /penguins v1/, 45_000);
      await page.keyboard.press('Escape');

      // Register Model… from the palette: the runs show their experiment and test accuracy; the
      // model the spec's earlier runs went into comes first, before "New model…".
      await runCommand(page, 'MLOps: Register Model…');
      await pick.first().waitFor({ timeout: 20_000 });
      assert.match(normalizeSpace(await pick.first().innerText()), /penguins · test_accuracy [\d.]+/, 'experiment and headline metric beside each run');
      await pick.first().click();
      await pick.filter({ hasText: 'next v3' }).first().waitFor({ timeout: 30_000 });
      const models = (await pick.allInnerTexts()).map(normalizeSpace);
      assert.match(models[0] ?? '', /^penguins\s*2 versions, next v3 · same spec/, `the existing model first: ${models.join(' | ')}`);
      assert.match(models[1] ?? '', /New model/);
      await pick.filter({ hasText: 'next v3' }).first().click();
      await waitForText(page.locator('.notifications-toasts'), /registered models:\/penguins\/3/, 30_000);
      const v3 = rows.filter({ hasText: /^\s*v3/ }).first();
      await v3.waitFor({ timeout: 10_000 });

      // Set Alias… on v3 → @champion: the model requires review, so it becomes a request.
      await v3.hover();
      await v3.locator('.action-label[aria-label="Set Alias…"]').click();
      // The view keeps its rows while it re-reads after the registration: Set Alias… acts on v3, asking only which alias.
      await pick.filter({ hasText: '@champion' }).first().waitFor({ timeout: 10_000 });
      const offered = (await pick.allInnerTexts()).map(normalizeSpace);
      assert.match(offered[0] ?? '', /@champion\s*now v1 → v3/, `champion first: ${offered.join(' | ')}`);
      assert.match(offered[1] ?? '', /@challenger\s*now v2 → v3/);
      await pick.first().click();
      await input.fill('v3 trained on the same data, newer code');
      await input.press('Enter');
      const review = rows.filter({ hasText: 'Review #1' }).first();
      await waitForText(review, /Review #1: @champion → v3/, 15_000);
      await screenshot(page, 'models-review-pending');

      // Reviewer ≠ requester: this window asked, so its approval is refused, and the toast says why.
      const approve = async () => {
        // the model row's hover card can cover the review row: move away and close it first
        await page.mouse.move(900, 300);
        await page.keyboard.press('Escape');
        await page.locator('.context-view .monaco-hover').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => {});
        await review.hover();
        await review.locator('.action-label[aria-label="Approve Review…"]').click();
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill('ok');
        await input.press('Enter');
      };
      await approve();
      await waitForText(page.locator('.notifications-toasts'), /was requested by .*, and penguins's review policy needs a different reviewer/, 15_000);
      // Another person approves it: bob (mlops.user.name) opens the same workspace.
      const restoreSettings = updateUserSettings({ 'mlops.user.name': 'bob' });
      try {
        await reloadWorkbench(page);
        // the extension activates again after the reload: slow on a loaded machine
        await model.waitFor({ timeout: 90_000 });
        if (!(await review.isVisible())) await model.click();
        await waitForText(review, /Review #1: @champion → v3/, 60_000);
        await approve();
        await waitForText(page.locator('.notifications-toasts'), /review #1 approved: @champion of penguins now points to v3/, 15_000);
      } finally {
        restoreSettings();
      }
      await waitForText(rows.filter({ hasText: /^\s*v3/ }).first(), /v3\s*@champion/, 15_000);
      await waitForText(model, /@champion v3/, 15_000);
      await screenshot(page, 'models-promoted');

      // Show History: aliases over time and the audit log, in a markdown preview.
      const item = page.locator('.monaco-menu .action-item').filter({ hasText: 'Show History' }).first();
      const preview = page.locator('iframe.webview.ready').filter({ visible: true }).first().contentFrame().locator('iframe#active-frame').contentFrame();
      // A context-menu click can be lost while the tree re-renders under load: open it again.
      for (let attempt = 0; ; attempt++) {
        await page.mouse.move(900, 300); // away from hover cards
        await page.keyboard.press('Escape');
        await model.click({ button: 'right', force: true });
        try {
          await item.waitFor({ timeout: 3_000 });
          await item.hover();
          await item.click();
          await waitForText(preview.locator('body'), /penguins: history[\s\S]*@champion\s+v3/, 15_000);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      await screenshot(page, 'models-history');

      // A version's description is edited in VS Code (it was CLI-only) and shows on its card.
      // (The history preview is closed first: a webview that finishes loading late takes the focus and closes a quick pick.)
      await runCommand(page, 'View: Close All Editors');
      await runCommand(page, 'MLOps: Edit Description…');
      await pick.filter({ hasText: 'penguins v3' }).first().click();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('Trained on the same data with newer code; promoted after review.');
      await input.press('Enter');
      await waitForText(page.locator('.notifications-toasts'), /saved the description of penguins v3/, 15_000);
      await runCommand(page, 'MLOps: Open Model Card');
      await pick.filter({ hasText: 'penguins v3' }).first().click();
      await waitForText(webviewFrame(page).locator('body'), /Trained on the same data with newer code/, 30_000);

      // From the palette, without a clicked node: Review Policy asks for the model, Set Alias for
      // the version (newest first) and confirms the move.
      await runCommand(page, 'MLOps: Review Policy…');
      await pick.filter({ hasText: 'alias moves need review' }).first().click();
      await pick.filter({ hasText: 'Move aliases directly' }).first().click();
      await waitForText(page.locator('.notifications-toasts'), /penguins: aliases move directly/, 15_000);
      await runCommand(page, 'MLOps: Set Alias…');
      await pick.first().waitFor({ timeout: 15_000 });
      assert.match(normalizeSpace(await pick.first().innerText()), /^penguins v3/, 'the newest version first');
      await pick.first().click();
      await pick.filter({ hasText: '@challenger' }).first().click();
      await waitForText(page.locator('.notifications-toasts'), /@challenger of penguins now points to v3 \(was v2\)/, 15_000);
      await runCommand(page, 'MLOps: Approve Review…');
      await waitForText(page.locator('.notifications-toasts'), /no review is pending/, 15_000);

    });
    // The audit log has it all, with who did what.
    const history = mlops(workspace, 'models', 'history', 'penguins', '--alias', 'champion');
    assert.match(history, /v1 .* alice\nv3 .* now/);
  });
});
