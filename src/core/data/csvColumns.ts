/**
 * CSV rows (byte offsets from the shared scanner) into typed columns: numbers parsed straight
 * from bytes into a Float64Array, text interned by a hash of its bytes into dictionary codes.
 * A string is built only for the rows that decide column kinds, for each new category and for
 * the rare cell that needs unescaping or Unicode trimming.
 */
import { storeNumberBytes } from '../profile/byteCells';
import { FIELD_ESCAPED, type ScannedRow } from '../profile/csvScanner';
import { DataError, describeLocation, quoteValue } from './dataErrors';
import type { ColumnKind, DataColumn } from './dataTable';
import { parseNumber, readCell } from './numericCells';
import type { DataEncoding } from './textDecoding';

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

// Bound once: under tsx every call to an imported function goes through an export getter.
const storeNumber = storeNumberBytes;
const ESCAPED = FIELD_ESCAPED;

/** FNV-1a of buf[start, end), kept within V8's small integers (no boxing). */
function hash30(buf: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let p = start; p < end; p++) h = Math.imul(h ^ buf[p]!, 16777619);
  return (h ^ (h >>> 15)) & 0x3fffffff;
}

/** A column's kind once decided, and the words that justify it in a later error. */
export interface DecidedKind {
  readonly kind: ColumnKind;
  readonly evidence: string;
}

/** The columns of a range read by a worker thread, before their codes are mapped to the whole file's categories. */
export type ColumnPart =
  | { readonly kind: 'numeric'; readonly values: Float64Array; readonly missing: number }
  | { readonly kind: 'categorical'; readonly codes: Int32Array; readonly categories: readonly string[]; readonly missing: number };

/** Text of buf[start, end) in the file's encoding, with "" escapes undone when the field had them. */
export function cellText(buf: Buffer, start: number, end: number, flags: number, encoding: DataEncoding): string {
  let text = encoding === 'utf-8' ? buf.toString('utf8', start, end) : buf.toString('latin1', start, end);
  if (encoding === 'windows-1252' && /[\u0080-\u009F]/.test(text)) text = text.replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] as string);
  return (flags & FIELD_ESCAPED) !== 0 ? text.replace(/""/g, '"') : text;
}

// windows-1252 differs from latin1 in 0x80–0x9F only (unassigned bytes keep their latin1 meaning).
// Written out because Node's TextDecoder('windows-1252') decodes those bytes as latin1.
const WINDOWS_1252_HIGH = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/**
 * Categories in first-seen order, found by a hash of their UTF-8 bytes in an open-addressing
 * table (checked byte for byte against a pool of the categories' bytes): no string per cell.
 */
export class CategoryInterner {
  readonly categories: string[] = [];
  private readonly byText = new Map<string, number>();
  /** code + 1 per slot, 0 = empty */
  private slots = new Int32Array(64);
  private hashes = new Int32Array(16);
  private pool = Buffer.allocUnsafe(4096);
  private poolUsed = 0;
  private starts = new Int32Array(17);

  /** The code of the text in buf[start, end) (UTF-8, trimmed, no escapes). */
  internBytes(buf: Buffer, start: number, end: number): number {
    const h = hash30(buf, start, end);
    const slots = this.slots;
    const mask = slots.length - 1;
    for (let i = h & mask; ; i = (i + 1) & mask) {
      const entry = slots[i]!;
      if (entry === 0) break;
      const code = entry - 1;
      if (this.hashes[code] === h && this.sameBytes(code, buf, start, end)) return code;
    }
    return this.internText(buf.toString('utf8', start, end));
  }

  internText(text: string): number {
    const known = this.byText.get(text);
    if (known !== undefined) return known;
    const code = this.categories.length;
    this.categories.push(text);
    this.byText.set(text, code);
    const bytes = Buffer.from(text, 'utf8');
    if (this.poolUsed + bytes.length > this.pool.length) {
      const bigger = Buffer.allocUnsafe(Math.max(this.pool.length * 2, this.poolUsed + bytes.length));
      this.pool.copy(bigger, 0, 0, this.poolUsed);
      this.pool = bigger;
    }
    if (code + 1 >= this.starts.length) {
      const starts = new Int32Array(this.starts.length * 2);
      starts.set(this.starts);
      this.starts = starts;
      const hashes = new Int32Array(this.hashes.length * 2);
      hashes.set(this.hashes);
      this.hashes = hashes;
    }
    bytes.copy(this.pool, this.poolUsed);
    this.poolUsed += bytes.length;
    this.starts[code + 1] = this.poolUsed;
    this.hashes[code] = hash30(bytes, 0, bytes.length);
    // at most half full: probes stay short
    if (2 * (code + 1) > this.slots.length) this.rehash(this.slots.length * 2);
    else this.place(code);
    return code;
  }

