/**
 * "Open Run" and a study's leaderboard in the Runs panel: what the host asks to show — a run's
 * details, a filter and sort — either with the panel's first getInit (a new tab) or as a
 * notification to a tab already open.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { RunsFocus } from '../../src/protocol/runs/runsContract';
import { closeBrowser, openPanel, type PanelPage } from './lib/panelPage';
import { fakeRunsHost, syntheticSweep } from './runsFakeHost';

const sweep = syntheticSweep(12);
const study = sweep[0]!;
const trials = sweep.slice(1);
const accuracy = (i: number): number => trials[i]!.data.metrics.find((m) => m.key === 'val_accuracy')!.value;
/** trials that tried learning rate 0.003, best val_accuracy first */
const tried = trials.filter((t) => t.data.params.some((p) => p.key === 'optimizer.learning_rate' && p.value === '0.003'));
const bestTried = [...tried].sort((a, b) => b.data.metrics.find((m) => m.key === 'val_accuracy')!.value - a.data.metrics.find((m) => m.key === 'val_accuracy')!.value)[0]!;
const query: NonNullable<RunsFocus['query']> = { filter: "params.optimizer.learning_rate = '0.003'", sort: [{ columnId: 'metrics.val_accuracy', descending: true }] };

async function open(focus?: RunsFocus): Promise<PanelPage> {
  const host = fakeRunsHost(sweep, { title: 'Runs: penguins', ...(focus ? { focus } : {}) });
  const panel = await openPanel('runs', { respond: host.respond, viewport: { width: 1280, height: 760 } });
  await panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().waitFor();
  return panel;
}

const firstRunName = (panel: PanelPage): Promise<string> => panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().innerText();

describe('runs panel webview: opening a run or a leaderboard', () => {
  after(closeBrowser);

  test('a new tab opens on the run the host names, with its details, and on the filter and sort it asks for', async () => {
    assert.ok(tried.length >= 2 && accuracy(0) !== accuracy(1), 'the fixture has several trials to rank');
    const panel = await open({ detailsRunId: study.info.runId, query });
    await panel.page.getByTestId('details').locator('h1', { hasText: study.info.runName }).waitFor();
    assert.equal(await panel.page.getByTestId('filter').inputValue(), query.filter);
    await panel.page.waitForFunction((n) => document.querySelector('[data-testid="run-count"]')?.textContent?.trim() === `${n} runs`, tried.length);
    assert.equal((await firstRunName(panel)).trim(), bestTried.info.runName, 'the best trial heads the table');
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('a tab already open follows a focus notification: the filter, the order and the details change', async () => {
    const panel = await open();
    assert.equal(await panel.page.getByTestId('filter').inputValue(), '');
    await panel.page.getByTestId('tab-curves').click();
    await panel.notify('focus', { detailsRunId: bestTried.info.runId, query } satisfies RunsFocus);
    await panel.page.getByTestId('details').locator('h1', { hasText: bestTried.info.runName }).waitFor();
    assert.equal(await panel.page.getByTestId('filter').inputValue(), query.filter);
    assert.equal(await panel.page.getByTestId('tab-table').getAttribute('aria-selected'), 'true', 'a leaderboard is a table');
    await panel.page.waitForFunction((n) => document.querySelector('[data-testid="run-count"]')?.textContent?.trim() === `${n} runs`, tried.length);
    assert.equal((await firstRunName(panel)).trim(), bestTried.info.runName);
    // Only a run's details: the filter stays as the user left it.
    await panel.notify('focus', { detailsRunId: study.info.runId } satisfies RunsFocus);
    await panel.page.getByTestId('details').locator('h1', { hasText: study.info.runName }).waitFor();
    assert.equal(await panel.page.getByTestId('filter').inputValue(), query.filter);
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });
});
