/**
 * The Runs panel on a hyperparameter sweep, as a data scientist compares its trials: what the
 * table and the parallel coordinates lead with, the run details (confusion matrix, nothing cut
 * mid-word), and tab switches that leave ECharts nothing to complain about.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { closeBrowser, openPanel, type PanelPage } from './lib/panelPage';
import { fakeRunsHost, SWEEP_CLASSES, syntheticSweep } from './runsFakeHost';

const sweep = syntheticSweep(24);
const trial = sweep[3]!;

async function open(viewport = { width: 1280, height: 760 }): Promise<PanelPage> {
  const host = fakeRunsHost(sweep, { title: 'Runs: penguins' });
  const panel = await openPanel('runs', { respond: host.respond, viewport });
  await panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().waitFor();
  return panel;
}

/** Header column ids left to right, as drawn (the grid only draws the columns in view). */
async function headerOrder(panel: PanelPage): Promise<string[]> {
  return panel.page.locator('.vg-hcell').evaluateAll((cells) =>
    cells
      .map((c) => ({ id: (c as HTMLElement).dataset.col ?? '', left: c.getBoundingClientRect().left }))
      .sort((a, b) => a.left - b.left)
      .map((c) => c.id),
  );
}

async function openDetails(panel: PanelPage, runName: string): Promise<void> {
  await panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]', { hasText: new RegExp(`^${runName}$`) }).click();
  await panel.page.keyboard.press('Enter');
  await panel.page.getByTestId('confusion-matrix').waitFor();
}

/** Cells of the drawer's tables whose text takes more than one line, or is cut without its whole text in a tooltip. */
async function brokenCells(panel: PanelPage): Promise<string[]> {
  return panel.page.getByTestId('details').evaluate((drawer) => {
    const bad: string[] = [];
    for (const cell of drawer.querySelectorAll<HTMLElement>('table th, table td:not(.corner)')) {
      const text = cell.textContent?.trim() ?? '';
      if (text === '') continue;
      const range = document.createRange();
      range.selectNodeContents(cell);
      const lines = new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
      if (lines.size > 1) bad.push(`"${text}" wraps onto ${lines.size} lines`);
      if (cell.scrollWidth > cell.clientWidth + 1 && cell.title.trim() !== text && !cell.title.includes(text.replace(/…$/, ''))) bad.push(`"${text}" is cut and its tooltip is "${cell.title}"`);
    }
    return bad;
  });
}

