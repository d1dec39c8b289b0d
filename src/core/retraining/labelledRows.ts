import type { DataColumn } from '../data/dataTable';

/** Rows whose value in `column` is present: the only ones a model can be trained or scored on. */
export function labelledRows(column: DataColumn, rowCount: number): number[] {
  const rows: number[] = [];
  for (let r = 0; r < rowCount; r++) if (column.kind === 'numeric' ? !Number.isNaN(column.values[r]) : (column.codes[r] as number) >= 0) rows.push(r);
  return rows;
}
