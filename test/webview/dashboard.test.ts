import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { DashboardOverview } from '../../src/protocol/dashboard/dashboardContract';
import { closeBrowser, openPanel, securityViolations, type PostedMessage } from './lib/panelPage';

const NOW = Date.now();

function overview(patch: Partial<DashboardOverview> = {}): DashboardOverview {
  return {
    storeDir: '/home/ana/churn/.mlops',
    storeState: 'open',
    counts: { experiments: 2, runs: 3, activeRuns: 1, metricPoints: 1_250_000 },
    recentRuns: [
      { runId: 'a1b2c3d4e5', runName: 'mlp-wide', experimentName: 'churn', status: 'RUNNING', startTime: NOW - 5 * 60_000 },
      { runId: 'f6e5d4c3b2', runName: 'logreg-baseline', experimentName: 'churn', status: 'FINISHED', startTime: NOW - 2 * 3600_000, endTime: NOW - 2 * 3600_000 + 83_000 },
      { runId: '0099887766', runName: '', experimentName: 'housing', status: 'FAILED', startTime: NOW - 26 * 3600_000, endTime: NOW - 26 * 3600_000 + 4_200 },
    ],
    workspaceName: 'churn',
    trusted: true,
    version: '0.1.0',
    readAt: NOW,
    ...patch,
  };
}

function requests(posted: PostedMessage[], method: string): PostedMessage[] {
  return posted.filter((m) => m.kind === 'request' && m.method === method);
}

describe('dashboard webview', () => {
  after(closeBrowser);

  test('an empty workspace explains how to log a first run and hides actions that cannot work', async () => {
    const panel = await openPanel('dashboard', {
      respond: () => overview({ storeState: 'absent', counts: { experiments: 0, runs: 0, activeRuns: 0, metricPoints: 0 }, recentRuns: [], message: 'The store folder is created when the first run is logged.' }),
    });
    const page = panel.page;
    await page.getByText('Nothing tracked yet').waitFor();
    assert.equal(await page.getByText('Loading').count(), 0, 'the loading placeholder is gone once content is shown');
    assert.equal(await page.getByTestId('store-dir').textContent(), '/home/ana/churn/.mlops');
    assert.match((await page.getByTestId('store-state').textContent()) ?? '', /Not created yet/);
    assert.match((await page.getByTestId('store-message').textContent()) ?? '', /created when the first run is logged/);
    assert.equal(await page.locator('vscode-button', { hasText: 'Reveal folder' }).count(), 0, 'no Reveal button for a folder that does not exist');
    assert.match((await page.locator('.snippet').textContent()) ?? '', /mlops log start --experiment demo/);
    await page.locator('vscode-button', { hasText: 'Train a model' }).click();
    const actions = (await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.params);
    assert.deepEqual(actions, [{ action: 'trainModel' }], 'the empty state leads straight to training');
    assert.deepEqual(await securityViolations(panel), [], 'the bundle runs under the panel CSP');
    assert.deepEqual(panel.problems, []);
    await page.close();
  });

  test('counts and recent runs show what the store holds, newest first, with status and duration', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview() });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    assert.match((await page.getByTestId('count-experiments').textContent()) ?? '', /2\s*Experiments/);
    assert.match((await page.getByTestId('count-running-now').textContent()) ?? '', /1\s*Running now/);
    assert.match((await page.getByTestId('count-metric-points').textContent()) ?? '', /1\.3M|1,250,000/);
    const rows = await page.locator('[data-testid=recent-runs] tbody tr').allTextContents();
    assert.equal(rows.length, 3);
    assert.match(rows[0]!, /mlp-wide.*churn.*running.*5 minutes ago/s);
    assert.match(rows[1]!, /logreg-baseline.*finished.*2 hours ago.*1 min 23 s/s);
    // A run without a name is shown by the start of its id rather than as a blank cell.
    assert.match(rows[2]!, /00998877.*housing.*failed.*4\.2 s/s);
    assert.match((await page.getByTestId('store-state').textContent()) ?? '', /Open in this window/);
    await page.close();
  });

  test('a host failure is shown in the panel and "Try again" recovers', async () => {
    let calls = 0;
    const panel = await openPanel('dashboard', {
      respond: () => {
        calls++;
        if (calls === 1) throw new Error('The journal /w/.mlops/journal.bin is corrupt at byte 4096.');
        return overview();
      },
    });
    const page = panel.page;
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match((await alert.textContent()) ?? '', /could not be loaded.*corrupt at byte 4096/s);
    await alert.locator('vscode-button', { hasText: 'Try again' }).click();
    await page.getByTestId('recent-runs').waitFor();
    assert.equal(await page.getByRole('alert').count(), 0, 'the error banner goes away after a successful retry');
    assert.equal(requests(await panel.posted(), 'getOverview').length, 2);
    await page.close();
  });

  test('buttons ask the host to run the matching action', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview() });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    await page.locator('vscode-button', { hasText: 'Settings' }).click();
    await page.locator('vscode-button', { hasText: 'Reveal folder' }).click();
    const actions = (await panel.posted()).filter((m) => m.kind === 'notify' && m.method === 'runAction').map((m) => m.params);
    assert.deepEqual(actions, [{ action: 'openSettings' }, { action: 'revealStore' }]);
    await page.close();
  });

  test('keyboard users reach every button with Tab and press it with Enter', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview() });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    const focusedText = (): Promise<string | undefined> => page.evaluate(() => document.activeElement?.textContent?.trim());
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(), 'Refresh');
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(), 'Reveal folder');
    await page.keyboard.press('Tab');
    assert.equal(await focusedText(), 'Settings');
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ kind: string }> }).__posted.some((m) => m.kind === 'notify'));
    const actions = (await panel.posted()).filter((m) => m.kind === 'notify').map((m) => m.params);
    assert.deepEqual(actions, [{ action: 'openSettings' }]);
    await page.close();
  });

  test('a pushed overview updates the panel live and is saved for restore', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview() });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    await panel.notify('overviewChanged', overview({ counts: { experiments: 5, runs: 42, activeRuns: 0, metricPoints: 10 } }));
    await page.getByTestId('count-runs').getByText('42').waitFor();
    const saved = (await panel.savedState()) as { overview?: DashboardOverview };
    assert.equal(saved.overview?.counts?.runs, 42);
    await page.close();
  });

  test('a restored panel paints its saved overview before the host answers', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const panel = await openPanel('dashboard', {
      initialState: { overview: overview({ workspaceName: 'restored-ws' }) },
      respond: async () => {
        await gate;
        return overview();
      },
    });
    const page = panel.page;
    await page.getByText('restored-ws').waitFor();
    assert.equal(await page.locator('#app').getAttribute('aria-busy'), 'true', 'still marked busy while the host is asked');
    release();
    await page.getByText('Workspace churn').waitFor();
    await page.close();
  });

  test('a window that works through another writer says so, and offers no folder to reveal', async () => {
    const panel = await openPanel('dashboard', {
      respond: () => overview({ storeState: 'client', storeDir: 'http://127.0.0.1:5123', message: 'Another window or process writes to this store; this window works through its server at http://127.0.0.1:5123.' }),
    });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    assert.match((await page.getByTestId('store-state').textContent()) ?? '', /Through a server/);
    assert.match((await page.getByTestId('store-message').textContent()) ?? '', /works through its server/);
    assert.equal(await page.locator('vscode-button', { hasText: 'Reveal folder' }).count(), 0);
    await page.close();
  });

  test('an untrusted workspace says that nothing will run', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview({ trusted: false }) });
    await panel.page.getByText('Restricted mode.').waitFor();
    await panel.page.close();
  });
});
