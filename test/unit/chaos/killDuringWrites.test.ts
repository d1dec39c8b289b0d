import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { stopEngine } from '../../../src/core/engine/engineLauncher';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { REPO_ROOT } from '../store/testSupport';

/**
 * Chaos: the processes that hold data are SIGKILLed at random moments (a seeded RNG picks after how
 * many acknowledged writes) while clients write through the REST API, and afterwards every write
 * that was acknowledged (HTTP 200) is in the store exactly once. A training run whose worker is
 * SIGKILLed mid-run ends FAILED with the reason; an endpoint process SIGKILLed under traffic is
 * restarted and logs no request it did not answer. Waits on events (output lines, exits, answers).
 */

const SEED = 20261207;
const SERVER_KILLS = 3;
const CLIENTS = 3;
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI = join(REPO_ROOT, 'src', 'cli', 'main.ts');

/** mulberry32: the kill moments and the clients' choices are the same on every run. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function cli(workspace: string, args: readonly string[]): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, CLI, '-w', workspace, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_OPTIONS: '' } });
}

/** Resolves with the output so far once `pattern` is in it; rejects if the process exits first. */
function outputUntil(child: ChildProcess, stream: 'stdout' | 'stderr', pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    let other = '';
    const onData = (chunk: Buffer): void => {
      text += chunk.toString();
      if (pattern.test(text)) {
        child[stream]?.off('data', onData);
        resolve(text);
      }
    };
    child[stream]?.on('data', onData);
    child[stream === 'stdout' ? 'stderr' : 'stdout']?.on('data', (chunk: Buffer) => (other += chunk.toString()));
    child.once('exit', (code, signal) => reject(new Error(`exited (${code ?? signal}) before ${pattern}: ${text}\n${other}`)));
  });
}

