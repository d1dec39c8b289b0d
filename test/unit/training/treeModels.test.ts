import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { readTable } from '../../../src/core/data/tableReader';
import type { FeatureImportanceFile } from '../../../src/core/modelPackage/modelPackageFormat';
import { loadModelPackage } from '../../../src/core/modelPackage/modelPackageLoader';
import { modelCard } from '../../../src/core/registry/modelCard';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { scoreFileInProcess } from '../../../src/core/serving/batchScoring';
import { EndpointManager } from '../../../src/core/serving/endpointManager';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { prepareData } from '../../../src/core/training/datasetPreparation';
import { SeededRandom } from '../../../src/core/training/seededRandom';
import { runTraining, type TrainingProgress, type TrainingResult } from '../../../src/core/training/trainingRunner';
import { runTuning } from '../../../src/core/training/tuningRunner';
import { parseTrainSpec } from '../../../src/core/training/trainSpecParser';

const root = join(__dirname, '..', '..', '..');
const examples = join(root, 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-trees-'));
let workspace: WorkspaceStore;

function file(name: string, text: string): string {
  const path = join(work, name);
  writeFileSync(path, text);
  return path;
}
async function train(name: string, text: string, onProgress?: (p: TrainingProgress) => void): Promise<TrainingResult> {
  return runTraining({ store: workspace.tracking, specPath: file(name, text), backend: 'js', ...(onProgress ? { onProgress } : {}) });
}
async function packageDir(runId: string): Promise<string> {
  const run = await workspace.tracking.getRun(runId);
  return join(fileURLToPath(run.info.artifactUri), 'model');
}
async function metricHistory(runId: string, key: string): Promise<number[]> {
  const history = await workspace.tracking.getMetricHistory(runId, key);
  return [...history.points].sort((x, y) => x.step - y.step).map((m) => m.value);
}

/**
 * Two features whose product decides the class (XOR of their signs), a categorical column whose
 * category set flips it, and a column missing exactly when the class would be flipped again: no
 * linear model can learn any of it, a tree can. `noise` carries nothing.
 */
function interactionCsv(rows: number, seed: number): string {
  const random = new SeededRandom(seed);
  const lines = ['a,b,colour,reading,noise,label'];
  const colours = ['red', 'green', 'blue', 'amber', 'violet', 'grey'];
  for (let i = 0; i < rows; i++) {
    const a = random.next() * 2 - 1;
    const b = random.next() * 2 - 1;
    const colour = colours[random.int(colours.length)] as string;
    const flip = colour === 'green' || colour === 'violet';
    const gone = random.next() < 0.2;
    const label = (a * b > 0) !== flip !== gone ? 'yes' : 'no';
    lines.push(`${a.toFixed(4)},${b.toFixed(4)},${colour},${gone ? '' : (random.next() * 10).toFixed(2)},${(random.next() * 10).toFixed(2)},${label}`);
  }
  return `${lines.join('\n')}\n`;
}

before(async () => {
  workspace = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'tree tests' });
  writeFileSync(join(work, 'interaction.csv'), interactionCsv(3000, 5));
});
after(async () => {
  await workspace.close();
  rmSync(work, { recursive: true, force: true });
});

