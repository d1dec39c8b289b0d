// The Experiments view's run menu in real VS Code: two trained runs and a script run made by the
// CLI; rename one (with the empty-name check), star it, write its note in the markdown document
// and save it, delete it (modal confirm naming it), find it under "Deleted runs" and restore it,
// open the script run's captured output, unstar from the palette and reveal the artifact folder.
// Every step is asserted on what the user sees (tree rows, menus, dialogs, editors).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, mlopsView, normalizeSpace, openMlopsViews, runCommand, screenshot, treeRows, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

/**
 * Right-clicks `row` and returns the context-menu item whose label starts with `label`. A click
 * can be lost while the tree re-renders under load, so the menu is opened again until it shows.
 */
async function openContextMenu(page, row, label) {
  const item = page.locator('.monaco-menu .action-item').filter({ hasText: new RegExp(`^\\s*${label}`) }).first();
  for (let attempt = 0; ; attempt++) {
    await page.mouse.move(1000, 700); // away from hover cards
    await page.keyboard.press('Escape');
    await row.click({ button: 'right', force: true });
    try {
      await item.waitFor({ timeout: 3_000 });
      return item;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

async function chooseFromContextMenu(page, row, label) {
  const item = await openContextMenu(page, row, label);
  await item.hover();
  await item.click();
}

/** Clicks a row's inline action (shown on hover), retrying when the hover is lost to a re-render. */
async function clickInline(row, label) {
  const action = row.locator(`.action-label[aria-label="${label}"]`);
  for (let attempt = 0; ; attempt++) {
    await row.hover();
    try {
      await action.click({ timeout: 3_000 });
      return;
    } catch (error) {
      if (attempt === 3) throw error;
    }
  }
}

describe('the Experiments view’s run menu in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('rename, star, note, delete and restore a run; show a script run’s logs', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('expmenu');
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    // the newest run: a script whose output is captured as logs/output.txt
    mlops(workspace, 'run', '--experiment', 'penguins', '--name', 'hello-script', '--', 'node', '-e', 'console.log("hello from the script"); console.error("a warning on stderr")');
    const listed = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs;
    const trained = listed.filter((r) => r.info.runName !== 'hello-script');
    assert.equal(trained.length, 2, 'two trained runs');
    const [target, other] = trained.map((r) => r.info);

    await withWorkbench(browser, workspace, 'experiments-menu', async (page) => {
      await openMlopsViews(page);
      const rows = treeRows(mlopsView(page, 'Experiments'));
      const rowOf = (name) => rows.filter({ hasText: new RegExp(`^\\s*${name}(?![\\d-])`) }).first();
      await rowOf(target.runName).waitFor({ timeout: 30_000 });
      await rowOf(other.runName).waitFor({ timeout: 30_000 });

      // The menu a finished run gets, grouped: open, edit, models, files, copy, danger.
      const rename = await openContextMenu(page, rowOf(target.runName), 'Rename Run');
      const labels = (await page.locator('.monaco-menu .action-item:not(.disabled) .action-label').allInnerTexts()).map(normalizeSpace).filter(Boolean);
      await screenshot(page, 'experiments-menu-context');
      assert.equal(labels[0], 'Open Run', `Open Run heads the menu: ${labels.join(' | ')}`);
      for (const label of ['Compare Runs', 'Rename Run…', 'Add Run Note…', 'Star Run', 'Register Model…', 'Show Run Logs', 'Reveal Run Artifacts', 'Copy Run ID', 'Delete Run…']) {
        assert.ok(labels.includes(label), `“${label}” in the menu: ${labels.join(' | ')}`);
      }
      assert.ok(!labels.includes('Stop Run…') && !labels.includes('Unstar Run') && !labels.includes('Restore Run'), `only what applies: ${labels.join(' | ')}`);
      assert.ok(labels.indexOf('Rename Run…') < labels.indexOf('Show Run Logs') && labels.indexOf('Copy Run ID') < labels.indexOf('Delete Run…'), `Delete comes last: ${labels.join(' | ')}`);

      // Rename: prefilled, an empty name is refused with a message, a new one shows at once.
      await rename.hover();
      await rename.click();
      const input = page.locator('.quick-input-widget input.input');
      await input.waitFor({ state: 'visible', timeout: 10_000 });
      assert.equal(await input.inputValue(), target.runName, 'the box holds the current name');
      await input.fill('   ');
      await waitForText(page.locator('.quick-input-widget .quick-input-message'), /cannot be empty/, 10_000);
      await input.fill('baseline');
      await input.press('Enter');
      const baseline = rowOf('baseline');
      await baseline.waitFor({ timeout: 15_000 });

      // Star from the row's inline action: the row shows ★ and offers Unstar instead.
      await clickInline(baseline, 'Star Run');
      await waitForText(baseline, /baseline\s*★ test_accuracy/, 15_000);
      await baseline.hover();
      await baseline.locator('.action-label[aria-label="Unstar Run"]').waitFor({ timeout: 10_000 });

      // Note: a markdown document; saving stores it on the run.
      await chooseFromContextMenu(page, baseline, 'Add Run Note');
      const tab = page.locator('.tabs-container .tab').filter({ hasText: 'baseline note.md' }).first();
      await tab.waitFor({ timeout: 15_000 });
      const editor = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
      await editor.click();
      await page.keyboard.type('# Baseline\n\nSeed 42, learning rate from the spec.');
      await page.keyboard.press('Control+S');
      await waitForText(baseline, /★ test_accuracy [\d.]+ · ✎/, 15_000);
      await screenshot(page, 'experiments-menu-note');
      const stored = JSON.parse(mlops(workspace, '--json', 'runs', 'show', target.runId));
      const note = stored.data.tags.find((t) => t.key === 'mlflow.note.content')?.value;
      assert.equal(note, '# Baseline\n\nSeed 42, learning rate from the spec.', 'the note is the run’s MLflow note');
      await page.keyboard.press('Control+W');
      await screenshot(page, 'experiments-menu-tree');

      // Delete: a modal names the run; the run moves to "Deleted runs".
      await chooseFromContextMenu(page, baseline, 'Delete Run');
      const dialog = page.locator('.monaco-dialog-box');
      await waitForText(dialog, /Delete run "baseline"\?/, 10_000);
      assert.match(normalizeSpace(await dialog.innerText()), /Restore Run brings it back/);
      await screenshot(page, 'experiments-menu-delete-confirm');
      await dialog.locator('.monaco-button').filter({ hasText: /^Delete$/ }).click();
      const deletedGroup = rows.filter({ hasText: /Deleted runs/ }).first();
      await waitForText(deletedGroup, /Deleted runs\s*1/, 15_000);
      await baseline.waitFor({ state: 'detached', timeout: 15_000 });
      await deletedGroup.click();
      await baseline.waitFor({ timeout: 15_000 });
      await screenshot(page, 'experiments-menu-deleted');
      const deletedMenu = await openContextMenu(page, baseline, 'Restore Run');
      const deletedLabels = (await page.locator('.monaco-menu .action-item:not(.disabled) .action-label').allInnerTexts()).map(normalizeSpace).filter(Boolean);
      assert.deepEqual(deletedLabels.sort(), ['Copy Run ID', 'Restore Run', 'Reveal Run Artifacts', 'Show Run Logs'], 'a deleted run can only be restored, looked at or copied');
      await deletedMenu.hover();
      await deletedMenu.click();
      // The view keeps its rows while it re-reads the store: the clicked run is restored, no "which run?" asked.
      await deletedGroup.waitFor({ state: 'detached', timeout: 15_000 });
      await waitForText(rowOf('baseline'), /★ test_accuracy [\d.]+ · ✎/, 15_000);
      assert.equal(JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs.length, 3, 'the restored run is active again');

      // Show Run Logs: the script run's captured output opens in an editor.
      await chooseFromContextMenu(page, rowOf('hello-script'), 'Show Run Logs');
      await page.locator('.tabs-container .tab').filter({ hasText: 'hello-script output.txt' }).first().waitFor({ timeout: 15_000 });
      await waitForText(page.locator('.editor-group-container.active .monaco-editor .view-lines').first(), /hello from the script[\s\S]*a warning on stderr/, 15_000);
      await screenshot(page, 'experiments-menu-logs');

      // From the palette: a quick pick of the runs the command applies to (only starred ones here).
      await runCommand(page, 'MLOps: Unstar Run');
      const picks = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await picks.first().waitFor({ timeout: 15_000 });
      const offered = (await picks.allInnerTexts()).map(normalizeSpace);
      assert.equal(offered.length, 1, `only starred runs are offered: ${offered.join(' | ')}`);
      assert.match(offered[0], /^baseline\s*penguins · finished/);
      await picks.first().click();
      await page.keyboard.press('Enter');
      await waitForText(rowOf('baseline'), /^\s*baseline\s*test_accuracy [\d.]+ · ✎\s*$/, 15_000);

      // Reveal Run Artifacts: in a browser window there is no OS file manager, so the explorer shows the folder.
      await chooseFromContextMenu(page, rowOf('baseline'), 'Reveal Run Artifacts');
      const explorer = page.locator('.explorer-folders-view .monaco-list-row');
      await explorer.filter({ hasText: target.runId }).first().waitFor({ timeout: 15_000 });
      // the folder is open on the run's files: the trained model is there
      await explorer.filter({ hasText: /^\s*model$/ }).first().waitFor({ timeout: 15_000 });
      await screenshot(page, 'experiments-menu-reveal');
    });
  });

  test('a click opens a run in the Runs panel; a sweep’s trials are nested under its study, the best marked, and the study opens as its leaderboard', { timeout: 400_000 }, async () => {
    const workspace = makeWorkspace('sweep');
    // A short sweep of the auto-mpg regressor: 8 trials, the median pruner stops the hopeless ones.
    writeFileSync(
      join(workspace, 'sweep.tune.yaml'),
      [
        'name: mpg-sweep',
        'train: auto-mpg.train.yaml',
        'objective: { metric: val_rmse, direction: minimize }',
        'sampler: random',
        'trials: 8',
        'parallel: 2',
        'seed: 3',
        'pruner: { type: median, warmup_epochs: 5, min_trials: 2 }',
        'params:',
        '  optimizer.learning_rate: { type: log_uniform, low: 0.0005, high: 0.05 }',
        '  model.layers.0.units: { type: int, low: 4, high: 64, log: true }',
        '',
      ].join('\n'),
    );
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'tune', join(workspace, 'sweep.tune.yaml'));
    const runs = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs;
    const studyRun = runs.find((r) => r.info.runName === 'mpg-sweep');
    assert.ok(studyRun, `the study run exists: ${runs.map((r) => r.info.runName).join(', ')}`);
    const bestId = studyRun.data.tags.find((t) => t.key === 'mlops.tune.best_run')?.value;
    const best = runs.find((r) => r.info.runId === bestId);
    assert.ok(best, 'the study recorded its best trial');
    const trials = runs.filter((r) => r.info.parentRunId === studyRun.info.runId);
    assert.equal(trials.length, 8);
    const penguins = runs.find((r) => r.info.runName !== 'mpg-sweep' && r.info.parentRunId === null && r.data.tags.some((t) => t.key === 'mlops.spec' && t.value.endsWith('penguins.train.yaml')));

    await withWorkbench(browser, workspace, 'sweep', async (page) => {
      await openMlopsViews(page);
      const rows = treeRows(mlopsView(page, 'Experiments'));
      // The newest experiment is open: the study is one row with its objective, no trial beside it.
      const study = rows.filter({ hasText: /^\s*mpg-sweep/ }).first();
      await waitForText(study, /mpg-sweep\s*val_rmse [\d.]+ best of 8/, 30_000);
      assert.equal(await rows.filter({ hasText: /trial[ -]\d/ }).count(), 0, 'trials are not listed beside the study');
      await study.locator('.monaco-tl-twistie').click();
      const trialRows = rows.filter({ hasText: /^\s*trial \d/ });
      await trialRows.nth(7).waitFor({ timeout: 15_000 });
      const bestNumber = best.data.tags.find((t) => t.key === 'mlops.tune.trial')?.value;
      await waitForText(rows.filter({ hasText: new RegExp(`^\\s*trial ${bestNumber}(?!\\d)`) }).first(), /best · val_rmse [\d.]+/);
      const labels = (await trialRows.allInnerTexts()).map(normalizeSpace);
      assert.equal(labels.filter((l) => /best ·/.test(l)).length, 1, `one best trial: ${labels.join(' | ')}`);
      assert.ok(labels.every((l) => !/killed/i.test(l)), `a pruned trial says pruned: ${labels.join(' | ')}`);
      const prunedCount = trials.filter((r) => r.data.tags.some((t) => t.key === 'mlops.tune.pruned')).length;
      assert.equal(labels.filter((l) => /pruned/.test(l)).length, prunedCount, `pruned trials are marked: ${labels.join(' | ')}`);
      await page.mouse.move(1000, 700); // no hover actions over the descriptions
      await screenshot(page, 'experiments-sweep');

      // A click on the study: the Runs panel lists its trials, best objective first.
      await study.click();
      const frame = webviewFrame(page);
      await waitForText(frame.locator('[data-testid=run-count]'), /^8 runs$/, 45_000);
      assert.equal(await frame.locator('[data-testid=filter]').inputValue(), `tags.mlflow.parentRunId = '${studyRun.info.runId}'`);
      // the leaderboard: the best trial on top (the run name is in the pinned column)
      await waitForText(frame.locator('[role=grid]').getByText(/^mpg-sweep-trial-\d+$/).first(), new RegExp(`^${best.info.runName}$`), 20_000);
      await waitForText(frame.locator('[data-testid=details] h1'), /^mpg-sweep$/, 20_000);
      await screenshot(page, 'experiments-sweep-leaderboard');

      // A click on a run of another experiment: its experiment's Runs panel with the run's details open.
      const penguinsExperiment = rows.filter({ hasText: /^\s*penguins\s*$/ }).first();
      await penguinsExperiment.click();
      const runRow = rows.filter({ hasText: new RegExp(`^\\s*${penguins.info.runName}`) }).first();
      await runRow.waitFor({ timeout: 15_000 });
      await runRow.click();
      await page.locator('.tabs-container .tab').filter({ hasText: 'Runs: penguins' }).first().waitFor({ timeout: 30_000 });
      await waitForText(webviewFrame(page).locator('[data-testid=details] h1'), new RegExp(`^${penguins.info.runName}$`), 45_000);
      assert.match(normalizeSpace(await webviewFrame(page).locator('[data-testid=details-metrics]').innerText()), /test_accuracy/);
      await screenshot(page, 'experiments-open-run');
    });
  });
});
