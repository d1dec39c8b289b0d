import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { INFERENCE_ROWS } from '../../../src/core/data/csvColumns';
import { parseCsv, splitNear } from '../../../src/core/data/csvReader';
import { DataError } from '../../../src/core/data/dataErrors';
import type { DataColumn, DataTable } from '../../../src/core/data/dataTable';
import { readTable } from '../../../src/core/data/tableReader';

// Issue #24: one byte-level reader for every command. Each table here is what the papaparse-based
// reader gave for the same text (its rules are written out as expectations), read both on one
// thread and with a worker thread reading the second half.
const dir = mkdtempSync(join(tmpdir(), 'mlops-typed-'));
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}
const TWO_THREADS = { parallelMinBytes: 0 };
const ONE_THREAD = { parallelMinBytes: Number.POSITIVE_INFINITY };

/** A column as plain data: kind, then cells as numbers (null = missing) or category text (null = missing). */
function cells(column: DataColumn): { kind: string; cells: (number | string | null)[]; missing: number } {
  if (column.kind === 'numeric') return { kind: 'numeric', cells: [...column.values].map((v) => (Number.isNaN(v) ? null : v)), missing: column.missing };
  return { kind: 'categorical', cells: [...column.codes].map((c) => (c < 0 ? null : (column.categories[c] as string))), missing: column.missing };
}
function plain(table: DataTable): unknown {
  return {
    rows: table.rowCount,
    columns: Object.fromEntries(table.columns.map((c) => [c.name, cells(c)])),
    lines: Array.from({ length: table.rowCount }, (_, i) => table.locate(i).line),
    categories: Object.fromEntries(table.columns.filter((c) => c.kind === 'categorical').map((c) => [c.name, c.kind === 'categorical' ? [...c.categories] : []])),
  };
}
async function readBothWays(path: string): Promise<DataTable> {
  const one = await readTable(path, ONE_THREAD);
  const two = await readTable(path, TWO_THREADS);
  assert.deepEqual(plain(two), plain(one), 'a worker thread reading the second half gives the same table');
  assert.equal(two.digest, one.digest);
  return one;
}

