// Reviewing model versions in real VS Code: the model card of a version (evaluation charts and
// signature), then "Compare Versions…" against the champion, a promotion requested and approved
// from the review panel itself, which follows the registry live.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, setTheme, treeRows, waitForText, webviewFrame, updateUserSettings, withWorkbench } from './lib/workbench.mjs';

describe('model review in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('open a model card, compare with the champion, request and approve the promotion in the panel', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('model-review');
    const spec = readFileSync(join(workspace, 'penguins.train.yaml'), 'utf8');
    writeFileSync(join(workspace, 'penguins-variant.train.yaml'), spec.replace(/^seed: \d+$/m, 'seed: 11').replace(/learning_rate: [\d.]+/, 'learning_rate: 0.003'));
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins-variant.train.yaml'));
    const runIds = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs.map((r) => r.info.runId);
    mlops(workspace, 'models', 'register', runIds[1], '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'register', runIds[0], '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice');
    mlops(workspace, 'models', 'require-review', 'penguins', 'on');

    await withWorkbench(browser, workspace, 'model-review', async (page) => {
      await setTheme(page, 'dark');
      await openMlopsViews(page);
      const rows = treeRows(mlopsView(page, 'Models'));
      const model = rows.filter({ hasText: 'penguins' }).first();
      await waitForText(model, /2 versions/, 30_000);
      await model.click();
      const v2 = rows.filter({ hasText: /^\s*v2(?!\d)/ }).first();
      await v2.waitFor({ timeout: 15_000 });

      // The model card, from the version's inline action.
      await v2.hover();
      await v2.locator('.action-label[aria-label="Open Model Card"]').click();
      let frame = webviewFrame(page);
      await waitForText(frame.locator('h1'), /penguins v2/, 45_000);
      const evaluation = normalizeSpace(await frame.locator('section.card', { hasText: 'Evaluation (test split)' }).innerText());
      assert.match(evaluation, /accuracy \d/, `test metrics on the card: ${evaluation}`);
      assert.ok(await frame.locator('table.confusion td').count() >= 4, 'a confusion matrix of the test split');
      await frame.locator('.chart[data-chart="roc"] canvas').waitFor({ timeout: 15_000 });
      const roc = JSON.parse((await frame.locator('.chart[data-chart="roc"]').getAttribute('data-series')) ?? '{}');
      assert.equal(roc.series, 3, 'one ROC curve per penguin species');
      assert.match(normalizeSpace(await frame.locator('section.card', { hasText: 'Signature' }).innerText()), /bill_length_mm double/);
      await screenshot(page, 'model-card-dark');

      // Compare Versions… (palette; the context menu has the same command, but its clicks get lost under load):
      // pick v2, and it is compared against the champion, v1.
      await runCommand(page, 'MLOps: Compare Versions…');
      const versionPick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'penguins v2' }).first();
      await versionPick.waitFor({ timeout: 15_000 });
      await versionPick.click();
      await waitForText(frame.locator('h1'), /Review penguins/, 30_000);
      const versions = normalizeSpace(await frame.locator('table.compare thead').first().innerText());
      assert.match(versions, /v1 @champion baseline .* v2 vs v1/, `baseline first: ${versions}`);
      const metrics = normalizeSpace(await frame.locator('section.card', { hasText: 'Evaluation metrics' }).innerText());
      assert.match(metrics, /accuracy/);
      assert.equal(await frame.locator('table.confusion').count(), 2, 'confusion matrices side by side');
      assert.equal(await frame.locator('section.card', { hasText: 'Params' }).locator('tr.differs', { hasText: 'learning_rate' }).count(), 1, 'the param that differs is highlighted');

      // Request the promotion from the panel: the model requires review.
      await frame.getByRole('button', { name: 'Request…' }).nth(1).click();
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pick.filter({ hasText: '@champion' }).first().waitFor({ timeout: 15_000 });
      await pick.filter({ hasText: '@champion' }).first().click();
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('lower learning rate generalizes better');
      await input.press('Enter');
      await waitForText(frame.locator('.review-request'), /Review #1: move @champion of penguins from v1 to v2[\s\S]*lower learning rate/, 20_000);
      await setTheme(page, 'light');
      await screenshot(page, 'model-review-light');

      // This window asked for the review, so its approval is refused (reviewer ≠ requester by default)…
      await frame.getByRole('button', { name: 'Approve' }).click();
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('numbers look right');
      await input.press('Enter');
      await waitForText(page.locator('.notifications-toasts'), /was requested by .*, and penguins's review policy needs a different reviewer/, 15_000);
      // …so another person approves it: carol (mlops.user.name) opens the same workspace. The
      // panel comes back after the reload; the champion badge moves to v2 in the panel and the view.
      const restoreSettings = updateUserSettings({ 'mlops.user.name': 'carol' });
      try {
        await page.reload({ waitUntil: 'domcontentloaded' });
        await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 60_000 });
        frame = webviewFrame(page);
        await waitForText(frame.locator('.review-request'), /Review #1: move @champion of penguins from v1 to v2/, 60_000);
        await frame.getByRole('button', { name: 'Approve' }).click();
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill('numbers look right');
        await input.press('Enter');
        await waitForText(frame.locator('table.compare thead').first(), /v2\s*@champion/, 20_000);
      } finally {
        restoreSettings();
      }
      assert.equal(await frame.locator('.review-request').count(), 0, 'no pending review left');
      // after the reload the model's node may be collapsed again
      await model.waitFor({ timeout: 30_000 });
      if (!(await v2.isVisible())) await model.click();
      await waitForText(v2, /v2\s*@champion/, 15_000);
      await screenshot(page, 'model-review-approved');
    });
    const history = mlops(workspace, 'models', 'history', 'penguins', '--alias', 'champion');
    assert.match(history, /v1 .* alice\nv2 .* now/, history);
  });
});