  private place(code: number): void {
    const mask = this.slots.length - 1;
    let i = this.hashes[code]! & mask;
    while (this.slots[i] !== 0) i = (i + 1) & mask;
    this.slots[i] = code + 1;
  }

  private rehash(size: number): void {
    this.slots = new Int32Array(size);
    for (let code = 0; code < this.categories.length; code++) this.place(code);
  }

  private sameBytes(code: number, buf: Buffer, start: number, end: number): boolean {
    const from = this.starts[code]!;
    if (this.starts[code + 1]! - from !== end - start) return false;
    const pool = this.pool;
    for (let k = 0; k < end - start; k++) if (pool[from + k] !== buf[start + k]) return false;
    return true;
  }
}

/** Whether the byte range may begin or end in a Unicode space that String#trim would remove (NBSP, U+2000…, U+3000, BOM). */
function mayHaveUnicodeSpace(buf: Buffer, start: number, end: number): boolean {
  const first = buf[start]!;
  if (first === 0xc2 || first === 0xe1 || first === 0xe2 || first === 0xe3 || first === 0xef) return true;
  if (buf[end - 1]! < 0x80) return false;
  return (end - start >= 2 && buf[end - 2] === 0xc2) || (end - start >= 3 && (buf[end - 3] === 0xe1 || buf[end - 3] === 0xe2 || buf[end - 3] === 0xe3 || buf[end - 3] === 0xef));
}

/**
 * One column while reading: text until its kind is decided (from the first INFERENCE_ROWS rows,
 * or the spec), then numbers in a Float64Array (NaN = missing) or dictionary codes (-1 = missing).
 */
export class ColumnBuilder {
  private sample: string[] | undefined = [];
  private sampleLines: number[] = [];
  kind: ColumnKind | undefined;
  /** how the decision was made, for the message of a later non-number */
  evidence = '';
  private values = new Float64Array(1024);
  private codes = new Int32Array(1024);
  readonly interner = new CategoryInterner();
  private length = 0;
  private missing = 0;
  private readonly fast: boolean;

  constructor(
    readonly name: string,
    private readonly declared: ColumnKind | undefined,
    private readonly file: string,
    private readonly encoding: DataEncoding,
    decided?: DecidedKind,
  ) {
    this.fast = encoding === 'utf-8';
    if (decided) {
      this.sample = undefined;
      this.kind = decided.kind;
      this.evidence = decided.evidence;
    }
  }

  get deciding(): boolean {
    return this.sample !== undefined;
  }

  /** A cell of the rows that decide the kind. */
  pushSample(row: ScannedRow, i: number): void {
    this.sample!.push(cellText(row.buf, row.starts[i]!, row.ends[i]!, row.flags[i]!, this.encoding));
    this.sampleLines.push(row.line);
  }

