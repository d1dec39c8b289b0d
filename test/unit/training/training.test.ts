import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { loadModelPackage } from '../../../src/core/modelPackage/modelPackageLoader';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runTraining, TrainingCancelledError, TrainingFailedError, TrainingInputError, type TrainingProgress } from '../../../src/core/training/trainingRunner';
import { transformRecords } from '../../../src/core/training/preprocessing';
import { isReproducibleMetric } from '../../../src/core/training/rerun';

const root = join(__dirname, '..', '..', '..');
const examples = join(root, 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-train-'));
let workspace: WorkspaceStore;

function spec(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}
async function artifactDir(runId: string): Promise<string> {
  const run = await workspace.tracking.getRun(runId);
  return fileURLToPath(run.info.artifactUri);
}
function penguinRows(): Record<string, string>[] {
  const [header, ...lines] = readFileSync(join(examples, 'data', 'penguins.csv'), 'utf8').trim().split('\n');
  const names = (header as string).split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [names[i] as string, v])));
}

before(async () => {
  workspace = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'training tests' });
});
after(async () => {
  await workspace.close();
  rmSync(work, { recursive: true, force: true });
});

describe('training a model from a spec', () => {
  test('penguins: a tracked run with live progress, test metrics, and a model package that scores like TensorFlow.js', async () => {
    const progress: TrainingProgress[] = [];
    const result = await runTraining({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), onProgress: (p) => progress.push(p) });

    // progress: starts, reports epochs in order with metrics, ends finished
    assert.equal(progress[0]?.phase, 'starting');
    const epochs = progress.filter((p) => p.phase === 'training' && p.epoch > 0 && p.metrics.val_loss !== undefined).map((p) => p.epoch);
    assert.deepEqual(epochs.slice(0, 3), [1, 2, 3]);
    assert.ok(progress.every((p, i) => i === 0 || p.fraction >= (progress[i - 1] as TrainingProgress).fraction), 'fraction never goes back');
    assert.equal(progress.at(-1)?.phase, 'finished');
    assert.equal(progress.find((p) => p.runId)?.runId, result.runId);
    assert.match(progress.find((p) => p.epoch === 2)?.message ?? '', /^epoch 2\/60 · loss \d\.\d{4} · val_loss/);

    assert.ok((result.metrics.test_accuracy ?? 0) > 0.95, `test accuracy ${result.metrics.test_accuracy}`);
    const run = await workspace.tracking.getRun(result.runId);
    assert.equal(run.info.status, 'FINISHED');
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    assert.ok(['tensorflow', 'js', 'wasm', 'cpu'].includes(tags['mlops.backend'] ?? ''), 'backend recorded');
    assert.equal(tags['mlops.backend'], result.backend);
    assert.equal(tags['mlops.spec'], join(examples, 'penguins.train.yaml'));
    assert.match(tags['mlops.dataset.digest'] ?? '', /^sha256:[0-9a-f]{64}$/);
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    assert.equal(params['model.layers'], '16:relu:dropout=0.1');
    assert.equal(params['optimizer.learning_rate'], '0.01');
    assert.equal(params.classes, 'Adelie,Chinstrap,Gentoo');
    assert.equal(run.inputs.datasetInputs[0]?.digest, result.datasetDigest);
    assert.equal(run.inputs.datasetInputs[0]?.name, 'data/penguins.csv');

    const loss = await workspace.tracking.getMetricHistory(result.runId, 'val_accuracy');
    const bestEpoch = run.data.metrics.find((m) => m.key === 'best_epoch')?.value;
    const restored = bestEpoch !== undefined && bestEpoch < result.epochsRun;
    assert.equal(loss.total, result.epochsRun + (restored ? 1 : 0), 'one point per epoch, plus the kept epoch’s again when early stopping restored it');
    assert.deepEqual(loss.points.slice(0, 3).map((p) => p.step), [1, 2, 3]);
    const batches = await workspace.tracking.getMetricColumns(result.runId, 'batch_loss');
    assert.ok(batches.steps.length > 10 && batches.steps[1]! - batches.steps[0]! === 10, 'every 10th batch loss is logged');

    const artifacts = (await workspace.tracking.listArtifacts(result.runId, 'model')).map((a) => a.path).sort();
    assert.deepEqual(artifacts, ['model/MLmodel.json', 'model/metrics.json', 'model/model.json', 'model/preprocessing.json', 'model/signature.json', 'model/spec.train.yaml', 'model/weights.bin']);
    const confusion = JSON.parse((await workspace.tracking.readArtifact(result.runId, 'evaluation/confusion_matrix.json')).toString()) as { labels: string[]; matrix: number[][] };
    assert.deepEqual(confusion.labels, ['Adelie', 'Chinstrap', 'Gentoo']);
    assert.equal(confusion.matrix.flat().reduce((a, b) => a + b, 0), result.evaluation?.rows);

    // the package: signature, and predictions equal to TensorFlow.js's to 1e-5
    const model = await loadModelPackage(join(await artifactDir(result.runId), 'model'));
    assert.equal(model.manifest.datasetDigest, result.datasetDigest);
    assert.equal(model.manifest.backend, result.backend);
    assert.deepEqual(model.signature.output, { task: 'classification', target: 'species', classes: ['Adelie', 'Chinstrap', 'Gentoo'] });
    assert.deepEqual(model.signature.inputs.find((i) => i.name === 'island'), { name: 'island', type: 'string', categories: ['Biscoe', 'Dream', 'Torgersen'], optional: false });
    const rows = penguinRows();
    const predictions = model.predict(rows);
    const correct = predictions.filter((p, i) => 'label' in p && p.label === rows[i]?.species).length;
    assert.ok(correct / rows.length > 0.95, `accuracy over the whole file ${correct / rows.length}`);

    await tf.setBackend('cpu');
    const modelJson = JSON.parse(readFileSync(join(await artifactDir(result.runId), 'model', 'model.json'), 'utf8')) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const weights = readFileSync(join(await artifactDir(result.runId), 'model', 'weights.bin'));
    const tfModel = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: modelJson.modelTopology, weightSpecs: modelJson.weightsManifest[0]!.weights, weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) }),
    );
    const x = transformRecords(model.preprocessing, rows);
    const expected = (tfModel.predict(tf.tensor2d(x, [rows.length, model.preprocessing.width])) as tf.Tensor).dataSync();
    const actual = model.predictEncoded(x, rows.length);
    let worst = 0;
    for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs((expected[i] as number) - (actual[i] as number)));
    assert.ok(worst < 1e-5, `largest difference from tfjs ${worst}`);
  });

  test('auto-mpg regression reaches a useful fit and predicts miles per gallon directly', async () => {
    const result = await runTraining({ store: workspace.tracking, specPath: join(examples, 'auto-mpg.train.yaml') });
    assert.ok((result.metrics.test_r2 ?? 0) > 0.75, `R² ${result.metrics.test_r2}`);
    assert.ok((result.metrics.test_rmse ?? 99) < 4.5, `RMSE ${result.metrics.test_rmse}`);
    const model = await loadModelPackage(join(await artifactDir(result.runId), 'model'));
    const [prediction] = model.predict([{ cylinders: 4, displacement: 97, horsepower: 88, weight_lbs: 2130, acceleration: 14.5, model_year: 1971, origin: 'Japan' }]);
    assert.ok(prediction && 'value' in prediction && prediction.value > 18 && prediction.value < 40, `a light 4-cylinder car: ${JSON.stringify(prediction)}`);
  });

  test('the same spec and seed give the same metrics; another seed gives others', async () => {
    const text = readFileSync(join(examples, 'penguins.train.yaml'), 'utf8').replace('data/penguins.csv', join(examples, 'data', 'penguins.csv')).replace('epochs: 60', 'epochs: 4');
    const a = await runTraining({ store: workspace.tracking, specPath: spec('repro.train.yaml', text) });
    const b = await runTraining({ store: workspace.tracking, specPath: spec('repro.train.yaml', text) });
    const c = await runTraining({ store: workspace.tracking, specPath: spec('repro2.train.yaml', text.replace('seed: 7', 'seed: 8')) });
    // what was learned matches; timings (seconds, latency, CPU) differ by nature
    const learned = (m: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(m).filter(([k]) => isReproducibleMetric(k)));
    assert.deepEqual(learned(b.metrics), learned(a.metrics));
    assert.ok(Object.keys(learned(a.metrics)).includes('test_accuracy'));
    assert.notEqual(c.metrics.loss, a.metrics.loss);
  });

  test('early stopping ends training when the monitored metric stops improving and keeps the best epoch', async () => {
    const path = spec(
      'early.train.yaml',
      `dataset: ${join(examples, 'data', 'auto-mpg.csv')}\ntarget: mpg\nfeatures: {exclude: [name]}\nmodel: {type: linear_regression}\nepochs: 500\noptimizer: {learning_rate: 0.05}\nearly_stopping: {patience: 3, min_delta: 0.01}\n`,
    );
    const result = await runTraining({ store: workspace.tracking, specPath: path });
    assert.equal(result.stoppedEarly, true);
    assert.ok(result.epochsRun < 500);
    const run = await workspace.tracking.getRun(result.runId);
    const best = run.data.metrics.find((m) => m.key === 'best_epoch')?.value ?? 0;
    assert.equal(best, result.epochsRun - 3, 'patience 3: stopped three epochs after the best');
    const valLoss = await workspace.tracking.getMetricHistory(result.runId, 'val_loss');
    const bestLoss = Math.min(...valLoss.points.map((p) => p.value));
    assert.equal(result.metrics.val_loss, bestLoss, 'the reported metrics are the kept (best) epoch');
    // the run's last val_loss is the kept model's, logged after the last epoch (as MLflow's Keras
    // autologging does): tables, the Experiments view and tuning all read the same value
    const last = valLoss.points.at(-1);
    assert.equal(last?.value, result.metrics.val_loss);
    assert.equal(last?.step, result.epochsRun + 1);
    assert.equal(run.data.metrics.find((m) => m.key === 'val_loss')?.value, result.metrics.val_loss, 'the run summary shows the kept model’s value');
  });

  test('bad data is refused before training with file, line, column and value — and no run is created', async () => {
    const csv = join(work, 'bad.csv');
    writeFileSync(csv, 'x,y\n1,a\n2,b\n3,a\n4,b\n5,a\nsix,b\n');
    const runsBefore = (await workspace.tracking.searchRuns()).runs.length;
    await assert.rejects(runTraining({ store: workspace.tracking, specPath: spec('bad.train.yaml', `dataset: bad.csv\ntarget: y\n`) }), (error: unknown) => {
      assert.ok(error instanceof TrainingInputError);
      assert.match(error.message, /^bad\.csv line 7, column "x": "six" is not a number/);
      return true;
    });
    writeFileSync(join(work, 'good.csv'), 'x,y\n1,a\n2,b\n');
    await assert.rejects(runTraining({ store: workspace.tracking, specPath: spec('bad2.train.yaml', `dataset: good.csv\ntarget: label\n`) }), /bad2\.train\.yaml:2:9: column "label" is not in good\.csv/);
    assert.equal((await workspace.tracking.searchRuns()).runs.length, runsBefore);
  });

  test('cancelling stops the worker and marks the run KILLED', async () => {
    const path = spec('long.train.yaml', readFileSync(join(examples, 'penguins.train.yaml'), 'utf8').replace('data/penguins.csv', join(examples, 'data', 'penguins.csv')).replace('epochs: 60', 'epochs: 5000').replace(/early_stopping:\n( {2}.*\n)+/, 'early_stopping: false\n'));
    const controller = new AbortController();
    let runId: string | undefined;
    await assert.rejects(
      runTraining({
        store: workspace.tracking,
        specPath: path,
        signal: controller.signal,
        onProgress: (p) => {
          runId ??= p.runId;
          if (p.epoch >= 2) controller.abort();
        },
      }),
      (error: unknown) => error instanceof TrainingCancelledError && error.runId === runId,
    );
    const run = await workspace.tracking.getRun(runId as string);
    assert.equal(run.info.status, 'KILLED');
  });

  test('a worker that dies mid-training leaves a FAILED run with the end of its stderr', async () => {
    const error = await runTraining({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), workerEntry: join(root, 'test', 'fixtures', 'data', 'readyThenCrashWorker.mjs') }).then(
      () => assert.fail('training should have failed'),
      (e: unknown) => e,
    );
    assert.ok(error instanceof TrainingFailedError);
    const run = await workspace.tracking.getRun(error.runId);
    assert.equal(run.info.status, 'FAILED');
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    assert.match(tags['mlops.error'] ?? '', /exited with code 134/);
    assert.match(tags['mlops.stderr_tail'] ?? '', /JavaScript heap out of memory/);
  });
});