/** The pids of a process's children (Linux). */
function childPids(pid: number): number[] {
  return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The engine of a workspace, if one runs (found by its server.json). */
function enginePid(workspace: string): number | undefined {
  try {
    return (JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8')) as { pid: number }).pid;
  } catch {
    return undefined;
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

interface Server {
  readonly url: string;
  readonly token: string;
  readonly child: ChildProcess;
}

async function startServer(workspace: string): Promise<Server> {
  const child = cli(workspace, ['server', '--port', '0']);
  const out = await outputUntil(child, 'stdout', /Ctrl\+C stops it/);
  return { url: /export MLFLOW_TRACKING_URI=(\S+)/.exec(out)?.[1] as string, token: /export MLFLOW_TRACKING_TOKEN=(\S+)/.exec(out)?.[1] as string, child };
}

/** What the clients were told was written, per run. */
interface RunLedger {
  /** key → step → value, acknowledged */
  readonly metrics: Map<string, Map<number, number>>;
  /** key → steps sent in a request that got no answer: they may or may not be there, but at most once */
  readonly unknown: Map<string, Set<number>>;
  readonly params: Map<string, string>;
  readonly tags: Map<string, string>;
  /** artifact path → acknowledged, or sent without an answer (then absent, or there whole) */
  readonly artifacts: Map<string, 'acknowledged' | 'unknown'>;
}

function valueFor(client: number, step: number): number {
  return step * 0.25 + client / 7;
}

/** An artifact's bytes follow from its name, so a partly written one cannot pass for whole. */
function artifactBytes(name: string, size: number): Buffer {
  const bytes = Buffer.alloc(size);
  let x = [...name].reduce((h, c) => (Math.imul(h, 31) + c.charCodeAt(0)) >>> 0, 7);
  for (let i = 0; i < size; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    bytes[i] = x >>> 24;
  }
  return bytes;
}

function artifactSize(name: string): number {
  return 1 + (Number(/(\d+)/.exec(name)?.[1] ?? 0) * 7919) % 2_000_000;
}

test('chaos: mlops server SIGKILLed at random moments while 3 clients write; a training worker SIGKILLed mid-run; every acknowledged write survives exactly once', { timeout: 120_000, skip: process.platform !== 'linux' ? 'finds the training worker through /proc' : false }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-chaos-'));
  // the kill schedule and each client draw from their own sequence, so async interleaving cannot reshuffle them
  const killRandom = seededRandom(SEED);
  const ledger = new Map<string, RunLedger>();
  let acknowledged = 0;
  let failedRequests = 0;
  let server: Server | undefined;
  // Clients wait on this while the server is down; each start replaces it.
  let up!: Promise<Server | undefined>;
  let markUp!: (s: Server | undefined) => void;
  const resetUp = (): void => {
    up = new Promise((resolve) => (markUp = resolve));
  };
  resetUp();
  let ackWaiter: { target: number; resolve: () => void } | undefined;
  /** set while the orchestrator waits for the next artifact upload to begin */
  let uploadWaiter: (() => void) | undefined;
  const acked = (): void => {
    acknowledged++;
    if (ackWaiter && acknowledged >= ackWaiter.target) {
      ackWaiter.resolve();
      ackWaiter = undefined;
    }
  };
  const clientErrors: string[] = [];

  /** One REST call; undefined when the server went away (connection refused or reset, no answer). */
  const call = async (path: string, body: unknown): Promise<Record<string, unknown> | undefined> => {
    const current = await up;
    if (!current) return undefined;
    let response: Response;
    try {
      response = Buffer.isBuffer(body)
        ? await fetch(`${current.url}/api/2.0/mlflow-artifacts/artifacts/${path}`, { method: 'PUT', headers: { Authorization: `Bearer ${current.token}` }, body: new Uint8Array(body) })
        : await fetch(`${current.url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${current.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    } catch {
      failedRequests++;
      if (server === current) await exitOf(current.child); // refused or reset: wait for the kill to be seen
      return undefined;
    }
    const text = await response.text().catch(() => undefined);
    if (text === undefined) {
      failedRequests++;
      return undefined;
    }
    if (response.status !== 200) {
      clientErrors.push(`${path} → ${response.status} ${text}`);
      return undefined;
    }
    return JSON.parse(text) as Record<string, unknown>;
  };

  let stopping = false;
  const client = async (index: number): Promise<void> => {
    const random = seededRandom(SEED + 1 + index);
    let runId: string | undefined;
    let step = 0;
    let batches = 0;
    let pendingParams: [string, string][] = [];
    let pendingTag: [string, string] | undefined;
    let counter = 0;
    while (!stopping) {
      if (runId === undefined || batches >= 40) {
        const created = await call('runs/create', { experiment_id: '0', run_name: `client-${index}-${counter++}`, start_time: Date.now() });
        if (!created) continue;
        runId = (created.run as { info: { run_id: string } }).info.run_id;
        ledger.set(runId, { metrics: new Map([[`m${index}`, new Map()]]), unknown: new Map([[`m${index}`, new Set()]]), params: new Map(), tags: new Map(), artifacts: new Map() });
        acked();
        batches = 0;
        step = 0;
        pendingParams = [];
        pendingTag = undefined;
      }
      const entry = ledger.get(runId) as RunLedger;
      const key = `m${index}`;
      const choice = random();
      if (choice < 0.1) {
        // an artifact is immutable: one sent without an answer is not sent again under its name
        const name = `files/a${counter++}.bin`;
        entry.artifacts.set(name, 'unknown');
        const sending = call(`0/${runId}/artifacts/${name}`, artifactBytes(name, artifactSize(name)));
        uploadWaiter?.();
        uploadWaiter = undefined;
        const answer = await sending;
        if (!answer) continue;
        entry.artifacts.set(name, 'acknowledged');
        acked();
      } else if (choice < 0.8) {
        // a metric write is not idempotent: a batch without an answer is not sent again, its steps stay "unknown"
        const count = 1 + Math.floor(random() * 30);
        const steps = Array.from({ length: count }, (_, i) => step + i);
        step += count;
        if (random() < 0.3) pendingParams.push([`p${counter++}`, `v${step}`]);
        const params = pendingParams;
        const answer = await call('runs/log-batch', { run_id: runId, metrics: steps.map((s) => ({ key, value: valueFor(index, s), timestamp: 1_700_000_000_000 + s, step: s })), params: params.map(([k, v]) => ({ key: k, value: v })) });
        batches++;
        if (!answer) {
          for (const s of steps) entry.unknown.get(key)?.add(s);
          continue; // params are idempotent (same value): they go again with the next batch
        }
        for (const s of steps) entry.metrics.get(key)?.set(s, valueFor(index, s));
        for (const [k, v] of params) entry.params.set(k, v);
        pendingParams = [];
        acked();
      } else {
        pendingTag ??= [`t${counter++}`, `x${step}`];
        const answer = await call('runs/set-tag', { run_id: runId, key: pendingTag[0], value: pendingTag[1] });
        if (!answer) continue; // retried as is: setting a tag to the same value twice is harmless
        entry.tags.set(pendingTag[0], pendingTag[1]);
        pendingTag = undefined;
        acked();
      }
    }
  };

  try {
    const clients = Array.from({ length: CLIENTS }, (_, i) => client(i));
    for (let round = 0; round <= SERVER_KILLS; round++) {
      server = await startServer(workspace);
      markUp(server);
      if (round === SERVER_KILLS) break;
      // a random number of further acknowledged writes, then SIGKILL while requests are in flight
      const target = acknowledged + 20 + Math.floor(killRandom() * 120);
      await new Promise<void>((resolve) => (ackWaiter = { target, resolve }));
      // every other kill lands as an artifact upload is on its way, to catch one half written
      if (round % 2 === 0) await new Promise<void>((resolve) => (uploadWaiter = resolve));
      resetUp();
      server.child.kill('SIGKILL');
      await exitOf(server.child);
    }
    // one more round of writes on the last server, then stop the clients and kill it too
    const target = acknowledged + 30;
    await new Promise<void>((resolve) => (ackWaiter = { target, resolve }));
    stopping = true;
    await Promise.all(clients);
    const last = server as Server;
    last.child.kill('SIGKILL');
    await exitOf(last.child);
    assert.deepEqual(clientErrors, [], 'while up, the server answered every request with 200');
    assert.ok(failedRequests > 0, 'some requests were in flight when the server was killed');

    // A training run in the same workspace (it takes over the killed server's writer lock); its worker is SIGKILLed at the first epoch.
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    writeFileSync(join(workspace, 'chaos.train.yaml'), 'experiment: chaos\ndataset: penguins.csv\ntarget: species\nmodel:\n  type: mlp\n  layers: [8]\nepochs: 100000\nbatch_size: 4\nearly_stopping: false\n');
    const training = cli(workspace, ['train', join(workspace, 'chaos.train.yaml')]);
    const trainingExit = exitOf(training);
    const progress = await outputUntil(training, 'stderr', /epoch 1\/100000/);
    const trainingRunPrefix = /\[([0-9a-f]{8})\] epoch 1\//.exec(progress)?.[1];
    // Trainings run in the engine: the worker is the engine's child, not the command's.
    const engine = enginePid(workspace);
    assert.ok(engine, 'the training runs in an engine');
    const children = childPids(engine).filter((child) => {
      try {
        return /worker/.test(readFileSync(`/proc/${child}/cmdline`, 'utf8'));
      } catch {
        return false;
      }
    });
    assert.equal(children.length, 1, `the engine runs one training worker process: ${children.join(', ')}`);
    process.kill(children[0] as number, 'SIGKILL');
    assert.equal(await trainingExit, 1, 'mlops train fails when its worker is killed');
    // The command trained through the engine it started; the checker below opens the store itself.
    await stopEngine(join(workspace, '.mlops'));

    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'chaos checker', staleRunAfterMs: 3_600_000 });
    try {
      let checkedPoints = 0;
      let checkedArtifacts = 0;
      for (const [runId, entry] of ledger) {
        const run = await store.tracking.getRun(runId);
        for (const [key, steps] of entry.metrics) {
          const history = await store.tracking.getMetricHistory(runId, key);
          const seen = new Map<number, number>();
          for (const point of history.points) seen.set(point.step, (seen.get(point.step) ?? 0) + 1);
          for (const [step, value] of steps) {
            assert.equal(seen.get(step), 1, `run ${runId} ${key}@${step} was acknowledged: it is there exactly once`);
            assert.equal(history.points.find((p) => p.step === step)?.value, value);
            checkedPoints++;
          }
          for (const [step, times] of seen) {
            assert.ok(steps.has(step) || entry.unknown.get(key)?.has(step), `run ${runId} ${key}@${step} was never sent`);
            assert.equal(times, 1, `run ${runId} ${key}@${step} is there once, not ${times} times`);
          }
        }
        const params = new Map(run.data.params.map((p) => [p.key, p.value]));
        for (const [key, value] of entry.params) assert.equal(params.get(key), value, `run ${runId} param ${key}`);
        const tags = new Map(run.data.tags.map((t) => [t.key, t.value]));
        for (const [key, value] of entry.tags) assert.equal(tags.get(key), value, `run ${runId} tag ${key}`);
        const listed = entry.artifacts.size === 0 ? [] : await store.tracking.listArtifacts(runId, 'files');
        for (const file of listed) {
          const name = file.path;
          assert.ok(entry.artifacts.has(name), `run ${runId} lists ${name}, which was never sent`);
          assert.equal(file.fileSize, artifactSize(name), `run ${runId} lists ${name} whole or not at all`);
          assert.ok((await store.tracking.readArtifact(runId, name)).equals(artifactBytes(name, artifactSize(name))), `run ${runId} ${name} has the bytes sent`);
          checkedArtifacts++;
        }
        for (const [name, state] of entry.artifacts) {
          if (state === 'acknowledged') assert.ok(listed.some((f) => f.path === name), `run ${runId} ${name} was acknowledged: it is listed`);
        }
      }
      assert.ok(checkedArtifacts > 0, 'some artifacts were checked');
      assert.ok(ledger.size >= CLIENTS && checkedPoints > 100, `the clients' acknowledged writes were checked (${ledger.size} runs, ${checkedPoints} points)`);

      const trainingRuns = (await store.tracking.searchRuns({ experimentIds: [(await store.tracking.getExperimentByName('chaos'))?.experimentId as string] })).runs;
      assert.equal(trainingRuns.length, 1);
      const killed = trainingRuns[0];
      assert.ok(killed?.info.runId.startsWith(trainingRunPrefix ?? '?'));
      assert.equal(killed?.info.status, 'FAILED');
      assert.match(killed?.data.tags.find((t) => t.key === 'mlops.error')?.value ?? '', /worker was killed by SIGKILL/);
    } finally {
      await store.close();
    }
  } finally {
    stopping = true;
    markUp(undefined);
    if (server && server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
    if (existsSync(workspace)) rmSync(workspace, { recursive: true, force: true });
  }
});

test('chaos: an endpoint process SIGKILLed under traffic is restarted and answers again; the request log holds only answered requests', { timeout: 120_000, skip: process.platform !== 'linux' ? 'finds the endpoint process through /proc' : false }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-chaos-serve-'));
  let serve: ChildProcess | undefined;
  try {
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    writeFileSync(join(workspace, 'small.train.yaml'), 'experiment: chaos\ndataset: penguins.csv\ntarget: species\nmodel:\n  type: mlp\n  layers: [8]\nepochs: 2\nregister:\n  model: chaos\n  alias: champion\n');
    const training = cli(workspace, ['train', '--backend', 'js', '--quiet', join(workspace, 'small.train.yaml')]);
    assert.equal(await exitOf(training), 0, 'the model to serve trains');

    serve = cli(workspace, ['serve', 'models:/chaos@champion']);
    const out = await outputUntil(serve, 'stdout', /Ctrl\+C stops it/);
    const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1] as string;
    const body = /-d '(.*)'/.exec(out)?.[1] as string;
    // The endpoint runs in the engine (the train above started it); `mlops serve` owns it.
    const engine = enginePid(workspace);
    assert.ok(engine, 'an engine holds the store');
    const [endpointPid, ...others] = childPids(engine);
    assert.ok(endpointPid && others.length === 0, 'the engine runs one endpoint process');

    let answered = 0;
    const statuses = new Map<number, number>();
    let waiter: { target: number; resolve: () => void } | undefined;
    let stopping = false;
    const client = async (): Promise<void> => {
      while (!stopping) {
        let status: number;
        try {
          const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
          await res.arrayBuffer();
          status = res.status;
        } catch {
          status = 0; // in flight on the killed process: its connection died with it
        }
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (status === 200 && ++answered >= (waiter?.target ?? Infinity)) {
          waiter?.resolve();
          waiter = undefined;
        }
      }
    };
    const answers = (n: number): Promise<void> => new Promise((resolve) => (waiter = { target: answered + n, resolve }));
    const clients = [client(), client(), client()];
    await answers(30);
    process.kill(endpointPid, 'SIGKILL');
    // it answers 200 again only once a new endpoint process took over
    await answers(30);
    stopping = true;
    await Promise.all(clients);
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string; restarts: number; lastExit?: string };
    assert.equal(health.restarts, 1, JSON.stringify(health));
    assert.match(String(health.lastExit), /SIGKILL/);
    assert.notEqual(childPids(engine)[0], endpointPid, 'a new endpoint process serves');
    serve.kill('SIGINT');
    assert.equal(await exitOf(serve), 0);
    await stopEngine(join(workspace, '.mlops'));

    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'chaos checker' });
    try {
      const name = store.database.rows('SELECT name FROM serving_endpoints')[0]?.[0] as string;
      const logged = readRequestLog(store, name, 100_000).filter((e) => e.status === 200).length;
      assert.ok(logged > 0 && logged <= (statuses.get(200) ?? 0), `${logged} answered requests logged, ${statuses.get(200) ?? 0} answered: ${JSON.stringify([...statuses])}`);
    } finally {
      await store.close();
    }
  } finally {
    if (serve && serve.exitCode === null && serve.signalCode === null) serve.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
});
