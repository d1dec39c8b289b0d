// "MLOps: Show Lineage" in real VS Code: a workspace trained, registered and monitored with the
// CLI, the lineage of penguins@champion picked from the palette, drawn left to right (dataset →
// run → model version → monitor), in dark and light themes; double-clicking the dataset re-roots
// the graph (a deleted version shows dashed); boxes click through to the version and the data file.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { launchBrowser, makeWorkspace, mlops, normalizeSpace, runCommand, screenshot, setTheme, waitForText, webviewFrame, withWorkbench } from './lib/workbench.mjs';

/** The left edge of a box in the webview, in page pixels. */
async function left(frame, kind) {
  const box = await frame.locator(`.node[data-kind="${kind}"]`).first().boundingBox();
  assert.ok(box, `a ${kind} box is drawn`);
  return box.x;
}

describe('lineage in VS Code', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('Show Lineage from the palette draws dataset → run → penguins@champion, themed, with click-through', { timeout: 240_000 }, async () => {
    const workspace = makeWorkspace('lineage');
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    mlops(workspace, 'train', join(workspace, 'penguins.train.yaml'));
    const [newer, run] = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs;
    mlops(workspace, 'models', 'register', run.info.runId, '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'register', newer.info.runId, '--name', 'penguins', '--actor', 'alice');
    mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice');
    mlops(workspace, 'models', 'delete', 'penguins', '2', '--yes', '--actor', 'alice');
    // A monitor of the champion's training data: running it links the monitor to the version.
    writeFileSync(join(workspace, 'penguins.monitor.yaml'), 'reference:\n  model: models:/penguins@champion\ncurrent:\n  file: data/penguins.csv\n');
    mlops(workspace, 'monitor', 'run', 'penguins');

    await withWorkbench(browser, workspace, 'lineage', async (page) => {
      await setTheme(page, 'dark');
      await runCommand(page, 'MLOps: Show Lineage');
      const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row');
      await pick.first().waitFor({ timeout: 30_000 });
      const offered = (await pick.allInnerTexts()).map(normalizeSpace);
      assert.match(offered[0] ?? '', /penguins@champion\s*v1/, `aliases come first: ${offered.join(' | ')}`);
      await pick.filter({ hasText: 'penguins@champion' }).first().click();

      const frame = webviewFrame(page);
      await frame.locator('.node[data-kind="modelVersion"]').waitFor({ timeout: 45_000 });
      await frame.locator('.node[data-kind="dataset"]').waitFor();
      await frame.locator('.node[data-kind="run"]').waitFor();
      await frame.locator('.node[data-kind="monitor"]').waitFor();
      const root = frame.locator('.node.root');
      assert.equal(await root.getAttribute('data-key'), 'modelVersion:penguins/1');
      await waitForText(root.locator('.node-label'), 'penguins v1 @champion');
      await waitForText(frame.locator('.node[data-kind="dataset"] .node-label'), 'data/penguins.csv');
      await waitForText(frame.locator('.node[data-kind="run"] .node-label'), `run ${run.info.runName}`);
      await waitForText(frame.locator('.node[data-kind="monitor"] .node-label'), 'monitor penguins');
      const xs = [await left(frame, 'dataset'), await left(frame, 'run'), await left(frame, 'modelVersion'), await left(frame, 'monitor')];
      assert.ok(xs[0] < xs[1] && xs[1] < xs[2] && xs[2] < xs[3], `dataset → run → model version → monitor, left to right: ${xs.join(' < ')}`);
      assert.deepEqual((await frame.locator('.edge-label').allTextContents()).sort(), ['monitored', 'registered', 'trained']);
      await waitForText(frame.locator('[data-testid=summary]'), 'Model version penguins v1 @champion · 4 nodes, 3 links');
      assert.equal(await page.locator('.tabs-container .tab', { hasText: 'Lineage: penguins v1 @champion' }).count(), 1, 'the tab is named after its root');
      await screenshot(page, 'lineage-dark');

      await setTheme(page, 'light');
      await frame.locator('body.vscode-light').waitFor({ timeout: 10_000 });
      await frame.locator('.node.root').waitFor();
      await screenshot(page, 'lineage-light');

      // Double-click the dataset: its lineage has both runs, and the deleted v2 drawn dashed.
      await frame.locator('.node[data-kind="dataset"]').dblclick();
      await frame.locator('.node.root[data-kind="dataset"]').waitFor({ timeout: 20_000 });
      const deleted = frame.locator('.node.missing[data-key="modelVersion:penguins/2"]');
      await waitForText(deleted.locator('.node-label'), 'penguins v2 (deleted)');
      assert.notEqual(await deleted.locator('.node-box').evaluate((el) => getComputedStyle(el).strokeDasharray), 'none');
      assert.equal(await frame.locator('.node[data-kind="run"]').count(), 2);
      await page.locator('.tabs-container .tab', { hasText: 'Lineage: data/penguins.csv' }).waitFor({ timeout: 10_000 });
      await screenshot(page, 'lineage-dataset-light');
      await frame.locator('vscode-toolbar-button[label="Back to the previous root"]').click();
      await frame.locator('.node.root[data-kind="modelVersion"]').waitFor({ timeout: 20_000 });

      // The model version: the model card when it exists, else its URI with the Models view.
      await frame.locator('.node[data-kind="modelVersion"]').click();
      await waitForText(page.locator('.notifications-toasts'), /models:\/penguins\/1|penguins v1/, 20_000).catch(async (error) => {
        // With the model card command present a card editor opens instead of a message.
        if ((await page.locator('.tabs-container .tab', { hasText: /penguins/ }).count()) < 2) throw error;
      });
      await page.keyboard.press('Escape');

      // The dataset: its file opens in an editor.
      await page.locator('.tabs-container .tab', { hasText: 'Lineage: penguins v1 @champion' }).click();
      const again = webviewFrame(page);
      await again.locator('.node[data-kind="dataset"]').waitFor({ timeout: 30_000 });
      await again.locator('.node[data-kind="dataset"]').click();
      await page.locator('.tabs-container .tab', { hasText: 'penguins.csv' }).waitFor({ timeout: 20_000 });
      await screenshot(page, 'lineage-dataset-opened');
    });
  });
});
