import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { driftHistory, openAlerts } from '../../../src/core/monitoring/driftHistory';
import { resolveMonitor, runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { retrainAttempts } from '../../../src/core/retraining/retrainAttempts';
import type * as MonitorsCommandsModule from '../../../src/vscode/monitors/monitorsCommands';
import type * as MonitorsTreeModule from '../../../src/vscode/monitors/monitorsTreeProvider';
import type { StoreAccess } from '../../../src/vscode/store/storeService';
import { engineClientAccess, startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

interface Fake {
  commands: Record<string, unknown>;
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
}
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

/*
 * Issue #17: a window that does not hold the store (state 'client', origin 'writer') runs a
 * monitor, shows its status and alerts, retrains from it and acknowledges its alerts exactly as
 * the holder would: everything lands in the holder's store, and no message sends the user to
 * another window.
 */
test('a client window runs a monitor, retrains on its alert and acknowledges it, all in the holder\'s store', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const access: StoreAccess = await engineClientAccess(fx);
  const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const infos: string[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<unknown>) => (handlers.set(id, handler), { dispose() {} });
  fake.window.showInformationMessage = async (message: string) => void infos.push(message);
  fake.window.showWarningMessage = async (message: string) => void warnings.push(message);
  fake.window.showErrorMessage = async (message: string) => void problems.push(message);
  fake.workspace.workspaceFolders = [{ uri: { fsPath: workspace, scheme: 'file', path: workspace }, name: 'ws', index: 0 }];
  fake.workspace.getConfiguration = () => ({ get: (key: string, fallback: unknown) => (key === 'training.backend' ? 'js' : fallback), inspect: () => undefined });
  try {
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    const [header, ...rows] = readFileSync(join(workspace, 'penguins.csv'), 'utf8').trimEnd().split('\n');
    // longer bills: one column drifts, which trips a monitor that alerts on a tenth of its columns
    writeFileSync(join(workspace, 'shifted.csv'), [header, ...rows.map((r) => r.split(',').map((c, i) => (i === 2 && c !== '' && c !== 'NA' ? String(Number(c) + 15) : c)).join(','))].join('\n') + '\n');
    writeFileSync(join(workspace, 'small.train.yaml'), 'experiment: penguins\ndataset: penguins.csv\ntarget: species\ntask: classification\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 3\nearly_stopping: false\n');
    const file = join(workspace, 'bills.monitor.yaml');
    writeFileSync(file, 'reference:\n  file: penguins.csv\ncurrent:\n  file: shifted.csv\ndrift_share: 0.1\nretrain:\n  spec: small.train.yaml\n  model: penguins\n  data: spec\n  promote: auto\n');

    const changeListeners = new Set<() => void>();
    const storeService = { access: async () => access, onDidChange: (listener: () => void) => (changeListeners.add(listener), { dispose: () => changeListeners.delete(listener) }) };
    const { MonitorsTreeProvider } = (await import('../../../src/vscode/monitors/monitorsTreeProvider')) as typeof MonitorsTreeModule;
    const tree = new MonitorsTreeProvider(storeService as never);
    const { registerMonitorsCommands } = (await import('../../../src/vscode/monitors/monitorsCommands')) as typeof MonitorsCommandsModule;
    registerMonitorsCommands({ storeService, tree, jobs: { start: () => ({ update() {}, end() {} }) }, extensionUri: { fsPath: REPO_ROOT }, log: { info() {}, warn: (m: string) => problems.push(m), error: (m: string) => problems.push(m), show() {} } } as never);

    const [before] = await tree.getChildren();
    assert.deepEqual({ name: before?.name, last: before?.last, alerts: before?.openAlerts }, { name: 'bills', last: undefined, alerts: 0 });

    await handlers.get('mlops.runMonitor')?.({ name: 'bills', file, openAlerts: 0 });
    assert.deepEqual(problems, []);
    assert.match(warnings.join('\n'), /Monitor bills: dataset drift — 1 of 7 columns drifted \(bill_length_mm\)/);
    assert.equal(driftHistory(fx.store, 'bills').length, 1, 'the report is in the holder\'s store');
    const [tripped] = await tree.getChildren();
    assert.equal(tripped?.last?.datasetDrift, true);
    assert.equal(tripped.openAlerts, 1);

    // "Retrain Now": the attempt runs in the holder; this window follows it to the decision.
    await handlers.get('mlops.retrainNow')?.(tripped);
    assert.deepEqual(problems, []);
    assert.doesNotMatch(warnings.join('\n'), /another window|from that window/);
    assert.match(infos.join('\n'), /MLOps: penguins: no version held @champion, so v1 takes it .*→ @champion moved to v1/);
    assert.equal(retrainAttempts(fx.store, 'bills')[0]?.status, 'promoted');
    assert.equal(modelRegistryFor(fx.store).findModel('penguins')?.aliases.champion, 1);
    const [retrained] = await tree.getChildren();
    assert.equal(retrained?.lastRetrain?.status, 'promoted');

    await handlers.get('mlops.acknowledgeMonitorAlerts')?.(retrained);
    assert.equal(openAlerts(fx.store, 'bills').length, 0);
    assert.equal((await tree.getChildren())[0]?.openAlerts, 0);

    // Another process runs the monitor: the holder's change reaches this window and the view follows.
    const rebuilt = new Promise<void>((resolve) => tree.onDidChangeTreeData(() => resolve()));
    await runMonitor(await resolveMonitor(workspace, 'bills'), { engine: access.engine });
    for (const listener of changeListeners) listener();
    await rebuilt;
    assert.equal((await tree.getChildren())[0]?.openAlerts, 1);
    tree.dispose();
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
