import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { csvDelimiter, parseCsv, type ReadOptions } from './csvReader';
import { DataError, missingFileMessage } from './dataErrors';
import type { DataTable } from './dataTable';
import { parseParquet } from './parquetReader';
import { statRegularFile } from './regularFile';
import { decodeDataText } from './textDecoding';

/** sha256 of a dataset's bytes, as "sha256:<hex>", so a run records exactly which data it saw. */
export function datasetDigest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Reads a CSV/TSV or Parquet file into typed columns; every problem is a DataError naming where it is. */
export async function readTable(path: string, options: ReadOptions = {}): Promise<DataTable> {
  const display = options.displayName ?? path;
  await statRegularFile(path, display);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? missingFileMessage(display, path) : `${display} cannot be read: ${(error as Error).message}`, display);
  }
  const digest = datasetDigest(bytes);
  const extension = extname(path).toLowerCase();
  if (extension === '.parquet' || extension === '.pq') return parseParquet(bytes, digest, path, options);
  if (bytes.length === 0) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
  return parseCsv(decodeDataText(bytes, display, csvDelimiter(path), options), digest, path, options);
}
