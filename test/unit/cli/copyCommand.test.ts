import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, test } from 'node:test';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runCli } from '../lib/runCli';

const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI = join(__dirname, '..', '..', '..', 'src', 'cli', 'main.ts');

/** The CLI as a child that does not block this process (the server below runs here). */
function cli(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', TSX, CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

describe('mlops copy runs', () => {
  test('copies an experiment to an MLflow server with every metric point, skips it the second time, and copies back', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-copy-'));
    const run = runCli(['--workspace', workspace, 'log', 'start', '--experiment', 'to-share']).stdout.trim().split(/\s+/).pop() as string;
    for (let step = 0; step < 5; step++) assert.equal(runCli(['--workspace', workspace, 'log', 'metric', run, 'loss', String(1 / (step + 1)), '--step', String(step)]).status, 0);
    assert.equal(runCli(['--workspace', workspace, 'log', 'param', run, 'lr', '0.01']).status, 0);
    assert.equal(runCli(['--workspace', workspace, 'log', 'end', run]).status, 0);

    // the "team server": another store behind our MLflow-compatible server
    const team = await openWorkspaceStore({ dir: mkdtempSync(join(tmpdir(), 'mlops-team-')), writerName: 'team server' });
    const server = await startTrackingServer({ store: team, token: 'a-long-enough-team-token' });
    try {
      const first = await cli(['--workspace', workspace, 'copy', 'runs', '--to', server.url, '--token', 'a-long-enough-team-token', '--experiment', 'to-share']);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /1 run\(s\) copied, 0 already there/);
      const experiment = await team.tracking.getExperimentByName('to-share');
      assert.ok(experiment, 'the experiment exists on the server');
      const { runs } = await team.tracking.searchRuns({ experimentIds: [experiment.experimentId] });
      assert.equal(runs.length, 1);
      const copied = runs[0]!;
      const history = await team.tracking.getMetricHistory(copied.info.runId, 'loss');
      assert.deepEqual(history.points.map((p) => p.value), [1, 1 / 2, 1 / 3, 1 / 4, 1 / 5], 'every point, not just the last');
      assert.equal(copied.data.params.find((p) => p.key === 'lr')?.value, '0.01');

      const again = await cli(['--workspace', workspace, 'copy', 'runs', '--to', server.url, '--token', 'a-long-enough-team-token', '--experiment', 'to-share']);
      assert.match(again.stdout, /0 run\(s\) copied, 1 already there/);

      const elsewhere = mkdtempSync(join(tmpdir(), 'mlops-copy-back-'));
      const back = await cli(['--workspace', elsewhere, 'copy', 'runs', '--from', server.url, '--token', 'a-long-enough-team-token', copied.info.runId]);
      assert.equal(back.status, 0, back.stderr);
      assert.match(back.stdout, /1 run\(s\) copied/);
    } finally {
      await server.close();
      await team.close();
    }
  });

  test('copies a trained model version to an MLflow server with its run and files; a second copy skips it', async () => {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-copy-model-'));
    const spec = join(__dirname, '..', '..', '..', 'examples', 'penguins.train.yaml');
    const trained = runCli(['--workspace', workspace, '--json', 'train', spec, '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
    const runId = (JSON.parse(trained.stdout) as { runId: string }).runId;
    const registered = runCli(['--workspace', workspace, 'models', 'register', runId, '--name', 'penguins']);
    assert.equal(registered.status, 0, registered.stderr);

    const team = await openWorkspaceStore({ dir: mkdtempSync(join(tmpdir(), 'mlops-team-models-')), writerName: 'team server' });
    const server = await startTrackingServer({ store: team, token: 'a-long-enough-team-token' });
    try {
      const first = await cli(['--workspace', workspace, 'copy', 'model', 'penguins', '1', '--to', server.url, '--token', 'a-long-enough-team-token']);
      assert.equal(first.status, 0, first.stderr);
      assert.match(first.stdout, /copied: penguins v1 → penguins v1 on http/);
      const version = await modelRegistryFor(team).getVersion('penguins', 1);
      assert.ok(version, 'the server has the version');
      const again = await cli(['--workspace', workspace, 'copy', 'model', 'penguins', '1', '--to', server.url, '--token', 'a-long-enough-team-token']);
      assert.match(again.stdout, /already there: penguins v1/);
    } finally {
      await server.close();
      await team.close();
    }
  });

  test('says what is missing when the direction or the runs are not given', () => {
    const r = runCli(['copy', 'runs', 'abc']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /either --to URL .* or --from URL/);
    const parallel = runCli(['copy', 'runs', 'abc', '--to', 'http://127.0.0.1:9', '--parallel', '0']);
    assert.equal(parallel.status, 2);
    assert.match(parallel.stderr, /--parallel must be a whole number from 1 to 32, got "0"/);
  });
});
