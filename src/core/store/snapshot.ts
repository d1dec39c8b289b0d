import { closeSync, fstatSync, fsyncSync, openSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { crc32 } from './crc32';
import { StoreCorruptError } from './storeErrors';

// A snapshot is the sqlite image behind a 24-byte header: magic, crc32 of the image, reserved,
// image length (f64). The checksum turns a damaged or truncated snapshot into a clear error
// instead of whatever sql.js would make of it later.
const MAGIC = Buffer.from('MLOPSS01', 'latin1');
const HEADER_BYTES = 24;

/** fsync a directory so that a rename or a new file in it survives a power cut. */
export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (error) {
    // Some file systems (and Windows) refuse to open or fsync a directory; rename is still atomic.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** fs calls take at most 2 GiB - 1 bytes at a time; images may be larger. */
const IO_CHUNK_BYTES = 1 << 30;

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, Math.min(bytes.length - written, IO_CHUNK_BYTES));
}

function readAll(fd: number, out: Uint8Array, position: number): number {
  let read = 0;
  while (read < out.length) {
    const n = readSync(fd, out, read, Math.min(out.length - read, IO_CHUNK_BYTES), position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}

/**
 * Writes a snapshot atomically: temp file in the same folder, fsync, rename over the old one,
 * fsync the folder. A crash at any point leaves either the old or the new snapshot, whole.
 */
export function writeSnapshot(path: string, image: Uint8Array): void {
  const header = Buffer.alloc(HEADER_BYTES);
  MAGIC.copy(header, 0);
  header.writeUInt32LE(crc32(image), 8);
  header.writeDoubleLE(image.length, 16);
  const temp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}`);
  const fd = openSync(temp, 'w');
  try {
    writeAll(fd, header);
    writeAll(fd, image);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    try {
      unlinkSync(temp);
    } catch {
      /* best effort */
    }
    throw error;
  }
  closeSync(fd);
  renameSync(temp, path);
  fsyncDirectory(dirname(path));
}

/**
 * Reads and checks a snapshot; undefined when there is none yet. Read in chunks into one array
 * (readFileSync refuses files past 2 GiB).
 */
export function readSnapshot(path: string): Uint8Array | undefined {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const header = Buffer.alloc(HEADER_BYTES);
    const headerRead = readAll(fd, header, 0);
    if (headerRead < HEADER_BYTES || !header.subarray(0, MAGIC.length).equals(MAGIC)) {
      throw new StoreCorruptError(path, 0, 'the snapshot header is missing or not recognised');
    }
    const expectedLength = header.readDoubleLE(16);
    const actualLength = size - HEADER_BYTES;
    if (actualLength !== expectedLength) {
      throw new StoreCorruptError(path, Math.min(size, HEADER_BYTES + expectedLength), `the snapshot is ${actualLength < expectedLength ? 'truncated' : 'too long'} (${actualLength} of ${expectedLength} bytes)`);
    }
    const image = new Uint8Array(actualLength);
    const read = readAll(fd, image, HEADER_BYTES);
    if (read !== actualLength) throw new StoreCorruptError(path, HEADER_BYTES + read, `the snapshot is truncated (${read} of ${expectedLength} bytes)`);
    if (crc32(image) !== header.readUInt32LE(8)) {
      throw new StoreCorruptError(path, HEADER_BYTES, 'the snapshot fails its checksum');
    }
    return image;
  } finally {
    closeSync(fd);
  }
}
