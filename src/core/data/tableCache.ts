/**
 * Prepared tables: a CSV read once is kept as its typed columns under the store
 * (`.mlops/cache/tables/<digest>/<variant>.columns`), so reading the same bytes again costs a
 * file copy instead of a parse. A per-path record (size, mtime, ctime, inode → digest) spares
 * hashing an unchanged file; a file changed since is read, hashed and parsed again.
 */
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { mkdir, open, readFile, rename, rm, utimes } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { ColumnKind, DataColumn } from './dataTable';

/** Where a store keeps prepared tables. */
export function tableCacheFolder(storeDir: string): string {
  return join(storeDir, 'cache', 'tables');
}

/** The files' own folder of path records (the other entries are digests). */
export const PATH_RECORDS = 'paths';

/**
 * A file modified within this long of when it was read may have changed again in the same
 * timestamp tick (Linux file times advance by the scheduler tick): its record is checked by digest.
 */
const RACY_MS = 2000;

const MAGIC = Buffer.from('MLOPSTB1');

/** What a cached table holds: the columns and the line of each row (for messages). */
export interface CachedColumns {
  readonly rowCount: number;
  readonly columns: readonly DataColumn[];
  readonly rowLines: Int32Array;
}

interface PathRecord {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly digest: string;
  readonly recordedAt: number;
}

interface ColumnHeader {
  readonly name: string;
  readonly kind: ColumnKind;
  readonly missing: number;
  readonly categories?: readonly string[];
}

/** What changes the columns read from the same bytes: the format, delimiter, encoding and declared kinds. */
export function tableVariant(delimiter: number, encoding: string, columnKinds: Readonly<Record<string, ColumnKind>> | undefined): string {
  const kinds = Object.entries(columnKinds ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha1').update(JSON.stringify([1, delimiter, encoding, kinds])).digest('hex').slice(0, 16);
}

export class TableCache {
  constructor(readonly folder: string) {}

  /**
   * The digest recorded for this file when it is unchanged since (same size, times and inode);
   * `trusted` is false when it was read within the same timestamp tick as a change could be.
   */
  async recordedDigest(path: string, stats: Stats): Promise<{ digest: string; trusted: boolean } | undefined> {
    let record: PathRecord;
    try {
      record = JSON.parse(await readFile(this.recordPath(path), 'utf8')) as PathRecord;
    } catch {
      return undefined;
    }
    if (record.size !== stats.size || record.mtimeMs !== stats.mtimeMs || record.ctimeMs !== stats.ctimeMs || record.ino !== stats.ino) return undefined;
    return { digest: record.digest, trusted: record.recordedAt - Math.max(stats.mtimeMs, stats.ctimeMs) > RACY_MS };
  }

  /** Records the digest of the file as it is now (its stats from before it was read). */
  async recordDigest(path: string, stats: Stats, digest: string): Promise<void> {
    const record: PathRecord = { size: stats.size, mtimeMs: stats.mtimeMs, ctimeMs: stats.ctimeMs, ino: stats.ino, digest, recordedAt: Date.now() };
    await writeAtomically(this.recordPath(path), [Buffer.from(JSON.stringify(record))]);
  }

  /** The prepared columns of these bytes read this way, or undefined (never cached, or unreadable: then read the file). */
  async load(digest: string, variant: string): Promise<CachedColumns | undefined> {
    const path = this.columnsPath(digest, variant);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      return undefined;
    }
    try {
      const columns = decodeColumns(bytes);
      // used now: `mlops gc` removes tables unused for its grace period
      const now = new Date();
      await utimes(path, now, now).catch(() => undefined);
      return columns;
    } catch {
      await rm(path, { force: true }).catch(() => undefined);
      return undefined;
    }
  }

  async save(digest: string, variant: string, table: CachedColumns): Promise<void> {
    await writeAtomically(this.columnsPath(digest, variant), encodeColumns(table));
  }

  private columnsPath(digest: string, variant: string): string {
    return join(this.folder, digest.replace(/^sha256:/, ''), `${variant}.columns`);
  }

  private recordPath(path: string): string {
    return join(this.folder, PATH_RECORDS, `${createHash('sha1').update(resolve(path)).digest('hex')}.json`);
  }
}

async function writeAtomically(path: string, parts: readonly Uint8Array[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writev(parts as Uint8Array[]);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

function padTo8(n: number): number {
  return (8 - (n % 8)) % 8;
}

/** MAGIC, u32 header length, u32 0, header JSON, then the row lines and each column's array, each 8-byte aligned. */
function encodeColumns(table: CachedColumns): Uint8Array[] {
  const headers: ColumnHeader[] = table.columns.map((c) => ({ name: c.name, kind: c.kind, missing: c.missing, ...(c.kind === 'categorical' ? { categories: c.categories } : {}) }));
  const json = Buffer.from(JSON.stringify({ rowCount: table.rowCount, columns: headers }));
  const lengths = Buffer.alloc(8);
  lengths.writeUInt32LE(json.length, 0);
  const parts: Uint8Array[] = [MAGIC, lengths, json, Buffer.alloc(padTo8(json.length))];
  const arrays: (Int32Array | Float64Array)[] = [table.rowLines, ...table.columns.map((c) => (c.kind === 'numeric' ? c.values : c.codes))];
  for (const array of arrays) {
    parts.push(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    parts.push(Buffer.alloc(padTo8(array.byteLength)));
  }
  return parts;
}

function decodeColumns(bytes: Buffer): CachedColumns {
  if (bytes.length < 16 || !bytes.subarray(0, 8).equals(MAGIC)) throw new Error('not a prepared table');
  const jsonLength = bytes.readUInt32LE(8);
  const header = JSON.parse(bytes.toString('utf8', 16, 16 + jsonLength)) as { rowCount: number; columns: ColumnHeader[] };
  let offset = 16 + jsonLength + padTo8(jsonLength);
  const rowCount = header.rowCount;
  // copies: a column may be transferred to another thread on its own
  const take = <T extends Int32Array | Float64Array>(Type: { new (b: ArrayBuffer): T; BYTES_PER_ELEMENT: number }): T => {
    const length = rowCount * Type.BYTES_PER_ELEMENT;
    if (offset + length > bytes.length) throw new Error('a prepared table is cut short');
    const array = new Type(bytes.buffer.slice(bytes.byteOffset + offset, bytes.byteOffset + offset + length) as ArrayBuffer);
    offset += length + padTo8(length);
    return array;
  };
  const rowLines = take(Int32Array);
  const columns: DataColumn[] = header.columns.map((c) =>
    c.kind === 'numeric' ? { kind: 'numeric', name: c.name, values: take(Float64Array), missing: c.missing } : { kind: 'categorical', name: c.name, codes: take(Int32Array), categories: c.categories ?? [], missing: c.missing },
  );
  return { rowCount, columns, rowLines };
}
