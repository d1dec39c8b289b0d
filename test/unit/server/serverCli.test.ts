import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../lib/runCli';
import { REPO_ROOT } from '../store/testSupport';

/** Output of a process until `pattern` shows up in its stdout (or it exits, or 30 s pass). */
function waitForOutput(child: ReturnType<typeof spawn>, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 30 s; stdout: ${out}; stderr: ${err}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (pattern.test(out)) {
        clearTimeout(timer);
        resolve(out);
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with ${code} before ${pattern}; stdout: ${out}; stderr: ${err}`));
    });
  });
}

test('mlops server prints the URL and the env lines, serves with the token, refuses a second writer, stops on Ctrl+C', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-server-cli-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), '-w', workspace, 'server', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  try {
    const out = await waitForOutput(child, /Ctrl\+C stops it/);
    const uri = /export MLFLOW_TRACKING_URI=(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    const token = /export MLFLOW_TRACKING_TOKEN=(\S+)/.exec(out)?.[1];
    assert.ok(uri && token, out);
    assert.ok(existsSync(join(workspace, '.mlops', 'server.json')));

    const refused = await fetch(`${uri}/api/2.0/mlflow/experiments/get?experiment_id=0`);
    assert.equal(refused.status, 401);
    const ok = await fetch(`${uri}/api/2.0/mlflow/experiments/get?experiment_id=0`, { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(ok.status, 200);
    assert.equal(((await ok.json()) as { experiment: { name: string } }).experiment.name, 'Default');

    const second = runCli(['-w', workspace, 'server']);
    assert.equal(second.status, 3);
    assert.match(second.stderr, /in use by MLOps engine .*already running at http:\/\/127\.0\.0\.1:\d+/);
    assert.ok(second.stderr.includes(`already running at ${uri}`), second.stderr);

    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.equal(existsSync(join(workspace, '.mlops', 'server.json')), false, 'server.json is removed on stop');
    assert.equal(existsSync(join(workspace, '.mlops', 'writer.lock')), false, 'the store is released on stop');
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
});

test('mlops server rejects a bad --port with a usage error', () => {
  const r = runCli(['-w', tmpdir(), 'server', '--port', 'http']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /--port must be an integer from 0 to 65535/);
});
