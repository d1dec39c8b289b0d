import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { LineageStore } from '../../../src/core/lineage/lineageStore';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { lineageValidators } from '../../../src/protocol/lineage/lineageValidators';
import { validateViewMessage } from '../../../src/protocol/rpcValidation';
import { lineageArgument, lineageEngine, lineageRootChoices, lineageUnavailable, rootChoiceSources, rootOfPanelState } from '../../../src/vscode/lineage/lineageRootChoices';
import { modelVersionOf, workspaceFile } from '../../../src/vscode/lineage/lineageTargets';
import type { StoreAccess } from '../../../src/vscode/store/storeService';
import { openRegistryFixture, trainedRun } from '../registry/registryTestSupport';
import { tempStoreDir } from '../store/testSupport';

test('the Show Lineage picker offers aliases first, then versions, recent runs and endpoints, from a store another process holds', async () => {
  const f = await openRegistryFixture();
  const server = await startTrackingServer({ store: f.store });
  try {
    const first = await trainedRun(f.store, { name: 'calm-fox' });
    const second = await trainedRun(f.store, { name: 'bright-owl' });
    await f.registry.registerVersion(first, 'penguins');
    await f.registry.registerVersion(second, 'penguins');
    await f.registry.registerVersion(second, 'adelie');
    await f.registry.setAlias('penguins', 'staging', 2);
    await f.registry.setAlias('penguins', 'challenger', 2);
    await f.registry.setAlias('penguins', 'champion', 1);
    await f.registry.setAlias('adelie', 'champion', 1);
    await new LineageStore(f.store.database).record([{ from: { kind: 'modelVersion', id: 'penguins/1' }, to: { kind: 'endpoint', id: 'penguins-api' }, relation: 'served' }], { 'endpoint:penguins-api': 'penguins-api (http://127.0.0.1:5001)' });

    // this window is a client: one engine call through the holder's server
    const choices = lineageRootChoices(await rootChoiceSources(httpEngine(server.url, server.token)));
    const labels = choices.map((c) => (c.separator ? `-- ${c.label}` : c.label));
    assert.deepEqual(labels.slice(0, 9), [
      '-- Model versions',
      '$(tag) adelie@champion',
      '$(tag) penguins@champion',
      '$(tag) penguins@challenger',
      '$(tag) penguins@staging',
      '$(package) adelie v1',
      '$(package) penguins v2',
      '$(package) penguins v1',
      '-- Recent runs',
    ]);
    const champion = choices.find((c) => c.label === '$(tag) penguins@champion');
    assert.deepEqual(champion?.root, { kind: 'modelVersion', id: 'penguins/1' }, 'an alias opens the version it points at');
    assert.equal(champion?.description, 'v1');
    assert.match(choices.find((c) => c.label === '$(package) penguins v2')?.description ?? '', /^@challenger · @staging · registered /);
    assert.deepEqual(labels.slice(9, 11), ['$(beaker) bright-owl', '$(beaker) calm-fox'], 'newest run first');
    assert.equal(choices[9]?.detail, second);
    assert.deepEqual(labels.slice(11), ['-- Endpoints', '$(radio-tower) penguins-api (http://127.0.0.1:5001)']);
    assert.deepEqual(choices.at(-1)?.root, { kind: 'endpoint', id: 'penguins-api' });
  } finally {
    await server.close();
    await f.cleanup();
  }
});

test('an empty store offers nothing (the command then says what records lineage)', () => {
  assert.deepEqual(lineageRootChoices({ models: [], runs: [], endpoints: [], monitors: [] }), []);
});

test('the command reads the node a view passes: model version, run, endpoint, monitor, URI or node ref', () => {
  const run = { info: { runId: 'a'.repeat(32), runName: 'calm-fox' } };
  assert.deepEqual(lineageArgument({ kind: 'version', version: { name: 'penguins', version: 3, aliases: [] }, metrics: [], requireReview: false }), { root: { kind: 'modelVersion', id: 'penguins/3' } });
  assert.deepEqual(lineageArgument({ kind: 'run', run }), { root: { kind: 'run', id: 'a'.repeat(32) } });
  assert.deepEqual(lineageArgument({ kind: 'running', endpoint: { name: 'penguins-api', url: 'http://127.0.0.1:5001' } }), { root: { kind: 'endpoint', id: 'penguins-api' } });
  assert.deepEqual(lineageArgument({ kind: 'stopped', name: 'penguins-api', uri: 'models:/penguins@champion', version: 1, port: 5001 }), { root: { kind: 'endpoint', id: 'penguins-api' } });
  assert.deepEqual(lineageArgument({ name: 'penguins-drift', file: '/ws/penguins-drift.monitor.yaml', openAlerts: 0 }), { root: { kind: 'monitor', id: 'penguins-drift' } });
  assert.deepEqual(lineageArgument({ name: 'penguins', version: 2 }), { root: { kind: 'modelVersion', id: 'penguins/2' } }, 'the model-card argument shape');
  assert.deepEqual(lineageArgument({ kind: 'dataset', id: 'sha256:abc' }), { root: { kind: 'dataset', id: 'sha256:abc' } });
  assert.deepEqual(lineageArgument('models:/penguins@champion'), { target: 'models:/penguins@champion' });
  assert.equal(lineageArgument(undefined), undefined, 'from the palette: no argument, so the picker opens');
  assert.equal(lineageArgument({ kind: 'experiment', experiment: { name: 'x' } }), undefined);
  assert.equal(lineageArgument('  '), undefined);
});