describe('tree models in training specs', () => {
  test('on an interaction dataset (XOR, a category set, informative missing values) boosted trees and a forest beat the linear model clearly', async () => {
    const spec = (type: string): string => `dataset: interaction.csv\ntarget: label\nseed: 3\nmodel:\n  type: ${type}\n`;
    const linear = await train('xor-linear.train.yaml', spec('logistic_regression'));
    const gbdt = await train('xor-gbdt.train.yaml', spec('gbdt'));
    const forest = await train('xor-forest.train.yaml', spec('random_forest'));
    const accuracy = (r: TrainingResult): number => r.metrics.test_accuracy ?? 0;
    assert.ok(accuracy(linear) < 0.7, `the linear model cannot learn it: ${accuracy(linear)}`);
    assert.ok(accuracy(gbdt) > 0.95, `gbdt test accuracy ${accuracy(gbdt)}`);
    assert.ok(accuracy(forest) > 0.85, `random forest test accuracy ${accuracy(forest)}`);

    // feature importance (gain), in the package: every driver of the label counts, the noise least
    const importance = JSON.parse(readFileSync(join(await packageDir(gbdt.runId), 'feature_importance.json'), 'utf8')) as FeatureImportanceFile;
    assert.equal(importance.kind, 'gain');
    assert.deepEqual(importance.features.map((f) => f.name).sort(), ['a', 'b', 'colour', 'noise', 'reading']);
    assert.ok(Math.abs(importance.features.reduce((s, f) => s + f.importance, 0) - 1) < 1e-9);
    assert.equal(importance.features.at(-1)?.name, 'noise', JSON.stringify(importance.features));
    for (const driver of importance.features.slice(0, 4)) assert.ok(driver.importance > 0.05, JSON.stringify(importance.features));
    // permutation importance on the test rows: shuffling a driver hurts, shuffling the noise does not
    assert.equal(importance.permutation?.metric, 'log_loss');
    const shuffled = Object.fromEntries(importance.features.map((f) => [f.name, f.permutation as number]));
    for (const driver of ['a', 'b', 'colour', 'reading']) assert.ok((shuffled[driver] as number) > 0.2, `${driver}: ${JSON.stringify(shuffled)}`);
    assert.ok(Math.abs(shuffled.noise as number) < 0.05, `noise: ${JSON.stringify(shuffled)}`);
  });

  test('each boosting round is logged like an epoch; early stopping keeps the best round; the params say what was trained', async () => {
    const messages: string[] = [];
    const result = await train('xor-curve.train.yaml', 'dataset: interaction.csv\ntarget: label\nmodel:\n  type: gbdt\n  max_iter: 400\n  learning_rate: 0.3\nearly_stopping:\n  patience: 5\nepochs: 10\nbatch_size: 64\n', (p) => messages.push(p.message));
    assert.ok(messages.some((m) => /^boosting round 2\/400 · loss \d\.\d{4} · val_loss/.test(m)), 'progress counts boosting rounds');
    assert.deepEqual(result.warnings, ['`epochs`, `batch_size`: network settings, ignored by the gbdt model (it grows `model.max_iter` boosting rounds with `model.learning_rate`)']);
    const valLoss = await metricHistory(result.runId, 'val_loss');
    assert.ok(valLoss.length >= 10, `val_loss per iteration: ${valLoss.length} points`);
    assert.ok((valLoss[valLoss.length - 1] as number) < (valLoss[0] as number) / 2, 'the validation loss falls over the iterations');
    assert.ok(result.stoppedEarly, 'stopped before 400 iterations');
    assert.equal(result.stepName, 'boosting round');
    const run = await workspace.tracking.getRun(result.runId);
    const metric = (key: string): number | undefined => run.data.metrics.find((m) => m.key === key)?.value;
    const best = metric('best_iteration') as number;
    assert.ok(best < (metric('iterations_run') as number));
    assert.equal(metric('epochs_run'), undefined, 'a booster has no epochs');
    const trees = JSON.parse(readFileSync(join(await packageDir(result.runId), 'trees.json'), 'utf8')) as { trees: unknown[] };
    assert.equal(trees.trees.length, best, 'the package keeps the best iteration’s trees (binary: one per iteration)');
    const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
    assert.equal(params['model.type'], 'gbdt');
    assert.equal(params['model.learning_rate'], '0.3');
    assert.equal(params['model.max_leaf_nodes'], '31');
    assert.equal(params['optimizer.name'], undefined, 'no optimizer params for a tree model');
    assert.equal(params['epochs'], undefined);
  });

  test('on the example datasets boosted trees are at least as good as the linear models (seattle-weather accuracy, auto-mpg R²)', async () => {
    const weather = (type: string): string => `dataset: ${join(examples, 'data', 'seattle-weather.csv')}\ntarget: weather\nfeatures:\n  exclude: [date]\nmodel:\n  type: ${type}\n`;
    const mpg = (type: string): string => `dataset: ${join(examples, 'data', 'auto-mpg.csv')}\ntarget: mpg\ntask: regression\nfeatures:\n  exclude: [name]\nmodel:\n  type: ${type}\n`;
    const [weatherLinear, weatherTrees] = [await train('w-linear.train.yaml', weather('logistic_regression')), await train('w-gbdt.train.yaml', weather('gbdt'))];
    assert.ok((weatherTrees.metrics.test_accuracy as number) >= (weatherLinear.metrics.test_accuracy as number), `gbdt ${weatherTrees.metrics.test_accuracy} vs logistic ${weatherLinear.metrics.test_accuracy}`);
    const [mpgLinear, mpgTrees, mpgForest] = [await train('m-linear.train.yaml', mpg('linear_regression')), await train('m-gbdt.train.yaml', mpg('gbdt')), await train('m-forest.train.yaml', mpg('random_forest'))];
    assert.ok((mpgTrees.metrics.test_r2 as number) >= (mpgLinear.metrics.test_r2 as number), `gbdt R² ${mpgTrees.metrics.test_r2} vs linear ${mpgLinear.metrics.test_r2}`);
    assert.ok((mpgForest.metrics.test_r2 as number) > 0.75, `forest R² ${mpgForest.metrics.test_r2}`);
  });

  test('the packaged model scores the validation rows exactly as training did, and scores records with missing values and unseen categories', async () => {
    const text = `dataset: ${join(examples, 'data', 'penguins.csv')}\ntarget: species\nmodel:\n  type: gbdt\n  max_iter: 30\nearly_stopping: false\n`;
    const result = await train('penguins-gbdt.train.yaml', text);
    const model = await loadModelPackage(await packageDir(result.runId));
    assert.equal(model.manifest.flavor, 'tree-ensemble');
    assert.equal(model.manifest.modelType, 'gbdt');
    assert.ok(model.signature.inputs.every((i) => i.optional), 'every input may be missing: the trees route it');
    // the same split, encoded as training encoded it, through the package's scorer
    const parsed = parseTrainSpec(text, join(work, 'penguins-gbdt.train.yaml'));
    const data = prepareData(await readTable(parsed.spec.dataset), parsed.spec, 'penguins-gbdt.train.yaml', parsed.locate);
    const out = model.predictEncoded(data.validation.x, data.validation.count);
    let loss = 0;
    for (let i = 0; i < data.validation.count; i++) loss -= Math.log(out[i * 3 + (data.validation.y[i] as number)] as number);
    const logged = await metricHistory(result.runId, 'val_loss');
    assert.ok(Math.abs(loss / data.validation.count - (logged.at(-1) as number)) < 1e-5, `package ${loss / data.validation.count} vs training ${logged.at(-1)}`);

    // a record missing every measurement, and one with an island never seen: both scored
    const [empty, unseen] = model.predict([
      { island: null, bill_length_mm: null, bill_depth_mm: null, flipper_length_mm: null, body_mass_g: null, sex: null },
      { island: 'Atlantis', bill_length_mm: 46.5, bill_depth_mm: 14.8, flipper_length_mm: 217, body_mass_g: 5200, sex: 'FEMALE' },
    ]);
    assert.ok(empty && 'probabilities' in empty && Math.abs(Object.values(empty.probabilities).reduce((a, b) => a + b, 0) - 1) < 1e-5);
    assert.ok(unseen && 'label' in unseen);
    assert.equal(unseen.label, 'Gentoo', 'a Gentoo by its measurements, wherever it lives');

    // batch scoring a CSV with empty cells gives what predict gives for the same records
    const csv = file('score.csv', 'island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex\nBiscoe,,,217,5200,\nDream,39.5,17.4,,3800,FEMALE\n');
    const scored = await scoreFileInProcess(model, csv, join(work, 'score.predictions.csv'));
    assert.equal(scored.rows, 2);
    const lines = readFileSync(scored.output, 'utf8').trim().split('\n');
    const expected = model.predict([
      { island: 'Biscoe', bill_length_mm: '', bill_depth_mm: '', flipper_length_mm: 217, body_mass_g: 5200, sex: '' },
      { island: 'Dream', bill_length_mm: 39.5, bill_depth_mm: 17.4, flipper_length_mm: null, body_mass_g: 3800, sex: 'FEMALE' },
    ]);
    expected.forEach((p, i) => assert.equal(lines[i + 1]?.split(',')[0], (p as { label: string }).label));
  });

  test('a regression forest package predicts values in target units', async () => {
    const result = await train('mpg-forest.train.yaml', `dataset: ${join(examples, 'data', 'auto-mpg.csv')}\ntarget: mpg\ntask: regression\nfeatures:\n  exclude: [name]\nmodel:\n  type: random_forest\n  n_estimators: 20\n`);
    const model = await loadModelPackage(await packageDir(result.runId));
    const [heavy, light] = model.predict([
      { cylinders: 8, displacement: 400, horsepower: 190, weight_lbs: 4500, acceleration: 10, model_year: 1972, origin: 'USA' },
      { cylinders: 4, displacement: 90, horsepower: 65, weight_lbs: 2000, acceleration: 18, model_year: 1981, origin: 'Japan' },
    ]) as { value: number }[];
    assert.ok(heavy && light && heavy.value < 18 && light.value > 28, `${heavy?.value} mpg vs ${light?.value} mpg`);
  });
});

