import { resolve } from 'node:path';

/**
 * A problem with an input data file, found before any training starts. The message alone says
 * where (file, line or row, column) and what (the offending value) so it can travel across a
 * process boundary as plain text and still be actionable.
 */
export class DataError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly location?: { line?: number; row?: number; column?: string; value?: string },
  ) {
    super(message);
    this.name = 'DataError';
  }
}

/**
 * "data.csv does not exist (looked at /abs/data.csv)": a relative path alone does not say which
 * folder it was taken from (the current folder, the spec's, the workspace's), the absolute one does.
 */
export function missingFileMessage(display: string, path: string): string {
  const absolute = resolve(path);
  return display === absolute ? `${display} does not exist` : `${display} does not exist (looked at ${absolute})`;
}

/** "file.csv line 12, column "x"" — the prefix every data error starts with. */
export function describeLocation(file: string, where: { line?: number; row?: number; column?: string }): string {
  const parts = [file];
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  else if (where.row !== undefined) parts.push(`row ${where.row}`);
  const head = parts.join(' ');
  return where.column !== undefined ? `${head}, column ${quoteValue(where.column)}` : head;
}

/** Characters of a value an error message quotes; the rest is counted, not printed. */
export const QUOTED_VALUE_MAX = 80;

/**
 * A cell or name as an error message quotes it: in double quotes, on one line, and at most
 * QUOTED_VALUE_MAX characters — a 20 MB cell must not become a 20 MB message (it travels over
 * IPC, into terminals and into run tags).
 */
export function quoteValue(value: string): string {
  if (value.length <= QUOTED_VALUE_MAX) return `"${oneLine(value)}"`;
  return `"${oneLine(leading(value))}…" (${value.length.toLocaleString('en-US')} characters)`;
}

/** Column or class names for a message, as the file spells them (unquoted, each capped), at most `max` of them. */
export function listNames(names: readonly string[], max = 20): string {
  const shown = names.slice(0, max).map(capText).join(', ');
  return names.length > max ? `${shown}, … (${names.length} in all)` : shown;
}

/** quoteValue without the quotes. */
export function capText(value: string): string {
  if (value.length <= QUOTED_VALUE_MAX) return oneLine(value);
  return `${oneLine(leading(value))}… (${value.length.toLocaleString('en-US')} characters)`;
}

function leading(value: string): string {
  const cut = value.slice(0, QUOTED_VALUE_MAX);
  // never cut a surrogate pair in half
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

function oneLine(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\\n').replace(/\t/g, '\\t');
}
