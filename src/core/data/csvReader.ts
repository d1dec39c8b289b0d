import Papa from 'papaparse';
import { DataError, describeLocation } from './dataErrors';
import { categoricalFromStrings, type ColumnKind, type DataColumn, type DataTable } from './dataTable';
import { readCell } from './numericCells';

export interface ReadOptions {
  /** kinds the spec insists on; other columns are inferred */
  readonly columnKinds?: Readonly<Record<string, ColumnKind>>;
  /** how the file is named in messages (default: the path as given) */
  readonly displayName?: string;
}

/**
 * A column counts as numeric when at least this share of its non-empty cells are numbers: then the
 * rest are typos or sentinels ("n/a", "?") the user has to fix, not categories.
 */
export const MOSTLY_NUMERIC = 0.8;

/** Parses CSV text (the first line is the header) into typed columns, or throws a DataError. */
export function parseCsv(text: string, digest: string, file: string, options: ReadOptions = {}): DataTable {
  const display = options.displayName ?? file;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let header: string[] | undefined;
  const cells: string[][] = [];
  const rowLines: number[] = [];
  let line = 1;
  let previousCursor = 0;
  let failure: DataError | undefined;
  Papa.parse<string[]>(body, {
    delimiter: /\.tsv$/i.test(file) ? '\t' : ',',
    step: (result, parser) => {
      const rowLine = line;
      for (let i = previousCursor; i < result.meta.cursor; i++) if (body.charCodeAt(i) === 10) line++;
      previousCursor = result.meta.cursor;
      const row = result.data;
      if (row.length === 1 && row[0]?.trim() === '') return; // blank line
      const quoteError = result.errors.find((e) => e.type === 'Quotes');
      if (quoteError) {
        failure = new DataError(`${describeLocation(display, { line: rowLine })}: ${quoteError.message}`, display, { line: rowLine });
        parser.abort();
        return;
      }
      if (!header) {
        header = row.map((h) => h.trim());
        for (const [i, name] of header.entries()) {
          if (name === '') {
            failure = new DataError(`${describeLocation(display, { line: rowLine })}: column ${i + 1} of the header has no name`, display, { line: rowLine });
            parser.abort();
            return;
          }
          if (header.indexOf(name) !== i) {
            failure = new DataError(`${describeLocation(display, { line: rowLine })}: the header names column "${name}" twice`, display, { line: rowLine, column: name });
            parser.abort();
            return;
          }
        }
        for (let i = 0; i < header.length; i++) cells.push([]);
        return;
      }
      if (row.length !== header.length) {
        failure = new DataError(
          `${describeLocation(display, { line: rowLine })}: has ${row.length} field${row.length === 1 ? '' : 's'} but the header has ${header.length} — ragged row`,
          display,
          { line: rowLine },
        );
        parser.abort();
        return;
      }
      for (let i = 0; i < row.length; i++) (cells[i] as string[]).push(row[i] as string);
      rowLines.push(rowLine);
    },
  });
  if (failure) throw failure;
  if (!header) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
  if (rowLines.length === 0) throw new DataError(`${display} has a header but no data rows`, display, { line: 2 });
  const columns = header.map((name, i) => typeColumn(name, cells[i] as string[], options.columnKinds?.[name], (row) => rowLines[row] as number, display));
  return {
    file: display,
    format: 'csv',
    rowCount: rowLines.length,
    columns,
    digest,
    locate: (index) => ({ line: rowLines[index] }),
  };
}

/** Decides a column's kind and converts it; numeric columns reject text, NaN and Infinity with the exact cell. */
function typeColumn(name: string, raw: readonly string[], declared: ColumnKind | undefined, lineOf: (row: number) => number, file: string): DataColumn {
  if (declared === 'categorical') return categoricalFromStrings(name, raw.map((c) => c.trim()));
  const values = new Float64Array(raw.length);
  let numeric = 0;
  let present = 0;
  let firstBad: { row: number; value: string; nonFinite: boolean } | undefined;
  let missing = 0;
  for (let i = 0; i < raw.length; i++) {
    const reading = readCell(raw[i] as string);
    if (reading.kind === 'missing') {
      values[i] = NaN;
      missing++;
      continue;
    }
    present++;
    if (reading.kind === 'number') {
      values[i] = reading.value;
      numeric++;
    } else {
      // NaN/Infinity literals look numeric but are never valid data: they count toward "numeric".
      if (reading.kind === 'nonFinite') numeric++;
      firstBad ??= { row: i, value: (raw[i] as string).trim(), nonFinite: reading.kind === 'nonFinite' };
      values[i] = NaN;
    }
  }
  const isNumeric = declared === 'numeric' || (present > 0 && numeric / present >= MOSTLY_NUMERIC);
  if (!isNumeric) return categoricalFromStrings(name, raw.map((c) => c.trim()));
  if (firstBad) {
    const line = lineOf(firstBad.row);
    const where = describeLocation(file, { line, column: name });
    const why = firstBad.nonFinite
      ? `"${firstBad.value}" is not allowed in a numeric column — leave the cell empty to mark a missing value`
      : `"${firstBad.value}" is not a number, but column "${name}" is numeric${declared ? ' (declared in the spec)' : ` (${numeric} of ${present} values are numbers)`}`;
    throw new DataError(`${where}: ${why}`, file, { line, column: name, value: firstBad.value });
  }
  return { kind: 'numeric', name, values, missing };
}
