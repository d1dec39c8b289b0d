import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { lineageFor, modelRegistryFor } from '../../../src/core/registry/registryAccess';
import type { StoreAccess } from '../../../src/vscode/store/storeService';
import type * as RerunModule from '../../../src/vscode/training/rerunCommand';
import type * as RunScriptModule from '../../../src/vscode/scripts/runScriptCommand';
import type * as ServerModule from '../../../src/vscode/server/trackingServerService';
import type * as TrainModule from '../../../src/vscode/training/trainModelCommand';
import { engineClientAccess, startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

interface Fake {
  commands: Record<string, unknown>;
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
}
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

/*
 * Issue #17: a window that does not hold the store (state 'client', origin 'writer': another
 * window or the engine holds it) trains, registers, re-runs and runs scripts exactly as the holder
 * would — everything lands in the holder's store, and no message sends the user to another window.
 */
test('a client window trains a spec with register:, re-runs it and runs a script, all into the holder\'s store', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const url = fx.server.url;
  const access: StoreAccess = await engineClientAccess(fx);
  const handlers = new Map<string, (...args: unknown[]) => Promise<unknown>>();
  const infos: string[] = [];
  const problems: string[] = [];
  fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<unknown>) => (handlers.set(id, handler), { dispose() {} });
  fake.window.showInformationMessage = async (message: string) => void infos.push(message);
  fake.window.showWarningMessage = async (message: string) => void problems.push(message);
  fake.window.showErrorMessage = async (message: string) => void problems.push(message);
  fake.workspace.workspaceFolders = [{ uri: { fsPath: workspace, scheme: 'file', path: workspace }, name: 'ws', index: 0 }];
  fake.workspace.getConfiguration = () => ({ get: (key: string, fallback: unknown) => (key === 'training.backend' ? 'js' : fallback), inspect: () => undefined });
  (fake as unknown as Record<string, unknown>).ProgressLocation = { Notification: 15 };
  const deps = {
    storeService: { access: async () => access },
    jobs: { start: () => ({ update() {}, end() {}, trackRun() {} }) },
    log: { info() {}, warn() {}, error: (m: string) => problems.push(m), show() {} },
  };
  try {
    const spec = join(workspace, 'penguins.train.yaml');
    writeFileSync(
      spec,
      readFileSync(join(REPO_ROOT, 'examples', 'penguins.train.yaml'), 'utf8')
        .replace(/^dataset: .*$/m, `dataset: ${join(REPO_ROOT, 'examples', 'data', 'penguins.csv')}`)
        .replace(/^epochs: \d+$/m, 'epochs: 3') + '\nregister:\n  model: penguins\n  alias: champion\n',
    );
    const { registerTrainingCommands } = (await import('../../../src/vscode/training/trainModelCommand')) as typeof TrainModule;
    registerTrainingCommands(deps as never);
    const trained = (await handlers.get('mlops.trainModel')?.({ fsPath: spec, scheme: 'file', path: spec, toString: () => `file://${spec}` })) as { runId: string } | undefined;
    assert.deepEqual(problems, []);
    assert.ok(trained, 'the training finished');
    assert.match(infos.join('\n'), /trained penguins .* Registered models:\/penguins\/1 as @champion\./);
    assert.equal(modelRegistryFor(fx.store).getVersion('penguins', 1).runId, trained.runId, 'the version is in the holder\'s registry');
    assert.equal((await fx.store.tracking.getRun(trained.runId)).info.status, 'FINISHED');

    const { registerRerunCommand } = (await import('../../../src/vscode/training/rerunCommand')) as typeof RerunModule;
    registerRerunCommand(deps as never);
    infos.length = 0;
    await handlers.get('mlops.rerunRun')?.(trained.runId);
    assert.deepEqual(problems, []);
    assert.match(infos.join('\n'), /re-run of .* reproduced its metrics \(\d+ equal\)/);
    const reproduced = lineageFor(fx.store).children({ kind: 'run', id: trained.runId }).filter((s) => s.relation === 'reproduced');
    assert.equal(reproduced.length, 1, 'the holder links the original to the re-run');

    // a script's mlflow calls go to the holder's server (MLFLOW_TRACKING_URI names it)
    const output: string[] = [];
    fake.window.createTerminal = (options: { pty: { onDidWrite: (l: (text: string) => void) => void; open: () => void } }) => {
      options.pty.onDidWrite((text) => output.push(text));
      options.pty.open();
      return { show() {}, dispose() {} };
    };
    fake.window.showInputBox = async () => `node -e "console.log('uri=' + process.env.MLFLOW_TRACKING_URI)"`;
    fake.window.showQuickPick = async (items: { label: string }[]) => items.find((i) => i.label === 'Default');
    const { registerRunScriptCommand } = (await import('../../../src/vscode/scripts/runScriptCommand')) as typeof RunScriptModule;
    const { TrackingServerService } = (await import('../../../src/vscode/server/trackingServerService')) as typeof ServerModule;
    const state = new Map<string, unknown>();
    registerRunScriptCommand({
      ...deps,
      server: new TrackingServerService(deps.storeService as never),
      workspaceState: { get: (key: string, fallback: unknown) => state.get(key) ?? fallback, update: async (key: string, value: unknown) => void state.set(key, value) },
    } as never);
    infos.length = 0;
    await handlers.get('mlops.runScript')?.();
    assert.deepEqual(problems, []);
    assert.match(output.join(''), new RegExp(`uri=${url.replace(/[.:/]/g, '\\$&')}`));
    const runId = /run ([0-9a-f]{8})/.exec(infos.join('\n'))?.[1];
    assert.ok(runId, infos.join('\n'));
    const { runs } = await fx.store.tracking.searchRuns({ experimentIds: ['0'] });
    assert.ok(runs.some((r) => r.info.runId.startsWith(runId) && r.info.status === 'FINISHED'), 'the script\'s run is FINISHED in the holder\'s store');
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
