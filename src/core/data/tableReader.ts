import { createHash, webcrypto } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { csvDelimiterByte } from '../profile/csvScanner';
import { readCsvBytes, type ReadOptions } from './csvReader';
import { DataError, missingFileMessage } from './dataErrors';
import type { DataTable } from './dataTable';
import { parseParquet } from './parquetReader';
import { statRegularFile } from './regularFile';
import { TableCache, tableVariant, type CachedColumns } from './tableCache';
import { checkUtf8 } from './textDecoding';

/** sha256 of a dataset's bytes, as "sha256:<hex>", so a run records exactly which data it saw. */
export function datasetDigest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** datasetDigest on the thread pool, so the bytes are hashed while this thread parses them. */
async function digestBeside(bytes: Uint8Array): Promise<string> {
  return `sha256:${Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex')}`;
}

/**
 * Reads a CSV/TSV or Parquet file into typed columns; every problem is a DataError naming where it
 * is. With `cacheFolder`, a CSV whose bytes were read before loads from the store's prepared tables.
 */
export async function readTable(path: string, options: ReadOptions = {}): Promise<DataTable> {
  const display = options.displayName ?? path;
  const stats = await statRegularFile(path, display);
  const extension = extname(path).toLowerCase();
  const parquet = extension === '.parquet' || extension === '.pq';
  const cache = options.cacheFolder && !parquet ? new TableCache(options.cacheFolder) : undefined;
  const variant = tableVariant(csvDelimiterByte(path), options.encoding ?? 'utf-8', options.columnKinds);
  const recorded = cache ? await cache.recordedDigest(path, stats) : undefined;
  if (cache && recorded?.trusted) {
    const cached = await cache.load(recorded.digest, variant);
    if (cached) return fromCache(cached, recorded.digest, display);
  }
  const bytes = await readBytes(path, display);
  if (parquet) return parseParquet(bytes, datasetDigest(bytes), path, options);
  if (bytes.length === 0) throw new DataError(`${display} is empty: it has no header line and no rows`, display);
  if (cache && recorded) {
    // recorded within a timestamp tick of a change: the bytes decide
    const digest = await digestBeside(bytes);
    if (digest === recorded.digest) {
      const cached = await cache.load(digest, variant);
      if (cached) {
        await cache.recordDigest(path, stats, digest).catch(() => undefined);
        return fromCache(cached, digest, display);
      }
    }
  }
  if ((options.encoding ?? 'utf-8') === 'utf-8') checkUtf8(bytes, display, options.encodingHint ?? '', path);
  const digesting = digestBeside(bytes);
  digesting.catch(() => undefined);
  const read = await readCsvBytes(bytes, path, options);
  const digest = await digesting;
  if (cache) {
    // a cache that cannot be written (read-only store, full disk) only costs the next read its parse
    await cache.save(digest, variant, read).then(() => cache.recordDigest(path, stats, digest), () => undefined).catch(() => undefined);
  }
  return { file: read.file, format: 'csv', rowCount: read.rowCount, columns: read.columns, digest, readFrom: 'file', locate: read.locate };
}

async function readBytes(path: string, display: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? missingFileMessage(display, path) : `${display} cannot be read: ${(error as Error).message}`, display);
  }
}

function fromCache(cached: CachedColumns, digest: string, display: string): DataTable {
  const lines = cached.rowLines;
  return { file: display, format: 'csv', rowCount: cached.rowCount, columns: cached.columns, digest, readFrom: 'cache', locate: (index) => ({ line: lines[index] }) };
}
