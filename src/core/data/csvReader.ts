import Papa from 'papaparse';
import { DataError, describeLocation, quoteValue } from './dataErrors';
import type { ColumnKind, DataColumn, DataTable } from './dataTable';
import { parseNumber, readCell } from './numericCells';
import type { DecodeOptions } from './textDecoding';

export interface ReadOptions {
  /** kinds the spec insists on; other columns are inferred */
  readonly columnKinds?: Readonly<Record<string, ColumnKind>>;
  /** how the file is named in messages (default: the path as given) */
  readonly displayName?: string;
  /** a CSV's text encoding (default utf-8, checked) and how a user declares another */
  readonly encoding?: DecodeOptions['encoding'];
  readonly encodingHint?: string;
}

/**
 * A column counts as numeric when at least this share of its non-empty cells are numbers: then the
 * rest are typos or sentinels ("n/a", "?") the user has to fix, not categories.
 */
export const MOSTLY_NUMERIC = 0.8;

/**
 * Rows kept as text to infer column kinds; later rows go straight into typed columns, so a large
 * file never holds a string per cell (perf notes: stream into typed columns).
 */
export const INFERENCE_ROWS = 2000;

/** Parses CSV text (the first line is the header) into typed columns, or throws a DataError. */
export function parseCsv(text: string, digest: string, file: string, options: ReadOptions = {}): DataTable {
  const display = options.displayName ?? file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let header: string[] | undefined;
  let columns: ColumnBuilder[] = [];
  let rowLines = new Int32Array(1024);
  let rowCount = 0;
  let decided = false;
  let line = 1;
  let previousCursor = 0;
  let failure: unknown;
  const lineOf = (row: number): number => rowLines[row] as number;
  const decide = (): void => {
    for (const column of columns) column.decide(lineOf, display);
    decided = true;
  };
  Papa.parse<string[]>(body, {
    delimiter: csvDelimiter(file),
    step: (result, parser) => {
      try {
        const rowLine = line;
        for (let i = previousCursor; i < result.meta.cursor; i++) if (body.charCodeAt(i) === 10) line++;
        previousCursor = result.meta.cursor;
        const row = result.data;
        if (row.length === 1 && row[0]?.trim() === '') return; // blank line
        const quoteError = result.errors.find((e) => e.type === 'Quotes');
        if (quoteError) throw new DataError(`${describeLocation(display, { line: rowLine })}: ${quoteError.message}`, display, { line: rowLine });
        if (!header) {
          header = row.map((h) => h.trim());
          for (const [i, name] of header.entries()) {
            if (name === '') throw new DataError(`${describeLocation(display, { line: rowLine })}: column ${i + 1} of the header has no name`, display, { line: rowLine });
            if (header.indexOf(name) !== i) throw new DataError(`${describeLocation(display, { line: rowLine })}: the header names column ${quoteValue(name)} twice`, display, { line: rowLine, column: name });
          }
          columns = header.map((name) => new ColumnBuilder(name, options.columnKinds?.[name]));
          return;
        }
        if (row.length !== header.length) {
          throw new DataError(`${describeLocation(display, { line: rowLine })}: has ${row.length} field${row.length === 1 ? '' : 's'} but the header has ${header.length} — ragged row`, display, {
            line: rowLine,
          });
        }
        if (rowCount === rowLines.length) rowLines = grow(rowLines);
        rowLines[rowCount] = rowLine;
        for (let i = 0; i < row.length; i++) (columns[i] as ColumnBuilder).push(row[i] as string, rowCount, rowLine, display);
        rowCount++;
        if (!decided && rowCount === INFERENCE_ROWS) decide();
      } catch (error) {
        failure = error;
        parser.abort();
      }
    },
  });
  if (failure) throw failure;
  if (!header) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
  if (rowCount === 0) throw new DataError(`${display} has a header but no data rows`, display, { line: 2 });
  if (!decided) decide();
  const lines = rowLines.slice(0, rowCount);
  return {
    file: display,
    format: 'csv',
    rowCount,
    columns: columns.map((c) => c.finish()),
    digest,
    locate: (index) => ({ line: lines[index] }),
  };
}

