import type { Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import { DataError, missingFileMessage } from './dataErrors';

/**
 * Refuses a data path that is not a regular file, before anything opens it: opening a FIFO for
 * reading blocks until a writer appears (a `mlops train` would hang while holding the store's
 * lock), and a directory or a device is never a table. Resolves with the file's stats.
 */
export async function statRegularFile(path: string, display: string): Promise<Stats> {
  let stats: Stats;
  try {
    stats = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? missingFileMessage(display, path) : `${display} cannot be read: ${(error as Error).message}`, display);
  }
  if (!stats.isFile()) throw new DataError(`${display} is ${describeFileKind(stats)}, not a regular file — give the path of a CSV, TSV or Parquet file`, display);
  return stats;
}

/** What a path that is not a regular file is, in words ("a named pipe (FIFO)"). */
export function describeFileKind(stats: Stats): string {
  if (stats.isDirectory()) return 'a directory';
  if (stats.isFIFO()) return 'a named pipe (FIFO)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a file';
}
