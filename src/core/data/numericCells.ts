/** How a text cell reads as a number. Shared by the CSV reader and serving-time input checks. */
export type CellReading = { kind: 'missing' } | { kind: 'number'; value: number } | { kind: 'nonFinite' } | { kind: 'text' };

// JavaScript's Number() accepts "0x1F", "1e3", " 12 " and "" — only the decimal forms a data file
// would contain count as numbers here.
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

export function readCell(raw: string): CellReading {
  const cell = raw.trim();
  if (cell === '') return { kind: 'missing' };
  if (DECIMAL.test(cell)) {
    const value = Number(cell);
    return Number.isFinite(value) ? { kind: 'number', value } : { kind: 'nonFinite' };
  }
  if (NON_FINITE.test(cell)) return { kind: 'nonFinite' };
  return { kind: 'text' };
}

/**
 * readCell's verdict as a number: the value, NaN for a missing cell, or undefined for text /
 * NaN / Infinity (call readCell for which). Plain decimals skip the regular expression: the
 * reader calls this once per numeric cell, millions of times for a large file.
 */
export function parseNumber(raw: string): number | undefined {
  const c0 = raw.charCodeAt(0);
  // digit, '-', '+' or '.' first; "0x…", "0b…", "0o…" and whitespace take the careful path
  if (((c0 >= 48 && c0 <= 57) || c0 === 45 || c0 === 43 || c0 === 46) && !(c0 === 48 && raw.length > 1 && [120, 98, 111].includes(raw.charCodeAt(1) | 32))) {
    const v = +raw;
    if (v === v && v !== Infinity && v !== -Infinity && raw.charCodeAt(raw.length - 1) > 32) return v;
  }
  const reading = readCell(raw);
  if (reading.kind === 'missing') return NaN;
  return reading.kind === 'number' ? reading.value : undefined;
}
