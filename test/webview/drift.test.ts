import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { DriftColumnView, DriftHistoryPoint, DriftPanelState, DriftReportView } from '../../src/protocol/drift/driftContract';
import { closeBrowser, openPanel, securityViolations } from './lib/panelPage';

const numeric = (column: string, score: number, drifted: boolean): DriftColumnView => ({
  column,
  kind: 'numeric',
  test: 'ks',
  statistic: 0.31,
  pValue: score,
  score,
  threshold: 0.05,
  scoreIsPValue: true,
  drifted,
  reason: 'KS: numeric, at most 1,000 reference rows',
  referenceCount: 300,
  currentCount: 280,
  referenceMissingShare: 0,
  currentMissingShare: 0.05,
  unseenCategories: [],
  histogram: { kind: 'numeric', edges: [30, 40, 50, 60], reference: [0.5, 0.3, 0.2], current: [0.1, 0.3, 0.6] },
});

const island: DriftColumnView = {
  column: 'island',
  kind: 'categorical',
  test: 'chisquare',
  statistic: 2.1,
  pValue: 0.35,
  score: 0.35,
  threshold: 0.05,
  scoreIsPValue: true,
  drifted: false,
  reason: 'chi-squared: more than 2 categories',
  referenceCount: 300,
  currentCount: 280,
  referenceMissingShare: 0,
  currentMissingShare: 0,
  unseenCategories: ['Atlantis', 'Lemuria', 'Mu', 'Thule'],
  histogram: { kind: 'categorical', labels: ['Biscoe', 'Dream', 'Torgersen', 'Atlantis'], reference: [0.5, 0.35, 0.15, 0], current: [0.45, 0.35, 0.1, 0.1] },
};

function report(id: number, drifted: boolean): DriftReportView {
  return {
    id,
    reference: { name: 'data/penguins.csv', rows: 300, digest: 'sha256:ab' },
    current: { name: 'data/penguins-2027.csv', rows: 280, digest: 'sha256:cd' },
    columns: [numeric('bill_length_mm', drifted ? 0.001 : 0.4, drifted), numeric('flipper_length_mm', drifted ? 0.02 : 0.6, drifted), island],
    prediction: null,
    driftedColumns: drifted ? 2 : 0,
    columnCount: 3,
    driftShare: drifted ? 2 / 3 : 0,
    driftShareThreshold: 0.5,
    datasetDrift: drifted,
    createdAt: Date.UTC(2026, 10, 27, 12, id),
  };
}

const point = (r: DriftReportView): DriftHistoryPoint => ({
  id: r.id ?? 0,
  createdAt: r.createdAt,
  datasetDrift: r.datasetDrift,
  driftShare: r.driftShare,
  driftedColumns: r.driftedColumns,
  columnCount: r.columnCount,
  columns: r.columns.map((c) => ({ column: c.column, test: c.test, score: c.score, drifted: c.drifted })),
});

