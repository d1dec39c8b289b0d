import Ajv from 'ajv';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { SpecError } from '../../../src/core/training/specErrors';
import { loadTrainSpec, parseTrainSpec, validateTrainSpecText } from '../../../src/core/training/trainSpecParser';
import { parseTuneSpec } from '../../../src/core/training/tuneSpecParser';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { parseFeatureRepo } from '../../../src/core/features/featureSpecParser';

const root = join(__dirname, '..', '..', '..');
const schema = JSON.parse(readFileSync(join(root, 'schemas', 'train.schema.json'), 'utf8')) as Record<string, unknown>;

function issues(text: string): { message: string; field: string; line: number; column: number }[] {
  return validateTrainSpecText(text, '/work/specs/model.train.yaml');
}

describe('training specs', () => {
  test('the example specs are valid and resolve their dataset next to the spec', async () => {
    const penguins = await loadTrainSpec(join(root, 'examples', 'penguins.train.yaml'));
    assert.equal(penguins.spec.dataset, join(root, 'examples', 'data', 'penguins.csv'));
    assert.equal(penguins.spec.target, 'species');
    assert.equal(penguins.spec.classWeights, 'balanced');
    const mpg = await loadTrainSpec(join(root, 'examples', 'auto-mpg.train.yaml'));
    assert.deepEqual(mpg.spec.features, { mode: 'exclude', columns: ['name'] });
    assert.equal(mpg.spec.task, 'regression');
  });

  test('omitted fields take the defaults the schema documents', () => {
    const { spec } = parseTrainSpec('dataset: data.csv\ntarget: y\n', '/work/specs/churn.train.yaml');
    assert.equal(spec.experiment, 'churn');
    assert.deepEqual(spec.features, { mode: 'all' });
    assert.equal(spec.task, undefined, 'the task is inferred from the data later');
    assert.deepEqual(spec.split, { train: 0.7, validation: 0.15, test: 0.15, seed: 42, stratified: true });
    assert.deepEqual(spec.model, { type: 'mlp', layers: [{ units: 32, activation: 'relu', dropout: 0 }] });
    assert.deepEqual(spec.optimizer, { name: 'adam', learningRate: 0.01, momentum: 0, l2: 0 });
    assert.equal(spec.epochs, 50);
    assert.equal(spec.batchSize, 32);
    assert.deepEqual(spec.earlyStopping, { patience: 10, minDelta: 1e-4, monitor: 'val_loss', restoreBestWeights: true });
    const props = schema.properties as Record<string, { default?: unknown }>;
    assert.equal(props.epochs?.default, 50);
    assert.equal(props.batch_size?.default, 32);
    assert.equal(props.seed?.default, 42);
  });

  test('a wrong value is reported at its line and column, naming the field and the allowed values', () => {
    const found = issues('dataset: data.csv\ntarget: y\nmodel:\n  type: xgboost\n');
    assert.equal(found.length, 1);
    assert.deepEqual({ line: found[0]?.line, column: found[0]?.column, field: found[0]?.field }, { line: 4, column: 9, field: 'model.type' });
    assert.match(found[0]?.message ?? '', /`model\.type` must be one of: "logistic_regression", "linear_regression", "mlp", "gbdt", "random_forest" \(found "xgboost"\)/);
  });

  test('an unknown (misspelled) field is pointed at, with the fields that are allowed there', () => {
    const found = issues('dataset: data.csv\ntarget: y\nmodel:\n  type: mlp\n  layers:\n    - units: 8\n      activaton: tanh\n');
    assert.equal(found.length, 1);
    assert.equal(found[0]?.line, 7);
    assert.equal(found[0]?.field, 'model.layers[0].activaton');
    assert.match(found[0]?.message ?? '', /unknown field `model\.layers\[0\]\.activaton` \(expected one of: units, activation, dropout\)/);
  });

  test('several problems are all reported, in file order', () => {
    const found = issues('dataset: data.csv\nepochs: 0\nbatch_size: many\n');
    assert.deepEqual(
      found.map((i) => [i.line, i.field]),
      [
        [1, 'target'],
        [2, 'epochs'],
        [3, 'batch_size'],
      ],
    );
    assert.match(found[1]?.message ?? '', /`epochs` must be >= 1 \(found 0\)/);
  });

  test('hidden layers on a linear model, bad features and split fractions that do not add up are refused', () => {
    assert.match(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: logistic_regression\n  layers: [{units: 4}]\n')[0]?.message ?? '', /only an `mlp` model takes/);
    assert.match(issues('dataset: d.csv\ntarget: y\nfeatures: everything\n')[0]?.message ?? '', /`features` is not valid: Input columns/);
    const split = issues('dataset: d.csv\ntarget: y\nsplit:\n  train: 0.8\n  validation: 0.2\n  test: 0.2\n');
    assert.match(split[0]?.message ?? '', /split fractions add up to 1\.2, not 1/);
    assert.equal(split[0]?.line, 4);
  });

  test('a split that leaves out a fraction gives it what is left: {train: 0.8, test: 0.2} has no validation rows', () => {
    const parse = (split: string): { train: number; validation: number; test: number } => {
      const { train, validation, test } = parseTrainSpec(`dataset: d.csv\ntarget: y\nsplit: ${split}\n`, '/w/m.train.yaml').spec.split;
      return { train, validation, test };
    };
    assert.deepEqual(parse('{train: 0.8, test: 0.2}'), { train: 0.8, validation: 0, test: 0.2 });
    assert.deepEqual(parse('{train: 0.7, validation: 0.1}'), { train: 0.7, validation: 0.1, test: 0.2 });
    const onlyTrain = parse('{train: 0.8}');
    assert.equal(onlyTrain.validation.toFixed(6), '0.100000', 'the two left share the rest as the defaults do (evenly)');
    assert.equal(onlyTrain.test.toFixed(6), '0.100000');
    assert.deepEqual(parse('{seed: 3}'), { train: 0.7, validation: 0.15, test: 0.15 });
  });

  test('split fractions that cannot add up to 1 say which ones were written and what was left for the rest', () => {
    const over = issues('dataset: d.csv\ntarget: y\nsplit: {train: 0.9, test: 0.3}\n')[0]?.message ?? '';
    assert.match(over, /add up to 1\.2 before validation \(train 0\.9 \+ test 0\.3\)/);
    assert.doesNotMatch(over, /1\.35/, 'no default silently added in');
    const all = issues('dataset: d.csv\ntarget: y\nsplit: {train: 0.8, validation: 0.15, test: 0.2}\n')[0]?.message ?? '';
    assert.match(all, /add up to 1\.15, not 1 \(train 0\.8 \+ validation 0\.15 \+ test 0\.2\)/);
  });

  test('hidden layers can be written as their widths: layers: [64, 32]', () => {
    const { spec } = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  layers: [64, 32]\n', '/w/m.train.yaml');
    assert.deepEqual(spec.model.layers, [
      { units: 64, activation: 'relu', dropout: 0 },
      { units: 32, activation: 'relu', dropout: 0 },
    ]);
    const tuned = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  layers: [64, 32]\n', '/w/m.train.yaml', { 'model.layers.0.units': 8 }).spec;
    assert.equal(tuned.model.layers[0]?.units, 8, 'a search can vary the width of a shorthand layer');
    const mixed = parseTrainSpec('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  layers: [64, {units: 8, activation: tanh}]\n', '/w/m.train.yaml').spec;
    assert.equal(mixed.model.layers[1]?.activation, 'tanh');
    const wrong = issues('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  layers: [wide]\n')[0];
    assert.equal(wrong?.field, 'model.layers[0]');
    assert.match(wrong?.message ?? '', /must be the number of units \(e\.g\. 64\) or an object such as \{ units: 64, activation: relu \} \(found "wide"\)/);
    assert.match(issues('dataset: d.csv\ntarget: y\nmodel:\n  type: mlp\n  layers: [0]\n')[0]?.message ?? '', /`model\.layers\[0\]` must be >= 1/);
  });

  test('with no validation rows, early stopping watches the training loss and says so; a validation monitor it was told to watch is an error', () => {
    const { spec } = parseTrainSpec('dataset: d.csv\ntarget: y\nsplit: {train: 0.8, test: 0.2}\n', '/w/m.train.yaml');
    assert.ok(spec.earlyStopping !== false && spec.earlyStopping.monitor === 'loss', 'the recorded monitor is the one used');
    const told = issues('dataset: d.csv\ntarget: y\nsplit: {train: 0.8, test: 0.2}\nearly_stopping:\n  monitor: val_accuracy\n');
    assert.equal(told.length, 1);
    assert.equal(told[0]?.field, 'early_stopping.monitor');
    assert.equal(told[0]?.line, 5);
    assert.match(told[0]?.message ?? '', /monitor is val_accuracy, but split\.validation is 0.*monitor: accuracy.*early_stopping: false/);
    const off = parseTrainSpec('dataset: d.csv\ntarget: y\nsplit: {train: 0.8, test: 0.2}\nearly_stopping: false\n', '/w/m.train.yaml').spec;
    assert.equal(off.earlyStopping, false);
    const withValidation = parseTrainSpec('dataset: d.csv\ntarget: y\n', '/w/m.train.yaml').spec;
    assert.ok(withValidation.earlyStopping !== false && withValidation.earlyStopping.monitor === 'val_loss');
  });

  test('YAML syntax errors carry their position; the thrown error names file and line', () => {
    assert.throws(
      () => parseTrainSpec('dataset: [a.csv\ntarget: y\n', '/work/specs/m.train.yaml'),
      (error: unknown) => error instanceof SpecError && /^\/work\/specs\/m\.train\.yaml:\d+:\d+: /.test(error.message),
    );
    assert.match(issues('')[0]?.message ?? '', /the spec is empty/);
  });

  test('the schema is draft-07, compiles, and documents every field for editor completion', () => {
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    new Ajv({ strict: false }).compile(schema);
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (!node || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      for (const [key, child] of Object.entries((record.properties as Record<string, unknown>) ?? {})) {
        if (!(child as { description?: string }).description) undocumented.push(`${path}${key}`);
        walk(child, `${path}${key}.`);
      }
      for (const k of ['items', 'additionalProperties']) walk(record[k], path);
      for (const k of ['oneOf', 'anyOf']) for (const alt of (record[k] as unknown[]) ?? []) walk(alt, path);
    };
    walk(schema, '');
    assert.deepEqual(undocumented, []);
  });
});

test('an alias to a missing anchor is a SpecError at the alias in every spec kind (found by the fuzz suite; it was a bare ReferenceError)', () => {
  const parsers: [string, (text: string, file: string) => unknown][] = [
    ['t.train.yaml', parseTrainSpec],
    ['t.tune.yaml', parseTuneSpec],
    ['t.monitor.yaml', parseMonitorSpec],
    ['features.yaml', parseFeatureRepo],
  ];
  for (const [file, parse] of parsers) {
    assert.throws(() => parse('*!', file), (error: unknown) => {
      assert.ok(error instanceof SpecError, `${file}: ${String(error)}`);
      assert.equal(error.message, `${file}:1:1: YAML: Unresolved alias (the anchor must be set before the alias): !`);
      return true;
    });
    assert.throws(() => parse('dataset: data.csv\ntarget: *label\n', file), (error: unknown) => {
      assert.ok(error instanceof SpecError, `${file}: ${String(error)}`);
      assert.deepEqual([error.issues[0]?.line, error.issues[0]?.column], [2, 9], 'positioned at the alias');
      return true;
    });
  }
});