describe('tuning a tree model', () => {
  test('a study searches the booster’s hyper-parameters; every trial trains with the values it drew', async () => {
    const spec = file('xor-tune.train.yaml', 'dataset: interaction.csv\ntarget: label\nmodel:\n  type: gbdt\n  max_iter: 30\ntune:\n  sampler: random\n  trials: 3\n  objective: {metric: val_loss}\n  params:\n    model.learning_rate: {type: log_uniform, low: 0.02, high: 0.5}\n    model.max_leaf_nodes: {type: int, low: 4, high: 40}\n');
    const study = await runTuning({ store: workspace.tracking, tuneSpecPath: spec, backend: 'js' });
    assert.equal(study.trials.length, 3);
    for (const trial of study.trials) {
      assert.equal(trial.state, 'complete', trial.error);
      const run = await workspace.tracking.getRun(trial.runId as string);
      const params = Object.fromEntries(run.data.params.map((p) => [p.key, p.value]));
      assert.equal(params['model.type'], 'gbdt');
      assert.equal(Number(params['model.learning_rate']), trial.params['model.learning_rate']);
      assert.equal(Number(params['model.max_leaf_nodes']), trial.params['model.max_leaf_nodes']);
    }
    assert.equal(new Set(study.trials.map((t) => t.params['model.learning_rate'])).size, 3, 'three different learning rates');
  });
});

