import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'node:test';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runCli, runCliAsync } from '../lib/runCli';
import { realMlflowOrSkip } from './realMlflow';

// Issue #18: with MLFLOW_TRACKING_URI set, every tracking and registry command of the CLI works on
// a real MLflow 2.12.2 server, and what it leaves there is what MLflow's own Python client reads
// back. Commands that need the workspace store say so; server failures say which server, what
// failed and what to do.

const ROOT = join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;

/** The stock `mlflow` Python client: the archive start-server.sh unpacked, or $MLFLOW_PYTHONPATH. */
function mlflowPythonPath(): string | undefined {
  if (process.env.MLFLOW_PYTHONPATH) return process.env.MLFLOW_PYTHONPATH;
  const src = process.env.MLFLOW_SRC_DIR ?? join(process.env.TMPDIR ?? '/tmp', 'mlflow-2.12.2-src');
  return existsSync(join(src, 'mlflow-v2.12.2')) ? `${join(src, 'mlflow-v2.12.2')}:${join(src, 'deps', 'querystring-parser-1.2.4')}` : undefined;
}

/** Runs a Python snippet with MlflowClient() on `url` as `client`; returns what it printed as JSON. */
function stockClient<T>(url: string, body: string): T {
  const script = `import json, mlflow\nfrom mlflow import MlflowClient\nclient = MlflowClient()\n${body}`;
  const pythonPath = mlflowPythonPath();
  const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const r = spawnSync(python, ['-c', script], { env: { ...process.env, MLFLOW_TRACKING_URI: url, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `the stock client failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop() as string) as T;
}

function closedPort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function penguinsSpec(dir: string, epochs: number, register = true): string {
  const file = join(dir, register ? 'penguins.train.yaml' : 'penguins-trial.train.yaml');
  const spec = readFileSync(join(ROOT, 'examples', 'penguins.train.yaml'), 'utf8')
    .replace(/^dataset: .*$/m, `dataset: ${join(ROOT, 'examples', 'data', 'penguins.csv')}`)
    .replace(/^epochs: \d+$/m, `epochs: ${epochs}`)
    .replace(/^experiment: .*$/m, 'experiment: penguins-remote');
  writeFileSync(file, register ? `${spec}\nregister:\n  model: penguins-remote\n  alias: champion\n` : spec);
  return file;
}

test('with MLFLOW_TRACKING_URI set, the CLI works on a real MLflow server and the stock client reads back what it wrote', async (t) => {
  const mlflow = await realMlflowOrSkip(t);
  if (!mlflow) return;
  // A workspace without a store: nothing may land in it.
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-remote-cli-'));
  const env = { MLFLOW_TRACKING_URI: mlflow.url };
  const mlops = (...args: string[]): ReturnType<typeof runCli> => runCli(['--workspace', workspace, ...args], { env });
  try {
    await t.test('experiments, log and runs', () => {
      const created = mlops('experiments', 'create', 'team-a', '--tag', 'owner=ml');
      assert.equal(created.status, 0, created.stderr);
      const experimentId = created.stdout.trim();
      const runId = mlops('log', 'start', '--experiment', 'team-a', '--name', 'from-a-shell', '--owner-pid', '0').stdout.trim();
      assert.match(runId, /^[0-9a-f]{32}$/);
      for (const [step, loss] of [[0, 0.9], [1, 0.5], [2, 0.3]] as const) assert.equal(mlops('log', 'metric', runId, 'loss', String(loss), '--step', String(step)).status, 0);
      assert.equal(mlops('log', 'param', runId, 'lr', '0.01').status, 0);
      assert.equal(mlops('log', 'tag', runId, 'team', 'ml').status, 0);
      writeFileSync(join(workspace, 'notes.txt'), 'shared with the team\n');
      const logged = mlops('log', 'artifact', runId, join(workspace, 'notes.txt'));
      assert.equal(logged.status, 0, logged.stderr);
      assert.equal(mlops('log', 'end', runId).status, 0);

      const listed = mlops('experiments', 'list');
      assert.match(listed.stdout, new RegExp(`^${experimentId}\\s+team-a\\s+1\\s`, 'm'), 'the experiment with its one run');
      const filtered = mlops('experiments', 'list', '--filter', "attributes.name LIKE 'team%'");
      assert.equal(filtered.status, 0, filtered.stderr);
      assert.match(filtered.stdout, /team-a/, "the engine's attributes. prefix is what MLflow calls attribute.");
      assert.doesNotMatch(filtered.stdout, /Default/);
      const runs = JSON.parse(mlops('--json', 'runs', 'list', '-e', 'team-a').stdout) as { runs: { info: { runId: string } }[] };
      assert.deepEqual(runs.runs.map((r) => r.info.runId), [runId]);
      const found = JSON.parse(mlops('--json', 'runs', 'search', 'metrics.loss < 0.4 AND params.lr = "0.01"', '-e', 'team-a').stdout) as { runs: unknown[] };
      assert.equal(found.runs.length, 1, 'the filter runs on the server');
      assert.match(mlops('runs', 'show', runId).stdout, /lr\s+0\.01/);
      assert.equal(existsSync(join(workspace, '.mlops')), false, 'no workspace store was created');

      const seen = stockClient<{ tags: Record<string, string>; status: string; ended: boolean; params: Record<string, string>; history: number[]; runTags: Record<string, string>; files: string[]; text: string }>(
        mlflow.url,
        `exp = client.get_experiment_by_name('team-a')
run = client.get_run('${runId}')
hist = [m.value for m in sorted(client.get_metric_history('${runId}', 'loss'), key=lambda m: m.step)]
files = [f.path for f in client.list_artifacts('${runId}')]
text = mlflow.artifacts.load_text(run.info.artifact_uri + '/notes.txt')
print(json.dumps({'tags': exp.tags, 'status': run.info.status, 'ended': run.info.end_time is not None, 'params': run.data.params, 'history': hist, 'runTags': run.data.tags, 'files': files, 'text': text}))`,
      );
      assert.equal(seen.tags.owner, 'ml');
      assert.equal(seen.status, 'FINISHED');
      assert.ok(seen.ended, 'log end sets the end time, as the stock client does');
      assert.deepEqual(seen.params, { lr: '0.01' });
      assert.deepEqual(seen.history, [0.9, 0.5, 0.3]);
      assert.equal(seen.runTags.team, 'ml');
      assert.equal(seen.runTags['mlflow.runName'], 'from-a-shell');
      assert.deepEqual(seen.files, ['notes.txt']);
      assert.equal(seen.text, 'shared with the team\n');
    });

    await t.test('train logs its run and model to the server and registers it there; models and predict use that registry', () => {
      const spec = penguinsSpec(workspace, 4);
      const trained = mlops('--json', 'train', spec, '--backend', 'js');
      assert.equal(trained.status, 0, trained.stderr);
      const result = JSON.parse(trained.stdout) as { runId: string; modelDir: string; registration: { name: string; version: number; alias: string } };
      assert.match(result.modelDir, /^mlflow-artifacts:\//, 'the model package is on the server');
      assert.deepEqual(result.registration, { name: 'penguins-remote', version: 1, alias: 'champion' });

      const listed = mlops('models', 'list');
      assert.equal(listed.status, 0, listed.stderr);
      assert.match(listed.stdout, /penguins-remote\s+1\s+v1\s+@champion=v1/);
      const registered = mlops('models', 'register', result.runId, '--name', 'penguins-remote', '--description', 'again');
      assert.match(registered.stdout, /registered models:\/penguins-remote\/2/);
      assert.equal(mlops('models', 'alias', 'set', 'penguins-remote', 'challenger', '2').status, 0);
      assert.equal(mlops('models', 'tag', 'penguins-remote', 'reviewed=yes', '2').status, 0);
      assert.equal(mlops('models', 'stage', 'penguins-remote', '2', 'Staging').status, 0);
      const shown = mlops('models', 'show', 'models:/penguins-remote@champion');
      assert.equal(shown.status, 0, shown.stderr);
      assert.match(shown.stdout, /run\s+[0-9a-f]{32}/);
      assert.match(shown.stdout, /inputs\s+island:string/, 'the signature, read from the package on the server');
      assert.match(shown.stdout, /metrics\s+test_accuracy=/);

      const rows = readFileSync(join(ROOT, 'examples', 'data', 'penguins.csv'), 'utf8').split('\n').slice(0, 6).join('\n');
      writeFileSync(join(workspace, 'few.csv'), `${rows}\n`);
      const predicted = mlops('predict', 'models:/penguins-remote@champion', join(workspace, 'few.csv'));
      assert.equal(predicted.status, 0, predicted.stderr);
      assert.match(predicted.stderr, /downloading its files/);
      assert.equal(readFileSync(join(workspace, 'few.predictions.csv'), 'utf8').trim().split('\n').length, 6, 'a header and five predictions');

      const seen = stockClient<{ champion: string; challenger: string; stage: string; tags: Record<string, string>; source: string; files: string[]; metrics: string[]; digest: string }>(
        mlflow.url,
        `champion = client.get_model_version_by_alias('penguins-remote', 'champion')
challenger = client.get_model_version_by_alias('penguins-remote', 'challenger')
run = client.get_run(champion.run_id)
print(json.dumps({'champion': champion.run_id, 'challenger': challenger.version, 'stage': challenger.current_stage, 'tags': challenger.tags, 'source': champion.source,
  'files': sorted(f.path for f in client.list_artifacts(champion.run_id, 'model')), 'metrics': sorted(run.data.metrics), 'digest': run.inputs.dataset_inputs[0].dataset.digest}))`,
      );
      assert.equal(seen.champion, result.runId);
      assert.equal(seen.challenger, '2');
      assert.equal(seen.stage, 'Staging');
      assert.equal(seen.tags.reviewed, 'yes');
      assert.match(seen.source, new RegExp(`/${result.runId}/artifacts/model$`));
      assert.ok(seen.files.includes('model/MLmodel.json'), `the package is on the server: ${seen.files.join(', ')}`);
      assert.ok(seen.metrics.includes('test_accuracy') && seen.metrics.includes('val_loss'));
      assert.ok(seen.digest.length > 0);
      assert.equal(existsSync(join(workspace, '.mlops')), false, 'still no workspace store');
    });

    await t.test('train of a feature-set spec builds its training set from the views materialized on this disk', () => {
      const features = mkdtempSync(join(tmpdir(), 'mlops-remote-features-'));
      cpSync(join(ROOT, 'examples', 'features'), features, { recursive: true });
      const materialized = runCli(['--workspace', features, '--local', 'features', 'materialize'], { env });
      assert.equal(materialized.status, 0, materialized.stderr);
      const trained = runCli(['--workspace', features, '--json', 'train', join(features, 'penguins-from-features.train.yaml'), '--backend', 'js'], { env });
      assert.equal(trained.status, 0, trained.stderr);
      assert.match((JSON.parse(trained.stdout) as { modelDir: string }).modelDir, /^mlflow-artifacts:\//, 'the run and its model are on the server');
    });

    await t.test("serve: a version of the team registry is served from its files, and the banner says what is not kept", async () => {
      const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src', 'cli', 'main.ts'), '--workspace', workspace, 'serve', 'models:/penguins-remote@champion'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const closed = new Promise<number | null>((done) => child.on('close', done));
      try {
        await new Promise<void>((ready, fail) => {
          child.stdout.on('data', (d: Buffer) => {
            stdout += d.toString();
            if (stdout.includes('Ctrl+C stops it')) ready();
          });
          child.once('close', () => fail(new Error(`mlops serve ended before serving: ${stderr}`)));
        });
        assert.match(stdout, /Serving models:\/penguins-remote@champion \(version 1 from the MLflow server at /);
        assert.match(stdout, /Not kept \(they need the workspace store; copy the version there with mlops copy model penguins-remote 1 --from .*\): its request log, feedback, and following the alias\./);
        const url = /curl -si (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
        const row = { island: 'Torgersen', bill_length_mm: 39.1, bill_depth_mm: 18.7, flipper_length_mm: 181, body_mass_g: 3750, sex: 'male' };
        const answer = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataframe_records: [row] }) });
        assert.equal(answer.status, 200);
        const body = (await answer.json()) as { predictions: { label: string }[] };
        assert.equal(body.predictions.length, 1);
        assert.ok(['Adelie', 'Chinstrap', 'Gentoo'].includes(body.predictions[0]?.label ?? ''), JSON.stringify(body));
      } finally {
        child.kill('SIGINT');
        await closed;
      }
      assert.equal(existsSync(join(workspace, '.mlops')), false, 'serving left no workspace store behind');
    });

    await t.test('tune logs the study and each trial as runs on the server', () => {
      penguinsSpec(workspace, 3, false);
      const tuneSpec = join(workspace, 'penguins.tune.yaml');
      writeFileSync(tuneSpec, ['train: penguins-trial.train.yaml', 'objective:', '  metric: val_accuracy', '  direction: maximize', 'sampler: random', 'trials: 2', 'parallel: 1', 'seed: 1', 'params:', '  optimizer.learning_rate: { type: log_uniform, low: 0.001, high: 0.05 }', ''].join('\n'));
      const tuned = mlops('--json', 'tune', tuneSpec, '--backend', 'js');
      assert.equal(tuned.status, 0, tuned.stderr);
      const result = JSON.parse(tuned.stdout) as { studyRunId: string; trials: { runId?: string }[] };
      assert.equal(result.trials.length, 2);
      const seen = stockClient<{ study: string; trials: string[]; lrs: string[] }>(
        mlflow.url,
        `study = client.get_run('${result.studyRunId}')
trials = client.search_runs([study.info.experiment_id], filter_string="tags.mlflow.parentRunId = '${result.studyRunId}'")
print(json.dumps({'study': study.info.status, 'trials': sorted(r.info.status for r in trials), 'lrs': sorted(r.data.params['optimizer.learning_rate'] for r in trials)}))`,
      );
      assert.equal(seen.study, 'FINISHED');
      assert.deepEqual(seen.trials, ['FINISHED', 'FINISHED'], 'both trials are child runs of the study on the server');
      assert.equal(new Set(seen.lrs).size, 2, 'each trial with its own learning rate');
      assert.deepEqual(result.trials.map((tr) => tr.runId).sort(), (JSON.parse(mlops('--json', 'runs', 'search', `tags.mlflow.parentRunId = '${result.studyRunId}'`, '-e', 'penguins-remote').stdout) as { runs: { info: { runId: string } }[] }).runs.map((r) => r.info.runId).sort());
    });

    await t.test("run: a script's own mlflow calls log into its run on the server", () => {
      const pythonPath = mlflowPythonPath();
      const python = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
      const script = join(workspace, 'fit.py');
      writeFileSync(script, 'import mlflow\nmlflow.log_param("depth", "3")\nmlflow.log_metric("rmse", 0.25)\nprint("fitted")\n');
      const ran = runCli(['--workspace', workspace, 'run', '--experiment', 'scripts', '--', python, script], { env: { ...env, ...(pythonPath ? { PYTHONPATH: pythonPath } : {}) } });
      assert.equal(ran.status, 0, ran.stderr);
      assert.match(ran.stdout, /fitted/);
      const runId = /mlops: run ([0-9a-f]{32}) FINISHED/.exec(ran.stderr)?.[1];
      assert.ok(runId, ran.stderr);
      assert.match(ran.stderr, new RegExp(`MLFLOW_TRACKING_URI=${mlflow.url.replace(/[.]/g, '\\.')}`), 'the script was pointed at the team server');
      const seen = stockClient<{ status: string; params: Record<string, string>; metrics: Record<string, number>; experiment: string }>(
        mlflow.url,
        `run = client.get_run('${runId}')
print(json.dumps({'status': run.info.status, 'params': run.data.params, 'metrics': run.data.metrics, 'experiment': client.get_experiment(run.info.experiment_id).name}))`,
      );
      assert.equal(seen.status, 'FINISHED');
      assert.equal(seen.experiment, 'scripts');
      assert.equal(seen.params.depth, '3');
      assert.equal(seen.metrics.rmse, 0.25);
    });

    await t.test('commands that need the workspace store say so, and --local overrides the variable', () => {
      const gc = mlops('gc');
      assert.equal(gc.status, 1);
      assert.match(gc.stderr, /"mlops gc" works on the workspace store only \(it frees files of the workspace store on this disk/);
      assert.match(gc.stderr, new RegExp(`MLFLOW_TRACKING_URI=${mlflow.url.replace(/[.]/g, '\\.')} is used by experiments, runs`));
      const doctor = mlops('doctor');
      assert.equal(doctor.status, 0, doctor.stdout);
      assert.match(doctor.stdout, new RegExp(`tracking {4}MLFLOW_TRACKING_URI=${mlflow.url.replace(/[.]/g, '\\.')} {2}ok \\(MLflow 2\\.\\d+\\.\\d+\\): experiments, runs`));
      const history = mlops('models', 'history', 'penguins-remote');
      assert.match(history.stderr, /MLflow keeps no audit log of a model/);
      const local = mlops('--local', 'runs', 'list');
      assert.equal(local.status, 1);
      assert.match(local.stderr, /No workspace store at/);
      const fileUri = runCli(['--workspace', workspace, 'runs', 'list'], { env: { MLFLOW_TRACKING_URI: 'file:///tmp/mlruns' } });
      assert.equal(fileUri.status, 2);
      assert.match(fileUri.stderr, /MLFLOW_TRACKING_URI=file:\/\/\/tmp\/mlruns is not an MLflow server's http\(s\) address.*--local/);
    });

    await t.test('a run or model the server does not have is named with the server', () => {
      const missing = mlops('runs', 'show', 'f'.repeat(32));
      assert.equal(missing.status, 2);
      assert.match(missing.stderr, new RegExp(`on the MLflow server at ${mlflow.url.replace(/[.]/g, '\\.')}: Run .*not found`));
      const noAlias = mlops('models', 'show', 'models:/penguins-remote@nobody');
      assert.match(noAlias.stderr, /has no alias "nobody" on the MLflow server at .*\(@challenger → v2, @champion → v1\)/, 'and which aliases it has');
    });
  } finally {
    await mlflow.stop();
  }
});

test('an MLflow server that cannot be reached, or refuses the token, is named with what failed and what to do', async () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-remote-errors-'));
  const port = await closedPort();
  const down = runCli(['--workspace', workspace, 'runs', 'list'], { env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` } });
  assert.equal(down.status, 1);
  assert.match(down.stderr, new RegExp(`Cannot reach the MLflow server at http://127\\.0\\.0\\.1:${port} \\(POST /api/2\\.0/mlflow/experiments/search\\): ECONNREFUSED`));
  assert.match(down.stderr, /Is the server running, and is MLFLOW_TRACKING_URI right\? \(--local works on the workspace store instead\.\)/);
  const doctor = runCli(['--workspace', workspace, 'doctor'], { env: { MLFLOW_TRACKING_URI: `http://127.0.0.1:${port}` } });
  assert.equal(doctor.status, 1, 'doctor fails on a server it cannot reach');
  assert.match(doctor.stdout, new RegExp(`tracking {4}MLFLOW_TRACKING_URI=http://127\\.0\\.0\\.1:${port} {2}UNREACHABLE\\n {2}Cannot reach the MLflow server`));
  const flag = runCli(['--workspace', workspace, '--tracking-uri', `http://127.0.0.1:${port}`, 'models', 'list']);
  assert.match(flag.stderr, /is --tracking-uri right\?/);

  // Something that is not an MLflow server (a proxy's HTML 404 page): its title, not its markup.
  const notMlflow = createHttpServer((_req, res) => res.writeHead(404, { 'Content-Type': 'text/html' }).end('<!doctype html><html><head><title>404 Not Found</title></head><body><h1>Not Found</h1><hr>nginx</body></html>'));
  await new Promise<void>((done) => notMlflow.listen(0, '127.0.0.1', done));
  const notMlflowAddress = notMlflow.address();
  const notMlflowUrl = `http://127.0.0.1:${typeof notMlflowAddress === 'object' && notMlflowAddress !== null ? notMlflowAddress.port : 0}/mlflow`;
  try {
    const wrongPlace = await runCliAsync(['--workspace', workspace, 'runs', 'list'], { env: { MLFLOW_TRACKING_URI: notMlflowUrl } });
    assert.equal(wrongPlace.status, 1);
    assert.equal(wrongPlace.stderr, `mlops: The MLflow server at ${notMlflowUrl} answered 404 for POST /api/2.0/mlflow/experiments/search: 404 Not Found\n  Is MLFLOW_TRACKING_URI the address of an MLflow tracking server (the part before /api/2.0/…)?\n`);
  } finally {
    await new Promise<void>((done) => notMlflow.close(() => done()));
  }

  // A server that wants a token (mlops server's own bearer check), given the wrong one.
  const store = await openWorkspaceStore({ dir: mkdtempSync(join(tmpdir(), 'mlops-remote-auth-')), writerName: 'token server' });
  const server = await startTrackingServer({ store, token: 'the-right-token-for-this-server' });
  try {
    const wrong = await runCliAsync(['--workspace', workspace, 'experiments', 'list'], { env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: 'a-wrong-token' } });
    assert.equal(wrong.status, 1);
    assert.match(wrong.stderr, new RegExp(`The MLflow server at ${server.url.replace(/[.]/g, '\\.')} refused the request \\(check the token\\) for POST /api/2\\.0/mlflow/experiments/search \\(HTTP 401\\)`));
    assert.match(wrong.stderr, /the MLFLOW_TRACKING_TOKEN sent was refused\): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD/);
    const none = await runCliAsync(['--workspace', workspace, 'experiments', 'list'], { env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: '' } });
    assert.match(none.stderr, /no credentials were sent/);
    const right = await runCliAsync(['--workspace', workspace, 'experiments', 'create', 'with-token'], { env: { MLFLOW_TRACKING_URI: server.url, MLFLOW_TRACKING_TOKEN: 'the-right-token-for-this-server' } });
    assert.equal(right.status, 0, right.stderr);
    assert.ok(await store.tracking.getExperimentByName('with-token'), 'the right token reaches the server');
  } finally {
    await server.close();
    await store.close();
  }
});

