import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { REPO_ROOT } from '../store/testSupport';

test('mlops server under load stops on SIGTERM, and every write it acknowledged is in the store', { timeout: 120_000 }, async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-server-stop-'));
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), '-w', workspace, 'server', '--port', '0'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        stdout += d.toString();
        if (/Ctrl\+C stops it/.test(stdout)) resolve();
      });
      void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
    });
    const url = /export MLFLOW_TRACKING_URI=(\S+)/.exec(stdout)?.[1] as string;
    const token = /export MLFLOW_TRACKING_TOKEN=(\S+)/.exec(stdout)?.[1] as string;
    const post = (path: string, body: unknown): Promise<Response> =>
      fetch(`${url}/api/2.0/mlflow/${path}`, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    const created = (await (await post('runs/create', { experiment_id: '0' })).json()) as { run: { info: { run_id: string } } };
    const runId = created.run.info.run_id;

    // Several keep-alive clients log as fast as they can; SIGTERM arrives in the middle of it.
    const acknowledged: number[] = [];
    let nextStep = 0;
    let signalled = false;
    let onEnough: () => void = () => undefined;
    const enough = new Promise<void>((resolve) => (onEnough = resolve));
    const client = async (): Promise<void> => {
      for (;;) {
        const step = nextStep++;
        let res: Response;
        try {
          res = await post('runs/log-metric', { run_id: runId, key: 'loss', value: step / 10, timestamp: 1, step });
        } catch {
          return; // the server went away
        }
        if (res.status !== 200) {
          await res.body?.cancel();
          if (signalled) return;
          assert.fail(`log-metric answered ${res.status} before the signal`);
        }
        await res.json();
        acknowledged.push(step);
        if (acknowledged.length === 300) onEnough();
      }
    };
    const clients = Array.from({ length: 6 }, () => client());
    await enough;
    signalled = true;
    child.kill('SIGTERM');
    assert.equal(await exited, 0, stderr);
    await Promise.all(clients);
    assert.match(stderr, /SIGTERM: stopping the server/);

    const store = await openWorkspaceStore({ dir: join(workspace, '.mlops'), writerName: 'server stop test' });
    try {
      const steps = new Set((await store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => p.step));
      const missing = acknowledged.filter((s) => !steps.has(s));
      assert.deepEqual(missing, [], `${missing.length} of ${acknowledged.length} acknowledged points are missing`);
    } finally {
      await store.close();
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(workspace, { recursive: true, force: true });
  }
});