describe('a served tree model', () => {
  test('answers /invocations from its registered version, records with missing values included', async () => {
    const result = await train('served-gbdt.train.yaml', `dataset: ${join(examples, 'data', 'penguins.csv')}\ntarget: species\nmodel:\n  type: gbdt\n  max_iter: 20\n`);
    const registry = modelRegistryFor(workspace, { actor: 'tester' });
    await registry.registerVersion(result.runId, 'penguin-trees');
    // its card carries the feature importance
    const card = await modelCard(registry, workspace.tracking, 'penguin-trees', 1);
    assert.equal(card.modelType, 'gbdt');
    assert.deepEqual(card.featureImportance?.features.map((f) => f.name).sort(), ['bill_depth_mm', 'bill_length_mm', 'body_mass_g', 'flipper_length_mm', 'island', 'sex']);
    assert.ok((card.featureImportance?.features[0]?.importance ?? 0) > 0.2, 'a few measurements separate the species');
    const manager = new EndpointManager(workspace);
    try {
      const endpoint = await manager.start({ uri: 'models:/penguin-trees/1' });
      const response = await fetch(`${endpoint.url}/invocations`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          dataframe_records: [
            { island: 'Biscoe', bill_length_mm: 46.5, bill_depth_mm: 14.8, flipper_length_mm: 217, body_mass_g: 5200, sex: 'FEMALE' },
            { island: 'Torgersen', bill_length_mm: 38.9, bill_depth_mm: 17.8, flipper_length_mm: null, body_mass_g: null, sex: null },
          ],
        }),
      });
      assert.equal(response.status, 200);
      const body = (await response.json()) as { predictions: { label: string; probabilities: Record<string, number> }[] };
      assert.deepEqual(body.predictions.map((p) => p.label), ['Gentoo', 'Adelie']);
      assert.deepEqual(Object.keys(body.predictions[0]?.probabilities ?? {}).sort(), ['Adelie', 'Chinstrap', 'Gentoo']);
    } finally {
      await manager.stopAll();
    }
  });
});

