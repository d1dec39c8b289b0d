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
  /** awaited after the rows of each read (a consumer writes what it made of them, with backpressure) */
  afterRead?: () => Promise<void>;
  /** called with the header's fields (decoded) and its line before any row */
  onHeader: (names: string[], line: number) => void;
  /** return false to stop early */
  onRow: (row: ScannedRow) => boolean | void;
  /**
   * Scan only the rows from byte `start` (a row boundary; the header is then not in the range,
   * so pass `header`) up to byte `end`. Line numbers are then counted from 1 at `start`. When
   * no row ends exactly at `end` (the split guessed for parallel profiling was inside a quoted
   * field), the scan stops after the row that crossed it and reports `crossedEnd`.
   */
  range?: { start: number; end: number; header?: string[]; line?: number };
  /** the error for a row whose field count differs from the header's (default: the profiler's wording) */
  raggedRow?: (line: number, found: number, expected: number) => Error;
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
  const delimiter = options.delimiter ?? csvDelimiterByte(path);
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
    let first = position === 0;
    const tokenizer = new CsvTokenizer(display, delimiter, options, options.range?.end ?? Infinity);
    while (!eof && !tokenizer.stopped) {
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
      const checkedFrom = pos;
      const lineAtCheck = tokenizer.line;
      pos = tokenizer.scan(buf, pos, filled, position - filled, eof);
      // The rows just read end on line feeds, so no UTF-8 sequence is cut at `pos`. Checked per
      // read (simdutf, a fraction of the scan): fieldText would turn a Latin-1 "é" into U+FFFD
      // and the profile would show a category nobody wrote.
      if (pos > checkedFrom && !isUtf8(buf.subarray(checkedFrom, pos))) throw invalidUtf8InScan(buf, checkedFrom, lineAtCheck, firstInvalidUtf8(buf.subarray(checkedFrom, pos)) + checkedFrom, display, delimiter, tokenizer.header);
      // keep the incomplete tail for the next read
      if (pos < filled) buf.copy(buf, 0, pos, filled);
      filled -= pos;
      options.onProgress?.(position - filled, total);
      if (options.afterRead) await options.afterRead();
      if (eof && filled > 0 && !tokenizer.stopped) throw new DataError(`${describeLocation(display, { line: tokenizer.line })}: the last row could not be read`, display, { line: tokenizer.line });
    }
    if (!tokenizer.header) throw new DataError(`${display} has no header line`, display);
    return { bytes: total, rows: tokenizer.rows, lines: tokenizer.line, crossedEnd: tokenizer.crossedEnd };
  } finally {
    await handle.close();
  }
}

export interface CsvBytesScanOptions extends Omit<CsvScanOptions, 'chunkBytes' | 'signal' | 'onProgress' | 'afterRead'> {
  /** the caller checked the text encoding already (or the file is not UTF-8 by declaration) */
  encodingChecked?: boolean;
}

/**
 * Scans CSV bytes held in memory, synchronously: the same tokenizer as scanCsvFile (one set of
 * quoting, line and error rules for every command), without the reads. The table reader holds
 * the whole file anyway (its digest covers every byte).
 */
export function scanCsvBytes(bytes: Buffer, options: CsvBytesScanOptions & { display: string }): CsvScanResult & { end: number } {
  const display = options.display;
  const delimiter = options.delimiter ?? 44;
  const start = options.range?.start ?? 0;
  let pos = start;
  if (start === 0 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) pos = 3;
  if (!options.encodingChecked && !isUtf8(bytes.subarray(pos))) throw invalidUtf8InScan(bytes, pos, 1, firstInvalidUtf8(bytes.subarray(pos)) + pos, display, delimiter, options.range?.header);
  const tokenizer = new CsvTokenizer(display, delimiter, options, options.range?.end ?? Infinity);
  if (options.range?.line !== undefined) tokenizer.line = options.range.line;
  // bytes past a range's end are still visible: a row crossing the end is read whole (and reported)
  const end = tokenizer.scan(bytes, pos, bytes.length, 0, true);
  if (!tokenizer.stopped && end < bytes.length) throw new DataError(`${describeLocation(display, { line: tokenizer.line })}: the last row could not be read`, display, { line: tokenizer.line });
  // (no header at all is the caller's to word: the table reader calls such a file empty)
  return { bytes: bytes.length, rows: tokenizer.rows, lines: tokenizer.line, crossedEnd: tokenizer.crossedEnd, end };
}

