import assert from 'node:assert/strict';
import { existsSync, writeFileSync, mkdirSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { ensureEngine, stopEngine } from '../../../src/core/engine/engineLauncher';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { readServerInfo } from '../../../src/core/server/serverInfoFile';
import { isProcessAlive } from '../../../src/core/store/processLiveness';
import { tempStoreDir } from '../store/testSupport';

async function until(condition: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('the first caller starts the engine, every later one (and one at the same moment) finds it; stop ends it', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-engine-launch-');
  try {
    const [a, b] = await Promise.all([ensureEngine(dir), ensureEngine(dir)]);
    assert.equal(a.pid, b.pid, 'two callers at once share one engine');
    assert.notEqual(a.pid, process.pid, 'the engine is a process of its own');
    const again = await ensureEngine(dir);
    assert.equal(again.pid, a.pid);
    assert.equal(again.started, false);
    const tracking = new MlflowRestClient({ url: a.url, token: a.token });
    const experimentId = await tracking.createExperiment('through the engine');
    assert.equal((await tracking.getExperiment(experimentId)).name, 'through the engine');
    assert.equal((await httpEngine(a.url, a.token).call('lineage.describe', { node: { kind: 'run', id: 'nope' } })).missing, true);
    assert.deepEqual(await stopEngine(dir), { pid: a.pid });
    await until(() => !isProcessAlive(a.pid), 'the engine process exits');
    assert.equal(readServerInfo(dir), undefined, 'server.json is removed');
    assert.match(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'engine.log'), 'utf8')), /stopping: SIGTERM/);
  } finally {
    await stopEngine(dir);
    cleanup();
  }
});

test('an idle engine stops by itself, but not while a client listens to its events', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-engine-idle-');
  try {
    const engine = await ensureEngine(dir, { idleMs: 400 });
    const stream = request(`${engine.url}/api/mlops/engine/events`, { headers: { Authorization: `Bearer ${engine.token ?? ''}` } });
    const connected = new Promise<void>((resolve) => stream.on('response', (res) => res.once('data', () => resolve())));
    stream.end();
    await connected;
    // Three idle periods with a listener: still there.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    assert.equal(isProcessAlive(engine.pid), true, 'a listening window keeps the engine up');
    stream.destroy();
    await until(() => !isProcessAlive(engine.pid), 'the engine stops once idle');
    assert.equal(readServerInfo(dir), undefined);
    assert.match(await import('node:fs').then((fs) => fs.readFileSync(join(dir, 'engine.log'), 'utf8')), /stopping: idle for/);
  } finally {
    await stopEngine(dir);
    cleanup();
  }
});

test('a killed engine is replaced by the next caller, with every acknowledged write kept', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-engine-kill-');
  try {
    const first = await ensureEngine(dir);
    const experimentId = await new MlflowRestClient({ url: first.url, token: first.token }).createExperiment('survives');
    process.kill(first.pid, 'SIGKILL');
    await until(() => !isProcessAlive(first.pid), 'the engine is gone');
    assert.ok(existsSync(join(dir, 'server.json')), 'a killed engine leaves its server.json behind');
    const second = await ensureEngine(dir);
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.started, true);
    assert.equal((await new MlflowRestClient({ url: second.url, token: second.token }).getExperiment(experimentId)).name, 'survives');
  } finally {
    await stopEngine(dir);
    cleanup();
  }
});

test('an engine that cannot start says why, with the tail of its log', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-engine-bad-');
  try {
    mkdirSync(dir, { recursive: true });
    // A store whose snapshot is not a database.
    writeFileSync(join(dir, 'store.snapshot'), 'this is not a snapshot');
    await assert.rejects(ensureEngine(dir), (error: Error) => /stopped while starting \(exit code 1\)/.test(error.message) && error.message.includes('engine.log'));
  } finally {
    cleanup();
  }
});

test('a listening client hears of changes, and hears that the engine went away when it is killed', async () => {
  const { dir, cleanup } = tempStoreDir('mlops-engine-events-');
  try {
    const engine = await ensureEngine(dir);
    const { subscribeEngineEvents } = await import('../../../src/core/engine/engineEventStream');
    let onConnected: () => void = () => undefined;
    const connected = new Promise<void>((resolve) => (onConnected = resolve));
    let onStoreEvent: () => void = () => undefined;
    const changed = new Promise<void>((resolve) => (onStoreEvent = resolve));
    let onGone: (reason: string) => void = () => undefined;
    const gone = new Promise<string>((resolve) => (onGone = resolve));
    const subscription = subscribeEngineEvents(engine.url, engine.token, { onConnected, onEvent: (event) => event.topic === 'store' && onStoreEvent(), onClosed: onGone });
    await connected;
    await new MlflowRestClient({ url: engine.url, token: engine.token }).createExperiment('heard by the window');
    await changed;
    process.kill(engine.pid, 'SIGKILL');
    assert.match(await gone, /closed its event stream|failed|did not answer/);
    subscription.dispose();
  } finally {
    await stopEngine(dir);
    cleanup();
  }
});