describe('tree model spec errors explain themselves', () => {
  const issues = (text: string): string[] => {
    try {
      parseTrainSpec(text, 'x.train.yaml');
      return [];
    } catch (error) {
      return ((error as { issues?: { field: string; message: string }[] }).issues ?? []).map((i) => `${i.field}: ${i.message}`);
    }
  };
  test('a field of the other tree model, or of no tree model, names what the model takes', () => {
    assert.deepEqual(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: gbdt\n  n_estimators: 50\n'), [
      'model.n_estimators: `model.n_estimators` is a random_forest parameter; a gbdt model takes: learning_rate, max_iter, max_leaf_nodes, max_depth, min_samples_leaf, l2_regularization, subsample, colsample, max_bins (its number of trees is `max_iter`)',
    ]);
    assert.match(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  max_iter: 50\n')[0] ?? '', /^model\.max_iter: `model\.max_iter` is a gbdt parameter; a mlp model takes `layers`/);
  });
  test('network settings, imputation and a forest’s early stopping are not errors: the run warns that the trees ignore them', () => {
    const spec = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: random_forest\nepochs: 10\noptimizer:\n  name: adam\npreprocessing:\n  standardize: true\nearly_stopping:\n  patience: 3\n', 'x.train.yaml').spec;
    assert.deepEqual(spec.ignoredSettings, [
      '`optimizer`, `epochs`: network settings, ignored by the random_forest model (it grows `model.n_estimators` trees)',
      '`preprocessing.standardize`: ignored by the random_forest model (trees route missing values themselves and need no scaling)',
      '`early_stopping`: ignored by the random_forest model (it grows all its `n_estimators` trees; a gbdt model stops early)',
    ]);
    assert.equal(spec.epochs, 100, 'the forest’s trees are what the run counts');
    assert.equal(parseTrainSpec('dataset: d.csv\ntarget: y\nepochs: 10\n', 'x.train.yaml').spec.ignoredSettings, undefined, 'a network uses them');
  });
  test('values out of range say what is allowed', () => {
    assert.match(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: random_forest\n  max_features: half\n')[0] ?? '', /^model\.max_features: `model\.max_features` is not valid: random_forest: features drawn at each split/);
    assert.match(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: gbdt\n  max_bins: 1000\n')[0] ?? '', /^model\.max_bins: `model\.max_bins` must be <= 255/);
  });
  test('defaults are scikit-learn’s, and a tuning override reaches the model section', () => {
    const gbdt = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: gbdt\n', 'x.train.yaml').spec;
    assert.deepEqual(gbdt.model.trees, { type: 'gbdt', learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2Regularization: 0, subsample: 1, colsample: 1, maxBins: 255 });
    assert.equal(gbdt.epochs, 100, 'iterations are what the run counts as epochs');
    const tuned = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: gbdt\n', 'x.train.yaml', { 'model.learning_rate': 0.03, 'model.max_leaf_nodes': 15 }).spec;
    assert.equal(tuned.model.trees?.type === 'gbdt' && tuned.model.trees.learningRate, 0.03);
    assert.equal(tuned.model.trees?.type === 'gbdt' && tuned.model.trees.maxLeafNodes, 15);
    const forest = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: random_forest\n', 'x.train.yaml').spec;
    assert.equal(forest.earlyStopping, false);
    assert.deepEqual(forest.model.trees, { type: 'random_forest', nEstimators: 100, maxDepth: null, maxLeafNodes: null, minSamplesLeaf: 1, maxFeatures: 'auto', bootstrap: true, maxBins: 255 });
  });
});
