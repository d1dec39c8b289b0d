/**
 * A byte-level CSV scanner over Buffers for profiling: it never builds strings or row objects,
 * it hands each row to a sink as field offsets into the current buffer. papaparse tops out near
 * 26–39 MB/s (perf-notes "CSV"); this is what lets a profile stream at disk speed.
 * Handles RFC 4180 quoting ("" inside quotes), CRLF or LF, a UTF-8 BOM, and rows that span reads.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';
import { DataError, describeLocation, missingFileMessage, quoteValue } from '../data/dataErrors';
import { statRegularFile } from '../data/regularFile';
import { firstInvalidUtf8 } from '../data/textDecoding';

const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Field flag: the field was quoted. */
export const FIELD_QUOTED = 1;
/** Field flag: the field holds "" escapes, so its text needs unescaping. */
export const FIELD_ESCAPED = 2;

/** One row as offsets into `buf`; valid only during the sink call. */
export interface ScannedRow {
  buf: Buffer;
  starts: Int32Array;
  ends: Int32Array;
  flags: Uint8Array;
  count: number;
  /** 1-based line where the row starts */
  line: number;
  rowStart: number;
  rowEnd: number;
}

export interface CsvScanOptions {
  delimiter?: number;
  /** the name used in messages */
  displayName?: string;
  chunkBytes?: number;
  signal?: AbortSignal;
  onProgress?: (bytesDone: number, bytesTotal: number) => void;
  /** called with the header's fields (decoded) before any row */
  onHeader: (names: string[]) => void;
  /** return false to stop early */
  onRow: (row: ScannedRow) => boolean | void;
  /**
   * Scan only the rows from byte `start` (a row boundary; the header is then not in the range,
   * so pass `header`) up to byte `end`. Line numbers are then counted from 1 at `start`. When
   * no row ends exactly at `end` (the split guessed for parallel profiling was inside a quoted
   * field), the scan stops after the row that crossed it and reports `crossedEnd`.
   */
  range?: { start: number; end: number; header?: string[] };
}

export interface CsvScanResult {
  bytes: number;
  rows: number;
  /** 1 + the line feeds consumed (relative to the range start when scanning a range) */
  lines: number;
  /** the range end was not a row boundary (the scan stopped there; its rows are not all in) */
  crossedEnd: boolean;
}

export class ScanCancelledError extends Error {
  constructor(file: string) {
    super(`Profiling ${file} was cancelled.`);
    this.name = 'ScanCancelledError';
  }
}

/** The text of field `i` of a row, with "" escapes undone. */
export function fieldText(row: ScannedRow, i: number): string {
  const text = row.buf.toString('utf8', row.starts[i]!, row.ends[i]!);
  return (row.flags[i]! & FIELD_ESCAPED) !== 0 ? text.replace(/""/g, '"') : text;
}