describe('the byte-level CSV reader', () => {
  test('quotes, "" escapes, CRLF, a byte order mark, embedded newlines, blank and space-only lines read as before', async () => {
    const text = '\uFEFFid,note,price,city\r\n1,"said ""hi""",3.5, Oslo \r\n\r\n2,"two\r\nlines",-1e3,"Rome"\r\n   \r\n3,,  7 ,\u00A0Paris\u00A0\r\n4,"a,b",,Oslo';
    const table = await readBothWays(file('tricky.csv', text));
    assert.deepEqual(plain(table), {
      rows: 4,
      columns: {
        id: { kind: 'numeric', cells: [1, 2, 3, 4], missing: 0 },
        note: { kind: 'categorical', cells: ['said "hi"', 'two\r\nlines', null, 'a,b'], missing: 1 },
        price: { kind: 'numeric', cells: [3.5, -1000, 7, null], missing: 1 },
        // categories are trimmed, Unicode spaces too, and found again by their bytes
        city: { kind: 'categorical', cells: ['Oslo', 'Rome', 'Paris', 'Oslo'], missing: 0 },
      },
      lines: [2, 4, 7, 8],
      categories: { note: ['said "hi"', 'two\r\nlines', 'a,b'], city: ['Oslo', 'Rome', 'Paris'] },
    });
    assert.deepEqual(plain(parseCsv(text, 'd', 'tricky.csv')), plain(table), 'the text entry point reads the same');
  });

  test('a TSV, a trailing delimiter at the end and numbers in every decimal form', async () => {
    const table = await readBothWays(file('forms.tsv', 'a\tb\n+1.5\t.5\n1e-3\t5.\n0.1\t-0\n00012\t123456789012345678901\n1\t'));
    const [a, b] = table.columns;
    assert.deepEqual(cells(a!).cells, [1.5, 0.001, 0.1, 12, 1]);
    assert.deepEqual(cells(b!).cells, [0.5, 5, -0, 1.2345678901234568e20, null]);
    assert.ok(Object.is((b as Extract<DataColumn, { kind: 'numeric' }>).values[2], -0));
  });

  test('a column that looks numeric in the first rows and has text later is refused at that line, in either half', async () => {
    const rows = Array.from({ length: INFERENCE_ROWS + 3000 }, (_, i) => `${i},${i % 3 === 0 ? 'x' : 'y'}`);
    rows[INFERENCE_ROWS + 2500] = 'A17,y';
    const path = file('late.csv', `zip,flag\n${rows.join('\n')}\n`);
    const expected = new RegExp(`^late\\.csv line ${INFERENCE_ROWS + 2502}, column "zip": "A17" is not a number, but column "zip" is numeric \\(${INFERENCE_ROWS} of ${INFERENCE_ROWS} values in the first ${INFERENCE_ROWS} rows are numbers\\)$`);
    for (const how of [ONE_THREAD, TWO_THREADS]) {
      await assert.rejects(readTable(path, { ...how, displayName: 'late.csv' }), (e: unknown) => e instanceof DataError && expected.test(e.message) && e.location?.line === INFERENCE_ROWS + 2502);
    }
    // declared categorical, the same file reads with every zip a label, leading zeros kept
    const declared = await readTable(file('zips.csv', `zip,flag\n007,x\n${rows.join('\n')}\n`), { ...TWO_THREADS, columnKinds: { zip: 'categorical' } });
    const zip = declared.columns[0]!;
    assert.ok(zip.kind === 'categorical');
    assert.equal(zip.categories[0], '007');
    assert.equal(zip.categories[zip.codes[INFERENCE_ROWS + 2501]!], 'A17');
  });

  test('missing spellings stay what they were: labels in a text column, an error naming the cell in a numeric one', async () => {
    const labels = await readBothWays(file('labels.csv', 'x,label\n1,yes\n2,NA\n3,null\n4,\n5,None\n6,yes\n'));
    assert.deepEqual(cells(labels.columns[1]!), { kind: 'categorical', cells: ['yes', 'NA', 'null', null, 'None', 'yes'], missing: 1 });
    const rows = Array.from({ length: INFERENCE_ROWS + 1000 }, (_, i) => `${i},${i}`);
    rows[INFERENCE_ROWS + 700] = `${INFERENCE_ROWS + 700},NaN`;
    await assert.rejects(readTable(file('nan.csv', `a,b\n${rows.join('\n')}\n`), TWO_THREADS), new RegExp(`nan\\.csv line ${INFERENCE_ROWS + 702}, column "b": "NaN" is not allowed in a numeric column`));
    rows[INFERENCE_ROWS + 700] = `${INFERENCE_ROWS + 700},-inf`;
    await assert.rejects(readTable(file('inf.csv', `a,b\n${rows.join('\n')}\n`), TWO_THREADS), new RegExp(`inf\\.csv line ${INFERENCE_ROWS + 702}, column "b": "-inf" is not allowed`));
  });

  test('rows with quoted newlines across the worker split: the same rows, categories in first-seen order and line numbers', async () => {
    const rows: string[] = [];
    for (let i = 0; i < 6000; i++) rows.push(i % 2 === 0 ? `${i},"line one\nline ""two""\nthree ${i % 7}",c${i % 5}` : `${i},plain ${i % 3},c${(i * 3) % 11}`);
    const text = `n,text,cat\n${rows.join('\n')}\n`;
    const path = file('spanning.csv', text);
    const bytes = Buffer.from(text);
    // the split the reader makes falls where a quote-parity scan says a row ends
    const split = splitNear(bytes, 0, Math.floor(bytes.length / 2));
    assert.equal(bytes[split - 1], 10);
    const table = await readBothWays(path);
    assert.equal(table.rowCount, 6000);
    assert.equal(table.locate(5999).line, 2 + 3000 * 3 + 2999);
    const cat = table.columns[2]!;
    assert.ok(cat.kind === 'categorical');
    assert.deepEqual(cat.categories.slice(0, 4), ['c0', 'c3', 'c2', 'c9']);
    assert.equal(cat.categories.length, 11);
    const note = table.columns[1]!;
    assert.ok(note.kind === 'categorical' && note.categories.includes('line one\nline "two"\nthree 3'));
  });

  test('a stray quote that fools the split is caught: the reader reads on from the bad split on its own', async () => {
    // an unquoted field with one quote flips the parity a split is chosen by
    const rows = Array.from({ length: 5000 }, (_, i) => (i === 2100 ? `${i},5"inch` : `${i},"q${i % 4}\nx"`));
    const table = await readBothWays(file('stray.csv', `n,size\n${rows.join('\n')}\n`));
    assert.equal(table.rowCount, 5000);
    const size = table.columns[1]!;
    assert.ok(size.kind === 'categorical' && size.categories.includes('5"inch'));
  });

  test('Latin-1 and windows-1252 files read in two threads as in one', async () => {
    const rows = Array.from({ length: 4000 }, (_, i) => `${['café', 'thé', 'crème'][i % 3]},${i}`);
    const path = file('menu.csv', Buffer.concat([Buffer.from(`drink,n\n${rows.join('\n')}\n`, 'latin1'), Buffer.from([0x80, 0x2c, 0x31, 0x0a])]));
    for (const encoding of ['latin1', 'windows-1252'] as const) {
      const one = await readTable(path, { ...ONE_THREAD, encoding });
      const two = await readTable(path, { ...TWO_THREADS, encoding });
      assert.deepEqual(plain(two), plain(one));
      const drink = one.columns[0]!;
      assert.ok(drink.kind === 'categorical');
      assert.deepEqual(drink.categories, ['café', 'thé', 'crème', encoding === 'latin1' ? '\u0080' : '€']);
    }
  });
});
