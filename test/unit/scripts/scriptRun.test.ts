import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScriptAsExperiment } from '../../../src/core/scripts/scriptRun';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';

const node = JSON.stringify(process.execPath);

describe('any command as a tracked run', () => {
  let store: WorkspaceStore;
  let experimentId: string;
  const cwd = mkdtempSync(join(tmpdir(), 'mlops-script-'));
  before(async () => {
    store = await openWorkspaceStore({ dir: join(cwd, '.mlops'), writerName: 'script test' });
    experimentId = await store.tracking.createExperiment('scripts');
  });
  after(async () => {
    await store.close();
  });

  test('a script that succeeds leaves a FINISHED run with its output, and sees its run through MLflow variables', async () => {
    const seen: string[] = [];
    const result = await runScriptAsExperiment({
      store: store.tracking,
      command: `${node} -e "console.log('run', process.env.MLFLOW_RUN_ID, 'exp', process.env.MLFLOW_EXPERIMENT_ID, 'uri', process.env.MLFLOW_TRACKING_URI, 'token', process.env.MLFLOW_TRACKING_TOKEN)"`,
      cwd,
      experimentId,
      tracking: { uri: 'http://127.0.0.1:5999', token: 'tok' },
      onOutput: (t) => seen.push(t),
    });
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.exitCode, 0);
    const expected = `run ${result.runId} exp ${experimentId} uri http://127.0.0.1:5999 token tok`;
    assert.equal(seen.join('').trim(), expected);
    const run = await store.tracking.getRun(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    assert.ok(run.info.endTime !== null);
    assert.equal((await store.tracking.readArtifact(result.runId, 'logs/output.txt')).toString('utf8').trim(), expected);
    assert.equal(run.data.tags.find((t) => t.key === 'mlops.exit_code')?.value, '0');
  });

  test('a failing script leaves a FAILED run that says how it exited, with stderr captured', async () => {
    const result = await runScriptAsExperiment({ store: store.tracking, command: `${node} -e "console.error('boom: missing column x'); process.exit(3)"`, cwd, experimentId });
    assert.equal(result.status, 'FAILED');
    assert.equal(result.exitCode, 3);
    const run = await store.tracking.getRun(result.runId);
    assert.match(run.data.tags.find((t) => t.key === 'mlops.error')?.value ?? '', /exited with code 3/);
    assert.match((await store.tracking.readArtifact(result.runId, 'logs/output.txt')).toString('utf8'), /boom: missing column x/);
  });

  test('a command that does not exist fails clearly', async () => {
    const result = await runScriptAsExperiment({ store: store.tracking, command: 'definitely-not-a-command-xyz --flag', cwd, experimentId });
    assert.equal(result.status, 'FAILED');
    assert.match((await store.tracking.readArtifact(result.runId, 'logs/output.txt')).toString('utf8'), /not found/);
  });

  test('cancel stops the script and everything it started, and the run is KILLED', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const job = runScriptAsExperiment({
      store: store.tracking,
      // a shell that starts a long-running child: both must go
      command: `${node} -e "setInterval(() => {}, 1000)" & wait`,
      cwd,
      experimentId,
      signal: controller.signal,
      onStarted: () => setTimeout(() => controller.abort(), 200),
    });
    const result = await job;
    assert.equal(result.status, 'KILLED');
    assert.ok(Date.now() - started < 10_000, 'cancel does not wait for the script to finish');
    assert.equal((await store.tracking.getRun(result.runId)).info.status, 'KILLED');
  });
});
