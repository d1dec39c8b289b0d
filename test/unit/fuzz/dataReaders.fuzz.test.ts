import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { parseCsv } from '../../../src/core/data/csvReader';
import { DataError } from '../../../src/core/data/dataErrors';
import type { DataColumn, DataTable } from '../../../src/core/data/dataTable';
import { readCell } from '../../../src/core/data/numericCells';
import { decodeDataText } from '../../../src/core/data/textDecoding';
import { profileJsonl } from '../../../src/core/profile/recordProfiler';
import { EvalSetError, parseEvalSet } from '../../../src/core/textEval/evalSet';
import { fuzzParameters } from './fuzzSettings';

/** A reader's failure must be a DataError that names the file and, when it has one, a line inside it. */
function checkDataError(error: unknown, file: string, text: string): void {
  if (!(error instanceof DataError)) throw new Error(`not a DataError for ${JSON.stringify(text.slice(0, 200))}: ${String(error)}`, { cause: error });
  assert.ok(error.message.includes(file), `the message names the file: ${error.message}`);
  const line = error.location?.line;
  if (line !== undefined) assert.ok(Number.isInteger(line) && line >= 1 && line <= text.split('\n').length + 1, `line ${line} is inside the text: ${error.message}`);
}

function cellText(column: DataColumn, row: number): string {
  if (column.kind === 'numeric') {
    const v = column.values[row] as number;
    return Number.isNaN(v) ? '' : String(v);
  }
  const code = column.codes[row] as number;
  return code < 0 ? '' : (column.categories[code] as string);
}

const CSV_PIECES = ['a', 'b', 'x y', '1', '-2.5', '1e3', 'NaN', 'inf', 'NA', '', ',', ',', '\n', '\r\n', '"', '""', '"a,b"', '\t', ' ', 'é', '\uFEFF', '\u0000', 'null', '0x10'];

test('fuzz: any CSV text gives a table or a DataError naming the file and a line in it', () => {
  const csvish = fc.array(fc.constantFrom(...CSV_PIECES), { maxLength: 40 }).map((parts) => parts.join(''));
  fc.assert(
    fc.property(fc.oneof(csvish, fc.string({ maxLength: 80 }), fc.string({ unit: 'binary', maxLength: 40 })), fc.constantFrom('data.csv', 'data.tsv'), (text, file) => {
      try {
        const table = parseCsv(text, 'sha256:x', file);
        assert.ok(table.rowCount >= 1 && table.columns.length >= 1);
        for (const column of table.columns) assert.equal(column.kind === 'numeric' ? column.values.length : column.codes.length, table.rowCount);
      } catch (error) {
        checkDataError(error, file, text);
      }
    }),
    fuzzParameters(3_000, 2_500),
  );
});

test('fuzz: any bytes decode to text or fail with a DataError (invalid UTF-8 is named, never replaced)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
      try {
        const text = decodeDataText(Buffer.from(bytes), 'data.csv', ',');
        assert.ok(!text.includes('\uFFFD') || Buffer.from(bytes).toString('utf8').includes('\uFFFD'), 'no byte is silently replaced');
        assert.deepEqual(Buffer.from(text, 'utf8'), Buffer.from(bytes));
      } catch (error) {
        checkDataError(error, 'data.csv', Buffer.from(bytes).toString('latin1'));
      }
    }),
    fuzzParameters(3_000, 1_000),
  );
});

/** A header name or category as a data tool would write it: not blank, no surrounding spaces. */
const word = fc.string({ minLength: 1, maxLength: 10, unit: 'grapheme' }).filter((s) => s.trim() === s && s !== '' && readCell(s).kind === 'text');
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => (Object.is(n, -0) ? 0 : n));

interface GeneratedTable {
  readonly names: string[];
  readonly kinds: ('numeric' | 'categorical')[];
  readonly cells: string[][];
}

const generatedTable: fc.Arbitrary<GeneratedTable> = fc
  .record({ names: fc.uniqueArray(word, { minLength: 2, maxLength: 5, selector: (s) => s }), rows: fc.integer({ min: 1, max: 30 }) })
  .chain(({ names, rows }) =>
    fc.tuple(
      ...names.map(() =>
        fc.oneof(
          fc.array(fc.option(finite.map(String), { freq: 6, nil: '' }), { minLength: rows, maxLength: rows }).map((cells) => ({ kind: 'numeric' as const, cells })),
          fc.array(fc.option(word, { freq: 6, nil: '' }), { minLength: rows, maxLength: rows }).map((cells) => ({ kind: 'categorical' as const, cells })),
        ),
      ),
    ).map((columns) => ({ names, kinds: columns.map((c) => c.kind), cells: Array.from({ length: rows }, (_, r) => columns.map((c) => c.cells[r] as string)) })),
  );

