import { isUtf8 } from 'node:buffer';
import { DataError, describeLocation, quoteValue } from './dataErrors';

/** Text encodings a data file may declare; anything else should be converted to UTF-8 first. */
export type DataEncoding = 'utf-8' | 'latin1' | 'windows-1252';

export interface DecodeOptions {
  /** default utf-8 */
  readonly encoding?: DataEncoding;
  /** how the user can declare another encoding, appended to the invalid-UTF-8 message */
  readonly encodingHint?: string;
}

/**
 * A data file's bytes as text. UTF-8 is checked first (simdutf, a small fraction of the decode
 * itself) because Buffer#toString would silently turn each invalid byte into U+FFFD: a Latin-1
 * "café" would become a new category "caf\uFFFD" instead of an error.
 */
export function decodeDataText(bytes: Buffer, display: string, delimiter: string, options: DecodeOptions = {}): string {
  // latin1 as Python and pandas mean it (ISO-8859-1: every byte is the code point of the same value);
  // TextDecoder's "latin1" label would decode windows-1252
  if (options.encoding === 'latin1') return bytes.toString('latin1');
  if (options.encoding === 'windows-1252') return decodeWindows1252(bytes);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  throw invalidUtf8Error(bytes, firstInvalidUtf8(bytes), display, delimiter, options.encodingHint ?? '');
}

/** Throws the invalid-UTF-8 DataError (line, column, the bytes) unless `bytes` are valid UTF-8; `hint` ends its message. */
export function checkUtf8(bytes: Buffer, display: string, hint: string, file: string): void {
  if (!isUtf8(bytes)) throw invalidUtf8Error(bytes, firstInvalidUtf8(bytes), display, /\.tsv$/i.test(file) ? '\t' : ',', hint);
}

// windows-1252 differs from latin1 in 0x80–0x9F only (unassigned bytes keep their latin1 meaning).
// Written out because Node's TextDecoder('windows-1252') decodes those bytes as latin1.
const WINDOWS_1252_HIGH = '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

function decodeWindows1252(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  return /[\u0080-\u009F]/.test(text) ? text.replace(/[\u0080-\u009F]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80] as string) : text;
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (the file is known to be invalid). */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    if (b < 0x80) {
      i++;
      continue;
    }
    // the sequence length and the allowed range of its second byte (no overlongs, no surrogates, ≤ U+10FFFF)
    let length: number;
    let low = 0x80;
    let high = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) low = 0xa0;
      if (b === 0xed) high = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) low = 0x90;
      if (b === 0xf4) high = 0x8f;
    } else return i;
    for (let k = 1; k < length; k++) {
      const c = bytes[i + k];
      if (c === undefined || c < (k === 1 ? low : 0x80) || c > (k === 1 ? high : 0xbf)) return i;
    }
    i += length;
  }
  return bytes.length;
}

function invalidUtf8Error(bytes: Buffer, offset: number, display: string, delimiter: string, hint: string): DataError {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (bytes[i] === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  const before = bytes.toString('utf8', lineStart, offset);
  const column = line > 1 ? columnAt(bytes, before, delimiter) : undefined;
  const shown = [...bytes.subarray(offset, Math.min(offset + 4, bytes.length))]
    .filter((b, k) => k === 0 || (b >= 0x80 && b < 0xc0))
    .map((b) => `0x${b.toString(16).toUpperCase().padStart(2, '0')}`)
    .join(' ');
  const context = before.length > 0 ? ` after ${quoteValue(before.length > 40 ? `…${before.slice(-40)}` : before)}` : ' at the start of the line';
  const where = describeLocation(display, { line, ...(column !== undefined ? { column } : {}) });
  return new DataError(
    `${where}: byte ${shown}${context} is not valid UTF-8 — the file is in another encoding (Latin-1 or Windows-1252, as Excel saves CSV?); save it as UTF-8${hint}`,
    display,
    { line, ...(column !== undefined ? { column } : {}) },
  );
}

/** The header name of the field the text `before` (the start of a line) ends in; quotes in that text are honoured. */
function columnAt(bytes: Buffer, before: string, delimiter: string): string | undefined {
  const headerEnd = bytes.indexOf(10);
  const header = splitHeader(bytes.toString('utf8', 0, headerEnd < 0 ? bytes.length : headerEnd).replace(/^\uFEFF/, '').replace(/\r$/, ''), delimiter);
  let field = 0;
  let quoted = false;
  for (const ch of before) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) field++;
  }
  return header?.[field]?.trim();
}

/** A header line's names (RFC 4180 quoting; enough to name the column of an encoding error). */
function splitHeader(line: string, delimiter: string): string[] {
  const names: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else current += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === delimiter) {
      names.push(current);
      current = '';
    } else current += ch;
  }
  names.push(current);
  return names;
}