describe('drift webview', () => {
  after(closeBrowser);

  test('a monitor shows the verdict, drifted columns first, distributions, and earlier reports on request', async () => {
    const reports = [report(1, false), report(2, false), report(3, true)];
    const state: DriftPanelState = { title: 'penguins-traffic', monitor: { name: 'penguins-traffic', file: '/ws/penguins.monitor.yaml', openAlerts: 1, driftShareThreshold: 0.5, history: reports.map(point), feedback: { endpoint: 'penguins-champion', count: 12, ratedCount: 10, meanRating: 4.2, labels: [['wrong species', 3]] } }, report: reports[2] ?? null };
    const requests: string[] = [];
    const panel = await openPanel('drift', {
      respond: (method, params) => {
        requests.push(method);
        if (method === 'getState') return state;
        if (method === 'getReport') return reports.find((r) => r.id === (params as { id: number }).id);
        throw new Error(`unexpected ${method}`);
      },
    });
    const page = panel.page;
    await page.getByRole('status').waitFor();
    assert.match(await page.getByRole('status').innerText(), /Dataset drift: 2 of 3 columns drifted \(66\.7% ≥ 50%\)/);
    assert.match(await page.getByTestId('endpoint-feedback').innerText(), /Feedback on penguins-champion's answers: 12 rated, mean rating 4\.20 \/ 5 · wrong species ×3/);
    const rows = page.locator('table.drift tbody tr');
    assert.deepEqual(await rows.locator('th').allInnerTexts(), ['bill_length_mm', 'flipper_length_mm', 'island']);
    assert.match(await rows.nth(0).innerText(), /ks\s+0\.001 p\s+0\.05\s+drifted\s+0% → 5%/);
    assert.match(await rows.nth(2).innerText(), /Atlantis, Lemuria, Mu \+1/);

    // the first column is selected; its distribution and score over time are drawn
    const detail = page.getByTestId('column-detail');
    assert.match(await detail.innerText(), /bill_length_mm[\s\S]*p-value 0\.001 < 0\.05: drifted/);
    await page.locator('.chart[data-chart="distribution"] canvas').waitFor();
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="distribution"]').getAttribute('data-series')) ?? '{}'), { bins: 3, reference: 3, current: 3 });
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="share"]').getAttribute('data-series')) ?? '{}'), { points: 3, drifted: 1 });
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="column"]').getAttribute('data-series')) ?? '{}'), { points: 3, drifted: 1 });

    // keyboard: down twice selects the categorical column
    await page.locator('table.drift tbody').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert.equal(await rows.nth(2).getAttribute('aria-selected'), 'true');
    assert.match(await detail.innerText(), /island[\s\S]*p-value 0\.35 ≥ 0\.05: no drift/);
    assert.deepEqual(JSON.parse((await page.locator('.chart[data-chart="distribution"]').getAttribute('data-series')) ?? '{}'), { bins: 4, reference: 4, current: 4 });

    // an earlier report, then back to the newest
    await page.getByLabel('Report').selectOption('1');
    await page.getByText('Showing an earlier run (report #1).').waitFor();
    assert.match(await page.getByRole('status').innerText(), /No dataset drift: 0 of 3 columns drifted/);
    assert.ok(requests.includes('getReport'));
    await page.getByRole('button', { name: 'Show newest' }).click();
    await page.getByRole('status').filter({ hasText: 'Dataset drift: 2 of 3' }).waitFor();

    await page.getByRole('button', { name: 'Acknowledge 1 alert' }).click();
    await page.getByRole('button', { name: 'Run Monitor' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.method), ['acknowledgeAlerts', 'runMonitor']);
    assert.deepEqual(await panel.savedState(), { monitor: 'penguins-traffic', file: '/ws/penguins.monitor.yaml', selectedColumn: 'island' });
    assert.deepEqual(await securityViolations(panel), []);
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('a monitor that never ran offers to run it; a one-off check has no monitor actions', async () => {
    const empty: DriftPanelState = { title: 'new-monitor', monitor: { name: 'new-monitor', file: '/ws/new.monitor.yaml', openAlerts: 0, driftShareThreshold: null, history: [], feedback: null }, report: null };
    const panel = await openPanel('drift', { respond: () => empty, theme: 'light' });
    await panel.page.getByRole('heading', { name: 'No reports yet' }).waitFor();
    await panel.page.getByRole('button', { name: 'Run Monitor now' }).click();
    assert.deepEqual((await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.method), ['runMonitor']);
    await panel.page.close();

    const check: DriftPanelState = { title: 'a.csv → b.csv', monitor: null, report: { ...report(1, true), id: null } };
    const one = await openPanel('drift', { respond: () => check });
    await one.page.getByRole('status').waitFor();
    assert.equal(await one.page.getByRole('button', { name: 'Run Monitor' }).count(), 0);
    assert.equal(await one.page.locator('.chart[data-chart="share"]').count(), 0, 'no history for a one-off check');
    assert.equal(await one.page.locator('.chart[data-chart="distribution"]').count(), 1);
    await one.page.close();
  });
});
