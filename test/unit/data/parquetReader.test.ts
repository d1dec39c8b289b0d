import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { DataError } from '../../../src/core/data/dataErrors';
import { findColumn } from '../../../src/core/data/dataTable';
import { readTable } from '../../../src/core/data/tableReader';
import { writeParquet, type FixtureColumn } from './parquetWriter';

const dir = mkdtempSync(join(tmpdir(), 'mlops-parquet-'));
function parquetFile(name: string, columns: FixtureColumn[]): string {
  const path = join(dir, name);
  writeFileSync(path, writeParquet(columns));
  return path;
}

describe('reading Parquet into typed columns', () => {
  test('numbers (double and int64) become numeric columns, strings categorical, nulls missing', async () => {
    const path = parquetFile('penguins.parquet', [
      { name: 'species', type: 'string', values: ['Adelie', 'Gentoo', null, 'Adelie'] },
      { name: 'bill_length_mm', type: 'double', values: [39.1, null, 40.3, 36.7] },
      { name: 'year', type: 'int64', values: [2007, 2008, 2009, 2007] },
    ]);
    const table = await readTable(path);
    assert.equal(table.format, 'parquet');
    assert.equal(table.rowCount, 4);
    const bill = findColumn(table, 'bill_length_mm');
    assert.ok(bill?.kind === 'numeric');
    assert.deepEqual(Array.from(bill.values).map((v) => (Number.isNaN(v) ? null : v)), [39.1, null, 40.3, 36.7]);
    const year = findColumn(table, 'year');
    assert.ok(year?.kind === 'numeric' && year.values[1] === 2008);
    const species = findColumn(table, 'species');
    assert.ok(species?.kind === 'categorical');
    assert.deepEqual(species.categories, ['Adelie', 'Gentoo']);
    assert.deepEqual(Array.from(species.codes), [0, 1, -1, 0]);
    assert.match(table.digest, /^sha256:/);
  });

  test('NaN and Infinity stored in a Parquet column are refused with the row and column', async () => {
    const path = parquetFile('nan.parquet', [{ name: 'x', type: 'double', values: [1, 2, NaN] }]);
    await assert.rejects(readTable(path), (e: unknown) => e instanceof DataError && /nan\.parquet row 3, column "x": NaN is not allowed/.test(e.message));
  });

  test('a column the spec declares numeric but that holds text is refused', async () => {
    const path = parquetFile('codes.parquet', [{ name: 'code', type: 'string', values: ['7', 'A9'] }]);
    await assert.rejects(readTable(path, { columnKinds: { code: 'numeric' } }), /codes\.parquet row 1, column "code": the column stores text \("7"\), but the spec declares column "code" numeric/);
  });

  test('a file that is not Parquet says so', async () => {
    const path = join(dir, 'fake.parquet');
    writeFileSync(path, 'a,b\n1,2\n');
    await assert.rejects(readTable(path), /fake\.parquet is not a readable Parquet file/);
  });
});