/** Streams `path` through the sink; resolves with the byte size and the number of data rows. */
export async function scanCsvFile(path: string, options: CsvScanOptions): Promise<CsvScanResult> {
  const display = options.displayName ?? path;
  const delimiter = options.delimiter ?? (/\.tsv$/i.test(path) ? 9 : 44);
  // A FIFO would block the open until a writer appears; a directory is never a table.
  await statRegularFile(path, display);
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? missingFileMessage(display, path) : `${display} cannot be read: ${(error as Error).message}`, display);
  }
  try {
    const total = (await handle.stat()).size;
    if (total === 0) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
    let capacity = options.chunkBytes ?? 4 * 1024 * 1024;
    let buf = Buffer.allocUnsafe(capacity);
    let filled = 0;
    let position = options.range?.start ?? 0;
    let eof = false;
    let line = 1;
    let header: string[] | undefined = options.range?.header;
    let rows = 0;
    let first = position === 0;
    const rangeEnd = options.range?.end ?? Infinity;
    let crossedEnd = false;
    const state: ScannedRow = { buf, starts: new Int32Array(64), ends: new Int32Array(64), flags: new Uint8Array(64), count: 0, line: 1, rowStart: 0, rowEnd: 0 };
    let stopped = false;
    while (!eof && !stopped) {
      if (options.signal?.aborted) throw new ScanCancelledError(display);
      if (filled === capacity) {
        // One row longer than the buffer: grow it.
        capacity *= 2;
        const bigger = Buffer.allocUnsafe(capacity);
        buf.copy(bigger, 0, 0, filled);
        buf = bigger;
      }
      const { bytesRead } = await handle.read(buf, filled, capacity - filled, position);
      position += bytesRead;
      filled += bytesRead;
      eof = bytesRead === 0 || position >= total;
      let pos = 0;
      if (first) {
        first = false;
        if (filled >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) pos = 3;
      }
      state.buf = buf;
      const base = position - filled; // file offset of buf[0]
      const checkedFrom = pos;
      const lineAtCheck = line;
      // Parse every complete row in buf[pos, filled).
      for (;;) {
        if (base + pos >= rangeEnd) {
          if (base + pos === rangeEnd) {
            stopped = true;
            break;
          }
          // the last row ran past the guessed split: it was not a row boundary
          crossedEnd = true;
          stopped = true;
          break;
        }
        if (pos >= filled) break;
        // blank lines are skipped
        const b0 = buf[pos]!;
        if (b0 === LF) {
          pos++;
          line++;
          continue;
        }
        if (b0 === CR && pos + 1 < filled && buf[pos + 1] === LF) {
          pos += 2;
          line++;
          continue;
        }
        const rowStart = pos;
        const rowLine = line;
        let count = 0;
        let p = pos;
        let complete = false;
        let linesInside = 0;
        for (;;) {
          if (count === state.starts.length) growRow(state);
          let flag = 0;
          let start: number;
          let end: number;
          if (p < filled && buf[p] === QUOTE) {
            flag = FIELD_QUOTED;
            start = p + 1;
            let q = start;
            for (;;) {
              const at = buf.indexOf(QUOTE, q);
              if (at < 0 || at >= filled) {
                q = -1;
                break;
              }
              if (at + 1 < filled && buf[at + 1] === QUOTE) {
                flag |= FIELD_ESCAPED;
                q = at + 2;
                continue;
              }
              if (at + 1 >= filled && !eof) {
                q = -1; // cannot tell "" from a closing quote yet
                break;
              }
              q = at;
              break;
            }
            if (q < 0) {
              if (eof) throw new DataError(`${describeLocation(display, { line: rowLine, column: columnName(header, count) })}: a quoted field is never closed (missing ")`, display, { line: rowLine, column: columnName(header, count) });
              break; // need more bytes
            }
            end = q;
            for (let k = start; k < end; k++) if (buf[k] === LF) linesInside++;
            p = q + 1;
            if (p < filled) {
              const after = buf[p]!;
              if (after !== delimiter && after !== LF && after !== CR) {
                throw new DataError(
                  `${describeLocation(display, { line: rowLine + linesInside, column: columnName(header, count) })}: unexpected character "${String.fromCharCode(after)}" after a closing quote (a field with quotes must be quoted whole, with "" for a quote inside)`,
                  display,
                  { line: rowLine + linesInside, column: columnName(header, count) },
                );
              }
            }
          } else {
            start = p;
            while (p < filled) {
              const b = buf[p]!;
              if (b === delimiter || b === LF) break;
              p++;
            }
            end = p;
            if (end > start && buf[end - 1] === CR && (p >= filled || buf[p] === LF)) end--;
          }
          if (p >= filled && !eof) break; // need more bytes
          state.starts[count] = start;
          state.ends[count] = end;
          state.flags[count] = flag;
          count++;
          if (p >= filled) {
            complete = true;
            break;
          }
          const sep = buf[p]!;
          if (sep === delimiter) {
            p++;
            if (p >= filled && eof) {
              // trailing delimiter at end of file: one more empty field
              if (count === state.starts.length) growRow(state);
              state.starts[count] = p;
              state.ends[count] = p;
              state.flags[count] = 0;
              count++;
              complete = true;
              break;
            }
            continue;
          }
          if (sep === CR) p++;
          if (p < filled && buf[p] === LF) p++;
          else if (p >= filled && !eof) break;
          complete = true;
          break;
        }
        if (!complete) break;
        const rowEnd = p;
        line = rowLine + linesInside + 1;
        pos = p;
        state.count = count;
        state.line = rowLine;
        state.rowStart = rowStart;
        state.rowEnd = rowEnd;
        if (!header) {
          header = [];
          for (let i = 0; i < count; i++) header.push(fieldText(state, i).trim());
          options.onHeader(header);
          continue;
        }
        if (count !== header.length) {
          throw new DataError(
            `${describeLocation(display, { line: rowLine })}: expected ${header.length} fields like the header, found ${count}${count > header.length ? ' (an unquoted delimiter inside a value?)' : ''}`,
            display,
            { line: rowLine },
          );
        }
        rows++;
        if (options.onRow(state) === false) {
          stopped = true;
          break;
        }
      }
      // The rows just read end on line feeds, so no UTF-8 sequence is cut at `pos`. Checked per
      // read (simdutf, a fraction of the scan): fieldText would turn a Latin-1 "é" into U+FFFD
      // and the profile would show a category nobody wrote.
      if (pos > checkedFrom && !isUtf8(buf.subarray(checkedFrom, pos))) throw invalidUtf8InScan(buf, checkedFrom, lineAtCheck, firstInvalidUtf8(buf.subarray(checkedFrom, pos)) + checkedFrom, display, delimiter, header);
      // keep the incomplete tail for the next read
      if (pos < filled) buf.copy(buf, 0, pos, filled);
      filled -= pos;
      options.onProgress?.(position - filled, total);
      if (eof && filled > 0 && !stopped) throw new DataError(`${describeLocation(display, { line })}: the last row could not be read`, display, { line });
    }
    if (!header) throw new DataError(`${display} has no header line`, display);
    return { bytes: total, rows, lines: line, crossedEnd };
  } finally {
    await handle.close();
  }
}

