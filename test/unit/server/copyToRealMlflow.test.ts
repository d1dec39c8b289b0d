import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DEFAULT_STORE_DIR } from '../../../src/core/product/productInfo';
import { MlflowRegistryClient } from '../../../src/core/remote/mlflowRegistryClient';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { COPIED_FROM_TAG, COPY_COMPLETE_TAG, COPY_ERROR_TAG } from '../../../src/core/remote/storeCopy';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import { runCli, runCliAsync } from '../lib/runCli';
import { findMlflowPython, realMlflowOrSkip } from './realMlflow';
import { openStoreAfterCli } from '../store/testSupport';

// Issue #18 against a real MLflow 2.12.2: a trained run (sha256 dataset digest, model files)
// copies whole; a copy cut short by a refused upload is marked FAILED and the next copy repairs
// it; a model version copies with its alias only once its files are on the server.

const ROOT = join(__dirname, '..', '..', '..');

/** In front of MLflow: passes everything through but refuses every artifact upload. */
async function refusingUploads(target: string): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'PUT' && (req.url ?? '').includes('/mlflow-artifacts/artifacts/')) {
        res.writeHead(403, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error_code: 'PERMISSION_DENIED', message: 'uploads refused by the test' }));
        return;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => k !== 'host' && k !== 'content-length' && k !== 'connection')) as Record<string, string>;
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      fetch(`${target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body && req.method !== 'GET' ? { body } : {}) })
        .then(async (answer) => {
          const bytes = Buffer.from(await answer.arrayBuffer());
          res.writeHead(answer.status, { 'Content-Type': answer.headers.get('content-type') ?? 'application/octet-stream' }).end(bytes);
        })
        .catch((error: unknown) => res.writeHead(502).end(String(error)));
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((done) => server.close(() => done())) };
}

async function files(store: TrackingStore, runId: string, path = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await store.listArtifacts(runId, path)) out.push(...(e.isDir ? await files(store, runId, e.path) : [e.path]));
  return out.sort();
}

test('a trained run and its model copy to a real MLflow server whole; a copy cut short is marked FAILED and repaired by the next', async (t) => {
  const mlflow = await realMlflowOrSkip(t);
  if (!mlflow) return;
  const proxy = await refusingUploads(mlflow.url);
  try {
    const workspace = mkdtempSync(join(tmpdir(), 'mlops-copy-real-'));
    const spec = readFileSync(join(ROOT, 'examples', 'penguins.train.yaml'), 'utf8')
      .replace(/^dataset: .*$/m, `dataset: ${join(ROOT, 'examples', 'data', 'penguins.csv')}`)
      .replace(/^epochs: \d+$/m, 'epochs: 5');
    writeFileSync(join(workspace, 'p.train.yaml'), `${spec}\nregister:\n  model: penguins\n  alias: champion\n`);
    const trained = runCli(['--workspace', workspace, '--json', 'train', join(workspace, 'p.train.yaml'), '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
    const runId = (JSON.parse(trained.stdout) as { runId: string }).runId;
    const storeDir = join(workspace, DEFAULT_STORE_DIR);
    const local = await openStoreAfterCli({ dir: storeDir, writerName: 'test reader' });
    const localRun = await local.tracking.getRun(runId);
    const localFiles = await files(local.tracking, runId);
    await local.close();
    assert.match(localRun.inputs.datasetInputs[0]?.digest ?? '', /^sha256:[0-9a-f]{64}$/, 'the trained run has the digest MLflow refused');
    assert.ok(localFiles.length > 0);

    const cut = await runCliAsync(['--workspace', workspace, 'copy', 'runs', '--to', proxy.url, runId]);
    assert.notEqual(cut.status, 0, 'the copy fails when the server refuses the files');
    assert.match(cut.stderr, /uploads refused by the test/);
    const remote = new MlflowRestClient({ url: mlflow.url, token: null });
    const experiment = await remote.getExperimentByName('penguins');
    assert.ok(experiment);
    const [partial] = (await remote.searchRuns({ experimentIds: [experiment.experimentId], viewType: 'ALL' })).runs;
    assert.ok(partial, 'the cut-short copy is on the server');
    assert.equal(partial.info.status, 'FAILED', 'never left RUNNING');
    assert.match(partial.data.tags.find((x) => x.key === COPY_ERROR_TAG)?.value ?? '', /uploads refused/);
    assert.equal(partial.data.tags.find((x) => x.key === COPY_COMPLETE_TAG), undefined);

    const repaired = await runCliAsync(['--workspace', workspace, 'copy', 'runs', '--to', mlflow.url, runId]);
    assert.equal(repaired.status, 0, repaired.stderr);
    assert.match(repaired.stdout, /1 run\(s\) copied \(repaired 1 left unfinished by an earlier copy\), 0 already there/);
    const active = (await remote.searchRuns({ experimentIds: [experiment.experimentId] })).runs;
    assert.equal(active.length, 1, 'only the whole copy is left active');
    const copy = active[0]!;
    assert.equal(copy.info.status, 'FINISHED');
    assert.equal(copy.data.tags.find((x) => x.key === COPY_COMPLETE_TAG)?.value, 'true');
    assert.equal(copy.data.tags.find((x) => x.key === COPIED_FROM_TAG)?.value, `workspace:${storeDir}#${runId}`);
    assert.deepEqual(copy.inputs.datasetInputs, localRun.inputs.datasetInputs, 'inputs read back as they were');
    const raw = (await (await fetch(`${mlflow.url}/api/2.0/mlflow/runs/get?run_id=${copy.info.runId}`)).json()) as { run: { inputs: { dataset_inputs: { dataset: { digest: string } }[] } } };
    assert.equal(raw.run.inputs.dataset_inputs[0]?.dataset.digest.length, 36, 'MLflow holds a digest within its limit');
    assert.deepEqual(await files(remote, copy.info.runId), localFiles);
    assert.deepEqual([...copy.data.params].sort((a, b) => a.key.localeCompare(b.key)), [...localRun.data.params].sort((a, b) => a.key.localeCompare(b.key)));

    const again = await runCliAsync(['--workspace', workspace, 'copy', 'runs', '--to', mlflow.url, runId]);
    assert.match(again.stdout, /0 run\(s\) copied, 1 already there/);

    const model = await runCliAsync(['--workspace', workspace, 'copy', 'model', 'penguins', '1', '--to', mlflow.url]);
    assert.equal(model.status, 0, model.stderr);
    assert.match(model.stdout, /copied: penguins v1 → penguins v1 on http/);
    const registry = new MlflowRegistryClient({ url: mlflow.url, token: null });
    const champion = await registry.getVersionByAlias('penguins', 'champion');
    assert.equal(champion.runId, copy.info.runId, 'the version points at the whole copy');
    const path = /\/artifacts\/?(.*)$/.exec(champion.source)?.[1] ?? '';
    assert.ok((await remote.listArtifacts(champion.runId, path)).length > 0, `the files under ${champion.source} are there`);

    // The team's registry version loads with MLflow's own pyfunc and scores as mlops predict does.
    const python = findMlflowPython();
    if ('reason' in python) return t.diagnostic(`pyfunc not checked: ${python.reason}`);
    const csv = join(ROOT, 'examples', 'data', 'penguins.csv');
    const predicted = runCli(['--workspace', workspace, 'predict', 'models:/penguins/1', csv, '-o', join(workspace, 'p.predictions.csv')]);
    assert.equal(predicted.status, 0, predicted.stderr);
    const pyfunc = spawnSync(python.python, ['-c', 'import sys, mlflow.pyfunc, pandas as pd\nm = mlflow.pyfunc.load_model("models:/penguins@champion")\nprint(m.predict(pd.read_csv(sys.argv[1])).to_json(orient="records"))', csv], { env: { ...python.env, MLFLOW_TRACKING_URI: mlflow.url }, encoding: 'utf8', timeout: 120_000 });
    assert.equal(pyfunc.status, 0, pyfunc.stderr);
    const viaMlflow = JSON.parse(pyfunc.stdout) as Record<string, string | number>[];
    const expected = readFileSync(join(workspace, 'p.predictions.csv'), 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
    assert.equal(viaMlflow.length, expected.length);
    viaMlflow.forEach((row, i) => {
      assert.equal(row.predicted_species, expected[i]?.[0], `row ${i + 1}`);
      assert.ok(Math.abs(Number(row.probability_Adelie) - Number(expected[i]?.[1])) <= 1e-6, `row ${i + 1}: ${row.probability_Adelie} vs ${expected[i]?.[1]}`);
    });
  } finally {
    await proxy.close();
    await mlflow.stop();
  }
});
