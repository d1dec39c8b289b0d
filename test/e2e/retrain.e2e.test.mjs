// Retraining in real VS Code: "MLOps: Retrain Now" on a monitor that tripped trains the spec,
// registers v2, compares it with @champion on the holdout and moves the alias, with the decision in
// a notification; a long retraining shows in the job status bar and is cancelled from there.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, openMlopsViews, runCommand, screenshot, treeRows, waitForText, withWorkbench, trainChampion } from './lib/workbench.mjs';

describe('retraining in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Retrain Now promotes a better model with a notification; a long attempt is cancelled from the status bar', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('retrain');
    const common = 'experiment: penguins\ndataset: data/penguins.csv\ntarget: species\ntask: classification\nearly_stopping: false\nseed: 3\n';
    // The champion only knows the penguin's sex: barely better than guessing.
    writeFileSync(join(workspace, 'weak.train.yaml'), `${common}features: [sex]\nmodel:\n  type: logistic_regression\nepochs: 1\noptimizer:\n  learning_rate: 0.001\n`);
    writeFileSync(join(workspace, 'small.train.yaml'), `${common}features: all\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 8\n`);
    writeFileSync(join(workspace, 'slow.train.yaml'), `${common}features: all\nmodel:\n  type: mlp\n  layers: [{units: 64}, {units: 64}]\nepochs: 100000\nbatch_size: 4\n`);
    // Every other penguin arrives as "current" data: it drifts from the whole set on 4 of 7 columns.
    const lines = readFileSync(join(workspace, 'data', 'penguins.csv'), 'utf8').trim().split('\n');
    writeFileSync(join(workspace, 'data', 'current.csv'), `${lines.filter((_, i) => i === 0 || i % 2 === 1).join('\n')}\n`);
    const monitorSpec = (spec, model) =>
      `reference:\n  file: data/penguins.csv\ncurrent:\n  file: data/current.csv\nretrain:\n  spec: ${spec}\n  model: ${model}\n  data: append_current\n  promote: auto\n`;
    writeFileSync(join(workspace, 'shop.monitor.yaml'), monitorSpec('small.train.yaml', 'penguins'));
    writeFileSync(join(workspace, 'slow.monitor.yaml'), monitorSpec('slow.train.yaml', 'slowpoke'));
    // Scheduled: runs when its current file changes, and retrains by itself when it trips.
    writeFileSync(join(workspace, 'data', 'auto-current.csv'), `${lines[0]}\n`);
    writeFileSync(
      join(workspace, 'auto.monitor.yaml'),
      'reference:\n  file: data/penguins.csv\ncurrent:\n  file: data/auto-current.csv\nschedule:\n  on_change: true\nretrain:\n  spec: small.train.yaml\n  model: automatic\n  data: append_current\n  promote: auto\n',
    );
    trainChampion(workspace, join(workspace, 'weak.train.yaml'), '--backend', 'js');
    // the monitor trips, so the policy has an alert to act on
    try {
      mlops(workspace, 'monitor', 'run', 'shop');
    } catch {
      // exit code 1 = it tripped, which is the point
    }

    await withWorkbench(browser, workspace, 'retrain', async (page) => {
      await openMlopsViews(page);
      const monitors = mlopsView(page, 'Monitors');
      // Monitors starts collapsed under the other views: open it, and fold Experiments to make room.
      const header = (name) => page.locator(`.part.sidebar .pane-header[aria-label^="${name}"]`);
      if ((await header('Monitors').getAttribute('aria-expanded')) !== 'true') await header('Monitors').click();
      if ((await header('Experiments').getAttribute('aria-expanded')) === 'true') await header('Experiments').click();
      const shop = treeRows(monitors).filter({ hasText: /^\s*shop/ }).first();
      await waitForText(shop, /shop\s*DRIFT/, 30_000);

      await runCommand(page, 'MLOps: Retrain Now');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pick.filter({ hasText: 'shop.monitor.yaml' }).first().waitFor({ timeout: 15_000 });
      await pick.filter({ hasText: 'shop.monitor.yaml' }).first().click();
      const toasts = page.locator('.notifications-toasts');
      const decision = await waitForText(toasts, /penguins: v2 beat v1 on test_accuracy [\d.]+ vs [\d.]+ .*→ @champion moved to v2/, 120_000);
      await screenshot(page, 'retrain-promoted');
      assert.doesNotMatch(decision, /failed/);
      // The monitor's tooltip names its policy and the last attempt.
      const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'Retraining:' }).first();
      for (let attempt = 0; ; attempt++) {
        await page.mouse.move(900, 300);
        await shop.hover();
        try {
          await waitForText(hover, /Retraining: penguins@champion · append_current · auto · 24 h[\s\S]*Last retrain #1 .*: promoted — v2 beat v1/, 5_000);
          break;
        } catch (error) {
          if (attempt === 3) throw error;
        }
      }
      await screenshot(page, 'retrain-monitor-tooltip');
      await page.mouse.move(900, 300);

      // The slow one: the status bar shows the job; clicking it offers to cancel.
      await runCommand(page, 'MLOps: Retrain Now');
      await pick.filter({ hasText: 'slow.monitor.yaml' }).first().waitFor({ timeout: 15_000 });
      await pick.filter({ hasText: 'slow.monitor.yaml' }).first().click();
      const job = page.locator('.part.statusbar .statusbar-item').filter({ hasText: 'Retraining slow' }).first();
      await waitForText(job, /Retraining slow · training · epoch \d+\/100000/, 90_000);
      await screenshot(page, 'retrain-status-bar');
      await job.click();
      const cancel = pick.filter({ hasText: 'Cancel Retraining slow' }).first();
      await cancel.waitFor({ timeout: 10_000 });
      await screenshot(page, 'retrain-cancel-pick');
      await cancel.click();
      await waitForText(toasts, /Monitor slow: retraining cancelled while training/, 30_000);
      await screenshot(page, 'retrain-cancelled');

      // New traffic lands in the scheduled monitor's file: it runs, trips, and the policy retrains on that alert.
      writeFileSync(join(workspace, 'data', 'auto-current.csv'), readFileSync(join(workspace, 'data', 'current.csv')));
      await waitForText(toasts, /automatic: no version held @champion, so v1 takes it \(test_accuracy [\d.]+\) → @champion moved to v1/, 120_000);
      await screenshot(page, 'retrain-scheduled');
    });

    // After the window closed: everything is in the store, readable from the CLI.
    const history = mlops(workspace, 'retrain', 'shop', '--history');
    assert.match(history, /promoted\s+v2\s+v1\s+test_accuracy/);
    const slow = mlops(workspace, 'retrain', 'slow', '--history');
    assert.match(slow, /cancelled/);
    assert.match(mlops(workspace, 'retrain', 'auto', '--history'), /\balert #\d+\s+promoted\s+v1/);
    const audit = mlops(workspace, 'models', 'history', 'penguins');
    assert.match(audit, /retrain:shop\s+alias\.moved\s+@champion v1 → v2/);
    assert.match(audit, /retrain:shop\s+retrain\.decided\s+monitor shop: v2 beat v1/);
  });
});