test('a restored panel reopens on the root it saved; a damaged state is refused', () => {
  assert.deepEqual(rootOfPanelState({ root: { kind: 'run', id: 'abc' }, back: [] }), { kind: 'run', id: 'abc' });
  assert.equal(rootOfPanelState({ root: { kind: 'Not A Kind', id: 'abc' } }), undefined);
  assert.equal(rootOfPanelState({ root: { kind: 'run', id: '' } }), undefined);
  assert.equal(rootOfPanelState(undefined), undefined);
});

test('store states get a message that says what to do; a store another window or process holds is read through its engine', () => {
  const says = (access: StoreAccess): string => lineageUnavailable(access) ?? '(available)';
  assert.match(says({ state: 'noFolder' }), /open the folder you train in/);
  assert.match(says({ state: 'absent', dir: '/ws/.mlops' }), /no workspace store at \/ws\/\.mlops yet.*train a model/);
  assert.match(says({ state: 'error', dir: '/ws/.mlops', message: 'The MLOps engine for /ws/.mlops stopped while starting (exit code 1).' }), /stopped while starting/);
  const client = { state: 'client', url: 'http://127.0.0.1:5000', token: null, message: '' } as const;
  const holders = httpEngine('http://127.0.0.1:5000', null);
  const writer: StoreAccess = { ...client, origin: 'engine', dir: '/ws/.mlops', tracking: {} as never, engine: holders };
  assert.equal(says(writer), '(available)');
  assert.deepEqual(lineageEngine(writer), { engine: holders });
  const team: StoreAccess = { ...client, origin: 'remote', tracking: {} as never };
  assert.match(says(team), /MLflow server http:\/\/127\.0\.0\.1:5000 \(setting mlops\.tracking\.uri\), which keeps no lineage graph/);
  assert.deepEqual(lineageEngine(team), { why: says(team) });
  assert.deepEqual(lineageEngine({ state: 'noFolder' }), { why: says({ state: 'noFolder' }) });
});

test('click-through targets: model versions parse, dataset sources open only when they are files in the workspace', () => {
  assert.deepEqual(modelVersionOf('penguins/3'), { name: 'penguins', version: 3 });
  assert.deepEqual(modelVersionOf('team/churn/12'), { name: 'team/churn', version: 12 });
  assert.equal(modelVersionOf('penguins'), undefined);
  const { dir, cleanup } = tempStoreDir('mlops-lineage-ws-');
  try {
    mkdirSync(join(dir, 'data'), { recursive: true });
    writeFileSync(join(dir, 'data', 'penguins.csv'), 'a,b\n1,2\n');
    assert.equal(workspaceFile(join(dir, 'data', 'penguins.csv'), [dir]), join(dir, 'data', 'penguins.csv'));
    assert.equal(workspaceFile('data/penguins.csv', [dir]), join(dir, 'data', 'penguins.csv'), 'a relative source resolves against the folder');
    assert.equal(workspaceFile('data/missing.csv', [dir]), undefined);
    assert.equal(workspaceFile('data', [dir]), undefined, 'a folder is not opened as a file');
    assert.equal(workspaceFile('/etc/hostname', [dir]), undefined, 'outside the workspace');
    assert.equal(workspaceFile('s3://bucket/penguins.csv', [dir]), undefined);
    assert.equal(workspaceFile(undefined, [dir]), undefined);
  } finally {
    cleanup();
  }
});

test('panel messages are checked: node refs need a lowerCamelCase kind and an id', () => {
  const ok = validateViewMessage({ kind: 'notify', method: 'openNode', params: { kind: 'modelVersion', id: 'penguins/1' } }, lineageValidators);
  assert.equal(ok.ok, true);
  const bad = validateViewMessage({ kind: 'request', id: 1, method: 'getGraph', params: { root: { kind: 'run', id: '' } } }, lineageValidators);
  assert.equal(bad.ok, false);
  assert.match(!bad.ok ? bad.error : '', /Invalid parameters for "getGraph": root\.id/);
  const extra = validateViewMessage({ kind: 'notify', method: 'openNode', params: { kind: 'run', id: 'x', command: 'rm' } }, lineageValidators);
  assert.match(!extra.ok ? extra.error : '', /unexpected field "command"/);
  assert.equal(validateViewMessage({ kind: 'request', id: 2, method: 'getGraph', params: {} }, lineageValidators).ok, true);
});
