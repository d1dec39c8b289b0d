import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import packageJson from '../../../package.json';

const { fake } = require('../../support/loadWithFakeVscode.cjs') as { fake: { __registered: { commands: string[]; trees: string[]; serializers: string[]; customEditors: string[] } } };

describe('activation', () => {
  test('registers every contributed command and view, and loads no heavy module', async () => {
    const before = new Set(Object.keys(require.cache));
    const extension = (await import('../../../src/vscode/extension')) as { activate(context: unknown): void };
    extension.activate({ subscriptions: [], extensionUri: { fsPath: '/ext', path: '/ext', scheme: 'file' } });
    const loaded = Object.keys(require.cache).filter((m) => !before.has(m));
    // Small pure helpers the views need to label studies and searches (no store, no trainer, no schema) may load.
    const light = /[\\/]core[\\/]training[\\/](studyFront|paretoFront|modelSearchOutcome|trainingLength)\.ts$/;
    const heavy = loaded.filter((m) => /sql\.js|sql-wasm|@tensorflow|echarts|ajv|papaparse|hyparquet|[\\/]core[\\/](store|training|data)[\\/]/.test(m) && !light.test(m));
    assert.deepEqual(heavy, [], 'sql.js, TensorFlow.js, charts and the store load on first use, not at activation');

    const contributed = packageJson.contributes.commands.map((c) => c.command).sort();
    assert.deepEqual([...fake.__registered.commands].sort(), contributed, 'every command in package.json has a handler');
    const views = packageJson.contributes.views.mlops.map((v) => v.id).sort();
    assert.deepEqual([...fake.__registered.trees].sort(), views);
    const restorable = packageJson.activationEvents.filter((e) => e.startsWith('onWebviewPanel:')).map((e) => e.slice('onWebviewPanel:'.length));
    assert.ok(restorable.includes('mlops.dashboard'));
    assert.deepEqual([...fake.__registered.serializers].sort(), restorable.sort(), 'every panel that VS Code may restore after a reload has a serializer');
    const editors = packageJson.contributes.customEditors.map((e) => e.viewType).sort();
    assert.deepEqual([...fake.__registered.customEditors].sort(), editors, 'every contributed custom editor ("Open With…") has a provider');
  });
});
