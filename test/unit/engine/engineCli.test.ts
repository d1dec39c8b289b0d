import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stopEngine } from '../../../src/core/engine/engineLauncher';
import { isProcessAlive } from '../../../src/core/store/processLiveness';
import { runCliAsync } from '../lib/runCli';

test('mlops engine start / status / stop: what runs, where, and that a second start finds the first', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-engine-cli-'));
  const dir = join(workspace, '.mlops');
  const mlops = (...args: string[]): ReturnType<typeof runCliAsync> => runCliAsync(['-w', workspace, ...args], { env: { MLFLOW_TRACKING_URI: '' } });
  try {
    assert.match((await mlops('engine', 'status')).stdout, /No engine runs for .*\.mlops; the next VS Code window or "mlops engine start" starts one/);
    const started = await mlops('engine', 'start');
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stdout, /MLOps engine for .*\.mlops: http:\/\/127\.0\.0\.1:\d+ \(pid \d+, started now\)/);
    const again = await mlops('--json', 'engine', 'start');
    const address = JSON.parse(again.stdout) as { pid: number; started: boolean; url: string };
    assert.equal(address.started, false);
    assert.ok(started.stdout.includes(`pid ${address.pid}`), 'the second start finds the first engine');
    assert.match((await mlops('engine', 'status')).stdout, new RegExp(`MLOps engine holds .*: ${address.url} \\(pid ${address.pid}, since `));
    assert.match((await mlops('engine', 'stop')).stdout, new RegExp(`Stopped the engine of .* \\(pid ${address.pid}\\)`));
    assert.equal(isProcessAlive(address.pid), false);
    assert.match((await mlops('engine', 'stop')).stdout, /No engine runs for/);
    const bad = await mlops('engine', 'start', '--idle-minutes', 'soon');
    assert.equal(bad.status, 2, 'a usage error');
    assert.match(bad.stderr, /--idle-minutes must be a number of minutes/);
  } finally {
    await stopEngine(dir);
    rmSync(workspace, { recursive: true, force: true });
  }
});
