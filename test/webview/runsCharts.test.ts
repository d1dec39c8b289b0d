import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { closeBrowser, openPanel, securityViolations, type PanelPage, type PostedMessage } from './lib/panelPage';
import { fakeRunsHost, syntheticRuns } from './runsFakeHost';

const runs = syntheticRuns({ runs: 40, extraParams: 2 });
const compared = [runs[0]!, runs[1]!, runs[5]!];

interface SeriesSummary {
  id: string;
  name: string;
  color: string;
  points: number;
  first: [number, number];
  last: [number, number];
}

async function seriesOf(panel: PanelPage, metric: string): Promise<SeriesSummary[]> {
  return JSON.parse((await panel.page.getByTestId(`curve-${metric}`).getAttribute('data-series')) ?? '[]') as SeriesSummary[];
}

/** Polls what the view handed to ECharts until `predicate` holds (the page's CSP forbids evaluating strings there). */
async function waitForSeries(panel: PanelPage, metric: string, predicate: (series: SeriesSummary[]) => boolean): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const raw = await panel.page.getByTestId(`curve-${metric}`).getAttribute('data-series').catch(() => null);
    if (raw && predicate(JSON.parse(raw) as SeriesSummary[])) return;
    if (Date.now() > deadline) throw new Error(`curve-${metric}: the series never matched ${predicate.toString()}; last: ${raw}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function openCompare(steps = 5000): Promise<{ panel: PanelPage; host: ReturnType<typeof fakeRunsHost> }> {
  const host = fakeRunsHost(runs, { compareRunIds: compared.map((r) => r.info.runId), title: 'Compare 3 runs' }, steps);
  const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1200, height: 800 } });
  await panel.page.getByTestId('curve-loss').waitFor();
  return { panel, host };
}

function requests(posted: PostedMessage[], method: string): PostedMessage[] {
  return posted.filter((m) => m.kind === 'request' && m.method === method);
}

describe('runs panel webview: compare charts', () => {
  after(closeBrowser);

  test('"Compare Runs" opens on metric curves: one series per run, stable colours, downsampled by the host', async () => {
    const { panel } = await openCompare();
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="curve-loss"]')?.getAttribute('data-series')?.includes('"points"'));
    const loss = await seriesOf(panel, 'loss');
    assert.deepEqual(loss.map((s) => s.id).sort(), compared.map((r) => r.info.runId).sort());
    assert.deepEqual(loss.map((s) => s.name).sort(), compared.map((r) => r.info.runName).sort());
    for (const s of loss) assert.ok(s.points <= 2000 && s.points >= 100, `${s.name}: ${s.points} points of 5,000 steps`);
    await waitForSeries(panel, 'val_accuracy', (series) => series.length === 3);
    // One request per chart in view, in the order they are shown, each capped in points.
    const asked = requests(await panel.posted(), 'getSeries').map((r) => r.params as { maxPoints: number; keys: string[] });
    assert.ok(asked.every((p) => p.maxPoints <= 2000));
    assert.deepEqual(asked.map((p) => p.keys), [['loss'], ['val_loss'], ['accuracy'], ['val_accuracy']]);
    assert.equal(loss[0]!.first[0], 0, 'x is the step');
    // The same run has the same colour in every chart.
    const acc = await seriesOf(panel, 'accuracy');
    for (const s of loss) assert.equal(acc.find((a) => a.id === s.id)?.color, s.color);
    assert.equal(new Set(loss.map((s) => s.color)).size, 3, 'three runs, three colours');
    // The legend (the table's code) and the charts (loaded on demand) agree on each run's colour.
    const legend = await panel.page.getByTestId('legend').locator(':scope > span').evaluateAll((spans) => spans.map((s) => ({ name: s.textContent?.trim() ?? '', color: (s.querySelector('.swatch') as HTMLElement | null)?.style.background ?? '' })));
    const colorOf = new Map(loss.map((s) => [s.name, s.color]));
    assert.equal(legend.length, 3);
    for (const entry of legend) {
      const probe = await panel.page.evaluate((c) => { const d = document.createElement('div'); d.style.background = c; return d.style.background; }, colorOf.get(entry.name) ?? 'none');
      assert.equal(entry.color, probe, `${entry.name}: legend ${entry.color}, chart ${colorOf.get(entry.name)}`);
    }
    assert.deepEqual(await securityViolations(panel), [], 'ECharts runs under the panel CSP');
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('hovering a chart shows every run\'s value at that step, highest first, also where each run was downsampled differently', async () => {
    // 5,000 steps arrive downsampled (LTTB), so the runs' points lie at different steps.
    const { panel } = await openCompare(5000);
    await waitForSeries(panel, 'loss', (series) => series.length === 3);
    const summaries = await seriesOf(panel, 'loss');
    assert.ok(summaries.every((s) => s.points < 5000), 'the series are downsampled');
    const box = (await panel.page.getByTestId('curve-loss').boundingBox())!;
    const tooltip = panel.page.locator('[data-testid="curve-loss"] .curve-tooltip');
    for (const at of [0.3, 0.5, 0.7]) {
      await panel.page.mouse.move(box.x + box.width * at, box.y + box.height / 3);
      await tooltip.waitFor({ state: 'visible' });
      await panel.page.waitForTimeout(100);
      const text = (await tooltip.innerText()).split('\n').map((line) => line.trim()).filter(Boolean);
      const step = /^step ([\d,]+)$/.exec(text[0]!);
      assert.ok(step && Number(step[1]!.replace(/,/g, '')) > 500 && Number(step[1]!.replace(/,/g, '')) < 4500, `the hovered step: ${text[0]}`);
      const rows = text.slice(1).map((line) => /^(.+): (-?[\d.]+)$/.exec(line));
      assert.deepEqual(rows.map((r) => r?.[1]).sort(), compared.map((r) => r.info.runName).sort(), `every run at ${at}: ${text.join(' | ')}`);
      const values = rows.map((r) => Number(r![2]));
      assert.deepEqual(values, [...values].sort((a, b) => b - a), 'highest value first');
      assert.ok(values.every((v) => v > 0 && v < 3), `loss values: ${values.join(', ')}`);
    }
    await panel.page.close();
  });

  test('coming back to the curves from the table draws them again', async () => {
    const { panel } = await openCompare(300);
    await waitForSeries(panel, 'loss', (series) => series.length === 3);
    for (let i = 0; i < 2; i++) {
      await panel.page.getByTestId('tab-table').click();
      await panel.page.locator('.vg-row').first().waitFor();
      await panel.page.getByTestId('tab-curves').click();
      await waitForSeries(panel, 'loss', (series) => series.length === 3);
      await panel.page.locator('[data-testid="curve-loss"] canvas').waitFor();
    }
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('smoothing, log scale and the x axis change what is handed to ECharts', async () => {
    const { panel } = await openCompare(200);
    await waitForSeries(panel, 'loss', (series) => series.length === 3);
    const raw = await seriesOf(panel, 'loss');
    await panel.page.getByTestId('smoothing').fill('0.9');
    await panel.page.getByTestId('smoothing').dispatchEvent('change');
    await waitForSeries(panel, 'loss', (series) => series[0]!.last[1] !== raw[0]!.last[1]);
    const smoothed = await seriesOf(panel, 'loss');
    assert.equal(smoothed[0]!.first[1], raw[0]!.first[1], 'debiased EMA starts at the first value');
    assert.ok(smoothed[0]!.last[1] > raw[0]!.last[1], 'the smoothed tail of a falling loss lags above the raw one');

    await panel.page.getByTestId('x-axis').selectOption('relative');
    await waitForSeries(panel, 'loss', (series) => series[0]!.last[0] === 199);
    await panel.page.getByTestId('x-axis').selectOption('time');
    await waitForSeries(panel, 'loss', (series) => series[0]!.first[0] > 1e12);
    const timed = await seriesOf(panel, 'loss');
    const run = compared.find((r) => r.info.runId === timed[0]!.id)!;
    assert.equal(timed[0]!.first[0], run.info.startTime, 'wall time in epoch ms');
    await panel.page.getByTestId('log-scale').check();
    await panel.page.waitForFunction(() => (window as unknown as { __savedState?: { curves?: { logScale: boolean } } }).__savedState?.curves?.logScale === true);
    await panel.page.close();
  });

  test('a live update redraws the curves without losing the zoom', async () => {
    const { panel } = await openCompare(300);
    const chart = panel.page.getByTestId('curve-loss');
    await waitForSeries(panel, 'loss', (series) => series.length === 3);
    const box = (await chart.boundingBox())!;
    await panel.page.mouse.move(box.x + box.width / 2, box.y + box.height / 3);
    for (let i = 0; i < 4; i++) await panel.page.mouse.wheel(0, -200);
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="curve-loss"]')?.getAttribute('data-zoom') !== '0-100');
    const zoom = await chart.getAttribute('data-zoom');
    assert.notEqual(zoom, '0-100');
    // The other charts follow (they share a group).
    await panel.page.waitForFunction((z) => document.querySelector('[data-testid="curve-accuracy"]')?.getAttribute('data-zoom') === z, zoom);
    const before = requests(await panel.posted(), 'getSeries').length;
    await panel.notify('storeChanged', { revision: 2 });
    await panel.page.waitForFunction((n) => (window as unknown as { __posted: PostedMessage[] }).__posted.filter((m) => m.method === 'getSeries').length > n, before);
    await panel.page.waitForTimeout(300);
    assert.equal(await chart.getAttribute('data-zoom'), zoom, 'same zoom window after the refresh');
    assert.equal((await seriesOf(panel, 'loss')).length, 3);
    await panel.page.close();
  });

  test('parallel coordinates draw every run over params and metrics; brushing an axis filters the table', async () => {
    const host = fakeRunsHost(runs);
    const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1200, height: 800 } });
    await panel.page.locator('.vg-row').first().waitFor();
    await panel.page.getByTestId('tab-parallel').click();
    const chart = panel.page.getByTestId('parallel');
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="parallel"]')?.getAttribute('data-series'));
    const summary = JSON.parse((await chart.getAttribute('data-series'))!) as { axes: string[]; runs: number; numeric: boolean[] };
    assert.equal(summary.runs, 40);
    assert.ok(summary.axes.includes('params.lr') && summary.axes.includes('params.optimizer') && summary.axes.at(-1) === 'metrics.val_loss', summary.axes.join());
    assert.equal(summary.numeric[summary.axes.indexOf('params.optimizer')], false, 'optimizer is a category axis');
    // Brush the upper half of the last axis (a metric).
    const box = (await chart.boundingBox())!;
    const x = box.x + box.width - 110; // the last axis: parallelChart.ts MARGIN.right
    await panel.page.mouse.move(x, box.y + 45);
    await panel.page.mouse.down();
    await panel.page.mouse.move(x, box.y + box.height * 0.45, { steps: 8 });
    await panel.page.mouse.up();
    const chip = panel.page.getByTestId('restriction');
    await chip.waitFor();
    await panel.page.getByTestId('tab-table').click();
    // The chip follows the brush while it moves and settles a moment after the mouse is up: read
    // it together with the table's count until they agree.
    await panel.page.waitForFunction(() => {
      const chipText = document.querySelector('[data-testid="restriction"]')?.textContent ?? '';
      const count = document.querySelector('[data-testid="run-count"]')?.textContent ?? '';
      const brushedNow = /^(\d+)/.exec(chipText)?.[1];
      return brushedNow !== undefined && new RegExp(`\\b${brushedNow} runs`).test(count);
    });
    const brushed = Number(/^(\d+)/.exec((await chip.textContent()) ?? '')![1]);
    assert.ok(brushed > 0 && brushed < 40, `${brushed} runs brushed`);
    await panel.page.getByTestId('run-count').getByText(`${brushed} runs`).waitFor();
    await chip.getByRole('button').click();
    await panel.page.getByTestId('run-count').getByText('40 runs').waitFor();
    await panel.page.close();
  });

  test('scatter plots a param against a metric for every run; grouping adds box plots', async () => {
    const host = fakeRunsHost(runs);
    const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1200, height: 800 } });
    await panel.page.locator('.vg-row').first().waitFor();
    await panel.page.getByTestId('group-by').selectOption('params.optimizer');
    await panel.page.getByTestId('run-count').getByText('3 groups').waitFor();
    await panel.page.getByTestId('tab-scatter').click();
    await panel.page.getByTestId('scatter-x').selectOption('params.lr');
    await panel.page.getByTestId('scatter-y').selectOption('metrics.accuracy');
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="boxplot"]')?.getAttribute('data-series'));
    const scatter = JSON.parse((await panel.page.getByTestId('scatter').getAttribute('data-series'))!) as { points: number; xNumeric: boolean };
    assert.deepEqual(scatter, { points: 40, xNumeric: true });
    const box = JSON.parse((await panel.page.getByTestId('boxplot').getAttribute('data-series'))!) as { groups: string[] };
    assert.deepEqual(box.groups, ['adam', 'rmsprop', 'sgd']);
    await panel.page.close();
  });

  test('side by side: selected runs as columns, differing cells marked, "only differences" hides equal rows', async () => {
    const { panel } = await openCompare(50);
    await panel.page.getByTestId('tab-sideBySide').click();
    const table = panel.page.getByTestId('side-by-side');
    await table.waitFor();
    assert.equal(await table.locator('thead th').count(), 4);
    assert.equal(await table.locator('tr[data-key="params.epochs"]').count(), 1);
    assert.ok((await table.locator('tr[data-key="metrics.accuracy"] td.differs').count()) >= 1);
    await panel.page.getByTestId('only-diff').check();
    await table.locator('tr[data-key="params.epochs"]').waitFor({ state: 'detached' });
    assert.equal(await table.locator('tr[data-key="metrics.accuracy"]').count(), 1);
    await panel.page.close();
  });

  test('when the charts part cannot be loaded, the chart tab says so and the table keeps working', async () => {
    // A copy of the panel's bundle whose charts part (runs-broken-charts.js) does not exist.
    const copy = join(__dirname, '..', '..', 'dist', 'webview', 'runs-broken.js');
    copyFileSync(join(__dirname, '..', '..', 'dist', 'webview', 'runs.js'), copy);
    try {
      const host = fakeRunsHost(runs);
      const panel = await openPanel('runs-broken', { respond: host.respond, viewport: { width: 1200, height: 800 } });
      await panel.page.locator('.vg-row').first().waitFor();
      await panel.page.getByTestId('tab-curves').click();
      const alert = panel.page.locator('.banner-error[role=alert]');
      await alert.waitFor();
      assert.match((await alert.textContent()) ?? '', /charts \(https:\/\/panel\.test\/dist\/webview\/runs-broken-charts\.js\) could not be loaded/);
      await panel.page.getByTestId('tab-table').click();
      assert.ok((await panel.page.locator('.vg-row').count()) > 0, 'the table still shows its runs');
      await panel.page.close();
    } finally {
      rmSync(copy, { force: true });
    }
  });
});