/** Where the first invalid byte is (line, and column by the header when the line is a plain row), said as the data reader says it. */
function invalidUtf8InScan(buf: Buffer, from: number, lineAtFrom: number, offset: number, display: string, delimiter: number, header: readonly string[] | undefined): DataError {
  let line = lineAtFrom;
  let lineStart = from;
  for (let i = from; i < offset; i++) {
    if (buf[i] === LF) {
      line++;
      lineStart = i + 1;
    }
  }
  let field = 0;
  let fieldStart = lineStart;
  let quoted = false;
  for (let i = lineStart; i < offset; i++) {
    if (buf[i] === QUOTE) quoted = !quoted;
    else if (buf[i] === delimiter && !quoted) {
      field++;
      fieldStart = i + 1;
    }
  }
  const column = header && field < header.length ? header[field] : undefined;
  const before = buf.toString('utf8', fieldStart, offset);
  const shown = [...buf.subarray(offset, Math.min(offset + 4, buf.length))]
    .filter((b, k) => k === 0 || (b >= 0x80 && b < 0xc0))
    .map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join(' ');
  const context = before.length > 0 ? ` after ${quoteValue(before.length > 40 ? `…${before.slice(-40)}` : before)}` : ' at the start of the field';
  const where = { line, ...(column !== undefined ? { column } : {}) };
  return new DataError(`${describeLocation(display, where)}: byte ${shown}${context} is not valid UTF-8 — the file is in another encoding (Latin-1 or Windows-1252, as Excel saves CSV?); save it as UTF-8`, display, where);
}

function growRow(state: ScannedRow): void {
  const n = state.starts.length * 2;
  const starts = new Int32Array(n);
  starts.set(state.starts);
  const ends = new Int32Array(n);
  ends.set(state.ends);
  const flags = new Uint8Array(n);
  flags.set(state.flags);
  state.starts = starts;
  state.ends = ends;
  state.flags = flags;
}

function columnName(header: readonly string[] | undefined, index: number): string {
  return header?.[index] ?? `#${index + 1}`;
}