test('MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD go as basic auth, as the stock client sends them (before a token)', async () => {
  const seen: string[] = [];
  const server = createHttpServer((req, res) => {
    seen.push(req.headers.authorization ?? '');
    res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: 'Permission denied' }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
  try {
    const denied = await runCliAsync(['--workspace', tmpdir(), 'runs', 'list'], { env: { MLFLOW_TRACKING_URI: url, MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 's3cret', MLFLOW_TRACKING_TOKEN: 'ignored' } });
    assert.equal(denied.status, 1);
    assert.deepEqual(seen, [`Basic ${Buffer.from('ana:s3cret').toString('base64')}`]);
    assert.match(denied.stderr, /The server does not allow this \(MLFLOW_TRACKING_USERNAME\/MLFLOW_TRACKING_PASSWORD were sent and refused\)/);
    // mlops copy names its server itself, and sends the same credentials
    const copied = await runCliAsync(['--workspace', mkdtempSync(join(tmpdir(), 'mlops-copy-auth-')), 'copy', 'runs', '--from', url, 'f'.repeat(32)], { env: { MLFLOW_TRACKING_USERNAME: 'ana', MLFLOW_TRACKING_PASSWORD: 's3cret' } });
    assert.equal(copied.status, 1);
    assert.equal(seen[1], `Basic ${Buffer.from('ana:s3cret').toString('base64')}`);
  } finally {
    await new Promise<void>((done) => server.close(() => done()));
  }
});
