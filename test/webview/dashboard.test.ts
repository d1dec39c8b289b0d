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
      { runId: '5544332211', runName: 'sweep-trial-4', experimentName: 'churn', status: 'KILLED', pruned: true, startTime: NOW - 27 * 3600_000, endTime: NOW - 27 * 3600_000 + 900 },
    ],
    models: [],
    modelCount: 0,
    pendingReviews: [],
    endpoints: [],
    alerts: [],
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
    assert.equal(rows.length, 4);
    assert.match(rows[0]!, /mlp-wide.*churn.*running.*5 minutes ago/s);
    assert.match(rows[1]!, /logreg-baseline.*finished.*2 hours ago.*1 min 23 s/s);
    // A run without a name is shown by the start of its id rather than as a blank cell.
    assert.match(rows[2]!, /00998877.*housing.*failed.*4\.2 s/s);
    assert.match(rows[3]!, /sweep-trial-4.*churn.*pruned/s, 'a trial the pruner stopped says pruned, not killed');
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
    const order: string[] = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      order.push((await focusedText()) ?? '');
    }
    // the day's work first (runs, then models and endpoints), the store's housekeeping last
    assert.deepEqual(order.slice(0, 5), ['Refresh', 'Compare runs', 'mlp-wide', 'logreg-baseline', '00998877']);
    assert.ok(order.indexOf('Settings') > order.indexOf('00998877'), `store buttons come after the runs: ${order.join(' | ')}`);
    // Enter on a run opens it
    await page.getByRole('button', { name: 'Open run mlp-wide' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => (window as unknown as { __posted: Array<{ kind: string }> }).__posted.some((m) => m.kind === 'notify'));
    const notes = (await panel.posted()).filter((m) => m.kind === 'notify').map((m) => [m.method, m.params]);
    assert.deepEqual(notes, [['open', { target: { kind: 'run', runId: 'a1b2c3d4e5' } }]]);
    await page.close();
  });

  test('the start of the day: drift alerts and reviews waiting first, then runs beside models and endpoints; each opens what it names', async () => {
    const panel = await openPanel('dashboard', {
      respond: () =>
        overview({
          models: [
            { name: 'churn', versionCount: 3, latestVersion: 3, aliases: [{ alias: 'champion', version: 2 }, { alias: 'challenger', version: 3 }] },
            { name: 'housing', versionCount: 1, latestVersion: 1, aliases: [] },
          ],
          modelCount: 9,
          pendingReviews: [{ reviewId: 4, name: 'churn', alias: 'champion', version: 3, previousVersion: 2, requestedBy: 'ana', requestedAt: NOW - 3600_000 }],
          endpoints: [{ name: 'churn-champion', uri: 'models:/churn@champion', version: 2, status: 'running', url: 'http://127.0.0.1:5001', requests: 1200, errors: 0, p50Ms: 2.4 }],
          alerts: [{ monitor: 'churn-traffic', message: '3 of 12 columns drifted', createdAt: NOW - 600_000 }],
        }),
    });
    const page = panel.page;
    const attention = page.getByTestId('attention');
    await attention.waitFor();
    assert.match((await attention.getByTestId('alert').textContent()) ?? '', /Drift: churn-traffic\s*3 of 12 columns drifted · 10 minutes ago/);
    assert.match((await attention.getByTestId('review').textContent()) ?? '', /Review: churn@champion\s*v2 → v3\s*· requested by ana 1 hour ago/);
    assert.match((await page.getByTestId('count-models').textContent()) ?? '', /9\s*Models/);
    assert.match((await page.getByTestId('count-endpoints').textContent()) ?? '', /1\s*Endpoints/);
    const models = (await page.getByTestId('models').locator('li').allTextContents()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.deepEqual(models, ['churn @champion v2 · @challenger v3 · 3 versions', 'housing no alias · 1 version']);
    assert.match((await page.getByTestId('models').textContent()) ?? '', /and 7 more in the Models view/);
    assert.match((await page.getByTestId('endpoints').textContent()) ?? '', /churn-champion\s*v2 · running · 1,200 req · p50 2\.4 ms/);

    await attention.getByTestId('alert').locator('vscode-button').click();
    await attention.getByTestId('review').locator('vscode-button').click();
    await page.getByRole('button', { name: 'Open the model card of churn v2' }).click();
    await page.getByRole('button', { name: 'Open the model card of housing v1' }).click();
    await page.getByTestId('endpoints').getByRole('button').first().click();
    await page.locator('[data-testid=recent-runs] tbody tr').nth(1).click();
    const opened = (await panel.posted()).filter((m) => m.kind === 'notify' && m.method === 'open').map((m) => (m.params as { target: unknown }).target);
    assert.deepEqual(opened, [
      { kind: 'monitor', name: 'churn-traffic' },
      { kind: 'review', reviewId: 4, name: 'churn', version: 3, previousVersion: 2 },
      { kind: 'modelVersion', name: 'churn', version: 2 },
      { kind: 'modelVersion', name: 'housing', version: 1 },
      { kind: 'endpoints' },
      { kind: 'run', runId: 'f6e5d4c3b2' },
    ]);
    await page.screenshot({ path: 'test-output/webview/dashboard-day.png', fullPage: true });
    await page.close();
  });

  test('with nothing registered or served, the side column says what to do next', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview() });
    const page = panel.page;
    await page.getByTestId('models').waitFor();
    assert.equal(await page.getByTestId('attention').count(), 0, 'no attention card when nothing waits');
    await page.getByTestId('models').locator('vscode-button', { hasText: 'Register model' }).click();
    await page.getByTestId('endpoints').locator('vscode-button', { hasText: 'Serve model' }).click();
    const actions = (await panel.posted()).filter((m) => m.kind === 'notify' && m.method === 'runAction').map((m) => m.params);
    assert.deepEqual(actions, [{ action: 'registerModel' }, { action: 'serveModel' }]);
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

  test('a store held by the MLOps engine names it, with the folder to reveal', async () => {
    const panel = await openPanel('dashboard', {
      respond: () => overview({ storeState: 'engine', storeDir: '/work/churn/.mlops', message: 'The MLOps engine (pid 4242) holds /work/churn/.mlops and answers at http://127.0.0.1:5123.' }),
    });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    assert.match((await page.getByTestId('store-state').textContent()) ?? '', /Held by the MLOps engine/);
    assert.equal(await page.getByTestId('store-dir').textContent(), '/work/churn/.mlops');
    assert.match((await page.getByTestId('store-message').textContent()) ?? '', /engine \(pid 4242\)/);
    assert.equal(await page.locator('vscode-button', { hasText: 'Reveal folder' }).count(), 1);
    await page.close();
  });

  test('a window on a team MLflow server says so, and offers no folder to reveal', async () => {
    const panel = await openPanel('dashboard', {
      respond: () => overview({ storeState: 'client', storeDir: 'http://127.0.0.1:5123', message: 'Tracking on the MLflow server http://127.0.0.1:5123 (mlops.tracking.uri).' }),
    });
    const page = panel.page;
    await page.getByTestId('recent-runs').waitFor();
    assert.match((await page.getByTestId('store-state').textContent()) ?? '', /Through a server/);
    assert.match((await page.getByTestId('store-message').textContent()) ?? '', /MLflow server/);
    assert.equal(await page.locator('vscode-button', { hasText: 'Reveal folder' }).count(), 0);
    await page.close();
  });

  test('an untrusted workspace says that nothing will run', async () => {
    const panel = await openPanel('dashboard', { respond: () => overview({ trusted: false }) });
    await panel.page.getByText('Restricted mode.').waitFor();
    await panel.page.close();
  });
});