/** Tab for *.tsv, comma otherwise. */
export function csvDelimiterByte(file: string): number {
  return /\.tsv$/i.test(file) ? 9 : 44;
}

/**
 * The row tokenizer: parses every complete row in a window of bytes and hands it to the sink.
 * State (line, header, rows) carries over between windows of a stream.
 */
class CsvTokenizer {
  line = 1;
  rows = 0;
  header: string[] | undefined;
  stopped = false;
  crossedEnd = false;
  private readonly state: ScannedRow = { buf: Buffer.alloc(0), starts: new Int32Array(64), ends: new Int32Array(64), flags: new Uint8Array(64), count: 0, line: 1, rowStart: 0, rowEnd: 0 };

  constructor(
    private readonly display: string,
    private readonly delimiter: number,
    private readonly sink: Pick<CsvScanOptions, 'onHeader' | 'onRow' | 'range' | 'raggedRow'>,
    readonly rangeEnd: number,
  ) {
    this.header = sink.range?.header;
  }

  /** Consumes the complete rows of buf[pos, filled) (`base` is the file offset of buf[0]); returns where the unconsumed tail starts. */
  scan(buf: Buffer, pos: number, filled: number, base: number, eof: boolean): number {
    const display = this.display;
    const delimiter = this.delimiter;
    const state = this.state;
    const rangeEnd = this.rangeEnd;
    state.buf = buf;
    let line = this.line;
    const header = (): string[] | undefined => this.header;
    for (;;) {
      if (base + pos >= rangeEnd) {
        // past the end without a row ending exactly there: the guessed split was not a row boundary
        if (base + pos !== rangeEnd) this.crossedEnd = true;
        this.stopped = true;
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
            if (eof) {
              this.line = line;
              throw new DataError(`${describeLocation(display, { line: rowLine, column: columnName(header(), count) })}: a quoted field is never closed (missing ")`, display, { line: rowLine, column: columnName(header(), count) });
            }
            break; // need more bytes
          }
          end = q;
          for (let k = start; k < end; k++) if (buf[k] === LF) linesInside++;
          p = q + 1;
          if (p < filled) {
            const after = buf[p]!;
            if (after !== delimiter && after !== LF && after !== CR) {
              throw new DataError(
                `${describeLocation(display, { line: rowLine + linesInside, column: columnName(header(), count) })}: unexpected character "${String.fromCharCode(after)}" after a closing quote (a field with quotes must be quoted whole, with "" for a quote inside)`,
                display,
                { line: rowLine + linesInside, column: columnName(header(), count) },
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
      // a line of spaces or tabs alone is blank too (as a spreadsheet's export leaves them)
      if (count === 1 && flag0(state) === 0 && isBlank(buf, state.starts[0]!, state.ends[0]!)) continue;
      state.count = count;
      state.line = rowLine;
      state.rowStart = rowStart;
      state.rowEnd = rowEnd;
      const names = this.header;
      if (!names) {
        const found: string[] = [];
        for (let i = 0; i < count; i++) found.push(fieldText(state, i).trim());
        this.header = found;
        this.line = line;
        this.sink.onHeader(found, rowLine);
        continue;
      }
      if (count !== names.length) {
        this.line = line;
        throw this.sink.raggedRow?.(rowLine, count, names.length) ??
          new DataError(`${describeLocation(display, { line: rowLine })}: expected ${names.length} fields like the header, found ${count}${count > names.length ? ' (an unquoted delimiter inside a value?)' : ''}`, display, { line: rowLine });
      }
      this.rows++;
      this.line = line;
      if (this.sink.onRow(state) === false) {
        this.stopped = true;
        break;
      }
    }
    this.line = line;
    return pos;
  }
}

function flag0(row: ScannedRow): number {
  return row.flags[0]!;
}

/** Whether buf[start, end) holds only spaces and tabs (or nothing). */
function isBlank(buf: Buffer, start: number, end: number): boolean {
  for (let p = start; p < end; p++) {
    const b = buf[p]!;
    if (b !== 32 && b !== 9) return false;
  }
  return true;
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
