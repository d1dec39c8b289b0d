import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Papa from 'papaparse';
import { loadModelPackage } from '../../../src/core/modelPackage/modelPackageLoader';
import { predictionsPathFor } from '../../../src/core/serving/batchScoring';
import { ScoreCancelledError, scoreFile, scoreFileWithModel } from '../../../src/core/serving/scoreFile';
import { writeParquet } from '../data/parquetWriter';
import { PENGUINS_CSV, penguinsFixture, type ServingFixture } from './servingTestSupport';

describe('batch scoring', () => {
  let f: ServingFixture;
  let work: string;
  before(async () => {
    f = await penguinsFixture();
    work = mkdtempSync(join(tmpdir(), 'mlops-score-'));
  });
  after(async () => {
    await f?.cleanup();
    rmSync(work, { recursive: true, force: true });
  });

  it('writes <name>.predictions.csv matching predict() row by row, with progress', async () => {
    const input = join(work, 'penguins.csv');
    writeFileSync(input, readFileSync(PENGUINS_CSV));
    const progress: number[] = [];
    const result = await scoreFileWithModel(f.store, 'models:/penguins@champion', input, undefined, { onProgress: (p) => progress.push(p.rows) });
    assert.equal(result.output, join(work, 'penguins.predictions.csv'));
    assert.equal(predictionsPathFor('/a/b.parquet'), '/a/b.predictions.csv');
    const records = Papa.parse<Record<string, string>>(readFileSync(input, 'utf8').trim(), { header: true }).data;
    assert.equal(result.rows, records.length);
    const model = await loadModelPackage(f.v1.packageDir);
    const expected = model.predict(records.map((r) => ({ ...r, species: undefined })));
    const lines = readFileSync(result.output, 'utf8').trim().split('\n');
    assert.equal(lines[0], 'predicted_species,probability_Adelie,probability_Chinstrap,probability_Gentoo');
    assert.equal(lines.length - 1, records.length);
    expected.forEach((p, i) => {
      const cells = (lines[i + 1] as string).split(',');
      assert.ok('label' in p);
      assert.equal(cells[0], p.label, `row ${i + 1}`);
      assert.ok(Math.abs(Number(cells[1]) - (p.probabilities.Adelie as number)) < 1e-5);
    });
  });

  it('scores Parquet too', async () => {
    const records = Papa.parse<Record<string, string>>(readFileSync(PENGUINS_CSV, 'utf8').trim(), { header: true }).data.slice(0, 50);
    const numeric = ['bill_length_mm', 'bill_depth_mm', 'flipper_length_mm', 'body_mass_g'];
    const input = join(work, 'p.parquet');
    writeFileSync(input, writeParquet(Object.keys(records[0] ?? {}).map((name) => (numeric.includes(name) ? { name, type: 'double' as const, values: records.map((r) => (r[name] === 'NA' || r[name] === '' ? null : Number(r[name]))) } : { name, type: 'string' as const, values: records.map((r) => (r[name] === 'NA' || r[name] === '' ? null : (r[name] as string))) }))));
    const result = await scoreFile(f.v1.packageDir, input);
    const csvResult = await scoreFile(f.v1.packageDir, PENGUINS_CSV, join(work, 'all.csv'));
    const fromCsv = readFileSync(csvResult.output, 'utf8').split('\n').slice(0, 51);
    assert.deepEqual(readFileSync(result.output, 'utf8').split('\n').slice(0, 51), fromCsv);
  });

  it('reads quoted fields (with commas and newlines inside) and TSV the same as plain CSV', async () => {
    const plain = 'island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,note\nDream,40,18,190,3700,male,x\nBiscoe,48,15,220,5200,female,y\n';
    const quoted = '"island","bill_length_mm",bill_depth_mm,flipper_length_mm,body_mass_g,sex,note\n"Dream",40,18,190,3700,male,"a, b"\nBiscoe,"48",15,220,5200,female,"two\nlines"\n';
    writeFileSync(join(work, 'plain.csv'), plain);
    writeFileSync(join(work, 'quoted.csv'), quoted);
    writeFileSync(join(work, 'tabs.tsv'), plain.replace(/,/g, '\t'));
    const outputs = await Promise.all(['plain.csv', 'quoted.csv', 'tabs.tsv'].map(async (name) => readFileSync((await scoreFile(f.v1.packageDir, join(work, name))).output, 'utf8')));
    assert.equal(outputs[0]?.trim().split('\n').length, 3);
    assert.equal(outputs[1], outputs[0]);
    assert.equal(outputs[2], outputs[0]);
  });

  it('reads with the same reader as training: a bad cell after a field spanning lines names its own line; a Latin-1 byte is refused, not scored', async () => {
    const header = 'island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,note';
    writeFileSync(join(work, 'spanning.csv'), `${header}\nDream,40,18,190,3700,male,"one\ntwo\nthree"\n\nBiscoe,forty,15,220,5200,female,x\n`);
    await assert.rejects(scoreFile(f.v1.packageDir, join(work, 'spanning.csv')), /spanning\.csv, line 6, column "bill_length_mm": "forty" is not a number/);
    writeFileSync(join(work, 'latin1.csv'), Buffer.from(`${header}\nDream,40,18,190,3700,male,caf\u00e9\n`, 'latin1'));
    await assert.rejects(scoreFile(f.v1.packageDir, join(work, 'latin1.csv')), /latin1\.csv line 2, column "note": byte 0xE9 after "caf" is not valid UTF-8/);
  });

  it('names the missing column, and cancels', async () => {
    const bad = join(work, 'bad.csv');
    writeFileSync(bad, 'island,sex\nDream,male\n');
    await assert.rejects(scoreFile(f.v1.packageDir, bad), /column "bill_length_mm" is missing/);
    const controller = new AbortController();
    const running = scoreFile(f.v1.packageDir, PENGUINS_CSV, join(work, 'c.csv'), { signal: controller.signal });
    controller.abort();
    await assert.rejects(running, ScoreCancelledError);
  });
});
