import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { loadTrainSpec } from '../../../src/core/training/trainSpecParser';
import type * as FindBestModelModule from '../../../src/vscode/training/findBestModelCommand';

interface Fake {
  commands: Record<string, unknown>;
  window: Record<string, unknown>;
  workspace: Record<string, unknown>;
  Uri: Record<string, unknown>;
}
const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: Fake };

const dir = mkdtempSync(join(tmpdir(), 'mlops-find-best-vscode-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/**
 * "MLOps: Find Best Model…" in VS Code (issue #19): after the search it writes the winner as
 * <data>.best.train.yaml next to the data and opens it.
 */
test('Find Best Model writes the winner next to the data and opens it', async () => {
  mkdirSync(join(dir, 'data'));
  copyFileSync(join(__dirname, '..', '..', '..', 'examples', 'data', 'penguins.csv'), join(dir, 'data', 'penguins.csv'));
  const specPath = join(dir, 'penguins.train.yaml');
  writeFileSync(specPath, '# my notes on this spec\nexperiment: penguins\ndataset: data/penguins.csv\ntarget: species\ntask: classification\nepochs: 3\n');

  const handlers = new Map<string, (...args: unknown[]) => Promise<void>>();
  const opened: string[] = [];
  fake.commands.registerCommand = (id: string, handler: (...args: unknown[]) => Promise<void>) => (handlers.set(id, handler), { dispose() {} });
  fake.window.showQuickPick = async (items: { label: string }[]) => items.find((i) => i.label === '1 minute');
  const asked: string[] = [];
  // a generous latency budget: every candidate is within it, and the outcome says so
  fake.window.showInputBox = async (options: { title: string }) => (asked.push(options.title), '1000');
  fake.window.showTextDocument = async (uri: { fsPath: string }) => void opened.push(uri.fsPath);
  fake.workspace.getConfiguration = () => ({ get: (key: string, fallback: unknown) => (key === 'training.backend' ? 'js' : fallback), inspect: () => undefined });
  (fake as unknown as Record<string, unknown>).ProgressLocation = { Notification: 15 };
  fake.Uri.from = (parts: { scheme: string; path: string }) => ({ ...parts, fsPath: parts.path });

  const store = await openWorkspaceStore({ dir: join(dir, '.mlops'), writerName: 'find best model test' });
  try {
    const { registerFindBestModelCommand } = (await import('../../../src/vscode/training/findBestModelCommand')) as typeof FindBestModelModule;
    const errors: string[] = [];
    const infos: string[] = [];
    registerFindBestModelCommand({
      storeService: { access: async () => ({ state: 'client', origin: 'engine', dir: store.dir, url: 'http://127.0.0.1:1', token: null, tracking: store.tracking, engine: inProcessEngine(store), message: '' }) },
      jobs: { start: () => ({ update() {}, end() {} }) },
      log: { info: (m: string) => infos.push(m), warn() {}, error: (m: string) => errors.push(m), show() {} },
    } as never);
    await handlers.get('mlops.findBestModel')?.({ fsPath: specPath });
    assert.deepEqual(errors, []);
    assert.deepEqual(asked, ['MLOps: Find Best Model — latency budget'], 'no price set: only the latency budget is asked');
    assert.match(infos.join('\n'), /Latency budget p99 ≤ 1000 ms: every trained candidate is within it\./);
    const best = join(dir, 'data', 'penguins.best.train.yaml');
    assert.deepEqual(opened, [best], 'the winner spec is opened');
    const text = readFileSync(best, 'utf8');
    assert.match(text, /^# Best model found by "MLOps: Find Best Model…" on /);
    assert.match(text, /^# Search space: logistic regression, boosted trees, random forest, MLP 16, MLP 64, MLP 64-32, MLP 128-64 dropout 0\.2/m);
    assert.doesNotMatch(text, /my notes on this spec/, 'the base spec\'s own header is not the winner\'s');
    const parsed = await loadTrainSpec(best);
    assert.equal(parsed.spec.dataset, join(dir, 'data', 'penguins.csv'), 'the dataset path is rewritten for the new folder');
    assert.equal(parsed.spec.experiment, 'penguins');
    assert.ok(existsSync(specPath) && readFileSync(specPath, 'utf8').startsWith('# my notes'), 'the searched spec is untouched');
  } finally {
    await store.close();
  }
});
