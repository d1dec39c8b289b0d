/** Profiles a CSV/TSV file by streaming it through the byte scanner into a ProfileBuilder. */
import { hashBytes, hashNumber, isMissingBytes, parseNumberBytes } from './byteCells';
import { fieldText, scanCsvFile, type ScannedRow } from './csvScanner';
import { ProfileBuilder } from './profileBuilder';
import type { DataProfile, ProfileColumnType, ProfileOptions } from './profileTypes';
import { inferColumnType, PROFILE_INFERENCE_ROWS } from './typeInference';

const enum Kind {
  Number,
  Date,
  Text,
}

export async function profileCsv(path: string, options: ProfileOptions = {}): Promise<DataProfile> {
  const started = Date.now();
  const display = options.displayName ?? path;
  let names: string[] = [];
  const pending: ScannedRow[] = [];
  let builder: ProfileBuilder | undefined;
  let kinds: Kind[] = [];
  let current: ScannedRow | undefined;
  let rowsSeen = 0;

  const start = (): void => {
    const types: ProfileColumnType[] = names.map((_, col) => inferColumnType(pending.map((row) => fieldText(row, col))));
    kinds = types.map((t) => (t === 'integer' || t === 'float' ? Kind.Number : t === 'datetime' ? Kind.Date : Kind.Text));
    builder = new ProfileBuilder(names, types, {
      file: display,
      format: 'csv',
      target: options.target,
      sampleSize: options.sampleSize,
      exactPearsonColumns: options.exactPearsonColumns,
      cellText: (col) => fieldText(current!, col),
    });
    for (const row of pending) feed(row);
    pending.length = 0;
  };

  const feed = (row: ScannedRow): void => {
    const b = builder!;
    current = row;
    b.startRow();
    const buf = row.buf;
    for (let col = 0; col < kinds.length; col++) {
      const s = row.starts[col]!;
      const e = row.ends[col]!;
      const kind = kinds[col]!;
      if (kind === Kind.Number) {
        const v = parseNumberBytes(buf, s, e);
        if (v === v) b.number(col, v, hashNumber(v));
        else if (isMissingBytes(buf, s, e)) b.missing(col);
        else b.mismatch(col, row.line);
      } else if (kind === Kind.Text) {
        if (s === e || isMissingBytes(buf, s, e)) b.missing(col);
        else b.text(col, hashBytes(buf, s, e));
      } else if (s === e || isMissingBytes(buf, s, e)) b.missing(col);
      else {
        const t = Date.parse(fieldText(row, col));
        if (t === t) b.number(col, t, hashNumber(t));
        else b.mismatch(col, row.line);
      }
    }
    let end = row.rowEnd;
    while (end > row.rowStart && (buf[end - 1] === 10 || buf[end - 1] === 13)) end--;
    b.endRow(hashBytes(buf, row.rowStart, end));
  };

  const scan = await scanCsvFile(path, {
    displayName: display,
    signal: options.signal,
    onHeader: (header) => {
      names = header.map((h, i) => h || `column_${i + 1}`);
    },
    onRow: (row) => {
      rowsSeen++;
      if (builder) {
        feed(row);
        return;
      }
      pending.push(copyRow(row));
      if (pending.length >= PROFILE_INFERENCE_ROWS) start();
    },
    onProgress: (bytesDone, bytesTotal) => options.onProgress?.({ bytesDone, bytesTotal, rows: rowsSeen }),
  });
  if (!builder) start();
  return builder!.finish({ bytes: scan.bytes, elapsedMs: Date.now() - started });
}

/** A copy of a row that outlives the scanner's buffer (only the first rows, for type inference). */
function copyRow(row: ScannedRow): ScannedRow {
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
