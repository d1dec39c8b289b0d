/** Profiles JSON Lines (streamed line by line) and Parquet (read through the table reader) with the same builder as CSV. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { DataError, describeLocation, missingFileMessage } from '../data/dataErrors';
import { readTable } from '../data/tableReader';
import { hashText, isMissingText } from './byteCells';
import { ProfileBuilder } from './profileBuilder';
import type { DataProfile, ProfileColumnType, ProfileOptions } from './profileTypes';
import { inferColumnType, isNumericType, PROFILE_INFERENCE_ROWS } from './typeInference';

type Cell = string | number | boolean | null;

function cellText(value: Cell): string {
  return value === null ? '' : String(value);
}

/** Feeds rows of cells into a builder once types are known (from the first rows). */
class RecordFeeder {
  private builder: ProfileBuilder | undefined;
  private readonly pending: { cells: Cell[]; line: number }[] = [];
  private current: Cell[] = [];

  constructor(
    private readonly names: string[],
    private readonly file: string,
    private readonly format: DataProfile['format'],
    private readonly options: ProfileOptions,
  ) {}

  add(cells: Cell[], line: number): void {
    if (this.builder) return this.feed(cells, line);
    this.pending.push({ cells, line });
    if (this.pending.length >= PROFILE_INFERENCE_ROWS) this.start();
  }

  finish(bytes: number, started: number): DataProfile {
    if (!this.builder) this.start();
    return this.builder!.finish({ bytes, elapsedMs: Date.now() - started });
  }

  private start(): void {
    const types: ProfileColumnType[] = this.names.map((_, col) => inferColumnType(this.pending.map((r) => cellText(r.cells[col] ?? null))));
    this.builder = new ProfileBuilder(this.names, types, {
      file: this.file,
      format: this.format,
      target: this.options.target,
      sampleSize: this.options.sampleSize,
      exactPearsonColumns: this.options.exactPearsonColumns,
      cellText: (col) => cellText(this.current[col] ?? null),
    });
    for (const r of this.pending) this.feed(r.cells, r.line);
    this.pending.length = 0;
  }

  private feed(cells: Cell[], line: number): void {
    const b = this.builder!;
    const types = b.columnTypes();
    this.current = cells;
    b.startRow();
    for (let col = 0; col < this.names.length; col++) {
      const value = cells[col] ?? null;
      const type = types[col]!;
      if (value === null || (typeof value === 'string' && isMissingText(value))) {
        b.missing(col);
        continue;
      }
      if (isNumericType(type)) {
        const v = type === 'datetime' ? Date.parse(String(value)) : typeof value === 'number' ? value : Number(value);
        if (Number.isFinite(v)) b.number(col, v);
        else b.mismatch(col, line);
      } else b.text(col, hashText(String(value)));
    }
    b.endRow(hashText(JSON.stringify(cells)));
  }
}

export async function profileJsonl(path: string, options: ProfileOptions = {}): Promise<DataProfile> {
  const started = Date.now();
  const display = options.displayName ?? path;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new DataError(missingFileMessage(display, path), display);
  }
  // columns are the keys of the first object, then any new key seen in the inference window
  const names: string[] = [];
  const rows: { record: Record<string, unknown>; line: number }[] = [];
  let feeder: RecordFeeder | undefined;
  const toCells = (record: Record<string, unknown>): Cell[] =>
    names.map((name) => {
      const v = record[name];
      if (v === undefined || v === null) return null;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
      return JSON.stringify(v);
    });
  let line = 0;
  let bytesDone = 0;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  for await (const text of lines) {
    line++;
    bytesDone += Buffer.byteLength(text) + 1;
    if (options.signal?.aborted) throw new Error(`Profiling ${display} was cancelled.`);
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      const column = /position (\d+)/.exec((error as Error).message)?.[1];
      throw new DataError(`${describeLocation(display, { line })}${column ? ` column ${Number(column) + 1}` : ''}: not valid JSON (${(error as Error).message})`, display, { line });
    }
    if (record === null || typeof record !== 'object' || Array.isArray(record)) throw new DataError(`${describeLocation(display, { line })}: each line must be a JSON object`, display, { line });
    const obj = record as Record<string, unknown>;
    if (!feeder) {
      for (const key of Object.keys(obj)) if (!names.includes(key)) names.push(key);
      rows.push({ record: obj, line });
      if (rows.length >= PROFILE_INFERENCE_ROWS) {
        feeder = new RecordFeeder(names, display, 'jsonl', options);
        for (const r of rows) feeder.add(toCells(r.record), r.line);
        rows.length = 0;
      }
    } else feeder.add(toCells(obj), line);
    if (line % 10_000 === 0) options.onProgress?.({ bytesDone, bytesTotal: size, rows: line });
  }
  if (!feeder) {
    if (rows.length === 0) throw new DataError(`${display} has no JSON records`, display);
    feeder = new RecordFeeder(names, display, 'jsonl', options);
    for (const r of rows) feeder.add(toCells(r.record), r.line);
  }
  return feeder.finish(size, started);
}

export async function profileParquet(path: string, options: ProfileOptions = {}): Promise<DataProfile> {
  const started = Date.now();
  const display = options.displayName ?? path;
  const table = await readTable(path, { displayName: display });
  const names = table.columns.map((c) => c.name);
  const feeder = new RecordFeeder(names, display, 'parquet', options);
  for (let row = 0; row < table.rowCount; row++) {
    const cells: Cell[] = table.columns.map((c) => {
      if (c.kind === 'numeric') {
        const v = c.values[row]!;
        return Number.isNaN(v) ? null : v;
      }
      const code = c.codes[row]!;
      return code < 0 ? null : (c.categories[code] ?? null);
    });
    feeder.add(cells, row + 1);
  }
  return feeder.finish((await stat(path)).size, started);
}
