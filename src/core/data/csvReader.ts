/**
 * The one CSV reader of every command (training, drift, scoring, features): the profiler's byte
 * scanner tokenizes, csvColumns.ts turns cells into typed columns. A large file is read by two
 * threads: this one reads up to a row boundary near the middle, a worker thread the rest.
 */
import { existsSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { csvDelimiterByte, scanCsvBytes, type ScannedRow } from '../profile/csvScanner';
import { ColumnBuilder, fit, INFERENCE_ROWS, type ColumnPart, type DecidedKind } from './csvColumns';
import type { CsvRangeJob, CsvRangeResult } from './csvRangeJob';
import { DataError, describeLocation, quoteValue } from './dataErrors';
import type { ColumnKind, DataTable } from './dataTable';
import type { DataEncoding, DecodeOptions } from './textDecoding';

export interface ReadOptions {
  /** kinds the spec insists on; other columns are inferred */
  readonly columnKinds?: Readonly<Record<string, ColumnKind>>;
  /** how the file is named in messages (default: the path as given) */
  readonly displayName?: string;
  /** a CSV's text encoding (default utf-8, checked) and how a user declares another */
  readonly encoding?: DecodeOptions['encoding'];
  readonly encodingHint?: string;
  /** the store's folder of prepared tables (`.mlops/cache/tables`): a file read before loads from there */
  readonly cacheFolder?: string;
  /** below this many bytes after the first rows, one thread reads it all (tests set 0 to split small files) */
  readonly parallelMinBytes?: number;
}

/** Below this many bytes, a worker thread's start (~30 ms) costs more than the half it reads saves. */
const PARALLEL_MIN_BYTES = 16 * 1024 * 1024;

/** The columns of a CSV, without the digest (computed beside, or taken from the cache). */
export interface CsvColumns extends Omit<DataTable, 'digest' | 'readFrom'> {
  /** the line each row starts on (what `locate` answers), for the prepared-table cache */
  readonly rowLines: Int32Array;
}

/** Parses CSV text (the first line is the header) into typed columns, or throws a DataError. */
export function parseCsv(text: string, digest: string, file: string, options: ReadOptions = {}): DataTable {
  const read = parseCsvBytes(Buffer.from(text, 'utf8'), file, { ...options, encoding: 'utf-8' }, true);
  return { file: read.file, format: 'csv', rowCount: read.rowCount, columns: read.columns, digest, locate: read.locate };
}

/** Tab for *.tsv, comma otherwise. */
export function csvDelimiter(file: string): string {
  return /\.tsv$/i.test(file) ? '\t' : ',';
}

/** CSV bytes into typed columns on this thread; `encodingChecked` when the caller checked the bytes are valid UTF-8. */
export function parseCsvBytes(bytes: Buffer, file: string, options: ReadOptions, encodingChecked: boolean): CsvColumns {
  const reader = new CsvTableReader(options.displayName ?? file, options.encoding ?? 'utf-8', options.columnKinds);
  scanCsvBytes(bytes, { display: reader.display, delimiter: csvDelimiterByte(file), encodingChecked: encodingChecked || (options.encoding ?? 'utf-8') !== 'utf-8', onHeader: reader.onHeader, onRow: reader.onRow, raggedRow: reader.raggedRow });
  return reader.finish();
}

/**
 * CSV bytes (the whole file at `path`, already checked as text) into typed columns, the second
 * half by a worker thread when the file is large enough for it to pay.
 */
export async function readCsvBytes(bytes: Buffer, path: string, options: ReadOptions): Promise<CsvColumns> {
  const display = options.displayName ?? path;
  const encoding = options.encoding ?? 'utf-8';
  const delimiter = csvDelimiterByte(path);
  const reader = new CsvTableReader(display, encoding, options.columnKinds);
  // the first rows decide the kinds, which a worker needs before it starts
  const head = scanCsvBytes(bytes, { display, delimiter, encodingChecked: true, onHeader: reader.onHeader, onRow: reader.onRowUntilDecided, raggedRow: reader.raggedRow });
  const start = head.end;
  // rows as long as the first ones: one allocation per column instead of a copy per doubling
  const reserve = (until: number): void => {
    if (start > 0) reader.reserve(Math.ceil(((until - start) / start) * INFERENCE_ROWS * 1.05) + INFERENCE_ROWS);
  };
  const minBytes = options.parallelMinBytes ?? PARALLEL_MIN_BYTES;
  if (reader.deciding || reader.header === undefined || bytes.length - start < Math.max(1, minBytes) || !secondCoreFree(options.parallelMinBytes !== undefined)) {
    if (!reader.deciding && reader.header && start < bytes.length) reserve(bytes.length);
    if (!reader.deciding && reader.header && start < bytes.length) scanCsvBytes(bytes, { display, delimiter, encodingChecked: true, range: { start, end: Infinity, header: reader.header, line: head.lines }, onHeader: reader.onHeader, onRow: reader.onRow, raggedRow: reader.raggedRow });
    return reader.finish();
  }
  const split = splitNear(bytes, start, start + Math.floor((bytes.length - start) / 2));
  const job: CsvRangeJob = { path, display, start: split, end: bytes.length, delimiter, encoding, header: reader.header, kinds: reader.decidedKinds() };
  const worker = startRangeWorker(job);
  // room for the worker's rows too: they are copied in after this thread's, not the whole column again
  reserve(bytes.length);
  const outcome = new Promise<CsvRangeResult>((resolve) => {
    worker.once('message', (message: CsvRangeResult) => resolve(message));
    worker.once('error', (error) => resolve({ ok: false, name: 'Error', message: `Reading ${display} failed in a worker thread: ${error.message}` }));
    worker.once('exit', (code) => resolve({ ok: false, name: 'Error', message: `Reading ${display}: a worker thread exited (code ${code}) before finishing` }));
  });
  try {
    const mine = scanCsvBytes(bytes, { display, delimiter, encodingChecked: true, range: { start, end: split, header: reader.header, line: head.lines }, onHeader: reader.onHeader, onRow: reader.onRow, raggedRow: reader.raggedRow });
    if (mine.crossedEnd) {
      // a stray quote fooled the split: the worker started inside a row; read the rest here
      void worker.terminate();
      if (mine.end < bytes.length) scanCsvBytes(bytes, { display, delimiter, encodingChecked: true, range: { start: mine.end, end: Infinity, header: reader.header, line: mine.lines }, onHeader: reader.onHeader, onRow: reader.onRow, raggedRow: reader.raggedRow });
      return reader.finish();
    }
    const result = await outcome;
    if (!result.ok) throw rangeError(result, mine.lines - 1, display);
    return reader.finish({ columns: result.columns, lines: result.lines, lineOffset: mine.lines - 1 });
  } finally {
    void worker.terminate();
  }
}

/**
 * Whether a worker thread would get a core of its own. On a machine already busy (load average
 * at the core count) a second thread only competes: measured at load 8–14 on 2 cores, it made a
 * 120 MB read 25% slower and cost 30% more CPU. `forced` (a caller that set the split size) skips
 * the load check.
 */
function secondCoreFree(forced: boolean): boolean {
  const cores = availableParallelism();
  if (cores < 2) return false;
  return forced || (loadavg()[0] as number) <= cores - 1;
}

/** Just after the first line feed outside quotes at or after `target`, counting quotes from `from` (a row boundary). */
export function splitNear(bytes: Buffer, from: number, target: number): number {
  let inQuotes = false;
  let p = from;
  for (;;) {
    const q = bytes.indexOf(34, p);
    if (q < 0 || q >= target) break;
    inQuotes = !inQuotes;
    p = q + 1;
  }
  p = target;
  for (;;) {
    const q = bytes.indexOf(34, p);
    const lf = bytes.indexOf(10, p);
    if (lf < 0) return bytes.length;
    if (q >= 0 && q < lf) {
      inQuotes = !inQuotes;
      p = q + 1;
      continue;
    }
    if (!inQuotes) return lf + 1;
    p = lf + 1;
  }
}

/** A range's failure as the error one pass would throw: line numbers counted from the file's start. */
function rangeError(outcome: Extract<CsvRangeResult, { ok: false }>, lineOffset: number, display: string): Error {
  if (outcome.name !== 'DataError') return new Error(outcome.message);
  const location = outcome.location;
  if (!location || location.line === undefined || lineOffset === 0) return new DataError(outcome.message, display, location);
  const line = location.line + lineOffset;
  return new DataError(outcome.message.replace(`${display} line ${location.line}`, `${display} line ${line}`), display, { ...location, line });
}

/** Worker threads run the bundled script beside this bundle, or the TypeScript source through tsx in development. */
function startRangeWorker(job: CsvRangeJob): Worker {
  const bundled = join(__dirname, 'csvRangeReader.js');
  if (existsSync(bundled)) return new Worker(bundled, { workerData: job });
  const source = join(__dirname, 'csvRangeReader.ts');
  const tsx = require.resolve('tsx/cjs/api');
  return new Worker(`require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(source)});`, { eval: true, workerData: job });
}

/** The sink the scanner feeds: header checks, row lines, one ColumnBuilder per column. */
export class CsvTableReader {
  header: string[] | undefined;
  private builders: ColumnBuilder[] = [];
  /** 1 where a column is numeric, once the kinds are decided */
  private numeric = new Uint8Array(0);
  private lines = new Int32Array(1024);
  private rowCount = 0;
  deciding = true;

  constructor(
    readonly display: string,
    private readonly encoding: DataEncoding,
    private readonly columnKinds: Readonly<Record<string, ColumnKind>> | undefined,
    private readonly decided?: readonly DecidedKind[],
  ) {
    if (decided) this.deciding = false;
  }

  readonly onHeader = (names: string[], line: number): void => {
    const display = this.display;
    for (const [i, name] of names.entries()) {
      if (name === '') throw new DataError(`${describeLocation(display, { line })}: column ${i + 1} of the header has no name`, display, { line });
      if (names.indexOf(name) !== i) throw new DataError(`${describeLocation(display, { line })}: the header names column ${quoteValue(name)} twice`, display, { line, column: name });
    }
    this.header = names;
    this.builders = names.map((name, i) => new ColumnBuilder(name, this.columnKinds?.[name], display, this.encoding, this.decided?.[i]));
    if (this.decided) this.numeric = Uint8Array.from(this.builders, (b) => (b.kind === 'numeric' ? 1 : 0));
  };

  readonly raggedRow = (line: number, found: number, expected: number): Error =>
    new DataError(`${describeLocation(this.display, { line })}: has ${found} field${found === 1 ? '' : 's'} but the header has ${expected} — ragged row`, this.display, { line });

  readonly onRow = (row: ScannedRow): void => {
    const n = this.rowCount;
    if (n === this.lines.length) {
      const bigger = new Int32Array(n * 2);
      bigger.set(this.lines);
      this.lines = bigger;
    }
    const line = row.line;
    this.lines[n] = line;
    const builders = this.builders;
    const count = builders.length;
    if (this.deciding) {
      for (let i = 0; i < count; i++) builders[i]!.pushSample(row, i);
      this.rowCount = n + 1;
      if (this.rowCount === INFERENCE_ROWS) this.decide();
      return;
    }
    const buf = row.buf;
    const starts = row.starts;
    const ends = row.ends;
    const flags = row.flags;
    const numeric = this.numeric;
    for (let i = 0; i < count; i++) {
      // two small monomorphic calls the compiler can inline, not one that asks the kind per cell
      if (numeric[i] === 1) builders[i]!.appendNumber(buf, starts[i]!, ends[i]!, flags[i]!, line);
      else builders[i]!.appendCategory(buf, starts[i]!, ends[i]!, flags[i]!, line);
    }
    this.rowCount = n + 1;
  };

  /** onRow, stopping the scan once the kinds are decided. */
  readonly onRowUntilDecided = (row: ScannedRow): boolean => {
    this.onRow(row);
    return this.deciding;
  };

  reserve(rows: number): void {
    for (const builder of this.builders) builder.reserve(rows);
    if (rows > this.lines.length) {
      const lines = new Int32Array(rows);
      lines.set(this.lines.subarray(0, this.rowCount));
      this.lines = lines;
    }
  }

  decidedKinds(): DecidedKind[] {
    return this.builders.map((b) => ({ kind: b.kind!, evidence: b.evidence }));
  }

  private decide(): void {
    for (const builder of this.builders) builder.decide();
    this.numeric = Uint8Array.from(this.builders, (b) => (b.kind === 'numeric' ? 1 : 0));
    this.deciding = false;
  }

  /** The rows so far (as a worker hands them over). */
  part(): { columns: ColumnPart[]; lines: Int32Array; rows: number } {
    return { columns: this.builders.map((b) => b.part()), lines: this.lines.slice(0, this.rowCount), rows: this.rowCount };
  }

  /** The table, with a later range read by a worker appended (its lines counted from its start). */
  finish(tail?: { columns: readonly ColumnPart[]; lines: Int32Array; lineOffset: number }): CsvColumns {
    const display = this.display;
    if (!this.header) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
    if (this.rowCount === 0 && (tail?.lines.length ?? 0) === 0) throw new DataError(`${display} has a header but no data rows`, display, { line: 2 });
    if (this.deciding) this.decide();
    const rowCount = this.rowCount + (tail?.lines.length ?? 0);
    let lines = this.lines;
    if (lines.length < rowCount) {
      lines = new Int32Array(rowCount);
      lines.set(this.lines.subarray(0, this.rowCount));
    }
    if (tail) for (let k = 0, j = this.rowCount; k < tail.lines.length; k++, j++) lines[j] = tail.lines[k]! + tail.lineOffset;
    return {
      file: display,
      format: 'csv',
      rowCount,
      columns: this.builders.map((b, i) => b.finish(tail?.columns[i])),
      rowLines: fit(lines, rowCount),
      locate: (index) => ({ line: lines[index] }),
    };
  }
}