  /** Chooses numeric or categorical from the sample, then converts it; NaN/Infinity/text in a numeric column throw with the exact cell. */
  decide(): void {
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
      if (bad >= 0) this.reject(sample[bad] as string, this.sampleLines[bad] as number);
    }
    sample.forEach((cell, row) => this.appendText(cell, this.sampleLines[row] as number));
    this.sampleLines = [];
  }

  /** Room for `rows` cells in all, so a large file's columns are not copied as they grow. */
  reserve(rows: number): void {
    if (this.kind === 'numeric' && rows > this.values.length) {
      const values = new Float64Array(rows);
      values.set(this.values.subarray(0, this.length));
      this.values = values;
    } else if (this.kind === 'categorical' && rows > this.codes.length) {
      const codes = new Int32Array(rows);
      codes.set(this.codes.subarray(0, this.length));
      this.codes = codes;
    }
  }

  /** A cell of a numeric column once the kind is decided, read from its bytes. */
  appendNumber(buf: Buffer, start: number, end: number, flags: number, line: number): void {
    const i = this.length++;
    if (i === this.values.length) this.values = grow(this.values);
    const values = this.values;
    if (start === end) {
      values[i] = NaN;
      this.missing++;
      return;
    }
    // a finite plain decimal: the common case; anything else (text, ±Infinity, "" escapes) takes the careful path
    if ((flags & ESCAPED) === 0 && storeNumber(buf, start, end, values, i) && values[i]! - values[i]! === 0) return;
    this.length--;
    this.appendText(cellText(buf, start, end, flags, this.encoding), line);
  }

  /** A cell of a categorical column once the kind is decided, read from its bytes. */
  appendCategory(buf: Buffer, start: number, end: number, flags: number, line: number): void {
    const i = this.length++;
    if (i === this.codes.length) this.codes = grow(this.codes);
    if (this.fast && (flags & ESCAPED) === 0) {
      let s = start;
      let e = end;
      // String#trim's ASCII whitespace: tab, LF, VT, FF, CR, space
      while (s < e && (buf[s] === 32 || (buf[s]! >= 9 && buf[s]! <= 13))) s++;
      while (e > s && (buf[e - 1] === 32 || (buf[e - 1]! >= 9 && buf[e - 1]! <= 13))) e--;
      if (s === e) {
        this.codes[i] = -1;
        this.missing++;
        return;
      }
      if (!mayHaveUnicodeSpace(buf, s, e)) {
        this.codes[i] = this.interner.internBytes(buf, s, e);
        return;
      }
    }
    this.length--;
    this.appendText(cellText(buf, start, end, flags, this.encoding), line);
  }

  private appendText(cell: string, line: number): void {
    const i = this.length++;
    if (this.kind === 'numeric') {
      if (i === this.values.length) this.values = grow(this.values);
      const v = parseNumber(cell);
      if (v === undefined) this.reject(cell, line);
      this.values[i] = v;
      if (v !== v) this.missing++;
      return;
    }
    if (i === this.codes.length) this.codes = grow(this.codes);
    const text = cell.trim();
    if (text === '') {
      this.codes[i] = -1;
      this.missing++;
      return;
    }
    this.codes[i] = this.interner.internText(text);
  }

  private reject(cell: string, line: number): never {
    const value = cell.trim();
    const where = describeLocation(this.file, { line, column: this.name });
    const why =
      readCell(cell).kind === 'nonFinite'
        ? `${quoteValue(value)} is not allowed in a numeric column — leave the cell empty to mark a missing value`
        : `${quoteValue(value)} is not a number, but column ${quoteValue(this.name)} is numeric${this.evidence}`;
    throw new DataError(`${where}: ${why}`, this.file, { line, column: this.name, value });
  }

  /** The column's cells so far (as a worker hands them over). */
  part(): ColumnPart {
    if (this.kind === 'numeric') return { kind: 'numeric', values: this.values.slice(0, this.length), missing: this.missing };
    return { kind: 'categorical', codes: this.codes.slice(0, this.length), categories: this.interner.categories, missing: this.missing };
  }

  /** The finished column, with a later range's cells (read by a worker) appended into the room reserved for them. */
  finish(tail?: ColumnPart): DataColumn {
    const extra = tail ? (tail.kind === 'numeric' ? tail.values.length : tail.codes.length) : 0;
    const total = this.length + extra;
    if (this.kind === 'numeric') {
      const values = this.values.length >= total ? this.values : widen(this.values, this.length, total);
      if (tail?.kind === 'numeric') values.set(tail.values, this.length);
      return { kind: 'numeric', name: this.name, values: fit(values, total), missing: this.missing + (tail?.missing ?? 0) };
    }
    const codes = this.codes.length >= total ? this.codes : widen(this.codes, this.length, total);
    if (tail?.kind === 'categorical') {
      // the range's categories in its first-seen order follow this range's: the whole file's first-seen order
      const map = Int32Array.from(tail.categories, (c) => this.interner.internText(c));
      const from = tail.codes;
      for (let k = 0, j = this.length; k < from.length; k++, j++) {
        const c = from[k]!;
        codes[j] = c < 0 ? -1 : map[c]!;
      }
    }
    return { kind: 'categorical', name: this.name, codes: fit(codes, total), categories: this.interner.categories, missing: this.missing + (tail?.missing ?? 0) };
  }
}

function widen<T extends Int32Array | Float64Array>(array: T, used: number, size: number): T {
  const bigger = new (array.constructor as new (n: number) => T)(size);
  bigger.set(array.subarray(0, used));
  return bigger;
}

/**
 * The first `n` elements: the array itself, a view when little room is left over (copying a
 * large column costs more than the unused tail it would free), or a copy.
 */
export function fit<T extends Int32Array | Float64Array>(array: T, n: number): T {
  if (array.length === n) return array;
  return (array.length - n) * 8 <= array.length ? (array.subarray(0, n) as T) : (array.slice(0, n) as T);
}

function grow<T extends Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (n: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