/** Tab for *.tsv, comma otherwise. */
export function csvDelimiter(file: string): string {
  return /\.tsv$/i.test(file) ? '\t' : ',';
}

function grow<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}

/**
 * One column while reading: text until its kind is decided (from the first INFERENCE_ROWS rows,
 * or the spec), then numbers in a Float64Array (NaN = missing) or dictionary codes (-1 = missing).
 */
class ColumnBuilder {
  private sample: string[] | undefined = [];
  private kind: ColumnKind | undefined;
  private values = new Float64Array(1024);
  private codes = new Int32Array(1024);
  private readonly dictionary = new Map<string, number>();
  private readonly categories: string[] = [];
  private length = 0;
  private missing = 0;
  /** how the decision was made, for the message of a later non-number */
  private evidence = '';

  constructor(
    private readonly name: string,
    private readonly declared: ColumnKind | undefined,
  ) {}

  push(cell: string, row: number, line: number, file: string): void {
    if (this.sample) this.sample.push(cell);
    else this.append(cell, row, line, file);
  }

  /** Chooses numeric or categorical from the sample, then converts it; NaN/Infinity/text in a numeric column throw with the exact cell. */
  decide(lineOf: (row: number) => number, file: string): void {
    const sample = this.sample ?? [];
    this.sample = undefined;
    if (this.declared) {
      this.kind = this.declared;
      this.evidence = ' (declared in the spec)';
    } else {
      let present = 0;
      let numeric = 0;
      for (const cell of sample) {
        const reading = readCell(cell);
        if (reading.kind === 'missing') continue;
        present++;
        // NaN/Infinity literals look numeric but are never valid data: they count toward "numeric"
        if (reading.kind !== 'text') numeric++;
      }
      this.kind = present > 0 && numeric / present >= MOSTLY_NUMERIC ? 'numeric' : 'categorical';
      this.evidence = ` (${numeric} of ${present} values${sample.length === INFERENCE_ROWS ? ` in the first ${INFERENCE_ROWS} rows` : ''} are numbers)`;
    }
    // a text value in a numeric column is reported at its first occurrence in the file
    if (this.kind === 'numeric') {
      const bad = sample.findIndex((c) => parseNumber(c) === undefined);
      if (bad >= 0) this.reject(sample[bad] as string, lineOf(bad), file);
    }
    sample.forEach((cell, row) => this.append(cell, row, lineOf(row), file));
  }

  private append(cell: string, _row: number, line: number, file: string): void {
    const i = this.length++;
    if (this.kind === 'numeric') {
      if (i === this.values.length) this.values = grow(this.values);
      const v = parseNumber(cell);
      if (v === undefined) this.reject(cell, line, file);
      else {
        this.values[i] = v;
        if (v !== v) this.missing++;
      }
      return;
    }
    if (i === this.codes.length) this.codes = grow(this.codes);
    const text = cell.trim();
    if (text === '') {
      this.codes[i] = -1;
      this.missing++;
      return;
    }
    let code = this.dictionary.get(text);
    if (code === undefined) {
      code = this.categories.length;
      this.categories.push(text);
      this.dictionary.set(text, code);
    }
    this.codes[i] = code;
  }

  private reject(cell: string, line: number, file: string): never {
    const value = cell.trim();
    const where = describeLocation(file, { line, column: this.name });
    const why =
      readCell(cell).kind === 'nonFinite'
        ? `${quoteValue(value)} is not allowed in a numeric column — leave the cell empty to mark a missing value`
        : `${quoteValue(value)} is not a number, but column ${quoteValue(this.name)} is numeric${this.evidence}`;
    throw new DataError(`${where}: ${why}`, file, { line, column: this.name, value });
  }

  finish(): DataColumn {
    if (this.kind === 'numeric') return { kind: 'numeric', name: this.name, values: this.values.slice(0, this.length), missing: this.missing };
    return { kind: 'categorical', name: this.name, codes: this.codes.slice(0, this.length), categories: this.categories, missing: this.missing };
  }
}
