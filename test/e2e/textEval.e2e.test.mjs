// Text evaluation in real VS Code: MLOps: Evaluate Text Model… on the example set, then
// MLOps: Review Text Evaluation… — rate a row with the keyboard, and the rating is in the store.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, normalizeSpace, runCommand, screenshot, setTheme, trainChampion, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

describe('text evaluation in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('evaluate the example set, review it, rate a row with the keyboard; the CLI reads the rating back', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('texteval');
    trainChampion(workspace); // a registered version to link the evaluation to
    await withWorkbench(browser, workspace, 'texteval', async (page) => {
      await runCommand(page, 'MLOps: Evaluate Text Model…');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      const set = pick.filter({ hasText: 'summaries.jsonl' }).first();
      await set.waitFor({ timeout: 30_000 });
      await set.click();
      // which version made the predictions: its card will show this evaluation and its ratings
      const version = pick.filter({ hasText: 'penguins v1' }).first();
      await version.waitFor({ timeout: 30_000 });
      assert.match(normalizeSpace(await pick.last().innerText()), /Not a registered model/, 'not linking is offered last');
      await version.click();
      const toast = page.locator('.notifications-toasts');
      const headline = await waitForText(toast, /summaries\.jsonl: BLEU \d+\.\d\d · ROUGE-1 0\.\d{3} · ROUGE-2 0\.\d{3} · ROUGE-L 0\.\d{3} · exact match \d\.\d{3} \(20 rows, run [0-9a-f]{8}\)/, 60_000);
      await screenshot(page, 'texteval-evaluated');

      await runCommand(page, 'MLOps: Review Text Evaluation…');
      const run = pick.filter({ hasText: /BLEU \d+\.\d · ROUGE-L 0\.\d{3} · 20 rows/ }).first();
      await run.waitFor({ timeout: 20_000 });
      assert.ok(headline.includes(`ROUGE-L ${/ROUGE-L (0\.\d{3})/.exec(normalizeSpace(await run.innerText()))?.[1]}`), 'the run offered is the one just evaluated');
      await run.click();

      const frame = webviewFrame(page);
      await waitForText(frame.locator('body'), /Row 1 of 20/, 30_000);
      await waitForText(frame.locator('body'), /0 of 20 rated/);
      const runName = (await waitForText(frame.locator('h1'), /^Review \S+$/)).replace('Review ', '');
      await waitForText(page.locator('.tabs-container .tab.active'), `Review ${runName}`); // the tab names the run too
      // Keyboard first, as a reviewer works: focus the panel, 4 rates, → moves on.
      await frame.locator('h1').click();
      await page.keyboard.press('4');
      await waitForText(frame.locator('[data-testid="rated"]'), /1 of 20 rated/, 15_000);
      await waitForText(frame.locator('body'), /Saved/);
      const pressed = frame.locator('.rating button[aria-pressed="true"]');
      assert.equal(await pressed.getAttribute('aria-label'), 'Rate 4 of 5');
      await screenshot(page, 'texteval-review-dark');
      await setTheme(page, 'light');
      await waitForText(frame.locator('[data-testid="rated"]'), /1 of 20 rated/);
      await screenshot(page, 'texteval-review-light');
      await setTheme(page, 'dark');
    });

    // The workbench is closed, so the CLI opens the store itself.
    const runs = JSON.parse(mlops(workspace, '--json', 'runs', 'list', '--experiment', 'text-eval')).runs;
    assert.equal(runs.length, 1);
    const runId = runs[0].info.runId;
    const params = Object.fromEntries(runs[0].data.params.map((p) => [p.key, p.value]));
    const tags = Object.fromEntries(runs[0].data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags['mlops.evaluated_model'], 'models:/penguins/1', 'the evaluation is linked to the version picked');
    assert.equal(params.rouge_use_stemmer, 'false');
    const entries = JSON.parse(mlops(workspace, '--json', 'feedback', 'list', runId));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].rowIndex, 0);
    assert.equal(entries[0].rating, 4);
    assert.match(mlops(workspace, 'feedback', 'summary', runId), /mean rating\s+4\.00 \(1 ratings\)/);
  });
});
