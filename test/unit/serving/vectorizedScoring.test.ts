import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { ModelSignature } from '../../../src/core/modelPackage/modelPackageFormat';
import { encodeLogEntry, inputsJson, type PendingLogEntry } from '../../../src/core/serving/pendingLogEntry';
import { predictionsJson } from '../../../src/core/serving/predictionJson';
import { RequestLog } from '../../../src/core/serving/requestLog';
import { encodeScoringInput, type EncodableModel } from '../../../src/core/serving/scoringEncoder';
import { checkRecords, parseScoringInput, scoringRecords, type ScoringInput, type ScoringRecord } from '../../../src/core/serving/scoringInput';
import { transformRecords, type FittedPreprocessing } from '../../../src/core/training/preprocessing';

const SIGNATURE: ModelSignature = {
  inputs: [
    { name: 'mass', type: 'double', optional: false },
    { name: 'bill', type: 'double', optional: true },
    { name: 'island', type: 'string', optional: true, categories: ['Biscoe', 'Dream', 'Torgersen'] },
    { name: 'sex', type: 'string', optional: false, categories: ['female', 'male'] },
  ],
  output: { task: 'classification', target: 'species', classes: ['Adelie', 'Chinstrap', 'Gentoo'] },
};

function preprocessing(native: boolean, handleUnknown: 'ignore' | 'error' = 'ignore'): FittedPreprocessing {
  if (native) {
    return {
      encoding: 'native',
      width: 4,
      encodedNames: ['mass', 'bill', 'island', 'sex'],
      features: [
        { name: 'mass', kind: 'numeric', fill: 0, center: 0, scale: 1 },
        { name: 'bill', kind: 'numeric', fill: 0, center: 0, scale: 1 },
        { name: 'island', kind: 'categorical', fill: null, categories: ['Biscoe', 'Dream', 'Torgersen'], handleUnknown },
        { name: 'sex', kind: 'categorical', fill: null, categories: ['female', 'male'], handleUnknown },
      ],
    };
  }
  return {
    width: 7,
    encodedNames: ['mass', 'bill', 'island=Biscoe', 'island=Dream', 'island=Torgersen', 'sex=female', 'sex=male'],
    features: [
      { name: 'mass', kind: 'numeric', fill: 4000, center: 4200, scale: 800 },
      { name: 'bill', kind: 'numeric', fill: 44, center: 43.9, scale: 5.4 },
      { name: 'island', kind: 'categorical', fill: 'Biscoe', categories: ['Biscoe', 'Dream', 'Torgersen'], handleUnknown },
      { name: 'sex', kind: 'categorical', fill: null, categories: ['female', 'male'], handleUnknown },
    ],
  };
}

const COLUMNS = ['island', 'bill', 'mass', 'sex', 'note'];
/** 100 rows with what clients really send: numbers as numbers and as text, nulls, unseen islands, an extra column */
const ROWS: unknown[][] = Array.from({ length: 100 }, (_, r) => [
  r % 11 === 0 ? null : r % 13 === 0 ? 'Atlantis' : ['Biscoe', 'Dream', 'Torgersen'][r % 3],
  r % 7 === 0 ? null : r % 5 === 0 ? ` ${(35 + r / 10).toFixed(1)} ` : 35 + r / 10,
  2800 + r * 31,
  r % 2 ? 'male' : 'female',
  `row ${r}`,
]);

function split(data: unknown[][] = ROWS, columns: string[] = COLUMNS): ScoringInput {
  return parseScoringInput('application/json', JSON.stringify({ dataframe_split: { columns, data } }), SIGNATURE);
}

function records(data: unknown[][] = ROWS, columns: string[] = COLUMNS): ScoringInput {
  return parseScoringInput('application/json', JSON.stringify({ dataframe_records: data.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))) }), SIGNATURE);
}

