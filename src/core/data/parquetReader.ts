import { DataError, describeLocation, quoteValue } from './dataErrors';
import { categoricalFromStrings, type ColumnKind, type DataColumn, type DataTable } from './dataTable';
import type { ReadOptions } from './csvReader';

/** Reads Parquet bytes into typed columns. Parquet carries types, so only NaN/Infinity and declared-kind clashes are errors. */
export async function parseParquet(bytes: Uint8Array, digest: string, file: string, options: ReadOptions = {}): Promise<DataTable> {
  const display = options.displayName ?? file;
  // hyparquet is an ES module; a dynamic import keeps it out of anything that never reads Parquet.
  const { parquetMetadata, parquetSchema, parquetReadObjects } = await import('hyparquet');
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  let names: string[];
  let rows: Record<string, unknown>[];
  try {
    const metadata = parquetMetadata(buffer);
    names = parquetSchema(metadata).children.map((c) => c.element.name);
    rows = await parquetReadObjects({ file: buffer, metadata });
  } catch (error) {
    throw new DataError(`${display} is not a readable Parquet file: ${error instanceof Error ? error.message : String(error)}`, display);
  }
  if (names.length === 0) throw new DataError(`${display} is empty: it has no columns`, display);
  if (rows.length === 0) throw new DataError(`${display} has no rows`, display);
  const columns = names.map((name) => typeColumn(name, rows, options.columnKinds?.[name], display));
  return { file: display, format: 'parquet', rowCount: rows.length, columns, digest, locate: (index) => ({ row: index + 1 }) };
}

function typeColumn(name: string, rows: readonly Record<string, unknown>[], declared: ColumnKind | undefined, file: string): DataColumn {
  const cells = rows.map((r) => r[name]);
  const numericLike = cells.every((c) => c === null || c === undefined || typeof c === 'number' || typeof c === 'bigint');
  if (!numericLike || declared === 'categorical') {
    if (declared === 'numeric') {
      const bad = cells.findIndex((c) => c !== null && c !== undefined && typeof c !== 'number' && typeof c !== 'bigint');
      const value = String(cells[bad]);
      throw new DataError(`${describeLocation(file, { row: bad + 1, column: name })}: the column stores text (${quoteValue(value)}), but the spec declares column ${quoteValue(name)} numeric`, file, {
        row: bad + 1,
        column: name,
        value,
      });
    }
    return categoricalFromStrings(name, cells.map((c) => (c === null || c === undefined ? null : c instanceof Date ? c.toISOString() : String(c))));
  }
  const values = new Float64Array(cells.length);
  let missing = 0;
  for (let i = 0; i < cells.length; i++) {
    const cell = cells[i];
    if (cell === null || cell === undefined) {
      values[i] = NaN;
      missing++;
      continue;
    }
    const value = Number(cell);
    if (!Number.isFinite(value)) {
      throw new DataError(`${describeLocation(file, { row: i + 1, column: name })}: ${String(value)} is not allowed in a numeric column — store a null for a missing value`, file, {
        row: i + 1,
        column: name,
        value: String(value),
      });
    }
    values[i] = value;
  }
  return { kind: 'numeric', name, values, missing };
}
