import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

describe('mlops run', () => {
  test('runs a command as a tracked run that can reach the local MLflow server, and exits with its code', () => {
    const ws = mkdtempSync(join(tmpdir(), 'mlops-run-'));
    // the command checks the server answers with the token it was given, then fails on purpose
    const script = `fetch(process.env.MLFLOW_TRACKING_URI + '/api/2.0/mlflow/runs/get?run_id=' + process.env.MLFLOW_RUN_ID, { headers: { Authorization: 'Bearer ' + process.env.MLFLOW_TRACKING_TOKEN } }).then(r => r.json()).then(j => { console.log('status', j.run.info.status); process.exit(4); })`;
    const r = runCli(['--workspace', ws, 'run', '--experiment', 'cli-run', '--', process.execPath, '-e', script], { cwd: ws });
    assert.equal(r.status, 4, r.stderr);
    assert.match(r.stdout, /status RUNNING/);
    const id = /run ([0-9a-f]{32}) FAILED/.exec(r.stderr)?.[1];
    assert.ok(id, `the outcome names the run: ${r.stderr}`);
    const show = runCli(['--workspace', ws, '--json', 'runs', 'show', id]);
    assert.equal(show.status, 0, show.stderr);
    assert.match(show.stdout, /"status": "FAILED"/);
  });
});
