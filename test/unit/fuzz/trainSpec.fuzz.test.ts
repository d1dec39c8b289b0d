import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { fieldName, SpecError } from '../../../src/core/training/specErrors';
import { parseTrainSpec } from '../../../src/core/training/trainSpecParser';
import { fuzzParameters } from './fuzzSettings';

/**
 * A spec file is typed by hand: whatever YAML it holds, parsing gives a spec or a SpecError whose
 * issues each name a field and a position — never a TypeError from deep inside the trainer.
 */

const SPEC_PATH = '/work/specs/fuzz.train.yaml';

const VALID = {
  experiment: 'penguins',
  dataset: 'data/penguins.csv',
  target: 'species',
  task: 'classification',
  features: 'all',
  columns: { island: 'categorical' },
  preprocessing: { impute: { numeric: 'median', categorical: 'most_frequent' }, standardize: true, one_hot: { handle_unknown: 'ignore' } },
  split: { train: 0.7, validation: 0.15, test: 0.15, stratified: true },
  model: { type: 'mlp', layers: [{ units: 16, activation: 'relu', dropout: 0.1 }] },
  optimizer: { name: 'adam', learning_rate: 0.01 },
  epochs: 60,
  batch_size: 16,
  early_stopping: { patience: 10, monitor: 'val_loss' },
  class_weights: 'balanced',
  seed: 7,
  register: { model: 'penguins', alias: 'challenger' },
};

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const children = Array.isArray(value) ? value.map((v, i) => paths(v, [...prefix, i])) : Object.entries(value).map(([k, v]) => paths(v, [...prefix, k]));
  return [prefix, ...children.flat()];
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const part of path.slice(0, -1)) node = node[part] as Record<string | number, unknown>;
  node[path[path.length - 1] as string | number] = value;
  return copy;
}

const WORDS = ['mlp', 'logistic_regression', 'linear_regression', 'adam', 'sgd', 'relu', 'val_loss', 'loss', 'val_accuracy', 'balanced', 'all', 'numeric', 'categorical', 'ignore', 'mean', 'constant', 'regression', 'classification', 'species', 'units', 'exclude', 'path', 'latin1', 'features', 'entities', 'select'];
const leaf = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 8 }),
  fc.constantFrom(0, 1, -1, 0.5, 1.5, 2, 1e9, -1e-9, 1e300, 0.15, 0.7),
  fc.double(),
  fc.integer(),
  fc.constantFrom(true, false, null),
);
const randomValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, leaf, fc.array(tie('value'), { maxLength: 3 }), fc.dictionary(fc.oneof(fc.constantFrom(...WORDS), fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 3 })),
})).value;

function relates(issueField: string, changed: string): boolean {
  if (issueField === '' || changed === '') return issueField === changed;
  return changed === issueField || changed.startsWith(`${issueField}.`) || changed.startsWith(`${issueField}[`) || issueField.startsWith(`${changed}.`) || issueField.startsWith(`${changed}[`);
}

/** Fields whose value another field's check depends on (the split decides what early stopping may watch). */
const CROSS_FIELD: Readonly<Record<string, readonly string[]>> = {
  split: ['early_stopping.monitor'],
  'split.validation': ['early_stopping.monitor', 'split'],
  'split.train': ['split'],
  'split.test': ['split'],
};

function checkOutcome(text: string, changed: string | undefined): void {
  try {
    const parsed = parseTrainSpec(text, SPEC_PATH);
    assert.equal(typeof parsed.spec.target, 'string');
  } catch (error) {
    if (!(error instanceof SpecError)) throw new Error(`not a SpecError for ${JSON.stringify(text)}: ${String(error)}`, { cause: error });
    assert.ok(error.issues.length > 0, 'a SpecError lists its issues');
    for (const issue of error.issues) {
      assert.ok(issue.message.trim() !== '', 'each issue says what is wrong');
      assert.ok(Number.isInteger(issue.line) && issue.line >= 1 && Number.isInteger(issue.column) && issue.column >= 1, `position of ${JSON.stringify(issue)}`);
      assert.equal(typeof issue.field, 'string');
    }
    if (changed !== undefined) {
      const related = [changed, ...(CROSS_FIELD[changed] ?? [])];
      assert.ok(
        error.issues.some((issue) => related.some((field) => relates(issue.field, field))),
        `changing \`${changed}\` gave issues about other fields only: ${error.issues.map((i) => `${i.field}: ${i.message}`).join(' | ')}\n${text}`,
      );
    }
  }
}

test('the valid spec the fuzz starts from parses', () => {
  assert.equal(parseTrainSpec(stringify(VALID), SPEC_PATH).spec.target, 'species');
});

test('fuzz: a valid spec with one field set to any value gives a spec or a SpecError about that field', () => {
  const allPaths = paths(VALID).filter((p) => p.length > 0);
  const change = fc.record({
    path: fc.oneof(fc.constantFrom(...allPaths), fc.tuple(fc.constantFrom(...allPaths.filter((p) => typeof p[p.length - 1] === 'string')), fc.constantFrom('extra', 'units', 'path', 'monitor')).map(([p, k]) => [...p.slice(0, -1), k])),
    value: randomValue,
  });
  fc.assert(
    fc.property(change, ({ path, value }) => {
      checkOutcome(stringify(setAt(VALID, path, value)), fieldName(path));
    }),
    fuzzParameters(1_500, 2_500),
  );
});

test('fuzz: any YAML document, and any text, gives a spec or a positioned SpecError', () => {
  fc.assert(fc.property(randomValue, (value) => checkOutcome(stringify(value), undefined)), fuzzParameters(1_000, 1_000));
  const yamlish = fc.array(fc.constantFrom('dataset: a.csv\n', 'target: y\n', 'model:\n', '  layers: [', '8', ', ', ']\n', '  - ', 'units: ', '- 1\n', ': ', '"', "'", '{', '}', '&a ', '*a', '!!int ', '\t', '#', '\n', 'epochs: ', '1e400', '~', '? '), { maxLength: 16 }).map((p) => p.join(''));
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), yamlish), (text) => checkOutcome(text, undefined)), fuzzParameters(1_500, 1_000));
});
