import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { ColumnLayout, RunsQuery } from '../../src/protocol/runs/runsContract';
import { closeBrowser, openPanel, securityViolations, type PanelPage, type PostedMessage } from './lib/panelPage';
import { fakeRunsHost, syntheticRuns } from './runsFakeHost';

const runs = syntheticRuns({ runs: 60, extraParams: 3, extraMetrics: 2 });

function requests(posted: PostedMessage[], method: string): PostedMessage[] {
  return posted.filter((m) => m.kind === 'request' && m.method === method);
}

/** Text of a column's cells in the rendered rows, top to bottom. */
async function columnTexts(panel: PanelPage, columnId: string): Promise<string[]> {
  return panel.page.evaluate((id) => {
    const cells = [...document.querySelectorAll<HTMLElement>(`.vg-row .vg-cell[data-col="${id}"]`)];
    return cells.sort((a, b) => Number(a.parentElement!.dataset.row) - Number(b.parentElement!.dataset.row)).map((c) => c.textContent ?? '');
  }, columnId);
}

/** Waits until the rendered rows of a column read `expected` (prefix), since pages arrive asynchronously. */
async function waitForColumn(panel: PanelPage, columnId: string, expected: string[]): Promise<void> {
  await panel.page.waitForFunction(
    ([id, want]) => {
      const cells = [...document.querySelectorAll<HTMLElement>(`.vg-row .vg-cell[data-col="${id}"]`)];
      const texts = cells.sort((a, b) => Number(a.parentElement!.dataset.row) - Number(b.parentElement!.dataset.row)).map((c) => c.textContent ?? '');
      return want.every((w, i) => texts[i] === w);
    },
    [columnId, expected] as const,
  );
}

async function runCount(panel: PanelPage): Promise<string> {
  return (await panel.page.getByTestId('run-count').textContent()) ?? '';
}

async function open(options: { rows?: typeof runs; viewport?: { width: number; height: number }; initialState?: unknown } = {}): Promise<{ panel: PanelPage; host: ReturnType<typeof fakeRunsHost> }> {
  const host = fakeRunsHost(options.rows ?? runs);
  const panel = await openPanel('runs', { respond: host.respond, viewport: options.viewport ?? { width: 1200, height: 700 }, initialState: options.initialState });
  await panel.page.locator('.vg-row .vg-cell[data-col="attributes.run_name"]').first().waitFor();
  return { panel, host };
}

