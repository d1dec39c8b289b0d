import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCsv } from '../../../src/core/data/csvReader';
import { DataError } from '../../../src/core/data/dataErrors';
import { prepareData } from '../../../src/core/training/datasetPreparation';
import { fitPreprocessing, transformColumns, transformRecords, UnknownCategoryError } from '../../../src/core/training/preprocessing';
import { SpecError } from '../../../src/core/training/specErrors';
import { parseTrainSpec } from '../../../src/core/training/trainSpecParser';
import type { PreprocessingSpec } from '../../../src/core/training/trainSpec';

const table = parseCsv('size,color,y\n1,red,a\n,blue,b\n3,red,a\n10,,b\n', 'd', 'toy.csv');
const all = Int32Array.from([0, 1, 2, 3]);
const base: PreprocessingSpec = { impute: { numeric: 'mean', categorical: 'most_frequent' }, standardize: false, oneHot: { handleUnknown: 'ignore', maxCategories: 100 } };
const columns = table.columns.slice(0, 2);

describe('fitted preprocessing', () => {
  test('imputes numeric gaps with the mean, median or most frequent value of the training rows', () => {
    const fill = (numeric: PreprocessingSpec['impute']['numeric']): number => {
      const f = fitPreprocessing(columns, all, { ...base, impute: { ...base.impute, numeric } }).features[0];
      return f?.kind === 'numeric' ? f.fill : NaN;
    };
    assert.equal(fill('mean'), 14 / 3);
    assert.equal(fill('median'), 3);
    assert.equal(fill('most_frequent'), 1, 'ties go to the smallest value');
    assert.equal(fitPreprocessing(columns, all, { ...base, impute: { numeric: 'constant', categorical: 'most_frequent', fillValue: -1 } }).features[0]?.kind === 'numeric' ? (fitPreprocessing(columns, all, { ...base, impute: { numeric: 'constant', categorical: 'most_frequent', fillValue: -1 } }).features[0] as { fill: number }).fill : NaN, -1);
  });

  test('standardizes with statistics of the training rows only and one-hot encodes categories in sorted order', () => {
    const fitted = fitPreprocessing(columns, Int32Array.from([0, 2]), { ...base, standardize: true });
    assert.deepEqual(fitted.encodedNames, ['size', 'color=red']);
    const x = transformColumns(fitted, columns, all);
    // mean 2, std 1 over rows 0 and 2; row 1's missing size becomes the mean → 0; "blue" was unseen → all zeros
    assert.deepEqual(Array.from(x), [-1, 1, 0, 0, 1, 1, 8, 1]);
  });

  test('a missing category gets the most frequent one, or its own "missing" slot with the constant strategy', () => {
    const frequent = fitPreprocessing(columns, all, base);
    assert.deepEqual(Array.from(transformColumns(frequent, columns, Int32Array.from([3]))).slice(1), [0, 1], 'blue, red → red');
    const constant = fitPreprocessing(columns, all, { ...base, impute: { numeric: 'mean', categorical: 'constant' } });
    assert.deepEqual(constant.encodedNames.slice(1), ['color=blue', 'color=missing', 'color=red']);
  });

  test('unseen categories are ignored or refused as the spec says', () => {
    const fitted = fitPreprocessing(columns, Int32Array.from([0, 2]), { ...base, oneHot: { handleUnknown: 'error', maxCategories: 100 } });
    assert.throws(() => transformColumns(fitted, columns, all), (e: unknown) => e instanceof UnknownCategoryError && /category "blue" was not seen in training/.test(e.message));
    assert.throws(() => transformRecords(fitted, [{ size: 1, color: 'green' }]), UnknownCategoryError);
  });

  test('serving records encode exactly like the training columns', () => {
    const fitted = fitPreprocessing(columns, all, { ...base, standardize: true });
    const fromColumns = transformColumns(fitted, columns, all);
    const fromRecords = transformRecords(fitted, [
      { size: 1, color: 'red' },
      { size: null, color: 'blue' },
      { size: '3', color: 'red' },
      { size: 10 },
    ]);
    assert.deepEqual(Array.from(fromRecords), Array.from(fromColumns));
    assert.throws(() => transformRecords(fitted, [{ size: 'big', color: 'red' }]), /row 1, column "size": "big" is not a finite number/);
  });

  test('a categorical column with more distinct values than max_categories is refused (likely an identifier)', () => {
    assert.throws(() => fitPreprocessing(columns, all, { ...base, oneHot: { handleUnknown: 'ignore', maxCategories: 1 } }), /column "color" has 2 distinct values/);
  });
});

describe('checking a spec against its data', () => {
  const penguinsLike = parseCsv(
    ['species,island,mass', ...Array.from({ length: 40 }, (_, i) => `${['A', 'B'][i % 2]},${['x', 'y', 'z'][i % 3]},${3000 + i * 10}`)].join('\n'),
    'd',
    'p.csv',
  );
  const prepare = (yaml: string, data = penguinsLike): ReturnType<typeof prepareData> => {
    const parsed = parseTrainSpec(`dataset: p.csv\n${yaml}`, '/w/p.train.yaml');
    return prepareData(data, parsed.spec, 'p.train.yaml', parsed.locate);
  };

  test('an unknown target or feature column points at the spec line and lists the real columns', () => {
    assert.throws(
      () => prepare('target: species\nfeatures:\n  - island\n  - weight\n'),
      (e: unknown) => e instanceof SpecError && e.message === 'p.train.yaml:5:5: column "weight" is not in p.csv (its columns: species, island, mass)',
    );
    assert.throws(() => prepare('target: specie\n'), /p\.train\.yaml:2:9: column "specie" is not in p\.csv/);
    assert.throws(() => prepare('target: species\nfeatures:\n  exclude: [nmae]\n'), /column "nmae" is not in p\.csv/);
  });

  test('a target with a single class is refused before training', () => {
    const oneClass = parseCsv('label,x\nspam,1\nspam,2\nspam,3\n', 'd', 'mail.csv');
    assert.throws(
      () => prepare('target: label\n', oneClass),
      (e: unknown) => e instanceof DataError && /mail\.csv, column "label": the target has only one class \("spam"\) — a classifier needs at least two/.test(e.message),
    );
  });

  test('the task is inferred: text targets classify, continuous numbers regress', () => {
    assert.equal(prepare('target: species\n').task, 'classification');
    assert.equal(prepare('target: mass\n').task, 'regression');
  });

  test('stratified splits keep class proportions and use every labelled row once', () => {
    const data = prepare('target: species\nsplit: {train: 0.5, validation: 0.25, test: 0.25}\n');
    assert.equal(data.train.count + data.validation.count + data.test.count, 40);
    const share = (y: Float32Array): number => y.filter((c) => c === 0).length / y.length;
    assert.equal(share(data.test.y), 0.5);
    assert.equal(share(data.validation.y), 0.5);
  });

  test('balanced class weights are inverse class frequency; named weights must name real classes', () => {
    const skewed = parseCsv(['y,x', ...Array.from({ length: 40 }, (_, i) => `${i < 30 ? 'no' : 'yes'},${i}`)].join('\n'), 'd', 's.csv');
    const data = prepare('target: y\nsplit: {train: 1, validation: 0, test: 0}\nclass_weights: balanced\n', skewed);
    assert.deepEqual(Array.from(data.classWeights), [40 / (2 * 30), 40 / (2 * 10)].map((w) => Math.fround(w)));
    assert.throws(() => prepare('target: y\nclass_weights:\n  maybe: 2\n', skewed), /p\.train\.yaml:4:10: class_weights names class "maybe", which the target does not have \(classes: no, yes\)/);
  });
});
