import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { dominates } from '../../src/core/training/paretoFront';
import type { Run } from '../../src/core/tracking/trackingTypes';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';
import { fakeRunsHost, syntheticRuns } from './runsFakeHost';

/**
 * Trials of a study with two objectives (val_accuracy up, cost down), tagged as a study tags them:
 * the objectives on each, `mlops.tune.pareto` on the ones no other trial beats in both.
 */
function studyTrials(count: number): { runs: Run[]; front: string[] } {
  const runs = syntheticRuns({ runs: count }).map((run, i) => {
    // cost grows with accuracy, with noise: a real trade-off, some trials dominated
    const accuracy = run.data.metrics.find((m) => m.key === 'val_accuracy')!.value;
    const cost = Number((accuracy * 0.01 + ((i * 37) % 11) * 0.0007).toFixed(6));
    return {
      ...run,
      info: { ...run.info, status: 'FINISHED' as const },
      data: {
        ...run.data,
        metrics: [...run.data.metrics, { key: 'cost', value: cost, min: cost, max: cost, step: 0, timestamp: run.info.startTime, count: 1 }],
        tags: [...run.data.tags, { key: 'mlops.tune.objective', value: 'maximize val_accuracy' }, { key: 'mlops.tune.objectives', value: 'maximize val_accuracy, minimize cost' }],
      },
    };
  });
  const point = (r: Run): number[] => [-r.data.metrics.find((m) => m.key === 'val_accuracy')!.value, r.data.metrics.find((m) => m.key === 'cost')!.value];
  const front = runs.filter((r) => !runs.some((q) => dominates(point(q), point(r))));
  for (const r of front) r.data.tags.push({ key: 'mlops.tune.pareto', value: 'true' });
  return { runs, front: front.map((r) => r.info.runName) };
}

describe('runs panel webview: a study with several objectives', () => {
  after(closeBrowser);

  test('the table marks the Pareto-front trials; the scatter opens on the two objectives with the front drawn and its runs listed', async () => {
    const { runs, front } = studyTrials(24);
    assert.ok(front.length >= 2 && front.length < runs.length, `a front of ${front.length}`);
    const host = fakeRunsHost(runs);
    const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1200, height: 900 } });
    await panel.page.locator('.vg-row').first().waitFor();
    // every front trial's name carries the mark, and no other does
    await panel.page.locator('[data-col="attributes.run_name"] .pareto-mark').first().waitFor();
    const marked = await panel.page.locator('[data-col="attributes.run_name"]:has(.pareto-mark)').allTextContents();
    assert.deepEqual(marked.map((t) => t.replace('◆', '').trim()).sort(), [...front].sort());
    const title = await panel.page.locator('[data-col="attributes.run_name"] .pareto-mark').first().getAttribute('title');
    assert.match(title ?? '', /Pareto front \(maximize val_accuracy, minimize cost\)/);
    // both objectives lead the metrics, each captioned as an objective with its direction
    const metricHeaders = (await panel.page.locator('.vg-hcell').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.col ?? ''))).filter((id) => id.startsWith('metrics.'));
    assert.deepEqual(metricHeaders.slice(0, 2), ['metrics.val_accuracy', 'metrics.cost']);
    assert.match((await panel.page.locator('.vg-hcell[data-col="metrics.cost"]').textContent()) ?? '', /objective ↓/);
    assert.match((await panel.page.locator('.vg-hcell[data-col="metrics.val_accuracy"]').textContent()) ?? '', /objective ↑/);

    await panel.page.getByTestId('tab-scatter').click();
    // cost across, accuracy up: the trade-off, without choosing axes
    assert.equal(await panel.page.getByTestId('scatter-x').inputValue(), 'metrics.cost');
    assert.equal(await panel.page.getByTestId('scatter-y').inputValue(), 'metrics.val_accuracy');
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="scatter"]')?.getAttribute('data-series')?.includes('"front"'));
    const drawn = JSON.parse((await panel.page.getByTestId('scatter').getAttribute('data-series'))!) as { points: number; front: string[]; frontLine: number };
    assert.equal(drawn.points, runs.length);
    assert.deepEqual(drawn.front, [...front].sort());
    assert.equal(drawn.frontLine, front.length, 'the front is joined by a line');
    const list = panel.page.getByTestId('pareto-list');
    await list.locator('tbody tr').first().waitFor();
    assert.deepEqual((await list.locator('tbody tr td:first-child').allTextContents()).sort(), [...front].sort());
    assert.match((await list.locator('caption').textContent()) ?? '', new RegExp(`^${front.length} trials on the Pareto front`));
    // a listed trial opens its run
    await list.locator('tbody tr td:first-child a').first().click();
    await panel.page.getByTestId('details').locator('h1').waitFor();

    // other axes: the front's trials are still marked, but no line (it would join points that are no front there)
    await panel.page.getByTestId('scatter-x').selectOption('params.lr');
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="scatter"]')?.getAttribute('data-series')?.includes('"frontLine":0'));
    assert.deepEqual(await securityViolations(panel), []);
    await panel.page.close();
  });

  test('a single-objective study shows no front marks, no front line and no list', async () => {
    const runs = syntheticRuns({ runs: 12 }).map((run) => ({ ...run, data: { ...run.data, tags: [...run.data.tags, { key: 'mlops.tune.objective', value: 'maximize val_accuracy' }] } }));
    const host = fakeRunsHost(runs);
    const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1200, height: 800 } });
    await panel.page.locator('.vg-row').first().waitFor();
    assert.equal(await panel.page.locator('.pareto-mark').count(), 0);
    await panel.page.getByTestId('tab-scatter').click();
    await panel.page.waitForFunction(() => document.querySelector('[data-testid="scatter"]')?.getAttribute('data-series'));
    const drawn = JSON.parse((await panel.page.getByTestId('scatter').getAttribute('data-series'))!) as Record<string, unknown>;
    assert.deepEqual(Object.keys(drawn).sort(), ['points', 'xNumeric']);
    assert.equal(await panel.page.getByTestId('pareto-list').count(), 0);
    await panel.page.close();
  });
});
