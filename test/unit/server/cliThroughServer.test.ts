import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../store/testSupport';
import { startFixture } from './serverTestSupport';

/** The CLI in its own process, without blocking this one: the server it talks to runs here. */
function runCliAsync(args: readonly string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'src', 'cli', 'main.ts'), ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

test('while another process holds the store, mlops log and runs go through its server (server.json) instead of failing', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    const started = await runCliAsync(['-w', workspace, 'log', 'start', '-e', 'from-cli', '-n', 'cli-run', '--tag', 'k=v']);
    assert.equal(started.status, 0, started.stderr);
    assert.match(started.stderr, /going through its server at http:\/\/127\.0\.0\.1:\d+/);
    const runId = started.stdout.trim();
    assert.match(runId, /^[0-9a-f]{32}$/);
    // Each CLI call is a process start (slow on a busy machine): one of each kind.
    for (const args of [['metric', runId, 'loss', '-inf', '--step', '4'], ['param', runId, 'lr', '0.1'], ['end', runId]]) {
      const r = await runCliAsync(['-w', workspace, 'log', ...args]);
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
    }
    // The writer (this process) has it all.
    const run = await fx.store.tracking.getRun(runId);
    assert.equal(run.info.runName, 'cli-run');
    assert.equal(run.info.status, 'FINISHED');
    assert.deepEqual(run.data.params, [{ key: 'lr', value: '0.1' }]);
    assert.deepEqual((await fx.store.tracking.getMetricHistory(runId, 'loss')).points.map((p) => [p.step, p.value]), [[4, -Infinity]]);
    assert.equal((await fx.store.tracking.getExperimentByName('from-cli'))?.experimentId, run.info.experimentId);

    const shown = await runCliAsync(['-w', workspace, 'runs', 'show', runId]);
    assert.equal(shown.status, 0, shown.stderr);
    assert.match(shown.stdout, /cli-run/);
    assert.match(shown.stdout, /lr\s+0\.1/);
    const experiments = await runCliAsync(['-w', workspace, 'experiments', 'list']);
    assert.equal(experiments.status, 0, experiments.stderr);
    assert.match(experiments.stdout, /from-cli\s+1\s/);
    const wrong = await runCliAsync(['-w', workspace, 'log', 'param', runId, 'lr', '0.2']);
    assert.equal(wrong.status, 2);
    assert.match(wrong.stderr, /Param "lr".*already "0\.1"/);
  } finally {
    await fx.server.close();
  }
  // Without a server the holder is still named, with a way out.
  const refused = await runCliAsync(['-w', workspace, 'runs', 'list']);
  assert.equal(refused.status, 3);
  assert.match(refused.stderr, /in use by server test .*runs no MLflow-compatible server/);
  await fx.close();
});