/** What the endpoint answered before scoring was vectorized: check, encode records, predict, format. */
function legacyError(input: ScoringInput, model: EncodableModel): string | undefined {
  try {
    const rows = scoringRecords(input);
    checkRecords(rows, model.signature);
    transformRecords(model.preprocessing, rows);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function errorOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('vectorized scoring input', () => {
  for (const native of [false, true]) {
    test(`a 100-row request encodes as dataframe_split and as dataframe_records into what the per-record path gave (${native ? 'native' : 'one-hot'} encoding)`, () => {
      const model = { signature: SIGNATURE, preprocessing: preprocessing(native) };
      const fromSplit = encodeScoringInput(split(), model);
      const fromRecords = encodeScoringInput(records(), model);
      const legacy = transformRecords(model.preprocessing, scoringRecords(records()));
      assert.equal(fromSplit.length, 100 * model.preprocessing.width);
      assert.deepEqual(fromSplit, legacy);
      assert.deepEqual(fromRecords, legacy);
    });
  }

  test('a bad cell in a 100-row request is refused naming its row and column, as before, in both shapes', () => {
    const model = { signature: SIGNATURE, preprocessing: preprocessing(false) };
    const data = ROWS.map((row) => [...row]);
    (data[56] as unknown[])[2] = 'heavy';
    for (const input of [split(data), records(data)]) {
      const message = errorOf(() => encodeScoringInput(input, model));
      assert.equal(message, 'row 57, column "mass": expected a number (double), got string "heavy".');
      assert.equal(message, legacyError(input, model));
    }
    // a required cell sent as null, and a required column left out
    (data[56] as unknown[])[2] = 3000;
    (data[89] as unknown[])[3] = null;
    assert.match(errorOf(() => encodeScoringInput(split(data), model)) ?? '', /^row 90, column "sex": null, but the column is required/);
    const noSex = split(ROWS.map((row) => [row[0], row[1], row[2]]), ['island', 'bill', 'mass']);
    assert.equal(errorOf(() => encodeScoringInput(noSex, model)), legacyError(noSex, model));
    assert.match(errorOf(() => encodeScoringInput(noSex, model)) ?? '', /^Missing input column "sex"/);
    assert.equal(errorOf(() => encodeScoringInput(split([]), model)), 'The request holds no rows to score.');
  });

  test('an unseen category (handle_unknown "error") is refused only after every cell passed its check, as before', () => {
    for (const native of [false, true]) {
      const model = { signature: SIGNATURE, preprocessing: preprocessing(native, 'error') };
      const data = ROWS.map((row) => [...row]);
      (data[79] as unknown[])[2] = Number.NaN; // JSON sends it as null: a null in a required column
      const withBadCell = split(data);
      assert.match(errorOf(() => encodeScoringInput(withBadCell, model)) ?? '', /^row 80, column "mass"/, 'the cell error wins over row 14\'s unseen island');
      const message = errorOf(() => encodeScoringInput(split(), model));
      assert.equal(message, 'column "island": category "Atlantis" was not seen in training (one_hot.handle_unknown is "error")');
      assert.equal(message, legacyError(split(), model));
    }
  });
});

describe('vectorized scoring output and request log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-vectorized-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('predictions are written as JSON.stringify wrote the per-row objects, class names that look like numbers too', () => {
    const classes = ['b', '10', '2', 'b'];
    const signature: ModelSignature = { ...SIGNATURE, output: { task: 'classification', target: 't', classes } };
    const out = Float32Array.from([0.1, 0.7, 0.2, 0.3, 0.25, 0.25, 0.25, 0.25, Number.NaN, 0.5, 1e-8, 0.4]);
    const legacy = [0, 1, 2].map((r) => {
      const probabilities: Record<string, number> = {};
      let best = 0;
      for (let c = 0; c < 4; c++) {
        probabilities[classes[c] as string] = out[r * 4 + c] as number;
        if ((out[r * 4 + c] as number) > (out[r * 4 + best] as number)) best = c;
      }
      return { label: classes[best], probabilities };
    });
    assert.equal(predictionsJson(out, 3, signature), JSON.stringify(legacy));
    const regression: ModelSignature = { ...SIGNATURE, output: { task: 'regression', target: 'y', type: 'double' } };
    const values = Float32Array.from([1.5, -0.1, Number.POSITIVE_INFINITY]);
    assert.equal(predictionsJson(values, 3, regression), JSON.stringify(Array.from(values)));
  });

  test('a dataframe_split request is logged as the records it stands for, repeated and numeric column names too', () => {
    const columns = ['b', '1', 'a', 'b'];
    const input = split([[1, 'x', null, 2], [1e21, 'y\n"', true, -0]], columns);
    assert.equal(inputsJson(input), JSON.stringify(scoringRecords(input)));
    assert.equal(inputsJson(split()), JSON.stringify(scoringRecords(split())));
  });

  test('entries encoded in the endpoint process and handed over as bytes read back identical', async () => {
    const log = new RequestLog(dir);
    // raw model outputs as the endpoint keeps them: ties, a NaN, probabilities that float32 rounds
    const raw = Float32Array.from({ length: 300 }, (_, i) => (i === 7 ? Number.NaN : i % 4 === 0 ? 1 / 3 : ((i * 37) % 101) / 101));
    const classes = SIGNATURE.output.task === 'classification' ? SIGNATURE.output.classes : null;
    const outputs = { raw, classes };
    const answered = JSON.parse(predictionsJson(raw, 100, SIGNATURE)) as unknown[];
    const entries: PendingLogEntry[] = [
      { requestId: 'r-split', time: 1_700_000_000_001, modelName: 'penguins', version: 3, status: 200, latencyMs: 0.42, rows: 100, input: split(), outputs },
      { requestId: 'r-records', time: 1_700_000_000_002, modelName: 'penguins', version: 3, status: 200, latencyMs: 0.5, rows: 100, input: records(), outputs },
      // filled from the online store: records built here, written out as records
      { requestId: 'r-filled', time: 1_700_000_000_002, modelName: 'penguins', version: 3, status: 200, latencyMs: 0.5, rows: 100, input: { kind: 'records', records: scoringRecords(split()) }, outputs },
      { requestId: 'r-bad', time: 1_700_000_000_003, modelName: 'penguins', version: 3, status: 400, latencyMs: 0.1, rows: 0, input: null, outputs: null, error: 'The body is not valid JSON' },
    ];
    // what crosses the IPC channel: the frames laid end to end, as bytes (a copy, as the channel makes)
    const wire = Uint8Array.from(Buffer.concat(entries.map(encodeLogEntry)));
    log.appendFrames('shop', Buffer.from(wire.buffer, wire.byteOffset, wire.byteLength));
    await log.flushed();
    const [bad, filled, fromRecords, fromSplit] = [...log.newestFirst('shop')];
    const expectedInputs = scoringRecords(records()) as ScoringRecord[];
    for (const [read, id] of [[fromSplit, 'r-split'], [fromRecords, 'r-records'], [filled, 'r-filled']] as const) {
      assert.equal(read?.requestId, id);
      assert.equal(read?.modelName, 'penguins');
      assert.equal(read?.version, 3);
      assert.equal(read?.status, 200);
      assert.equal(read?.rows, 100);
      assert.deepEqual(read?.inputs, expectedInputs);
      assert.deepEqual(read?.outputs, answered, 'the outputs read back as the predictions the endpoint answered');
    }
    assert.equal(fromSplit?.time, 1_700_000_000_001);
    assert.equal(fromSplit?.latencyMs, 0.42);
    assert.deepEqual({ inputs: bad?.inputs, outputs: bad?.outputs, rows: bad?.rows, error: bad?.error }, { inputs: null, outputs: null, rows: 0, error: 'The body is not valid JSON' });
    assert.equal([...log.newestFirst('shop', { answeredWithInputs: true })].length, 3, 'the answered rows count as before');
    // a regression model's raw values read back as its answered numbers
    const regression: ModelSignature = { ...SIGNATURE, output: { task: 'regression', target: 'y', type: 'double' } };
    const values = Float32Array.from([1.5, -0.1, Number.POSITIVE_INFINITY]);
    log.appendFrames('reg', encodeLogEntry({ requestId: 'r-reg', time: 1, modelName: 'm', version: 1, status: 200, latencyMs: 1, rows: 3, input: split(ROWS.slice(0, 3)), outputs: { raw: values, classes: null } }));
    await log.flushed();
    assert.deepEqual([...log.newestFirst('reg')][0]?.outputs, JSON.parse(predictionsJson(values, 3, regression)));
    await log.close();
  });
});
