import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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

test('a training through the engine carries on when the engine is SIGKILLed: a new engine takes over and the run ends FINISHED with every epoch', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-engine-reconnect-'));
  const dir = join(workspace, '.mlops');
  try {
    const spec = writeSpec(workspace);
    const child = spawn(process.execPath, ['--import', TSX, join(REPO_ROOT, 'src', 'cli', 'main.ts'), '-w', workspace, 'train', spec, '--backend', 'js'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NODE_OPTIONS: '', MLFLOW_TRACKING_URI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Kill the engine the moment the training reports its first epoch: it is logging through it.
    const firstEpoch = new Promise<void>((resolve, reject) => {
      child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
        if (/epoch 1\//.test(stderr)) resolve();
      });
      child.on('exit', () => reject(new Error(`the training ended before its first epoch:\n${stderr}`)));
    });
    await firstEpoch;
    const first = readServerInfo(dir);
    assert.ok(first, 'the training started an engine');
    process.kill(first.pid, 'SIGKILL');

    assert.equal(await exited, 0, stderr);
    const carried = /the MLOps engine at (\S+) stopped answering; carrying on with a new engine at (http:\/\/127\.0\.0\.1:\d+) \(pid (\d+)\)/.exec(stderr);
    assert.ok(carried, `the command says the engine died and which one took over:\n${stderr}`);
    assert.equal(carried[1], first.url);
    assert.notEqual(Number(carried[3]), first.pid);
    assert.equal(isProcessAlive(first.pid), false);

    const runId = /^run ([0-9a-f]{32}) FINISHED/m.exec(stdout)?.[1];
    assert.ok(runId, stdout);
    const now = readServerInfo(dir);
    assert.ok(now, 'the new engine holds the store');
    const client = new MlflowRestClient({ url: now.url, token: now.token });
    const run = await client.getRun(runId);
    assert.equal(run.info.status, 'FINISHED');
    // Every epoch's loss is in the store (an epoch whose batch was in flight at the kill may be there twice).
    const steps = new Set((await client.getMetricHistory(runId, 'loss')).points.map((p) => p.step));
    const missing = Array.from({ length: EPOCHS }, (_, i) => i + 1).filter((epoch) => !steps.has(epoch));
    assert.deepEqual(missing, [], 'no epoch is lost');
  } finally {
    await stopEngine(dir);
    rmSync(workspace, { recursive: true, force: true });
  }
});
