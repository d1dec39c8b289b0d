import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { stopEngine } from '../../../src/core/engine/engineLauncher';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { readServerInfo } from '../../../src/core/server/serverInfoFile';
import { isProcessAlive } from '../../../src/core/store/processLiveness';
import { REPO_ROOT } from '../store/testSupport';

const TSX = pathToFileURL(require.resolve('tsx')).href;
const EPOCHS = 400;

/** A training whose epochs are the series to check: no early stop, every epoch logged. */
function writeSpec(workspace: string): string {
  const spec = join(workspace, 'penguins.train.yaml');
  const text = readFileSync(join(REPO_ROOT, 'examples', 'penguins.train.yaml'), 'utf8')
    .replace(/^dataset: .*$/m, `dataset: ${join(REPO_ROOT, 'examples', 'data', 'penguins.csv')}`)
    .replace(/^epochs: \d+$/m, `epochs: ${EPOCHS}`)
    .replace(/^early_stopping:\n(?: {2}.*\n)+/m, 'early_stopping: false\n');
  assert.match(text, /^early_stopping: false$/m);
  writeFileSync(spec, text);
  return spec;
}

/** `mlops train SPEC` in its own process, its output collected; `firstEpoch` resolves when it reports epoch 1. */
function startTraining(workspace: string, spec: string, command: 'train' | 'tune' = 'train', started: RegExp = /epoch 1\//): { child: ChildProcess; output: () => { stdout: string; stderr: string }; firstEpoch: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', TSX, join(REPO_ROOT, 'src', 'cli', 'main.ts'), '-w', workspace, command, spec, '--backend', 'js'], {
    cwd: REPO_ROOT,
    env: { ...process.env, NODE_OPTIONS: '', MLFLOW_TRACKING_URI: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const firstEpoch = new Promise<void>((resolve, reject) => {
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (started.test(stderr)) resolve();
    });
    child.on('exit', () => reject(new Error(`the ${command} command ended before it reported ${started}:\n${stderr}`)));
  });
  return { child, output: () => ({ stdout, stderr }), firstEpoch, exited };
}

/** Resolves once `condition` holds (checked after each short pause), failing after two minutes. */
async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('a training runs in the engine: the terminal that started it can be killed and the run still finishes with every epoch', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-engine-job-'));
  const dir = join(workspace, '.mlops');
  try {
    const training = startTraining(workspace, writeSpec(workspace));
    await training.firstEpoch;
    const runId = /\[([0-9a-f]{8})\] epoch 1\//.exec(training.output().stderr)?.[1];
    assert.ok(runId, training.output().stderr);
    training.child.kill('SIGKILL');
    await training.exited;
    const engine = readServerInfo(dir);
    assert.ok(engine, 'the engine runs on');
    const client = new MlflowRestClient({ url: engine.url, token: engine.token });
    const [run] = (await client.searchRuns({ filter: `attributes.run_id LIKE '${runId}%'` })).runs;
    assert.ok(run, 'the run is in the store');
    await until(async () => (await client.getRun(run.info.runId)).info.status !== 'RUNNING', 'the run ends');
    assert.equal((await client.getRun(run.info.runId)).info.status, 'FINISHED');
    const steps = new Set((await client.getMetricHistory(run.info.runId, 'loss')).points.map((p) => p.step));
    assert.deepEqual(Array.from({ length: EPOCHS }, (_, i) => i + 1).filter((epoch) => !steps.has(epoch)), [], 'every epoch is logged');
  } finally {
    await stopEngine(dir);
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('when the engine running a training is SIGKILLed, the command says so, a new engine takes over, and the run ends FAILED with why', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-engine-reconnect-'));
  const dir = join(workspace, '.mlops');
  try {
    const training = startTraining(workspace, writeSpec(workspace));
    await training.firstEpoch;
    const first = readServerInfo(dir);
    assert.ok(first, 'the training started an engine');
    process.kill(first.pid, 'SIGKILL');

    const code = await training.exited;
    const { stderr } = training.output();
    assert.equal(code, 1, stderr);
    assert.match(stderr, /the MLOps engine at (\S+) stopped answering; carrying on with a new engine at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);
    const failed = /training failed \(run ([0-9a-f]{32}) is marked FAILED\): the MLOps engine running this training stopped before it ended/.exec(stderr);
    assert.ok(failed, stderr);
    assert.equal(isProcessAlive(first.pid), false);

    const now = readServerInfo(dir);
    assert.ok(now && now.pid !== first.pid, 'a new engine holds the store');
    const client = new MlflowRestClient({ url: now.url, token: now.token });
    const run = await client.getRun(failed[1] as string);
    assert.equal(run.info.status, 'FAILED', 'not left RUNNING');
    assert.match(run.data.tags.find((t) => t.key === 'mlops.error')?.value ?? '', /engine running this training stopped/);
    // What the dead engine acknowledged is there: the epochs it logged, in order, without a gap.
    const steps = [...new Set((await client.getMetricHistory(run.info.runId, 'loss')).points.map((p) => p.step))].sort((a, b) => a - b);
    assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i + 1));
  } finally {
    await stopEngine(dir);
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('a tuning study runs in the engine too: the terminal can be killed after the first trial and every trial still runs', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-engine-study-'));
  const dir = join(workspace, '.mlops');
  try {
    writeFileSync(join(workspace, 'tiny.train.yaml'), `dataset: ${join(REPO_ROOT, 'examples', 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: 8}]}\nepochs: 150\nearly_stopping: false\n`);
    const tune = join(workspace, 'tiny.tune.yaml');
    writeFileSync(tune, 'train: tiny.train.yaml\nsampler: grid\nparallel: 1\nparams:\n  model.layers.0.units: {type: categorical, choices: [4, 6, 8, 10]}\n');
    const study = startTraining(workspace, tune, 'tune', /^trial +0 /m);
    await study.firstEpoch;
    study.child.kill('SIGKILL');
    await study.exited;
    const engine = readServerInfo(dir);
    assert.ok(engine, 'the engine runs on');
    const client = new MlflowRestClient({ url: engine.url, token: engine.token });
    const [studyRun] = (await client.searchRuns({ filter: "tags.`mlops.kind` = 'study'" })).runs;
    assert.ok(studyRun, 'the study run is in the store');
    await until(async () => (await client.getRun(studyRun.info.runId)).info.status !== 'RUNNING', 'the study ends');
    assert.equal((await client.getRun(studyRun.info.runId)).info.status, 'FINISHED');
    const trials = (await client.searchRuns({ filter: `tags.mlflow.parentRunId = '${studyRun.info.runId}'` })).runs;
    assert.deepEqual(trials.map((t) => t.info.status), ['FINISHED', 'FINISHED', 'FINISHED', 'FINISHED']);
  } finally {
    await stopEngine(dir);
    rmSync(workspace, { recursive: true, force: true });
  }
});