/** RFC 4180, as pandas and the project's own CSV writers quote. */
function writeCsv(table: GeneratedTable, delimiter: string, newline: string): string {
  const field = (text: string): string => (text.includes(delimiter) || /[",\n\r]/.test(text) || text.trim() !== text ? `"${text.replace(/"/g, '""')}"` : text);
  return [table.names, ...table.cells].map((row) => row.map(field).join(delimiter)).join(newline) + newline;
}

test('fuzz: a generated table written as CSV or TSV reads back with the same names, kinds and cells', () => {
  fc.assert(
    fc.property(generatedTable, fc.constantFrom(['data.csv', ','], ['data.tsv', '\t']), fc.constantFrom('\n', '\r\n'), (table, [file, delimiter], newline) => {
      const text = writeCsv(table, delimiter, newline);
      const read: DataTable = parseCsv(text, 'sha256:x', file);
      assert.deepEqual(read.columns.map((c) => c.name), table.names);
      assert.equal(read.rowCount, table.cells.length);
      read.columns.forEach((column, c) => {
        const written = table.cells.map((row) => row[c] as string);
        // a column with no value at all has no kind to keep
        if (written.some((cell) => cell !== '')) assert.equal(column.kind, table.kinds[c], `kind of ${column.name}`);
        const back = table.cells.map((_, r) => cellText(column, r));
        assert.deepEqual(back, column.kind === 'numeric' ? written.map((s) => (s === '' ? '' : String(Number(s)))) : written, `cells of ${column.name}`);
      });
      read.columns.forEach((_, r) => r < read.rowCount && assert.equal(read.locate(r).line, r + 2));
    }),
    fuzzParameters(800, 2_500),
  );
});

const evalRow = fc.record(
  {
    id: fc.oneof(fc.string({ maxLength: 6 }), fc.integer()),
    input: fc.string({ maxLength: 20 }),
    references: fc.array(fc.string({ maxLength: 10 }), { minLength: 1, maxLength: 3 }),
    prediction: fc.string({ maxLength: 20 }),
    latency_ms: fc.double({ min: 0, max: 1e6, noNaN: true }),
  },
  { requiredKeys: ['input', 'references', 'prediction'] },
);

test('fuzz: evaluation sets (JSONL) round-trip, and any text gives rows or an EvalSetError naming the line', () => {
  fc.assert(
    fc.property(fc.array(evalRow, { minLength: 1, maxLength: 8 }), fc.constantFrom('\n', '\r\n', '\n\n'), (rows, newline) => {
      const text = rows.map((r) => JSON.stringify(r)).join(newline) + newline;
      const parsed = parseEvalSet(text, 'set.jsonl');
      assert.deepEqual(
        parsed.map((p) => ({ id: p.id, input: p.input, references: p.references, prediction: p.prediction, latencyMs: p.latencyMs })),
        rows.map((r) => ({ id: r.id === undefined ? undefined : String(r.id), input: r.input, references: r.references, prediction: r.prediction, latencyMs: r.latency_ms === undefined ? undefined : Object.is(r.latency_ms, -0) ? -0 : r.latency_ms })),
      );
    }),
    fuzzParameters(1_000, 1_000),
  );
  const jsonlish = fc.array(fc.oneof(fc.json({ maxDepth: 2 }), fc.constantFrom('{"input":"a","reference":"b","prediction":"c"}', '{"input":1}', '{', '', '  ', '[]', 'null')), { maxLength: 6 }).map((lines) => lines.join('\n'));
  fc.assert(
    fc.property(fc.oneof(jsonlish, fc.string({ maxLength: 40 })), (text) => {
      try {
        parseEvalSet(text, 'set.jsonl');
      } catch (error) {
        if (!(error instanceof EvalSetError)) throw error;
        assert.match(error.message, /^set\.jsonl( line \d+)?: /);
      }
    }),
    fuzzParameters(2_000, 1_000),
  );
});

test('fuzz: profiling any JSONL file gives a profile or a DataError naming the file and line', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-fuzz-jsonl-'));
  try {
    const record = fc.dictionary(fc.constantFrom('a', 'b', 'label', 'when'), fc.oneof(fc.string({ maxLength: 5 }), finite, fc.boolean(), fc.constant(null), fc.json({ maxDepth: 1 }).map((j) => JSON.parse(j) as unknown), fc.constantFrom('NA', '2024-01-02', '')), { maxKeys: 4 });
    const line = fc.oneof({ weight: 8, arbitrary: record.map((r) => JSON.stringify(r)) }, { weight: 1, arbitrary: fc.constantFrom('', '{', '[1]', '"s"', 'null', '{"a":1,}') });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 12 }), async (lines) => {
        const file = join(dir, `f${n++}.jsonl`);
        const text = lines.join('\n');
        writeFileSync(file, text);
        try {
          const profile = await profileJsonl(file, { displayName: 'traffic.jsonl' });
          assert.ok(profile.rows >= 1);
        } catch (error) {
          checkDataError(error, 'traffic.jsonl', text);
        }
      }),
      fuzzParameters(300, 2_500),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
