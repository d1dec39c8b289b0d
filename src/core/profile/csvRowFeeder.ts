/** Feeds scanned CSV rows into a ProfileBuilder by column kind, reading cells straight from bytes. */
import { hashBytes, isMissingBytes, parseNumberBytes } from './byteCells';
import { fieldText, type ScannedRow } from './csvScanner';
import { ProfileBuilder, type ProfileBuilderOptions } from './profileBuilder';
import type { ProfileColumnType } from './profileTypes';

// Bound once: under tsx (development, tests, benchmarks) every call to an imported function goes
// through a CommonJS export getter, ~5% of profiling time when called per cell.
const parseNumber = parseNumberBytes;
const isMissing = isMissingBytes;
const hashOfBytes = hashBytes;

const enum Kind {
  Number,
  Date,
  Text,
}

export class CsvRowFeeder {
  readonly builder: ProfileBuilder;
  private readonly kinds: Kind[];
  private current: ScannedRow | undefined;

  constructor(names: readonly string[], types: readonly ProfileColumnType[], options: Omit<ProfileBuilderOptions, 'cellText'>) {
    this.kinds = types.map((t) => (t === 'integer' || t === 'float' ? Kind.Number : t === 'datetime' ? Kind.Date : Kind.Text));
    this.builder = new ProfileBuilder(names, types, { ...options, cellText: (col) => fieldText(this.current!, col) });
  }

  feed(row: ScannedRow): void {
    const b = this.builder;
    const kinds = this.kinds;
    this.current = row;
    b.startRow();
    const buf = row.buf;
    const starts = row.starts;
    const ends = row.ends;
    for (let col = 0; col < kinds.length; col++) {
      const s = starts[col]!;
      const e = ends[col]!;
      const kind = kinds[col]!;
      if (kind === Kind.Number) {
        const v = parseNumber(buf, s, e);
        if (v === v) b.number(col, v);
        else if (isMissing(buf, s, e)) b.missing(col);
        else b.mismatch(col, row.line);
      } else if (kind === Kind.Text) {
        if (s === e || isMissing(buf, s, e)) b.missing(col);
        else b.text(col, hashOfBytes(buf, s, e));
      } else if (s === e || isMissing(buf, s, e)) b.missing(col);
      else {
        const t = Date.parse(fieldText(row, col));
        if (t === t) b.number(col, t);
        else b.mismatch(col, row.line);
      }
    }
    let end = row.rowEnd;
    while (end > row.rowStart && (buf[end - 1] === 10 || buf[end - 1] === 13)) end--;
    b.endRow(hashOfBytes(buf, row.rowStart, end));
  }
}

/** A copy of a row that outlives the scanner's buffer (only the first rows, for type inference). */
export function copyRow(row: ScannedRow): ScannedRow {
  const buf = Buffer.from(row.buf.subarray(row.rowStart, row.rowEnd));
  const shift = row.rowStart;
  const starts = new Int32Array(row.count);
  const ends = new Int32Array(row.count);
  for (let i = 0; i < row.count; i++) {
    starts[i] = row.starts[i]! - shift;
    ends[i] = row.ends[i]! - shift;
  }
  return { buf, starts, ends, flags: row.flags.slice(0, row.count), count: row.count, line: row.line, rowStart: 0, rowEnd: buf.length };
}
