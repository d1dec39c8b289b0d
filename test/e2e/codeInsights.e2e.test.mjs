// Runs and models where the code is, in real VS Code: a CodeLens over a training spec with its
// latest run's metric (and Train / Compare last runs), the diff editor between two runs' specs,
// a hover on a models:/ URI naming the version and its alias, a warning on a models:/ URI that
// resolves to nothing, and Re-run… reproducing an older run's metrics.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, normalizeSpace, runCommand, screenshot, trainChampion, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

/** Opens a workspace file by name through Go to File. */
async function openFile(page, name) {
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input.input');
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill(name);
  await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: name }).first().click();
  await page.locator('.tabs-container .tab.active').filter({ hasText: name }).waitFor({ timeout: 15_000 });
}

/** The active editor's CodeLens line(s). */
function codeLenses(page) {
  return page.locator('.editor-group-container.active .monaco-editor .codelens-decoration');
}

describe('code insights in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a spec shows its latest run\'s metric above it and updates after Train; Compare Code of Runs diffs the two specs; a models:/ URI hovers with its version and alias, and a missing alias is a warning; Re-run… of an older run reproduces its metrics', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('code-insights');
    // a git repository: every run records its commit, and Re-run… goes back to it
    const git = (...args) => execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: workspace, encoding: 'utf8' });
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'examples');
    // models:/penguins/1 @champion, registered by alice
    const championRun = trainChampion(workspace);
    writeFileSync(
      join(workspace, 'serve.py'),
      ['import mlflow', '', 'champion = mlflow.pyfunc.load_model("models:/penguins@champion")', 'challenger = mlflow.pyfunc.load_model("models:/penguins@challenger")', 'with mlflow.start_run():', '    mlflow.log_param("model", "penguins")', `trained = "runs:/${championRun}/model"`, ''].join('\n'),
    );
    await withWorkbench(browser, workspace, 'code-insights', async (page) => {
      await openFile(page, 'penguins.train.yaml');
      // the CLI's training is the latest run: its test accuracy, a Train action, nothing to compare yet
      const lens = await waitForText(codeLenses(page).first(), /test_accuracy (0\.\d+|1)\b.*Train/, 60_000);
      assert.doesNotMatch(lens, /Compare last runs/, `one run has nothing to compare with: ${lens}`);
      // "test_accuracy 1 · keen-ram-65 · just now | Train": the run's name after the metric
      const firstRunName = lens.split(' · ')[1];
      assert.ok(firstRunName, `the lens names the run: ${lens}`);
      await screenshot(page, 'code-insights-spec-lens');

      // Train from the lens, with fewer epochs: when it is done the lens names the new run, and two runs can be compared
      const specPath = join(workspace, 'penguins.train.yaml');
      writeFileSync(specPath, readFileSync(specPath, 'utf8').replace('epochs: 60', 'epochs: 30'));
      await codeLenses(page).first().locator('a').filter({ hasText: /^\s*Train\s*$/ }).click();
      // (the lens may first show the new run while it is still running: wait for its metric)
      const updated = await waitForText(codeLenses(page).first(), /test_accuracy (0\.\d+|1)\b.*Compare last runs/, 180_000);
      const secondRunName = updated.split(' · ')[1];
      assert.ok(!updated.includes(`· ${firstRunName} ·`), `the lens is about the new run, not ${firstRunName}: ${updated}`);
      await codeLenses(page).first().locator('a').filter({ hasText: 'Compare last runs' }).click();
      await page.locator('.tabs-container .tab').filter({ hasText: 'Compare 2 runs' }).first().waitFor({ timeout: 30_000 });
      await screenshot(page, 'code-insights-spec-lens-after-train');

      // Compare Code of Runs: the diff editor between the two runs' specs, the older on the left
      await runCommand(page, 'MLOps: Compare Code of Runs');
      const pickRows = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pickRows.nth(1).waitFor({ timeout: 20_000 });
      // a click on a row of a many-pick ticks it
      await pickRows.nth(0).click();
      await pickRows.nth(1).click();
      await waitForText(page.locator('.quick-input-widget .quick-input-count'), /2 Selected/, 10_000);
      await page.keyboard.press('Enter');
      const diff = page.locator('.editor-group-container.active .monaco-diff-editor');
      await waitForText(diff.locator('.editor.original .view-lines'), /epochs: 60/, 30_000);
      await waitForText(diff.locator('.editor.modified .view-lines'), /epochs: 30/, 30_000);
      await page.locator('.tabs-container .tab.active').filter({ hasText: /↔.*penguins\.train\.yaml/ }).waitFor({ timeout: 10_000 });
      await screenshot(page, 'code-insights-compare-code');

      // a hover on models:/penguins@champion: the version, its alias, who registered it
      await openFile(page, 'serve.py');
      // above mlflow.start_run(: this script's latest run (none yet) and Run as experiment
      await waitForText(codeLenses(page).first(), /No runs yet.*Run as experiment/, 30_000);
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input.input').fill(':3:50');
      await page.keyboard.press('Enter');
      await runCommand(page, 'Show or Focus Hover');
      // the editor's hover, not a tooltip the pointer left on the tabs
      const hover = await waitForText(page.locator('.monaco-editor .monaco-hover:visible').filter({ hasText: 'version' }).first(), /penguins version 1/, 30_000);
      assert.match(hover, /@champion/, `the hover names the alias: ${hover}`);
      assert.match(hover, /alice/, `the hover says who registered it: ${hover}`);
      assert.match(hover, /test_accuracy/, `the hover shows the run's metrics: ${hover}`);
      await screenshot(page, 'code-insights-hover');
      await page.keyboard.press('Escape');

      // models:/penguins@challenger does not resolve: a warning that names the aliases there are
      await page.locator('.editor-group-container.active .monaco-editor .squiggly-warning').first().waitFor({ timeout: 30_000 });
      await runCommand(page, 'View: Toggle Problems');
      const problems = normalizeSpace(await waitForText(page.locator('.part.panel'), /challenger/, 15_000));
      assert.match(problems, /no alias "challenger".*champion/, `the problem names what exists: ${problems}`);

      // Re-run… of the older 30-epoch run (an uncommitted change) after the spec moved on again: its commit with its
      // uncommitted change, in a temporary worktree, gives the same metrics
      writeFileSync(specPath, readFileSync(specPath, 'utf8').replace('epochs: 30', 'epochs: 20'));
      await runCommand(page, 'MLOps: Re-run…');
      await page.locator('.quick-input-widget .quick-input-list .monaco-list-row').filter({ hasText: secondRunName }).first().click();
      const toast = await waitForText(page.locator('.notifications-toasts'), new RegExp(`re-run of ${secondRunName} (reproduced|did not)`), 180_000);
      assert.match(toast, /reproduced its metrics \(\d+ equal\) at commit [0-9a-f]{10} in a temporary worktree/, `the same spec and seed give the same metrics: ${toast}`);
      assert.equal(git('worktree', 'list').trim().split('\n').length, 1, 'the temporary worktree is gone');
      assert.match(readFileSync(specPath, 'utf8'), /epochs: 20/, 'the workspace is as the user left it');
      await screenshot(page, 'code-insights-rerun');
      // the re-run's details say what it re-ran and that it matched
      await page.locator('.notifications-toasts .monaco-button').filter({ hasText: /^Open Re-run$/ }).first().click();
      await waitForText(webviewFrame(page).locator('[data-testid=details-rerun]'), /re-run of \w{8} · reproduced its metrics/, 45_000);
      // and the code it ran: the commit, with the uncommitted change the original had
      const code = await waitForText(webviewFrame(page).locator('[data-testid=details-code]'), /[0-9a-f]{10}/, 15_000);
      assert.match(code, /uncommitted changes \(diff\)/, `the re-run records the uncommitted change it ran with: ${code}`);

      // the hover's link opens the version's model card
      await page.locator('.tabs-container .tab').filter({ hasText: 'serve.py' }).first().click();
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input.input').fill(':3:50');
      await page.keyboard.press('Enter');
      await runCommand(page, 'Show or Focus Hover');
      await page.locator('.monaco-editor .monaco-hover:visible a').filter({ hasText: 'Open model card' }).first().click();
      await page.locator('.tabs-container .tab.active').filter({ hasText: 'penguins v1' }).waitFor({ timeout: 30_000 });

      // the link on runs:/ID/model (Ctrl+click, or Open Link) opens that run: its details in its experiment's Runs panel
      await page.locator('.tabs-container .tab').filter({ hasText: 'serve.py' }).first().click();
      await page.locator('.editor-group-container.active .monaco-editor .view-lines').click();
      await page.keyboard.press('Control+G');
      await page.locator('.quick-input-widget input.input').fill(':7:30');
      await page.keyboard.press('Enter');
      await runCommand(page, 'Open Link');
      await waitForText(webviewFrame(page).locator('[data-testid=details] h1'), firstRunName, 45_000);
    });
  });
});
