import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { driftHistory } from '../../../src/core/monitoring/driftHistory';
import { CachingTrackingStore } from '../../../src/core/remote/cachingTrackingStore';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import type * as MonitorSchedulerModule from '../../../src/vscode/monitors/monitorScheduler';
import type * as MonitorsCommandsModule from '../../../src/vscode/monitors/monitorsCommands';
import type { StoreAccess } from '../../../src/vscode/store/storeService';
import { startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

interface Fake {
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
}
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

const FIVE_MINUTES = 5 * 60_000;
const RENEW_MS = 1_000;

/** Timers a test fires by hand: "five minutes later" is a call, not a wait. */
function handTimers(): { every: MonitorSchedulerModule.Every; fire: (ms: number) => Promise<void> } {
  const ticks = new Set<{ ms: number; tick: () => Promise<void> }>();
  return {
    every: (ms, tick) => {
      const entry = { ms, tick };
      ticks.add(entry);
      return { dispose: () => void ticks.delete(entry) };
    },
    fire: async (ms) => void (await Promise.all([...ticks].filter((t) => t.ms === ms).map((t) => t.tick()))),
  };
}

/*
 * Issue #17: every window is a client of the workspace's one engine, and every window has a
 * monitor scheduler. Two windows on one folder must still give one report and one alert per due
 * monitor: the engine lends the schedule to one window, and another takes it over when it closes.
 */
test('two windows on one folder run a due monitor once; the other window takes over when the first closes; Run Monitor by hand works in both', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const { url, token } = fx.server;
  const warnings: string[] = [];
  const problems: string[] = [];
  fake.window.showWarningMessage = async (message: string) => void warnings.push(message);
  fake.window.showInformationMessage = async () => undefined;
  fake.window.showErrorMessage = async (message: string) => void problems.push(message);
  fake.workspace.workspaceFolders = [{ uri: { fsPath: workspace, scheme: 'file', path: workspace }, name: 'ws', index: 0 }];
  const windows: MonitorSchedulerModule.MonitorScheduler[] = [];
  try {
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    const [header, ...rows] = readFileSync(join(workspace, 'penguins.csv'), 'utf8').trimEnd().split('\n');
    // longer bills: one column drifts, which trips a monitor that alerts on a tenth of its columns
    writeFileSync(join(workspace, 'shifted.csv'), [header, ...rows.map((r) => r.split(',').map((c, i) => (i === 2 && c !== '' && c !== 'NA' ? String(Number(c) + 15) : c)).join(','))].join('\n') + '\n');
    const file = join(workspace, 'bills.monitor.yaml');
    writeFileSync(file, 'reference:\n  file: penguins.csv\ncurrent:\n  file: shifted.csv\ndrift_share: 0.1\nschedule:\n  every_minutes: 5\n');

    const { MonitorScheduler } = (await import('../../../src/vscode/monitors/monitorScheduler')) as typeof MonitorSchedulerModule;
    const { runMonitorFile } = (await import('../../../src/vscode/monitors/monitorsCommands')) as typeof MonitorsCommandsModule;
    const openWindow = (name: string): { scheduler: MonitorSchedulerModule.MonitorScheduler; timers: ReturnType<typeof handTimers>; deps: MonitorsCommandsModule.MonitorsCommandsDependencies } => {
      // each window is its own client of the holder's server, as two VS Code windows are
      const access: StoreAccess = { state: 'client', origin: 'engine', dir: fx.dir, url, token, tracking: new CachingTrackingStore(new MlflowRestClient({ url, token })), engine: httpEngine(url, token), message: `${name} works through ${url}` };
      const deps = {
        storeService: { access: async () => access, onDidChange: () => ({ dispose() {} }) },
        jobs: { start: () => ({ update() {}, end() {} }) },
        tree: { refresh() {} },
        extensionUri: { fsPath: REPO_ROOT },
        log: { info() {}, warn: (m: string) => problems.push(m), error: (m: string) => problems.push(m), show() {} },
      } as never as MonitorsCommandsModule.MonitorsCommandsDependencies;
      const timers = handTimers();
      const scheduler = new MonitorScheduler(deps, { clientId: name, leaseTtlMs: 600_000, renewEveryMs: RENEW_MS, every: timers.every });
      windows.push(scheduler);
      return { scheduler, timers, deps };
    };
    const driftAlerts = (): number => warnings.filter((w) => /Monitor bills: dataset drift/.test(w)).length;

    const a = openWindow('window A');
    await a.scheduler.reload();
    const b = openWindow('window B');
    await b.scheduler.reload();
    assert.deepEqual([a.scheduler.holdsSchedule, b.scheduler.holdsSchedule], [true, false]);

    // five minutes pass in both windows at once
    await Promise.all([a.timers.fire(FIVE_MINUTES), b.timers.fire(FIVE_MINUTES)]);
    assert.deepEqual(problems, []);
    assert.equal(driftHistory(fx.store, 'bills').length, 1, 'one report, not one per window');
    assert.equal(driftAlerts(), 1, 'one alert, not one per window');

    // "Run Monitor" by hand in the window that does not schedule
    await runMonitorFile(b.deps, file, { announceCalm: true });
    assert.equal(driftHistory(fx.store, 'bills').length, 2);
    assert.equal(driftAlerts(), 2);

    // A closes: B takes the schedule at its next renewal after A handed it on
    a.scheduler.dispose();
    while (!b.scheduler.holdsSchedule) await b.timers.fire(RENEW_MS);
    await Promise.all([a.timers.fire(FIVE_MINUTES), b.timers.fire(FIVE_MINUTES)]);
    assert.deepEqual(problems, []);
    assert.equal(driftHistory(fx.store, 'bills').length, 3, 'B runs the due monitor now, once');
    assert.equal(driftAlerts(), 3);
  } finally {
    for (const scheduler of windows) scheduler.dispose();
    await fx.server.close();
    await fx.close();
  }
});
