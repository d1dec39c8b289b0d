import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type * as OrtModule from 'onnxruntime-web';
import Papa from 'papaparse';
import { runCli } from '../lib/runCli';

const ROOT = join(__dirname, '..', '..', '..');

type Ort = typeof OrtModule;

// `mlops models export --format onnx`: one .onnx file that an ONNX runtime (onnxruntime-web from
// the npm registry, run here in Node) scores as `mlops predict` does, for every model family.
describe('mlops models export --format onnx', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-onnx-'));
  let ort: Ort;
  after(() => rmSync(workspace, { recursive: true, force: true }));

  const MODELS: readonly { name: string; what: string; spec: string }[] = [
    { name: 'species-mlp', what: 'a network classifier (imputation, scaling, one-hot, softmax)', spec: 'target: species\nmodel:\n  type: mlp\n  layers: [{units: 8, activation: tanh}, {units: 6, activation: elu}]\nepochs: 5\n' },
    { name: 'mass-linear', what: 'a linear regression', spec: 'target: body_mass_g\ntask: regression\nmodel:\n  type: linear_regression\nepochs: 5\n' },
    { name: 'species-gbdt', what: 'boosted trees, multiclass (category-set splits, missing values routed)', spec: 'target: species\nmodel:\n  type: gbdt\n  max_iter: 25\n  min_samples_leaf: 5\n' },
    { name: 'sex-gbdt', what: 'boosted trees, binary (sigmoid link)', spec: 'target: sex\nmodel:\n  type: gbdt\n  max_iter: 20\n' },
    { name: 'species-forest', what: 'a random forest classifier (averaged class shares)', spec: 'target: species\nmodel:\n  type: random_forest\n  n_estimators: 15\n' },
    { name: 'mass-forest', what: 'a random forest regressor', spec: 'target: body_mass_g\ntask: regression\nmodel:\n  type: random_forest\n  n_estimators: 15\n' },
  ];

  before(async () => {
    ort = await import('onnxruntime-web');
    ort.env.wasm.numThreads = 1;
    cpSync(join(ROOT, 'examples', 'data'), join(workspace, 'data'), { recursive: true });
    for (const m of MODELS) {
      const file = join(workspace, `${m.name}.train.yaml`);
      writeFileSync(file, `dataset: data/penguins.csv\n${m.spec}register:\n  model: ${m.name}\n`);
      const trained = runCli(['--workspace', workspace, 'train', file, '--backend', 'js']);
      assert.equal(trained.status, 0, trained.stderr);
    }
  });

  const csv = (): Record<string, string>[] => Papa.parse<Record<string, string>>(readFileSync(join(workspace, 'data', 'penguins.csv'), 'utf8').trim(), { header: true }).data;

  for (const m of MODELS) {
    test(`${m.what}: the runtime's outputs equal mlops predict's for every row`, { timeout: 120_000 }, async () => {
      const out = join(workspace, `${m.name}.onnx`);
      const exported = runCli(['--workspace', workspace, 'models', 'export', `models:/${m.name}/1`, '--format', 'onnx', '-o', out]);
      assert.equal(exported.status, 0, exported.stderr);
      assert.match(exported.stdout, new RegExp(`exported models:/${m.name}/1 as ONNX to .*${m.name}\\.onnx`));
      const predicted = runCli(['--workspace', workspace, 'predict', `models:/${m.name}/1`, join(workspace, 'data', 'penguins.csv'), '-o', join(workspace, `${m.name}.csv`)]);
      assert.equal(predicted.status, 0, predicted.stderr);
      const expected = Papa.parse<Record<string, string>>(readFileSync(join(workspace, `${m.name}.csv`), 'utf8').trim(), { header: true }).data;

      const session = await ort.InferenceSession.create(readFileSync(out));
      const rows = csv();
      const feeds: Record<string, InstanceType<Ort['Tensor']>> = {};
      for (const name of session.inputNames) {
        const cells = rows.map((r) => r[name] ?? '');
        const numeric = session.inputMetadata.find((i) => i.name === name && i.isTensor && i.type === 'float32') !== undefined;
        feeds[name] = numeric
          ? new ort.Tensor('float32', Float32Array.from(cells, (c) => (c === '' || c === 'NA' ? Number.NaN : Number(c))), [rows.length, 1])
          : new ort.Tensor('string', cells.map((c) => (c === 'NA' ? '' : c)), [rows.length, 1]);
      }
      const result = await session.run(feeds);
      const target = Object.keys(expected[0] ?? {})[0] as string;
      const value = result[target];
      assert.ok(value, `output ${target} (outputs: ${session.outputNames.join(', ')})`);
      const probabilities = result.probabilities;
      const classes = Object.keys(expected[0] ?? {}).slice(1).map((c) => c.replace(/^probability_/, ''));
      const close = (got: number, want: number, where: string): void => assert.ok(Math.abs(got - want) <= 1e-5 * Math.max(1, Math.abs(want)), `${where}: ${got} vs ${want}`);
      expected.forEach((row, i) => {
        if (classes.length === 0) return close(Number(value.data[i]), Number(row[target]), `row ${i + 1}`);
        assert.equal(value.data[i], row[target], `row ${i + 1}: the label`);
        classes.forEach((c, k) => close(Number(probabilities?.data[i * classes.length + k]), Number(row[`probability_${c}`]), `row ${i + 1}, probability of ${c}`));
      });
      await session.release();
    });
  }

  test('an existing file is not overwritten', () => {
    const out = join(workspace, 'taken.onnx');
    writeFileSync(out, 'mine');
    const r = runCli(['--workspace', workspace, 'models', 'export', 'models:/species-mlp/1', '--format', 'onnx', '-o', out]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /taken\.onnx already exists/);
    assert.equal(readFileSync(out, 'utf8'), 'mine');
  });
});
