// The "Get started with MLOps Studio" walkthrough in real VS Code: its steps read as plain text
// (no literal backticks), cover training, comparing, the registry and serving, and tick
// themselves from what the user achieved, whichever way (here: the CLI), while it is open.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, normalizeSpace, openMlopsViews, runCommand, screenshot, waitForText, withWorkbench } from './lib/workbench.mjs';

/** The walkthrough's step button titled `title`. */
const step = (page, title) => page.locator('.part.editor button.getting-started-step').filter({ hasText: title }).first();

/** Whether VS Code shows the step as done: its checkbox (role=checkbox) is checked. */
async function isComplete(stepButton) {
  return (await stepButton.locator('[role=checkbox]').first().getAttribute('aria-checked')) === 'true';
}

async function waitComplete(page, title, timeout = 30_000) {
  const checkbox = step(page, title).locator('[role=checkbox][aria-checked=true]').first();
  await checkbox.waitFor({ timeout }).catch(async () => {
    throw new Error(`step "${title}" not ticked within ${timeout} ms: ${await step(page, title).evaluate((el) => el.outerHTML.slice(0, 600))}`);
  });
}

describe('Get started walkthrough', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('lists the journey in plain words and ticks steps from what the user did', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('walkthrough');
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    await withWorkbench(browser, workspace, 'walkthrough', async (page) => {
      await openMlopsViews(page); // opens the store, as any first look at the views does
      await runCommand(page, 'MLOps: Get Started');
      const editor = page.locator('.part.editor');
      await waitForText(editor, /Get started with MLOps Studio/, 30_000);
      const titles = (await page.locator('.part.editor button.getting-started-step h3').allInnerTexts()).map(normalizeSpace);
      for (const expected of ['Train a model', 'Compare runs', 'Register and review a model', 'Serve it on a local endpoint']) {
        assert.ok(titles.includes(expected), `a step "${expected}" (steps: ${titles.join(' | ')})`);
      }
      const text = await editor.innerText();
      assert.doesNotMatch(text, /`/, 'no literal backticks in the walkthrough');

      // a run exists (trained with the CLI before the window opened): "Train a model" is done
      await waitComplete(page, 'Train a model');
      assert.equal(await isComplete(step(page, 'Register and review a model')), false, 'nothing registered yet');

      // a model registered from elsewhere while the walkthrough is open (here the way the stock
      // mlflow client does it, through the window's MLflow-compatible server) ticks the registry step
      const server = JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8'));
      const answer = await fetch(`${server.url}/api/2.0/mlflow/registered-models/create`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${server.token}` },
        body: JSON.stringify({ name: 'penguins' }),
      });
      assert.equal(answer.status, 200, await answer.text());
      await waitComplete(page, 'Register and review a model');
      await screenshot(page, 'walkthrough');
    });
  });
});
