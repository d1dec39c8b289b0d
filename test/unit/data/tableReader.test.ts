import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { INFERENCE_ROWS } from '../../../src/core/data/csvColumns';
import { parseCsv } from '../../../src/core/data/csvReader';
import { DataError } from '../../../src/core/data/dataErrors';
import { findColumn } from '../../../src/core/data/dataTable';
import { readTable } from '../../../src/core/data/tableReader';
import { firstInvalidUtf8 } from '../../../src/core/data/textDecoding';

const examples = join(__dirname, '..', '..', '..', 'examples', 'data');
const dir = mkdtempSync(join(tmpdir(), 'mlops-data-'));
function csvFile(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function rejectsWith(text: string, pattern: RegExp, options: Parameters<typeof parseCsv>[3] = {}): void {
  assert.throws(
    () => parseCsv(text, 'sha256:x', 'data.csv', options),
    (error: unknown) => {
      assert.ok(error instanceof DataError, `expected a DataError, got ${String(error)}`);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('reading a CSV into typed columns', () => {
  test('the penguins example: measurements are numeric with their empty cells missing, text columns categorical', async () => {
    const table = await readTable(join(examples, 'penguins.csv'));
    assert.equal(table.rowCount, 344);
    const bill = findColumn(table, 'bill_length_mm');
    assert.equal(bill?.kind, 'numeric');
    assert.equal(bill?.missing, 2);
    assert.ok(bill?.kind === 'numeric' && bill.values[0] === 39.1 && Number.isNaN(bill.values[3]));
    const species = findColumn(table, 'species');
    assert.ok(species?.kind === 'categorical');
    assert.deepEqual([...species.categories].sort(), ['Adelie', 'Chinstrap', 'Gentoo']);
    const sex = findColumn(table, 'sex');
    assert.ok(sex?.kind === 'categorical' && sex.missing > 0 && sex.codes[3] === -1);
    assert.match(table.digest, /^sha256:[0-9a-f]{64}$/);
  });

  test('the digest identifies the content: same bytes same digest, one changed cell a new one', async () => {
    const a = await readTable(csvFile('a.csv', 'x,y\n1,2\n'));
    const b = await readTable(csvFile('b.csv', 'x,y\n1,2\n'));
    const c = await readTable(csvFile('c.csv', 'x,y\n1,3\n'));
    assert.equal(a.digest, b.digest);
    assert.notEqual(a.digest, c.digest);
  });

  test('a ragged row names the file and its line', () => {
    rejectsWith('a,b,c\n1,2,3\n4,5\n', /^data\.csv line 3: has 2 fields but the header has 3 — ragged row$/);
    rejectsWith('a,b\n1,2\n3,4,5\n', /line 3: has 3 fields/);
  });

  test('text in a mostly numeric column names line, column and value', () => {
    rejectsWith('id,price\na,1\nb,2\nc,3\nd,4\ne,n/a\nf,6\n', /^data\.csv line 6, column "price": "n\/a" is not a number, but column "price" is numeric \(5 of 6 values are numbers\)$/);
  });

  test('a column the spec declares numeric rejects its first non-number', () => {
    rejectsWith('id,code\n1,A7\n2,B8\n', /line 2, column "code": "A7" is not a number.*declared in the spec/, { columnKinds: { code: 'numeric' } });
  });

  test('NaN and Infinity literals are refused: missing values are empty cells', () => {
    rejectsWith('x,y\n1,2\n3,NaN\n', /line 3, column "y": "NaN" is not allowed in a numeric column — leave the cell empty/);
    rejectsWith('x,y\n1,2\n-Infinity,4\n', /line 3, column "x": "-Infinity" is not allowed/);
    rejectsWith('x,y\n1,2\ninf,4\n', /column "x": "inf" is not allowed/);
  });

  test('line numbers stay right after quoted fields that span lines and after blank lines', () => {
    rejectsWith('note,x\n"two\nlines",1\n\nok,2\nbad,3,4\n', /^data\.csv line 6: has 3 fields/);
  });

  test('an empty file and a header without rows are errors', async () => {
    await assert.rejects(readTable(csvFile('empty.csv', '')), /empty\.csv is empty: it has no header line and no rows/);
    await assert.rejects(readTable(csvFile('header.csv', 'a,b\n')), /header\.csv has a header but no data rows/);
  });

  test('a file that does not exist is named', async () => {
    await assert.rejects(readTable(join(dir, 'nope.csv')), (error: unknown) => error instanceof DataError && /nope\.csv does not exist/.test(error.message));
  });

  // a guard, not a timed assertion: opening a FIFO blocks until a writer comes, so a regression would hang
  test('a named pipe or a directory is refused before it is opened, naming what it is', { timeout: 30_000 }, async () => {
    const fifo = join(dir, 'pipe.csv');
    execFileSync('mkfifo', [fifo]);
    await assert.rejects(readTable(fifo), (error: unknown) => error instanceof DataError && error.message === `${fifo} is a named pipe (FIFO), not a regular file — give the path of a CSV, TSV or Parquet file`);
    const folder = join(dir, 'folder.csv');
    mkdirSync(folder);
    await assert.rejects(readTable(folder, { displayName: 'folder.csv' }), /^DataError: folder\.csv is a directory, not a regular file/);
  });

  test('a Latin-1 file is refused at its first non-UTF-8 byte, naming line and column, instead of reading "caf\uFFFD"', async () => {
    const path = csvFile('cities.csv', '');
    writeFileSync(path, Buffer.from('n,city,country\n1,Oslo,Norway\n2,"Paris, café",France\n3,Zürich,Switzerland\n', 'latin1'));
    await assert.rejects(readTable(path), (error: unknown) => {
      assert.ok(error instanceof DataError);
      assert.equal(error.message, `${path} line 3, column "city": byte 0xE9 after "2,"Paris, caf" is not valid UTF-8 — the file is in another encoding (Latin-1 or Windows-1252, as Excel saves CSV?); save it as UTF-8`);
      return true;
    });
    // the same text in UTF-8 (with a byte order mark) reads as it is
    writeFileSync(path, `\uFEFFn,city\n1,café\n2,Zürich\n`);
    const city = findColumn(await readTable(path), 'city');
    assert.ok(city?.kind === 'categorical');
    assert.deepEqual(city.categories, ['café', 'Zürich']);
  });

  test('a declared latin1 or windows-1252 encoding reads the text as written', async () => {
    const path = csvFile('menu.csv', '');
    writeFileSync(path, Buffer.concat([Buffer.from('drink,price\ncafé,3\nthé,2\n', 'latin1'), Buffer.from([0x80, 0x2c, 0x31, 0x0a])]));
    const latin1 = findColumn(await readTable(path, { encoding: 'latin1' }), 'drink');
    assert.ok(latin1?.kind === 'categorical');
    assert.deepEqual(latin1.categories, ['café', 'thé', '\u0080']);
    const windows = findColumn(await readTable(path, { encoding: 'windows-1252' }), 'drink');
    assert.ok(windows?.kind === 'categorical');
    assert.deepEqual(windows.categories, ['café', 'thé', '€']);
    await assert.rejects(readTable(path, { encodingHint: ', or declare it' }), /line 2, column "drink": byte 0xE9 after "caf" is not valid UTF-8 — .*save it as UTF-8, or declare it$/);
  });

  test('the UTF-8 check finds the first bad byte, and agrees with a strict decoder on what is valid', () => {
    const cases: [number[], number][] = [
      [[0x61, 0xc3, 0xa9, 0x62], 4], // valid "aéb"
      [[0x61, 0xe9, 0x62], 1], // Latin-1 é
      [[0x61, 0xc0, 0xaf], 1], // overlong "/"
      [[0xe0, 0x80, 0xaf], 0], // overlong three-byte form
      [[0x61, 0xed, 0xa0, 0x80], 1], // a UTF-16 surrogate
      [[0xf4, 0x90, 0x80, 0x80], 0], // above U+10FFFF
      [[0x61, 0x62, 0xe2, 0x82], 2], // "€" cut off at the end
      [[0xf0, 0x9f, 0x98, 0x80, 0xff], 4], // an emoji, then a byte UTF-8 never uses
      [[0x80], 0], // a continuation byte alone
    ];
    for (const [bytes, expected] of cases) {
      const array = Uint8Array.from(bytes);
      const label = bytes.map((b) => b.toString(16)).join(' ');
      assert.equal(firstInvalidUtf8(array), expected, label);
      let strictlyValid = true;
      try {
        new TextDecoder('utf-8', { fatal: true }).decode(array);
      } catch {
        strictlyValid = false;
      }
      assert.equal(strictlyValid, expected === array.length, label);
    }
  });

  test('a duplicate header name is refused', () => {
    rejectsWith('a,b,a\n1,2,3\n', /the header names column "a" twice/);
  });

  test('past the rows used to infer kinds, values stream into typed columns and a stray text value is still found', () => {
    const rows = Array.from({ length: INFERENCE_ROWS + 500 }, (_, i) => `${i},${['red', 'green'][i % 2]}`);
    const table = parseCsv(`n,color\n${rows.join('\n')}\n`, 'd', 'big.csv');
    const n = findColumn(table, 'n');
    assert.ok(n?.kind === 'numeric' && n.values.length === INFERENCE_ROWS + 500 && n.values[INFERENCE_ROWS + 499] === INFERENCE_ROWS + 499);
    const color = findColumn(table, 'color');
    assert.ok(color?.kind === 'categorical' && color.codes[INFERENCE_ROWS + 1] === 1);
    rows[INFERENCE_ROWS + 100] = 'oops,red';
    rejectsWith(`n,color\n${rows.join('\n')}\n`, new RegExp(`^data\\.csv line ${INFERENCE_ROWS + 102}, column "n": "oops" is not a number, but column "n" is numeric \\(${INFERENCE_ROWS} of ${INFERENCE_ROWS} values in the first ${INFERENCE_ROWS} rows are numbers\\)$`));
  });

  test('an error quoting a 20 MB cell stays short and still names file, line and column', async () => {
    const huge = `${'7'.repeat(10)}x${'y'.repeat(20_000_000)}`;
    const path = csvFile('huge.csv', `id,price\n1,2\n2,3\n3,4\n4,5\n5,${huge}\n`);
    const error = await readTable(path).then(
      () => assert.fail('expected a DataError'),
      (e: unknown) => e as DataError,
    );
    assert.ok(error instanceof DataError);
    assert.ok(error.message.length < 400, `message is ${error.message.length} characters`);
    assert.match(error.message, /huge\.csv line 6, column "price": "7777777777xy+…" \(20,000,011 characters\) is not a number, but column "price" is numeric/);
  });

  test('a huge or multi-line header name is quoted short and on one line', () => {
    const name = `a\nb${'c'.repeat(1_000_000)}`;
    rejectsWith(`"${name}",x,"${name}"\n1,2,3\n`, /^data\.csv line 1: the header names column "a\\nbc+…" \(1,000,003 characters\) twice$/);
  });

  test('a column of mostly text stays categorical, and a declared categorical column keeps numbers as labels', () => {
    const table = parseCsv('city,zip\nOslo,0150\nRome,00118\nParis,75001\n', 'd', 'data.csv', { columnKinds: { zip: 'categorical' } });
    const zip = findColumn(table, 'zip');
    assert.ok(zip?.kind === 'categorical');
    assert.deepEqual(zip.categories, ['0150', '00118', '75001']);
    assert.equal(findColumn(table, 'city')?.kind, 'categorical');
  });
});
