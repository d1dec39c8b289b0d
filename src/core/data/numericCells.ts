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
