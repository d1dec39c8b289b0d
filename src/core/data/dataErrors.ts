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

/** "file.csv line 12, column "x"" — the prefix every data error starts with. */
export function describeLocation(file: string, where: { line?: number; row?: number; column?: string }): string {
  const parts = [file];
  if (where.line !== undefined) parts.push(`line ${where.line}`);
  else if (where.row !== undefined) parts.push(`row ${where.row}`);
  const head = parts.join(' ');
  return where.column !== undefined ? `${head}, column "${where.column}"` : head;
}
