// Training from the command palette in real VS Code: pick a spec, watch it train, find the run;
// and a broken spec is underlined in the editor before anything runs.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlopsView, openMlopsViews, treeRows, normalizeSpace, runCommand, screenshot, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

/** The visible notification toasts' text. */
async function waitForToast(page, pattern, timeout) {
  return waitForText(page.locator('.notifications-toasts'), pattern, timeout);
}

describe('training in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('"MLOps: Train Model…" trains the penguins example and the run appears with its test accuracy', { timeout: 180_000 }, async () => {
    const workspace = makeWorkspace('training');
    // a CPU-hour price: the run gets a cost (3600 an hour: its CPU-seconds)
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'mlops.cost.cpuHour': 3600 })}\n`);
    await withWorkbench(browser, workspace, 'training', async (page) => {
      await runCommand(page, 'MLOps: Train Model…');
      // the quick pick lists the workspace's specs and a way to create one
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'penguins.train.yaml' }).first().waitFor({ timeout: 20_000 });
      const labels = (await rows.allInnerTexts()).map(normalizeSpace);
      assert.ok(labels.some((l) => l.includes('auto-mpg.train.yaml')), `both example specs are offered: ${labels.join(' | ')}`);
      assert.ok(labels.some((l) => l.includes('Create a spec from a dataset')), 'creating a spec is offered');
      await rows.filter({ hasText: 'penguins.train.yaml' }).first().click();

      // progress, then the result, as notifications
      // the trainer is named in words, not by its setting value ("on js")
      const done = await waitForToast(page, /trained penguins in [\d.]+ s with (native TensorFlow|the built-in trainer|TensorFlow\.js \((WebAssembly|plain JavaScript)\))/, 120_000);
      assert.match(done, /test accuracy 0\.9\d|test accuracy 1\.0/, `the notification reports a good test accuracy: ${done}`);
      await screenshot(page, 'training-done');

      // Open Run: the Runs panel of the experiment, with the new run's details open
      await page.locator('.notifications-toasts .monaco-button').filter({ hasText: /^Open Run$/ }).first().click();
      const frame = webviewFrame(page);
      await waitForText(frame.locator('[data-testid=details] h1'), /\S/, 45_000);
      const details = normalizeSpace(await frame.locator('[data-testid=details-metrics]').innerText());
      assert.match(details, /test_accuracy/, `the run's metrics are shown: ${details}`);
      // what the run used, and its cost at the price in the workspace settings, with the way to that price
      assert.match(details, /cpu_seconds \d/, details);
      assert.match(details, /cost \(prices\) \d/, details);
      assert.match(details, /system\/cpu_utilization_percentage/, details);
      await page.locator('.tabs-container .tab').filter({ hasText: 'Runs: penguins' }).first().waitFor({ timeout: 15_000 });
      await screenshot(page, 'training-open-run');

      // the Experiments view shows the experiment and the run with its key metric
      await openMlopsViews(page);
      const runRows = treeRows(mlopsView(page, 'Experiments'));
      await runRows.filter({ hasText: 'penguins' }).first().waitFor({ timeout: 30_000 });
      await waitForText(runRows.filter({ hasText: 'test_accuracy' }).first(), /test_accuracy (0\.9\d*|1)\b/);
      await screenshot(page, 'training-experiments-view');
    });
  });

  test('a spec with a schema error is underlined in the editor, with the reason', { timeout: 120_000 }, async () => {
    const workspace = makeWorkspace('broken-spec');
    writeFileSync(join(workspace, 'broken.train.yaml'), 'dataset: data/penguins.csv\ntarget: species\nepochs: many\n');
    await withWorkbench(browser, workspace, 'broken-spec', async (page) => {
      await runCommand(page, 'Go to File...').catch(async () => page.keyboard.press('Control+P'));
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      await input.fill('broken.train.yaml');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: 'broken.train.yaml' }).first().click();
      await page.locator('.monaco-editor .squiggly-error').first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'View: Toggle Problems');
      const problems = await waitForText(page.locator('.part.panel'), /epochs/, 15_000);
      assert.match(problems, /line|integer|number/i, `the problem says what is wrong with epochs: ${problems}`);
      await screenshot(page, 'training-spec-diagnostics');
    });
  });
});
