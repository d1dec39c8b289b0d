import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { resolveMonitor, runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { CachingTrackingStore } from '../../../src/core/remote/cachingTrackingStore';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import type { DriftPanelState, DriftReportView } from '../../../src/protocol/drift/driftContract';
import type * as DriftPanelModule from '../../../src/vscode/drift/driftPanel';
import type { StoreAccess } from '../../../src/vscode/store/storeService';
import { startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

require('../../support/loadWithFakeVscode.cjs');

function csv(path: string, shift: number): void {
  const lines = ['x,colour'];
  for (let i = 0; i < 300; i++) lines.push(`${(i % 50) + shift},${shift ? 'blue' : ['red', 'blue', 'green'][i % 3]}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

type Posted = { kind: string; id?: number; ok?: boolean; method?: string; result?: unknown; error?: { message: string } };

/** A webview panel as the host sees it: what the view sends goes to `send`, what the host posts is collected. */
function fakePanel(): { panel: unknown; posted: Posted[]; send: (message: unknown) => void; waitFor: (match: (p: Posted) => boolean) => Promise<Posted> } {
  const posted: Posted[] = [];
  let receive: (message: unknown) => void = () => undefined;
  const waiters: { match: (p: Posted) => boolean; resolve: (p: Posted) => void }[] = [];
  const panel = {
    title: 'Drift: shop',
    webview: {
      options: {},
      html: '',
      cspSource: 'fake-csp',
      asWebviewUri: (uri: { path: string }) => ({ toString: () => `fake:${uri.path}` }),
      onDidReceiveMessage: (listener: (message: unknown) => void) => ((receive = listener), { dispose() {} }),
      postMessage: async (message: Posted) => {
        posted.push(message);
        for (const w of waiters.splice(0)) {
          if (w.match(message)) w.resolve(message);
          else waiters.push(w);
        }
        return true;
      },
    },
    onDidDispose: () => ({ dispose() {} }),
    reveal() {},
    dispose() {},
  };
  return {
    panel,
    posted,
    send: (message) => receive(message),
    waitFor: (match) => {
      const seen = posted.find(match);
      return seen ? Promise.resolve(seen) : new Promise((resolve) => waiters.push({ match, resolve }));
    },
  };
}

/*
 * Issue #17: the drift panel of a window that is a client of the store's holder shows the
 * monitor's history and newest report from the holder, and reloads when a report is written
 * elsewhere (the CLI, another window) — no "open the drift panel in that window".
 */
test('a client window\'s drift panel shows the holder\'s history and reloads when another process runs the monitor', { timeout: 120_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const { url, token } = fx.server;
  const engine = httpEngine(url, token);
  const access: StoreAccess = { state: 'client', origin: 'engine', dir: fx.dir, url, token, tracking: new CachingTrackingStore(new MlflowRestClient({ url, token })), engine, message: 'client' };
  const changeListeners = new Set<() => void>();
  const storeService = { access: async () => access, onDidChange: (listener: () => void) => (changeListeners.add(listener), { dispose: () => changeListeners.delete(listener) }) };
  const file = join(workspace, 'shop.monitor.yaml');
  try {
    csv(join(workspace, 'ref.csv'), 0);
    csv(join(workspace, 'moved.csv'), 30);
    writeFileSync(file, 'reference:\n  file: ref.csv\ncurrent:\n  file: moved.csv\n');
    await runMonitor(await resolveMonitor(workspace, 'shop'), { engine });

    const { DriftPanel } = (await import('../../../src/vscode/drift/driftPanel')) as typeof DriftPanelModule;
    const view = fakePanel();
    DriftPanel.revive(view.panel as never, { monitor: 'shop', file }, { extensionUri: { fsPath: REPO_ROOT, path: REPO_ROOT } as never, storeService: storeService as never, log: { info() {}, warn() {}, error() {} } as never });

    view.send({ kind: 'request', id: 1, method: 'getState', params: {} });
    const state = (await view.waitFor((p) => p.id === 1)).result as DriftPanelState;
    assert.equal(state.monitor?.openAlerts, 1);
    assert.deepEqual(state.monitor.history.map((h) => [h.id, h.datasetDrift]), [[1, true]]);
    assert.equal(state.report?.id, 1);
    assert.deepEqual(state.report.columns.map((c) => c.column).sort(), ['colour', 'x']);

    // Another process runs the monitor: the holder's change reaches this window, the panel reloads.
    await runMonitor(await resolveMonitor(workspace, 'shop'), { engine });
    for (const listener of changeListeners) listener();
    await view.waitFor((p) => p.kind === 'notify' && p.method === 'changed');
    view.send({ kind: 'request', id: 2, method: 'getState', params: {} });
    const after = (await view.waitFor((p) => p.id === 2)).result as DriftPanelState;
    assert.deepEqual(after.monitor?.history.map((h) => h.id), [1, 2]);
    assert.equal(after.monitor.openAlerts, 2);

    view.send({ kind: 'request', id: 3, method: 'getReport', params: { id: 1 } });
    assert.equal(((await view.waitFor((p) => p.id === 3)).result as DriftReportView).id, 1);
    view.send({ kind: 'request', id: 4, method: 'getReport', params: { id: 99 } });
    assert.match((await view.waitFor((p) => p.id === 4)).error?.message ?? '', /Report #99 is not a report of monitor shop/);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
