import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseCsv } from '../../../src/core/data/csvReader';
import { DataError } from '../../../src/core/data/dataErrors';
import type { DataTable } from '../../../src/core/data/dataTable';
import { prepareData } from '../../../src/core/training/datasetPreparation';
import { parseTrainSpec, validateTrainSpecText } from '../../../src/core/training/trainSpecParser';

function prepare(yaml: string, data: DataTable): ReturnType<typeof prepareData> {
  const parsed = parseTrainSpec(`dataset: d.csv\n${yaml}`, '/w/d.train.yaml');
  return prepareData(data, parsed.spec, 'd.train.yaml', parsed.locate);
}

/** `n` rows alternating the labels a and b, with x = the row number. */
function labelledRows(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${i},${['a', 'b'][i % 2]}`);
}

describe('missing labels', () => {
  test('"NaN", "nan", "NA", "null" and empty labels never become classes: their rows are dropped, counted, and named by line', () => {
    const rows = labelledRows(20);
    rows.splice(3, 0, '100,NaN', '101,nan', '102,', '103,NA', '104,null', '105,nan');
    const table = parseCsv(['x,label', ...rows].join('\n'), 'd', 'd.csv');
    const data = prepare('target: label\n', table);
    assert.deepEqual(data.classes, ['a', 'b']);
    assert.equal(data.droppedRows, 6);
    assert.equal(data.train.count + data.validation.count + data.test.count, 20);
    // header line 1, rows from line 2: the inserted rows sit on lines 5–10
    assert.deepEqual(data.warnings, ['d.csv, column "label": dropped 6 of 26 rows whose target is missing ("NaN" ×1, "nan" ×2, empty ×1, "NA" ×1, "null" ×1; lines 5, 6, 7, 8, 9, …)']);
  });

  test('a file whose labels are all present has no warning', () => {
    const data = prepare('target: label\n', parseCsv(['x,label', ...labelledRows(20)].join('\n'), 'd', 'd.csv'));
    assert.deepEqual(data.warnings, []);
    assert.equal(data.droppedRows, 0);
  });

  test('when only one class is left once missing labels are dropped, the error says so', () => {
    const table = parseCsv(['x,label', '1,yes', '2,NaN', '3,yes', '4,nan'].join('\n'), 'd', 'd.csv');
    assert.throws(
      () => prepare('target: label\n', table),
      (e: unknown) => e instanceof DataError && e.message === 'd.csv, column "label": the target has only one class ("yes") once the 2 rows whose target is missing are dropped — a classifier needs at least two',
    );
  });
});

describe('split sizes', () => {
  const regression = (n: number): DataTable => parseCsv(['x,y', ...Array.from({ length: n }, (_, i) => `${i},${i * 1.5}`)].join('\n'), 'd', 'd.csv');

  test('a split that leaves no test rows is an error saying how many rows there were and what the split gave', () => {
    assert.throws(
      () => prepare('target: y\n', regression(2)),
      (e: unknown) =>
        e instanceof DataError &&
        e.message === 'd.csv: the split leaves no test rows — 2 labelled rows split train 0.7 / validation 0.15 / test 0.15 gives train 2, validation 0, test 0; add rows, or set split.test to 0 to train without test metrics',
    );
  });

  test('a split that leaves no validation rows is an error; a fraction of 0 asks for none and trains', () => {
    assert.throws(() => prepare('target: y\nsplit: {train: 0.8, validation: 0.05, test: 0.15}\n', regression(8)), /^DataError: d\.csv: the split leaves no validation rows — 8 labelled rows .* gives train 7, validation 0, test 1; add rows, or set split\.validation to 0/);
    const data = prepare('target: y\nsplit: {train: 0.85, validation: 0, test: 0.15}\n', regression(8));
    assert.deepEqual([data.train.count, data.validation.count, data.test.count], [7, 0, 1]);
  });

  test('a stratified split rounds per class, and the error says so', () => {
    const table = parseCsv(['x,label', ...labelledRows(6)].join('\n'), 'd', 'd.csv');
    assert.throws(() => prepare('target: label\n', table), /the split leaves no test rows — 6 labelled rows split train 0\.7 \/ validation 0\.15 \/ test 0\.15, rounded per class \(stratified\) gives train 6, validation 0, test 0/);
  });
});

describe('the dataset encoding in a spec', () => {
  test('`dataset: {path, encoding}` names the file and its encoding; a wrong encoding or field points at its line', () => {
    const parsed = parseTrainSpec('dataset:\n  path: data/menu.csv\n  encoding: latin1\ntarget: y\n', '/w/m.train.yaml');
    assert.equal(parsed.spec.dataset, '/w/data/menu.csv');
    assert.equal(parsed.spec.datasetAsWritten, 'data/menu.csv');
    assert.equal(parsed.spec.datasetEncoding, 'latin1');
    assert.equal(parseTrainSpec('dataset: menu.csv\ntarget: y\n', '/w/m.train.yaml').spec.datasetEncoding, undefined);
    assert.deepEqual(
      validateTrainSpecText('dataset: {path: menu.csv, encoding: ascii}\ntarget: y\n', '/w/m.train.yaml').map((i) => `${i.line}:${i.column} ${i.message}`),
      ['1:37 `dataset.encoding` must be one of: "utf-8", "latin1", "windows-1252" (found "ascii")'],
    );
    assert.ok(validateTrainSpecText('dataset: {path: menu.csv, encodng: latin1}\ntarget: y\n', '/w/m.train.yaml').some((i) => i.message === 'unknown field `dataset.encodng` (expected one of: path, encoding)'));
  });
});
