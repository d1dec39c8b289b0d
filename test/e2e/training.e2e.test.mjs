// Training from the command palette in real VS Code: pick a spec, watch it train, find the run;
// and a broken spec is underlined in the editor before anything runs.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, openMlopsViews, reloadWorkbench, treeRows, normalizeSpace, runCommand, screenshot, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

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

  test('a window reload in the middle of a training does not end it: the reloaded window shows it running in the engine, then finished', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('training-reload');
    // long enough to reload in the middle of it: no early stop, many epochs
    const spec = readFileSync(join(workspace, 'penguins.train.yaml'), 'utf8')
      .replace(/^epochs: \d+$/m, 'epochs: 4000')
      .replace(/^early_stopping:\n(?: {2}.*\n)+/m, 'early_stopping: false\n');
    writeFileSync(join(workspace, 'long.train.yaml'), spec);
    mkdirSync(join(workspace, '.vscode'), { recursive: true });
    writeFileSync(join(workspace, '.vscode', 'settings.json'), `${JSON.stringify({ 'mlops.training.backend': 'js' })}\n`);
    await withWorkbench(browser, workspace, 'training-reload', async (page) => {
      await runCommand(page, 'MLOps: Train Model…');
      const rows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await rows.filter({ hasText: 'long.train.yaml' }).first().click();
      await waitForToast(page, /epoch \d+\/4000/, 90_000);
      await reloadWorkbench(page);
      // the reloaded window finds the training in the engine and follows it in the status bar
      const item = page.locator('.statusbar-item').filter({ hasText: /Training long/ });
      await item.first().waitFor({ timeout: 60_000 });
      await screenshot(page, 'training-after-reload');
      const done = await waitForToast(page, /training long finished/, 180_000);
      assert.match(done, /training long finished/);
      const runs = JSON.parse(mlops(workspace, '--json', 'runs', 'list', '-e', 'penguins')).runs;
      assert.equal(runs.length, 1, 'one run: the training was not started again');
      assert.equal(runs[0].info.status, 'FINISHED');
      const epochs = runs[0].data.metrics.find((m) => m.key === 'epochs_run')?.value;
      assert.equal(epochs, 4000, 'every epoch ran');
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