describe('runs panel webview: comparing a sweep', () => {
  after(closeBrowser);

  test('the table leads with the study\'s objective and the test metrics, then the params the trials tuned', async () => {
    const panel = await open({ width: 1280, height: 700 });
    // In view of a usual panel: the objective, the main test metrics and what the sampler chose.
    const order = await headerOrder(panel);
    assert.deepEqual(order.slice(0, 8), ['attributes.run_name', 'attributes.starred', 'attributes.status', 'metrics.val_accuracy', 'metrics.test_accuracy', 'metrics.test_f1_macro', 'params.tune.model.layers.0.units', 'params.tune.optimizer.learning_rate'], order.join(' '));
    assert.ok(await panel.page.locator('.vg-hcell[data-col="params.tune.optimizer.learning_rate"]').evaluate((e) => e.getBoundingClientRect().right <= window.innerWidth), 'the tuned learning rate is on screen');
    await panel.page.setViewportSize({ width: 2600, height: 700 });
    await panel.page.waitForFunction(() => document.querySelector('.vg-hcell[data-col="attributes.duration"]'));
    order.splice(0, order.length, ...(await headerOrder(panel)));
    const at = (id: string): number => order.indexOf(id);
    for (const tuned of ['params.tune.optimizer.learning_rate', 'params.tune.model.layers.0.units', 'params.optimizer.learning_rate', 'params.model.layers']) {
      assert.ok(at(tuned) > 0 && at(tuned) < at('attributes.duration'), `${tuned} is in view, before the run's bookkeeping: ${order.join(' ')}`);
    }
    for (const constant of ['params.batch_size', 'params.class_weights', 'params.best.model.layers', 'params.seed']) assert.ok(at(constant) === -1 || at(constant) > at('attributes.duration'), `${constant} comes after`);
    assert.ok(!order.some((id) => id.startsWith('metrics.test_confusion_')), 'confusion counts are not among the first columns');
    const objective = panel.page.locator('.vg-hcell[data-col="metrics.val_accuracy"] .kind');
    assert.match((await objective.textContent()) ?? '', /objective ↑/);
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('parallel coordinates start on the tuned params and the objective, leave the study run out, and fit the panel', async () => {
    const panel = await open();
    await panel.page.getByTestId('tab-parallel').click();
    const chart = panel.page.getByTestId('parallel');
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="parallel"]')?.getAttribute('data-series'));
    const summary = JSON.parse((await chart.getAttribute('data-series'))!) as { axes: string[]; runs: number; numeric: boolean[] };
    assert.deepEqual(summary.axes, ['params.tune.model.layers.0.units', 'params.tune.optimizer.learning_rate', 'metrics.val_accuracy']);
    assert.deepEqual(summary.numeric, [true, true, true]);
    assert.equal(summary.runs, 24, 'every trial, not the study run (it has none of these params)');
    assert.match((await panel.page.getByTestId('parallel-left-out').textContent()) ?? '', /^1 run has none of these params/);
    // Lines take the objective's colour, the best trial drawn on top.
    const colored = JSON.parse((await chart.getAttribute('data-series'))!) as { coloredBy: string; topRun: string };
    const best = sweep.slice(1).reduce((a, b) => (b.data.metrics.find((m) => m.key === 'val_accuracy')!.value > a.data.metrics.find((m) => m.key === 'val_accuracy')!.value ? b : a));
    assert.deepEqual(colored, { ...colored, coloredBy: 'metrics.val_accuracy', topRun: best.info.runName });
    assert.match((await panel.page.getByTestId('parallel-coloring').textContent()) ?? '', /colour: val_accuracy\s+worse\s*better/);
    // The chart ends inside the panel: nothing to scroll, nothing cut off below or to the right.
    const fits = await panel.page.evaluate(() => {
      const tab = document.querySelector<HTMLElement>('.tab-panel[role=tabpanel]')!;
      const box = document.querySelector('[data-testid="parallel"]')!.getBoundingClientRect();
      return { scrolls: tab.scrollHeight > tab.clientHeight + 1, bottom: box.bottom, right: box.right, height: box.height };
    });
    assert.equal(fits.scrolls, false, 'the parallel tab does not scroll');
    assert.ok(fits.bottom <= 760 && fits.right <= 1280 && fits.height >= 260, JSON.stringify(fits));
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('run details: the confusion matrix is a labelled table (actual rows × predicted columns), not nine metrics', async () => {
    const panel = await open();
    await openDetails(panel, trial.info.runName);
    const matrix = panel.page.getByTestId('confusion-matrix');
    assert.match((await matrix.locator('caption').textContent()) ?? '', /rows are the actual class, columns the predicted class/);
    assert.deepEqual(await matrix.locator('thead th[scope=col]').allTextContents(), [...SWEEP_CLASSES, 'total']);
    assert.deepEqual(await matrix.locator('tbody th[scope=row]').allTextContents(), SWEEP_CLASSES);
    const metric = (key: string): number => trial.data.metrics.find((m) => m.key === key)!.value;
    for (const [a, actual] of SWEEP_CLASSES.entries()) {
      const cells = await matrix.locator('tbody tr').nth(a).locator('td').allTextContents();
      assert.deepEqual(cells.slice(0, 3).map(Number), SWEEP_CLASSES.map((predicted) => metric(`test_confusion_${actual}_${predicted}`)), `row ${actual}`);
    }
    const keys = await panel.page.getByTestId('details-metrics').locator('tbody th').allTextContents();
    assert.ok(!keys.some((k) => k.startsWith('test_confusion_') || /^test_(precision|recall|f1)_(Adelie|Chinstrap|Gentoo)$/.test(k)), keys.join(', '));
    assert.deepEqual(keys.slice(0, 2), ['val_accuracy', 'test_accuracy'], 'the objective and test accuracy first');
    assert.deepEqual(await panel.page.getByTestId('per-class').locator('tbody th').allTextContents(), SWEEP_CLASSES);
    await panel.page.close();
  });

  test('run details: a cost links to the prices behind it; system samples come after what the run learned', async () => {
    const priced = sweep.map((r) => (r === trial ? { ...r, data: { ...r.data, metrics: [...r.data.metrics, ...['cost', 'cpu_seconds', 'system/cpu_utilization_percentage'].map((key, i) => ({ key, value: 0.5 + i, min: 0.5 + i, max: 0.5 + i, step: 0, timestamp: 0, count: 1 }))] } } : r));
    const host = fakeRunsHost(priced, { title: 'Runs: penguins' });
    const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1280, height: 760 } });
    await panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().waitFor();
    await openDetails(panel, trial.info.runName);
    const keys = (await panel.page.getByTestId('details-metrics').locator('tbody th').allTextContents()).map((k) => k.trim());
    assert.ok(keys.indexOf('system/cpu_utilization_percentage') > keys.indexOf('val_loss'), keys.join(', '));
    assert.ok(keys.includes('cost (prices)'), keys.join(', '));
    await panel.page.getByTestId('details-metrics').getByRole('link', { name: 'prices' }).click();
    await panel.page.waitForFunction(() => (window as unknown as { __posted: Array<{ method?: string }> }).__posted.some((m) => m.method === 'openCostSettings'));
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('run details: keys and numbers stay on one line (cut with a tooltip, never mid-word), also in a narrow panel; the drawer resizes', async () => {
    for (const width of [1280, 900]) {
      const panel = await open({ width, height: 760 });
      await openDetails(panel, trial.info.runName);
      const drawer = panel.page.getByTestId('details');
      const drawerWidth = (await drawer.boundingBox())!.width;
      assert.ok(drawerWidth >= (width >= 1200 ? 480 : 360), `drawer ${drawerWidth}px at ${width}px`);
      assert.deepEqual(await brokenCells(panel), [], `at ${width}px`);
      if (width === 1280) {
        await panel.page.getByTestId('details-resize').focus();
        await panel.page.keyboard.press('ArrowLeft');
        await panel.page.waitForFunction((w) => document.querySelector('[data-testid="details"]')!.getBoundingClientRect().width >= w + 39, drawerWidth);
        assert.equal(((await panel.savedState()) as { detailsWidth?: number }).detailsWidth, Math.round(drawerWidth) + 40, 'the width is remembered');
      }
      await panel.page.close();
    }
  });

  test('switching between the table and the chart tabs draws each chart again and ECharts logs nothing', async () => {
    const panel = await open();
    const logged: string[] = [];
    panel.page.on('console', (m) => {
      if (m.type() === 'warning' || m.type() === 'error') logged.push(m.text());
    });
    const drawn = (testId: string) => panel.page.waitForFunction((id) => document.querySelector(`[data-testid="${id}"] canvas`) && document.querySelector(`[data-testid="${id}"]`)?.getAttribute('data-series'), testId);
    for (let round = 0; round < 2; round++) {
      await panel.page.getByTestId('tab-curves').click();
      await drawn('curve-val_accuracy');
      await panel.page.getByTestId('tab-parallel').click();
      await drawn('parallel');
      await panel.page.getByTestId('tab-scatter').click();
      await drawn('scatter');
      await panel.page.getByTestId('tab-table').click();
      await panel.page.locator('.vg-row').first().waitFor();
      await panel.page.getByTestId('tab-curves').click();
      await drawn('curve-val_accuracy');
      await panel.page.getByTestId('tab-sideBySide').click();
      await panel.page.getByTestId('side-by-side').waitFor();
    }
    // A resize after the walk reaches every chart still observed.
    await panel.page.setViewportSize({ width: 1100, height: 700 });
    await panel.page.getByTestId('tab-parallel').click();
    await drawn('parallel');
    await panel.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    assert.deepEqual(logged.filter((m) => /echarts|disposed/i.test(m)), []);
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });
});
