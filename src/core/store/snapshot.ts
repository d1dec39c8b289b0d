import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
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

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
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

/** Reads and checks a snapshot; undefined when there is none yet. */
export function readSnapshot(path: string): Uint8Array | undefined {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  if (bytes.length < HEADER_BYTES || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new StoreCorruptError(path, 0, 'the snapshot header is missing or not recognised');
  }
  const expectedLength = bytes.readDoubleLE(16);
  const image = bytes.subarray(HEADER_BYTES);
  if (image.length !== expectedLength) {
    throw new StoreCorruptError(path, Math.min(bytes.length, HEADER_BYTES + expectedLength), `the snapshot is ${image.length < expectedLength ? 'truncated' : 'too long'} (${image.length} of ${expectedLength} bytes)`);
  }
  if (crc32(image) !== bytes.readUInt32LE(8)) {
    throw new StoreCorruptError(path, HEADER_BYTES, 'the snapshot fails its checksum');
  }
  return image;
}