describe('runs panel webview: table', () => {
  after(closeBrowser);

  test('shows the runs with params, metrics and tags under the panel CSP', async () => {
    const { panel } = await open();
    assert.equal(await runCount(panel), '60 runs');
    const names = await columnTexts(panel, 'attributes.run_name');
    assert.equal(names[0], runs[0]!.info.runName);
    const headers = await panel.page.locator('.vg-hcell').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.col));
    for (const id of ['attributes.status', 'metrics.accuracy']) assert.ok(headers.includes(id), `${id} is a column`);
    assert.deepEqual(await securityViolations(panel), []);
    assert.deepEqual(panel.problems, []);
    await panel.page.close();
  });

  test('filtering uses the store grammar; a syntax error is shown inline with its column and the runs stay', async () => {
    const { panel } = await open();
    const filter = panel.page.getByTestId('filter');
    await filter.fill("metrics.accuracy > 0.9 AND params.optimizer = 'adam'");
    await filter.press('Enter');
    const expected = runs.filter((r) => r.data.metrics.find((m) => m.key === 'accuracy')!.value > 0.9 && r.data.params.some((p) => p.key === 'optimizer' && p.value === 'adam'));
    await panel.page.getByTestId('run-count').getByText(`${expected.length} runs`).waitFor();
    await waitForColumn(panel, 'attributes.run_name', expected.map((r) => r.info.runName));
    assert.deepEqual(await columnTexts(panel, 'attributes.run_name'), expected.map((r) => r.info.runName));

    await filter.fill('metrics.accuracy > 2');
    await filter.press('Enter');
    await panel.page.getByTestId('empty').getByText('No run matches the filter.').waitFor();

    await filter.fill('metrics.accuracy >> 0.9');
    await filter.press('Enter');
    const error = panel.page.getByTestId('filter-error');
    await error.waitFor();
    assert.match((await error.textContent()) ?? '', /Column 19: .*unexpected|Column 19: expected/);
    assert.equal(await filter.getAttribute('aria-invalid'), 'true');
    assert.equal(await runCount(panel), '60 runs', 'while the filter is wrong, every run stays listed');

    await filter.fill('');
    await filter.press('Enter');
    await error.waitFor({ state: 'detached' });
    await panel.page.close();
  });

  test('a click sorts by a column (again: descending), Shift+click adds a second key', async () => {
    const layout: ColumnLayout = { order: ['attributes.run_name', 'params.optimizer', 'metrics.accuracy'], hidden: [], pinned: ['attributes.run_name'], widths: {} };
    const { panel } = await open({ initialState: { layout } });
    const header = (id: string) => panel.page.locator(`.vg-hcell[data-col="${id}"]`);
    await header('metrics.accuracy').click();
    await panel.page.waitForFunction(() => document.querySelector('.vg-hcell[data-col="metrics.accuracy"]')?.getAttribute('aria-sort') === 'ascending');
    const ascending = [...runs].sort((a, b) => acc(a) - acc(b));
    await panel.page.waitForFunction((name) => document.querySelector('.vg-row[data-row="0"] .vg-cell[data-col="attributes.run_name"]')?.textContent === name, ascending[0]!.info.runName);
    await header('metrics.accuracy').click();
    await panel.page.waitForFunction((name) => document.querySelector('.vg-row[data-row="0"] .vg-cell[data-col="attributes.run_name"]')?.textContent === name, ascending[ascending.length - 1]!.info.runName);

    await header('params.optimizer').click();
    await header('metrics.accuracy').click({ modifiers: ['Shift'] });
    await panel.page.waitForFunction(() => document.querySelector('.vg-hcell[data-col="metrics.accuracy"] .sort')?.textContent === '▲2');
    const last = requests(await panel.posted(), 'getRows').at(-1)!.params as { query: RunsQuery };
    assert.deepEqual(last.query.sort, [{ columnId: 'params.optimizer', descending: false }, { columnId: 'metrics.accuracy', descending: false }]);
    const expected = [...runs].sort((a, b) => opt(a).localeCompare(opt(b)) || acc(a) - acc(b));
    await waitForColumn(panel, 'attributes.run_name', expected.slice(0, 10).map((r) => r.info.runName));
    assert.deepEqual((await columnTexts(panel, 'attributes.run_name')).slice(0, 10), expected.slice(0, 10).map((r) => r.info.runName));
    await panel.page.close();
  });

  test('grouping by a param shows one row per value with counts and aggregates; Enter opens the group', async () => {
    const { panel } = await open();
    await panel.page.getByTestId('group-by').selectOption('params.optimizer');
    await panel.page.getByTestId('run-count').getByText('3 groups').waitFor();
    await panel.page.locator('.vg-cell[data-col="group"]', { hasText: 'rmsprop' }).waitFor();
    assert.deepEqual(await columnTexts(panel, 'group'), ['adam', 'rmsprop', 'sgd']);
    assert.deepEqual(await columnTexts(panel, 'count'), ['20', '20', '20']);
    const mean = (await columnTexts(panel, 'metrics.accuracy'))[0]!;
    assert.match(mean, /^0\.\d+ \(0\.\d+ – 0\.\d+\)$/, 'mean (min – max)');
    await panel.page.getByTestId('runs-grid').focus();
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('Enter');
    await panel.page.getByTestId('restriction').getByText('optimizer = rmsprop').waitFor();
    await panel.page.getByTestId('run-count').getByText('20 runs').waitFor();
    await panel.page.waitForFunction(() => document.querySelector('.vg-row[data-row="0"] .vg-cell[data-col="attributes.run_name"]')?.textContent?.startsWith('rmsprop'));
    assert.ok((await columnTexts(panel, 'attributes.run_name')).every((n) => n.startsWith('rmsprop')));
    await panel.page.close();
  });

  test('"Only differences" hides columns with the same value in every run', async () => {
    const { panel } = await open();
    const hasColumn = (id: string) => panel.page.locator(`.vg-hcell[data-col="${id}"]`).count();
    await panel.page.getByTestId('runs-grid').evaluate((el) => (el.scrollLeft = 900));
    await panel.page.locator('.vg-hcell[data-col="params.epochs"]').waitFor();
    await panel.page.getByTestId('only-diff').check();
    await panel.page.waitForFunction(() => !document.querySelector('.vg-hcell[data-col="params.epochs"]'));
    await panel.page.getByTestId('runs-grid').evaluate((el) => (el.scrollLeft = 0));
    await panel.page.getByTestId('runs-grid').evaluate((el) => (el.scrollLeft = el.scrollWidth));
    await panel.page.locator('.vg-hcell[data-col="tags.team"]').waitFor();
    assert.equal(await hasColumn('params.epochs'), 0);
    const state = (await panel.savedState()) as { onlyDiff: boolean };
    assert.equal(state.onlyDiff, true);
    await panel.page.close();
  });

  test('10,000 runs × 200 columns: only the visible cells exist, also after scrolling to the end', async () => {
    const big = syntheticRuns({ runs: 10_000, extraParams: 120, extraMetrics: 56, extraTags: 12 });
    const { panel } = await open({ rows: big });
    const counts = async () => panel.page.evaluate(() => ({ cells: document.querySelectorAll('.vg-cell').length, headers: document.querySelectorAll('.vg-hcell').length }));
    assert.equal(await runCount(panel), '10,000 runs');
    const columns = await panel.page.evaluate(() => Number(document.querySelector('[data-testid=runs-grid]')!.getAttribute('aria-colcount')));
    assert.ok(columns >= 199, `${columns} columns`);
    const first = await counts();
    assert.ok(first.cells < 1200 && first.headers < 40, `bounded DOM: ${JSON.stringify(first)}`);
    await panel.page.getByTestId('runs-grid').evaluate((el) => {
      el.scrollTop = el.scrollHeight;
      el.scrollLeft = el.scrollWidth;
    });
    const lastName = big[big.length - 1]!.info.runName;
    await panel.page.locator('.vg-cell[data-col="attributes.run_name"]', { hasText: lastName }).waitFor();
    const end = await counts();
    assert.ok(end.cells < 1200, `still bounded at the end: ${JSON.stringify(end)}`);
    const rowRequests = requests(await panel.posted(), 'getRows').map((m) => (m.params as { limit: number }).limit);
    assert.ok(rowRequests.every((l) => l <= 200), 'rows arrive a page at a time');
    await panel.page.close();
  });

  test('keyboard: arrows move the active cell, Space selects, Enter opens the run details', async () => {
    const { panel } = await open();
    const grid = panel.page.getByTestId('runs-grid');
    await grid.focus();
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowDown');
    await panel.page.keyboard.press('ArrowRight');
    // The grid redraws on the next animation frame.
    await panel.page.waitForFunction(() => document.querySelector('[data-testid=runs-grid]')?.getAttribute('aria-activedescendant') === 'cell-2-1');
    await panel.page.locator('#cell-2-1.active').waitFor();
    await panel.page.keyboard.press('Space');
    await panel.page.getByTestId('selection-count').getByText('1 selected').waitFor();
    await panel.page.keyboard.press('ArrowUp');
    await panel.page.keyboard.press('Space');
    await panel.page.getByTestId('selection-count').getByText('2 selected').waitFor();
    const saved = (await panel.savedState()) as { selected: string[] };
    assert.deepEqual(saved.selected.sort(), [runs[1]!.info.runId, runs[2]!.info.runId].sort());
    await panel.page.keyboard.press('Enter');
    const details = panel.page.getByTestId('details');
    await details.waitFor();
    assert.match((await details.locator('h1').textContent()) ?? '', new RegExp(runs[1]!.info.runName));
    assert.match((await details.textContent()) ?? '', /Baseline for the Q4 report/);
    await details.getByText('predictions.csv').click();
    await panel.page.getByTestId('preview').locator('table').waitFor();
    assert.match((await panel.page.getByTestId('preview').textContent()) ?? '', /0\.4, maybe/);
    assert.match((await details.getByTestId('signature').textContent()) ?? '', /plan.*string \(optional\)/s);
    await details.getByRole('button', { name: 'Star' }).click();
    await panel.page.waitForFunction(() => (window as unknown as { __posted: PostedMessage[] }).__posted.some((m) => m.method === 'setStarred'));
    const star = (await panel.posted()).find((m) => m.method === 'setStarred')!;
    assert.deepEqual(star.params, { runIds: [runs[1]!.info.runId], starred: true });
    // a run that trained a model can be registered from its details
    await details.getByRole('button', { name: 'Register Model' }).click();
    await panel.page.waitForFunction(() => (window as unknown as { __posted: PostedMessage[] }).__posted.some((m) => m.method === 'registerModel'));
    assert.deepEqual((await panel.posted()).find((m) => m.method === 'registerModel')?.params, { runId: runs[1]!.info.runId });
    // two runs selected: their code can be compared in VS Code's diff editor
    await panel.page.getByTestId('compare-code').click();
    await panel.page.waitForFunction(() => (window as unknown as { __posted: PostedMessage[] }).__posted.some((m) => m.method === 'compareRunCode'));
    assert.deepEqual(((await panel.posted()).find((m) => m.method === 'compareRunCode')?.params as { runIds: string[] }).runIds.sort(), [runs[1]!.info.runId, runs[2]!.info.runId].sort());
    await panel.page.close();
  });

  test('columns can be hidden, pinned, reordered and resized; the layout is saved for the workspace and restored; export follows it', async () => {
    // Wide enough to have Started and Duration in view: they come after the metrics and the params that differ.
    const { panel } = await open({ viewport: { width: 1800, height: 700 } });
    await panel.page.getByTestId('columns-button').click();
    const chooser = panel.page.getByTestId('column-chooser');
    await chooser.getByRole('checkbox', { name: /Status/ }).uncheck();
    await chooser.getByRole('button', { name: 'Pin accuracy' }).click();
    await panel.page.waitForFunction(() => !document.querySelector('.vg-hcell[data-col="attributes.status"]'));
    const pinned = await panel.page.locator('.vg-header .vg-pinned .vg-hcell').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.col));
    assert.deepEqual(pinned, ['attributes.run_name', 'metrics.accuracy']);
    // Saved once the changes settle (a slow machine may save the first change on its own).
    await panel.page.waitForFunction(() =>
      (window as unknown as { __posted: PostedMessage[] }).__posted.some((m) => m.method === 'saveLayout' && (m.params as { layout: ColumnLayout }).layout.pinned.includes('metrics.accuracy')),
    );
    const layout = ((await panel.posted()).filter((m) => m.method === 'saveLayout').at(-1)!.params as { layout: ColumnLayout }).layout;
    assert.ok(layout.hidden.includes('attributes.status'));
    assert.deepEqual(layout.pinned, ['attributes.run_name', 'metrics.accuracy']);
    await chooser.press('Escape');
    await chooser.waitFor({ state: 'detached' });
    // Drag a header onto another to move it there; drag a header's edge to resize it.
    await panel.page.locator('.vg-hcell[data-col="attributes.duration"]').dragTo(panel.page.locator('.vg-hcell[data-col="attributes.start_time"]'));
    await panel.page.waitForFunction(() => {
      const ids = [...document.querySelectorAll<HTMLElement>('.vg-header .vg-main .vg-hcell')].map((e) => e.dataset.col);
      return ids.indexOf('attributes.duration') >= 0 && ids.indexOf('attributes.duration') < ids.indexOf('attributes.start_time');
    });
    const handle = panel.page.locator('.vg-hcell[data-col="attributes.start_time"] .vg-resize');
    const box = (await handle.boundingBox())!;
    await panel.page.mouse.move(box.x + 2, box.y + 10);
    await panel.page.mouse.down();
    await panel.page.mouse.move(box.x + 82, box.y + 10, { steps: 4 });
    await panel.page.mouse.up();
    await panel.page.waitForFunction(() => ((window as unknown as { __savedState?: { layout: ColumnLayout } }).__savedState?.layout.widths['attributes.start_time'] ?? 0) > 200);
    // Export asks the host to write what the table shows, in this order.
    await panel.page.getByTestId('export').click();
    await panel.page.getByTestId('status').getByText('Exported 60 runs to /w/runs.csv').waitFor();
    const exported = requests(await panel.posted(), 'exportCsv')[0]!.params as { columnIds: string[] };
    assert.ok(!exported.columnIds.includes('attributes.status'), 'hidden columns are not exported');
    assert.ok(exported.columnIds.indexOf('attributes.duration') < exported.columnIds.indexOf('attributes.start_time'));
    const saved = await panel.savedState();
    await panel.page.close();

    const restored = await open({ initialState: saved });
    assert.equal(await restored.panel.page.locator('.vg-hcell[data-col="attributes.status"]').count(), 0, 'the hidden column stays hidden after a reload');
    await restored.panel.page.close();
  });

  test('a live store change updates values in place and keeps the selection and scroll position', async () => {
    const rows = syntheticRuns({ runs: 400 });
    const { panel, host } = await open({ rows });
    const grid = panel.page.getByTestId('runs-grid');
    await grid.evaluate((el) => (el.scrollTop = 24 * 150));
    await panel.page.locator('.vg-cell[data-col="attributes.run_name"]', { hasText: rows[160]!.info.runName }).waitFor();
    await panel.page.locator('.vg-row[data-row="160"] .vg-cell.gutter').click();
    await panel.page.getByTestId('selection-count').getByText('1 selected').waitFor();
    const renamed = rows.map((r, i) => (i === 160 ? { ...r, info: { ...r.info, runName: 'renamed-live' } } : r));
    host.tracking.replaceRuns(renamed);
    host.engine.invalidate();
    await panel.notify('storeChanged', { revision: 1 });
    await panel.page.locator('.vg-row[data-row="160"] .vg-cell[data-col="attributes.run_name"]', { hasText: 'renamed-live' }).waitFor();
    assert.ok((await grid.evaluate((el) => el.scrollTop)) >= 24 * 150 - 1, 'still scrolled to the same place');
    assert.equal(await panel.page.getByTestId('selection-count').textContent(), '1 selected');
    await panel.page.close();
  });
});

function acc(r: (typeof runs)[number]): number {
  return r.data.metrics.find((m) => m.key === 'accuracy')!.value;
}
function opt(r: (typeof runs)[number]): string {
  return r.data.params.find((p) => p.key === 'optimizer')!.value;
}
