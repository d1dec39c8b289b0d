/** CSV export of the Runs table (RFC 4180), safe to open in a spreadsheet. */
import type { CellValue } from '../../../protocol/runs/runsContract';

/** Cells a spreadsheet would run as a formula; prefixed with ' so they stay text (OWASP CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CellValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : String(value);
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Start times become ISO 8601 in UTC so the file means the same in every time zone. */
export function csvCell(columnId: string, value: CellValue): CellValue {
  if (columnId === 'attributes.start_time' && typeof value === 'number') return new Date(value).toISOString();
  return value;
}

export function formatRunsCsv(columnIds: readonly string[], rows: readonly (readonly CellValue[])[]): string {
  const lines = [columnIds.map((id) => csvField(id)).join(',')];
  for (const row of rows) lines.push(columnIds.map((id, j) => csvField(csvCell(id, row[j] ?? null))).join(','));
  return lines.join('\r\n') + '\r\n';
}
