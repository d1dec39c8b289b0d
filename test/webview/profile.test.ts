import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { profileFile } from '../../src/core/profile/profileFile';
import type { ProfilePanelState } from '../../src/protocol/profile/profileContract';
import { comparisonView, profileErrorView, profileView } from '../../src/vscode/profile/profileViews';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';

/** A file with one of each warning: an identifier, a constant, a skewed column and a leaked target. */
function customersCsv(shift = 0): string {
  const rows = ['id,city,const,income,leak,label'];
  for (let i = 0; i < 300; i++) {
    const label = i % 3 === 0 ? 'yes' : 'no';
    rows.push(`u${i},${['Oslo', 'Rome', 'Lima', 'Pune'][i % 4]},1,${i % 10 === 0 ? 100000 * (i + 1) : 1000 + (i % 17) + shift},${label === 'yes' ? 1 : 0},${label}`);
  }
  return rows.join('\n') + '\n';
}

const chartSeries = async (page: Page, chart: string): Promise<unknown> => JSON.parse((await page.locator(`.chart[data-chart="${chart}"]`).getAttribute('data-series')) ?? '{}');

describe('profile webview', () => {
  let state: ProfilePanelState;
  let shiftedState: ProfilePanelState;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'profile-webview-'));
    writeFileSync(join(dir, 'customers.csv'), customersCsv());
    writeFileSync(join(dir, 'customers-new.csv'), customersCsv(5000));
    const profile = await profileFile(join(dir, 'customers.csv'), { target: 'label', displayName: 'data/customers.csv' });
    const newer = await profileFile(join(dir, 'customers-new.csv'), { target: 'label', displayName: 'data/customers-new.csv' });
    state = { file: 'data/customers.csv', path: '/ws/data/customers.csv', target: 'label', phase: 'ready', profile: profileView(profile), error: null, comparison: null, comparisonError: null };
    shiftedState = { ...state, file: 'data/customers-new.csv', profile: profileView(newer), comparison: comparisonView(profile, newer) };
  });
  after(closeBrowser);

  test('header, warnings, sortable columns, a column\'s chart, correlations switch, target association, sample grid', async () => {
    const panel = await openPanel('profile', { respond: (method) => (method === 'getState' ? state : Promise.reject(new Error(`unexpected ${method}`))), viewport: { width: 1280, height: 900 } });
    const page = panel.page;
    const facts = page.getByTestId('facts');
    await facts.waitFor();
    assert.match(await facts.innerText(), /300\s+rows[\s\S]*6\s+columns[\s\S]*CSV[\s\S]*0\s+duplicate rows[\s\S]*target\s+label/);

    // warnings, prominently, each with a way to its column
    const warnings = page.locator('.warnings li');
    assert.equal(await warnings.count(), 4);
    const warningText = await page.locator('.warnings').innerText();
    for (const kind of [/target leakage\?[\s\S]*"leak" predicts the target "label"/i, /high cardinality[\s\S]*"id"/i, /constant[\s\S]*"const" is constant/i, /skewed[\s\S]*"income" is highly skewed/i]) assert.match(warningText, kind);

    // overview table in file order; the first column selected, its top categories drawn
    const rows = page.locator('table.columns tbody tr');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['id', 'city', 'const', 'income', 'leak', 'label']);
    assert.match(await rows.nth(3).innerText(), /income\s+integer\s+0%\s+18\s+1,000 – 2\.91e\+07|income\s+integer/);
    await page.locator('.chart[data-chart="column"] canvas').waitFor();
    assert.deepEqual(await chartSeries(page, 'column'), { kind: 'categories', column: 'id', categories: 15, rows: 15 });

    // a click on a warning's column selects it: a histogram with every value counted
    await page.getByRole('button', { name: 'Show income' }).click();
    assert.equal(await page.locator('tr[data-column="income"]').getAttribute('aria-selected'), 'true');
    const detail = page.getByTestId('column-detail');
    assert.match(await detail.innerText(), /income[\s\S]*min\s+1,000[\s\S]*p50/);
    assert.deepEqual(await chartSeries(page, 'column'), { kind: 'histogram', column: 'income', bins: 20, rows: 300 });

    // keyboard: down selects the next column (leak: numeric)
    await page.locator('table.columns tbody').focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('tr[data-column="leak"]').getAttribute('aria-selected'), 'true');
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await chartSeries(page, 'column'), { kind: 'categories', column: 'label', categories: 2, rows: 300 });

    // sort by distinct, largest first
    await page.getByRole('button', { name: 'Distinct' }).click();
    assert.deepEqual((await rows.locator('th').allInnerTexts()).slice(0, 2), ['id', 'income']);
    assert.equal(await page.locator('th[aria-sort="descending"]').count(), 1);

    // correlations: Pearson over the numeric columns, then Cramér's V over the categorical ones
    // the constant column has no variance: only its diagonal cell has a value (3 diagonal + income×leak twice)
    assert.deepEqual(await chartSeries(page, 'correlation'), { measure: 'pearson', columns: 3, cells: 5 });
    await page.getByRole('button', { name: "Cramér's V" }).click();
    assert.equal(await page.getByRole('button', { name: "Cramér's V" }).getAttribute('aria-pressed'), 'true');
    assert.deepEqual(await chartSeries(page, 'correlation'), { measure: 'cramersV', columns: 2, cells: 4 });

    // association with the target, strongest first
    const association = page.getByRole('table', { name: 'Association of each column with the target' });
    assert.match(await association.locator('tbody tr').first().innerText(), /leak\s+η\s+1/);

    // the sample grid: the first 100 rows of the file, scrollable
    const sample = page.getByRole('table', { name: 'The first rows of the file' });
    assert.equal(await sample.locator('tbody tr').count(), 100);
    assert.match(await sample.locator('tbody tr').first().innerText(), /1\s+u0\s+Oslo\s+1\s+100000\s+1\s+yes/);
    assert.equal(await page.locator('.sample-scroll thead th').first().evaluate((el) => getComputedStyle(el).position), 'sticky');

    await page.getByRole('button', { name: 'Save as HTML' }).click();
    await page.getByRole('button', { name: 'Change target…' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.method), ['saveHtml', 'changeTarget']);
    assert.deepEqual(await panel.savedState(), { path: '/ws/data/customers.csv', target: 'label', selectedColumn: 'label', measure: 'cramersV' });
    await page.screenshot({ path: 'test-output/webview/profile-dark.png', fullPage: true });
    assert.deepEqual(await securityViolations(panel), []);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a comparison flags the shifted column; a malformed file says where', async () => {
    const panel = await openPanel('profile', { respond: () => shiftedState, theme: 'light', viewport: { width: 1280, height: 900 } });
    const comparison = panel.page.getByTestId('comparison');
    await comparison.waitFor();
    assert.match(await comparison.locator('h2').innerText(), /Compared with data\/customers\.csv \(1 of 6 columns differ\)/);
    const income = comparison.locator('tbody tr', { hasText: 'income' });
    assert.equal(await income.getAttribute('data-status'), 'drifted');
    assert.match(await income.innerText(), /differs/);
    assert.match(await comparison.locator('tbody tr', { hasText: 'city' }).innerText(), /similar/);
    await panel.page.screenshot({ path: 'test-output/webview/profile-compare-light.png', fullPage: true });
    await panel.page.getByRole('button', { name: 'Clear comparison' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.method), ['clearComparison']);
    assert.deepEqual(await securityViolations(panel), []);
    await panel.page.close();

    const message = 'data/bad.csv line 4, column "b": a quoted field is never closed (missing ")';
    const failed: ProfilePanelState = { file: 'data/bad.csv', path: '/ws/data/bad.csv', target: null, phase: 'failed', profile: null, error: profileErrorView(message), comparison: null, comparisonError: null };
    const bad = await openPanel('profile', { respond: () => failed });
    const alert = bad.page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /Could not profile data\/bad\.csv\.[\s\S]*never closed[\s\S]*line 4, column b of data\/bad\.csv/);
    await bad.page.getByRole('button', { name: 'Open at line 4' }).click();
    const posted = (await bad.posted()).filter((m) => m.kind === 'notify');
    assert.deepEqual(posted.map((m) => [m.method, m.params]), [['openAt', { line: 4 }]]);
    assert.equal(await bad.page.getByRole('button', { name: 'Save as JSON' }).getAttribute('disabled'), '');
    await bad.page.close();
  });
});
