import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Papa from 'papaparse';
import { parse } from 'yaml';
import { runCli } from '../lib/runCli';
import { findMlflowPython, type MlflowPython } from '../server/realMlflow';

const ROOT = join(__dirname, '..', '..', '..');

// `mlops models export --format mlflow`: the folder loads with MLflow's own pyfunc and
// `mlflow models predict`, and both give what `mlops predict` gives.
describe('mlops models export --format mlflow', () => {
  const workspace = mkdtempSync(join(tmpdir(), 'mlops-export-'));
  after(() => rmSync(workspace, { recursive: true, force: true }));

  /** Trains `spec` (with a register: block) in the workspace; returns nothing, the version is models:/NAME/1. */
  const trainAndRegister = (file: string, spec: string): void => {
    writeFileSync(join(workspace, file), spec);
    const trained = runCli(['--workspace', workspace, 'train', join(workspace, file), '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
  };

  before(() => {
    cpSync(join(ROOT, 'examples', 'data'), join(workspace, 'data'), { recursive: true });
    const penguins = readFileSync(join(ROOT, 'examples', 'penguins.train.yaml'), 'utf8').replace(/^epochs: \d+/m, 'epochs: 8');
    trainAndRegister('penguins.train.yaml', `${penguins}\nregister:\n  model: penguins\n`);
    trainAndRegister('penguins-gbdt.train.yaml', 'dataset: data/penguins.csv\ntarget: species\nmodel:\n  type: gbdt\n  max_iter: 30\n  min_samples_leaf: 5\nregister:\n  model: penguins-gbdt\n');
    trainAndRegister('mass-forest.train.yaml', 'dataset: data/penguins.csv\ntarget: body_mass_g\ntask: regression\nmodel:\n  type: random_forest\n  n_estimators: 20\nregister:\n  model: mass-forest\n');
    trainAndRegister('mass.train.yaml', 'dataset: data/penguins.csv\ntarget: body_mass_g\ntask: regression\nmodel:\n  type: linear_regression\nepochs: 5\nregister:\n  model: mass\n');
  });

  /** predict(df) through mlflow.pyfunc.load_model on the rows of `csv` (the model's input columns only), as CSV text. */
  const pyfuncPredict = (mlflow: MlflowPython, dir: string, csv: string): { status: number | null; stdout: string; stderr: string } =>
    spawnSync(mlflow.python, ['-c', 'import sys, mlflow.pyfunc, pandas as pd\nm = mlflow.pyfunc.load_model(sys.argv[1])\nnames = [c.name for c in m.metadata.get_input_schema().inputs]\ndf = pd.read_csv(sys.argv[2])\nm.predict(df[names]).to_csv(sys.stdout, index=False)', dir, csv], { env: mlflow.env, encoding: 'utf8', timeout: 120_000 });

  const readCsv = (text: string): Record<string, string>[] => Papa.parse<Record<string, string>>(text.trim(), { header: true }).data;

  /** Every cell equal: labels exactly, numbers to 1e-6 (relative for large values). */
  const assertSamePredictions = (actual: Record<string, string>[], expected: Record<string, string>[]): void => {
    assert.equal(actual.length, expected.length, 'one prediction per input row');
    assert.deepEqual(Object.keys(actual[0] ?? {}), Object.keys(expected[0] ?? {}), 'the same columns as mlops predict');
    expected.forEach((row, i) => {
      for (const [column, want] of Object.entries(row)) {
        const got = (actual[i] as Record<string, string>)[column] as string;
        if (Number.isNaN(Number(want))) assert.equal(got, want, `row ${i + 1}, ${column}`);
        else assert.ok(Math.abs(Number(got) - Number(want)) <= 1e-6 * Math.max(1, Math.abs(Number(want))), `row ${i + 1}, ${column}: ${got} vs ${want}`);
      }
    });
  };

  test('a classifier: MLmodel with a numpy/pandas python_function flavor, its signature and example; pyfunc and `mlflow models predict` agree with mlops predict', { timeout: 300_000 }, (t) => {
    const out = join(workspace, 'export-penguins');
    const exported = runCli(['--workspace', workspace, 'models', 'export', 'models:/penguins/1', '--format', 'mlflow', '-o', out]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.match(exported.stdout, /exported models:\/penguins\/1 as an MLflow Model to .*export-penguins/);
    const mlmodel = parse(readFileSync(join(out, 'MLmodel'), 'utf8')) as { flavors: { python_function: { loader_module: string; code: string; data: string } }; signature: { inputs: string; outputs: string } };
    assert.equal(mlmodel.flavors.python_function.loader_module, 'mlops_studio_pyfunc');
    const inputs = JSON.parse(mlmodel.signature.inputs) as { name: string; type: string }[];
    assert.deepEqual(inputs.map((i) => `${i.name}:${i.type}`), ['island:string', 'bill_length_mm:double', 'bill_depth_mm:double', 'flipper_length_mm:double', 'body_mass_g:double', 'sex:string']);
    assert.deepEqual((JSON.parse(mlmodel.signature.outputs) as { name: string }[]).map((o) => o.name), ['predicted_species', 'probability_Adelie', 'probability_Chinstrap', 'probability_Gentoo']);
    for (const file of ['input_example.json', 'python_env.yaml', 'requirements.txt', 'conda.yaml', 'code/mlops_studio_pyfunc.py', 'pyfunc/mlops_model.json', 'pyfunc/weights.bin']) assert.ok(existsSync(join(out, file)), file);
    assert.equal(readFileSync(join(out, 'requirements.txt'), 'utf8'), 'mlflow\nnumpy\npandas\n');

    // a second export into the same, now non-empty folder is refused and leaves it as it was
    const again = runCli(['--workspace', workspace, 'models', 'export', 'models:/penguins/1', '-o', out]);
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already exists and is not empty/);
    assert.ok(existsSync(join(out, 'MLmodel')));

    const csv = join(workspace, 'data', 'penguins.csv');
    const predicted = runCli(['--workspace', workspace, 'predict', 'models:/penguins/1', csv, '-o', join(workspace, 'penguins.predictions.csv')]);
    assert.equal(predicted.status, 0, predicted.stderr);
    const expected = readCsv(readFileSync(join(workspace, 'penguins.predictions.csv'), 'utf8'));

    const mlflow = findMlflowPython();
    if ('reason' in mlflow) return t.skip(mlflow.reason);
    const viaPyfunc = pyfuncPredict(mlflow, out, csv);
    assert.equal(viaPyfunc.status, 0, viaPyfunc.stderr);
    assertSamePredictions(readCsv(viaPyfunc.stdout), expected);

    // MLflow's own CLI, as a platform would run it (the signature is enforced on the way in)
    const input = join(workspace, 'penguins-inputs.csv');
    const rows = readCsv(readFileSync(csv, 'utf8')).map((row) => Object.fromEntries(inputs.map((i) => [i.name, row[i.name]])));
    writeFileSync(input, Papa.unparse(rows));
    const viaCli = spawnSync(mlflow.python, ['-m', 'mlflow', 'models', 'predict', '-m', out, '-i', input, '-t', 'csv', '--env-manager', 'local'], { env: mlflow.env, encoding: 'utf8', timeout: 180_000 });
    assert.equal(viaCli.status, 0, viaCli.stderr);
    const answer = JSON.parse(viaCli.stdout.trim().split('\n').slice(-1)[0] as string) as { predictions: Record<string, string | number>[] };
    assertSamePredictions(answer.predictions.map((p) => Object.fromEntries(Object.entries(p).map(([k, v]) => [k, String(v)]))), expected);
  });

  test('a regression model: pyfunc gives predicted_<target> as mlops predict does, rows with missing cells imputed the same way', { timeout: 180_000 }, (t) => {
    const out = join(workspace, 'export-mass');
    const exported = runCli(['--workspace', workspace, '--json', 'models', 'export', 'models:/mass/1', '-o', out]);
    assert.equal(exported.status, 0, exported.stderr);
    assert.ok((JSON.parse(exported.stdout) as { files: string[] }).files.includes('MLmodel'));
    const csv = join(workspace, 'data', 'penguins.csv');
    const predicted = runCli(['--workspace', workspace, 'predict', 'models:/mass/1', csv, '-o', join(workspace, 'mass.predictions.csv')]);
    assert.equal(predicted.status, 0, predicted.stderr);
    const expected = readCsv(readFileSync(join(workspace, 'mass.predictions.csv'), 'utf8'));
    assert.ok(expected.some((_, i) => Object.values(readCsv(readFileSync(csv, 'utf8'))[i] ?? {}).some((v) => v === '' || v === 'NA')), 'the data has missing cells');
    const mlflow = findMlflowPython();
    if ('reason' in mlflow) return t.skip(mlflow.reason);
    const viaPyfunc = pyfuncPredict(mlflow, out, csv);
    assert.equal(viaPyfunc.status, 0, viaPyfunc.stderr);
    assertSamePredictions(readCsv(viaPyfunc.stdout), expected);
  });

  for (const [name, what] of [['penguins-gbdt', 'gradient-boosted trees (multiclass, categorical columns and missing cells routed natively)'], ['mass-forest', 'a random forest regressor']] as const) {
    test(`${what}: pyfunc scores as mlops predict does`, { timeout: 180_000 }, (t) => {
      const out = join(workspace, `export-${name}`);
      const exported = runCli(['--workspace', workspace, 'models', 'export', `models:/${name}/1`, '-o', out]);
      assert.equal(exported.status, 0, exported.stderr);
      assert.ok(!existsSync(join(out, 'pyfunc', 'weights.bin')), 'trees travel as JSON, without network weights');
      const csv = join(workspace, 'data', 'penguins.csv');
      const predicted = runCli(['--workspace', workspace, 'predict', `models:/${name}/1`, csv, '-o', join(workspace, `${name}.predictions.csv`)]);
      assert.equal(predicted.status, 0, predicted.stderr);
      const mlflow = findMlflowPython();
      if ('reason' in mlflow) return t.skip(mlflow.reason);
      const viaPyfunc = pyfuncPredict(mlflow, out, csv);
      assert.equal(viaPyfunc.status, 0, viaPyfunc.stderr);
      assertSamePredictions(readCsv(viaPyfunc.stdout), readCsv(readFileSync(join(workspace, `${name}.predictions.csv`), 'utf8')));
    });
  }

  test('a wrong format or a model that does not exist is said plainly', () => {
    const format = runCli(['--workspace', workspace, 'models', 'export', 'models:/penguins/1', '--format', 'pmml', '-o', join(workspace, 'x')]);
    assert.equal(format.status, 2, format.stderr);
    assert.match(format.stderr, /--format must be one of mlflow, onnx, got "pmml"/);
    const missing = runCli(['--workspace', workspace, 'models', 'export', 'models:/nope/1', '-o', join(workspace, 'y')]);
    assert.notEqual(missing.status, 0);
    assert.match(missing.stderr, /nope/);
    assert.ok(!existsSync(join(workspace, 'y')), 'nothing written');
  });
});
