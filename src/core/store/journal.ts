import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from './crc32';
import { fsyncDirectory } from './snapshot';
import { StoreCorruptError } from './storeErrors';

// File layout: a header, then frames. A frame is
//   u32 magic | u32 payload length | f64 sequence number | u32 crc32(length, seq, payload) | payload
// The magic lets the reader tell a torn tail (nothing valid after it) from damage in the middle
// (a valid frame follows): only the first may be dropped, the second would lose acknowledged data.
// The header is "MLOPSJ02" | f64 base | u32 crc32(base), where base is the last sequence number
// of the snapshot the journal continues: the snapshot keeps it too, so a deleted or older
// snapshot shows even when the journal holds no record. "MLOPSJ01" (8 bytes, no base) is still
// read; its next truncation rewrites it in the new form.
const MAGIC_V1 = Buffer.from('MLOPSJ01', 'latin1');
const MAGIC_V2 = Buffer.from('MLOPSJ02', 'latin1');
export const JOURNAL_HEADER_BYTES = 20;

function encodeHeader(baseSeq: number): Buffer {
  const header = Buffer.alloc(JOURNAL_HEADER_BYTES);
  MAGIC_V2.copy(header, 0);
  header.writeDoubleLE(baseSeq, 8);
  header.writeUInt32LE(crc32(header.subarray(8, 16)), 16);
  return header;
}
const FRAME_MAGIC = 0x4a524543; // "JREC" read as little-endian u32 in a hex dump: 43 45 52 4a
const FRAME_HEADER_BYTES = 20;
const MAX_PAYLOAD_BYTES = 1 << 30;

export interface JournalRecord {
  readonly seq: number;
  readonly payload: Buffer;
  /** byte offset of the frame in the file, for error messages during replay */
  readonly offset: number;
}

export interface JournalReadResult {
  readonly records: JournalRecord[];
  /** human-readable notes about a dropped torn tail (never about acknowledged data) */
  readonly warnings: string[];
  /** length of the valid prefix; the file is truncated to it before appending */
  readonly validLength: number;
}

interface PendingRecord {
  readonly frame: Buffer;
  readonly afterSync: (() => void) | undefined;
  resolve(): void;
  reject(error: unknown): void;
}

function encodeFrame(seq: number, payload: Uint8Array): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeDoubleLE(seq, 8);
  frame.set(payload, FRAME_HEADER_BYTES);
  const crc = crc32(payload, crc32(frame.subarray(4, 16)));
  frame.writeUInt32LE(crc, 16);
  return frame;
}

/** Bytes of a journal, read where they lie: a Buffer in memory, or a file read a window at a time. */
interface ByteSource {
  readonly size: number;
  /** bytes [position, position + length) clipped to the end; valid until the next call */
  bytes(position: number, length: number): Buffer;
}

function bufferSource(bytes: Buffer): ByteSource {
  return { size: bytes.length, bytes: (position, length) => bytes.subarray(position, Math.min(bytes.length, position + length)) };
}

/** Largest single read or write: fs calls take at most 2 GiB - 1 bytes at a time. */
export const MAX_IO_BYTES = 1 << 30;

/**
 * A file read through one reused window, so a journal of any size (past 2 and 4 GiB) is read
 * with memory for one window and the largest frame, never the whole file in one Buffer.
 */
function fileSource(fd: number, size: number, windowBytes: number): ByteSource {
  let window = Buffer.allocUnsafe(0);
  let windowStart = 0;
  let windowLength = 0;
  return {
    size,
    bytes(position, length) {
      const end = Math.min(size, position + length);
      if (position >= windowStart && end <= windowStart + windowLength) return window.subarray(position - windowStart, end - windowStart);
      const want = Math.min(size - position, Math.max(windowBytes, end - position));
      if (window.length < want) window = Buffer.allocUnsafe(want);
      windowStart = position;
      windowLength = readFully(fd, window, want, position);
      return window.subarray(0, Math.min(windowLength, end - position));
    },
  };
}

/** Reads `length` bytes at `position` into `out` in calls of at most MAX_IO_BYTES; returns how many it got. */
export function readFully(fd: number, out: Uint8Array, length: number, position: number): number {
  let read = 0;
  while (read < length) {
    const n = readSync(fd, out, read, Math.min(length - read, MAX_IO_BYTES), position + read);
    if (n === 0) break;
    read += n;
  }
  return read;
}

/** Is there a complete, checksum-valid frame starting at `offset`? */
function frameAt(source: ByteSource, offset: number): { length: number; seq: number } | undefined {
  if (source.size - offset < FRAME_HEADER_BYTES) return undefined;
  const header = source.bytes(offset, FRAME_HEADER_BYTES);
  if (header.readUInt32LE(0) !== FRAME_MAGIC) return undefined;
  const length = header.readUInt32LE(4);
  if (length > MAX_PAYLOAD_BYTES || offset + FRAME_HEADER_BYTES + length > source.size) return undefined;
  const seq = header.readDoubleLE(8);
  const expected = header.readUInt32LE(16);
  const headerCrc = crc32(header.subarray(4, 16));
  const actual = crc32(source.bytes(offset + FRAME_HEADER_BYTES, length), headerCrc);
  if (actual !== expected) return undefined;
  return { length, seq };
}

const SCAN_BYTES = 8 * 1024 * 1024;

function hasValidFrameAfter(source: ByteSource, from: number): boolean {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC, 0);
  // Scanned a slice at a time (overlapping by 3 bytes so a magic split across slices is found).
  for (let start = from; start < source.size; start += SCAN_BYTES - 3) {
    const found: number[] = [];
    const slice = source.bytes(start, SCAN_BYTES);
    for (let at = slice.indexOf(magic); at >= 0; at = slice.indexOf(magic, at + 1)) found.push(start + at);
    for (const at of found) if (frameAt(source, at)) return true;
    if (start + slice.length >= source.size) break;
  }
  return false;
}

export interface JournalScanResult {
  /** human-readable notes about a dropped torn tail (never about acknowledged data) */
  readonly warnings: string[];
  /** length of the valid prefix; the file is truncated to it before appending */
  readonly validLength: number;
  readonly recordCount: number;
  /** sequence number of the first and last valid record (undefined when there are none) */
  readonly firstSeq: number | undefined;
  readonly lastSeq: number | undefined;
  /** last sequence number of the snapshot this journal continues (undefined: an old journal, or none) */
  readonly baseSeq: number | undefined;
}

const JOURNAL_REPAIR_HINT =
  'Nothing was changed. `mlops doctor --repair` sets the journal aside (as journal.log.damaged-<time>) and keeps every record before the damaged one, reporting what is lost; or restore the file from a backup.';

/** File offsets are multiples of this where a write torn by a crash can leave unwritten (zero) bytes. */
const UNWRITTEN_BLOCK_BYTES = 4096;

/**
 * Is the damaged frame at `offset`, with no valid frame after it, a whole record that was changed
 * (not a write cut short)? A crash can leave the last write short, or with blocks never written
 * (zeros from a block boundary to the end); it does not change bytes. So: the frame is whole when
 * its length field matches the bytes left, or when its checksum holds with that length (the length
 * field itself was hit), and its tail is not zeros from a block boundary on.
 */
function isCompleteDamagedFrame(source: ByteSource, offset: number): boolean {
  const left = source.size - offset - FRAME_HEADER_BYTES;
  if (left < 0 || left > MAX_PAYLOAD_BYTES) return false;
  const lastNonZero = lastNonZeroByte(source, offset);
  const zerosFrom = Math.ceil((lastNonZero + 1) / UNWRITTEN_BLOCK_BYTES) * UNWRITTEN_BLOCK_BYTES;
  if (zerosFrom < source.size) return false;
  const header = Buffer.from(source.bytes(offset, FRAME_HEADER_BYTES));
  if (header.readUInt32LE(4) === left) return true;
  header.writeUInt32LE(left, 4);
  return crc32(source.bytes(offset + FRAME_HEADER_BYTES, left), crc32(header.subarray(4, 16))) === header.readUInt32LE(16);
}

/** Position of the last byte from `from` on that is not zero (from - 1 when there is none). */
function lastNonZeroByte(source: ByteSource, from: number): number {
  for (let end = source.size; end > from; end -= SCAN_BYTES) {
    const start = Math.max(from, end - SCAN_BYTES);
    const slice = source.bytes(start, end - start);
    for (let i = slice.length - 1; i >= 0; i--) if (slice[i] !== 0) return start + i;
  }
  return from - 1;
}

/**
 * Walks a journal's frames, handing each to `onRecord` (its payload is valid only during the
 * call). A damaged frame with no valid frame after it is a torn tail: the write never completed,
 * so it was never acknowledged, and it is dropped with a warning. A damaged frame followed by a
 * valid one means acknowledged data would be skipped: that is a StoreCorruptError.
 */
function scanJournal(source: ByteSource, file: string, onRecord: (record: JournalRecord) => void): JournalScanResult {
  const warnings: string[] = [];
  const empty = { warnings, validLength: 0, recordCount: 0, firstSeq: undefined, lastSeq: undefined, baseSeq: undefined };
  if (source.size === 0) return empty;
  const head = source.bytes(0, Math.min(source.size, JOURNAL_HEADER_BYTES));
  const magic = head.subarray(0, MAGIC_V2.length);
  const v1 = magic.length === MAGIC_V1.length && magic.equals(MAGIC_V1);
  const headerBytes = v1 ? MAGIC_V1.length : JOURNAL_HEADER_BYTES;
  if (!v1 && !MAGIC_V2.subarray(0, magic.length).equals(magic)) {
    throw new StoreCorruptError(file, 0, 'the journal header is not recognised (not an MLOps Studio journal, or written by a newer version)');
  }
  if (source.size < headerBytes) {
    // Only a brand-new journal's header write can be cut short (later ones rewrite it in place).
    warnings.push(`${file}: dropped an incomplete journal header (${head.length} bytes)`);
    return empty;
  }
  let baseSeq: number | undefined;
  if (!v1) {
    if (crc32(head.subarray(8, 16)) !== head.readUInt32LE(16)) throw new StoreCorruptError(file, 8, 'the journal header fails its checksum');
    baseSeq = head.readDoubleLE(8);
  }
  let offset = headerBytes;
  let previousSeq = -Infinity;
  let firstSeq: number | undefined;
  let recordCount = 0;
  while (offset < source.size) {
    const frame = frameAt(source, offset);
    if (!frame) {
      if (hasValidFrameAfter(source, offset + 1)) {
        throw new StoreCorruptError(file, offset, 'a journal record fails its checksum but valid records follow it, so dropping it would lose acknowledged writes', JOURNAL_REPAIR_HINT, 'journal-record');
      }
      if (isCompleteDamagedFrame(source, offset)) {
        throw new StoreCorruptError(
          file,
          offset,
          'the last journal record is whole but fails its checksum: it was damaged after it was written (an unfinished write leaves a record short or zero-filled, not changed), and it holds an acknowledged write',
          JOURNAL_REPAIR_HINT,
          'journal-record',
        );
      }
      warnings.push(`${file}: dropped a torn last record at byte offset ${offset} (${source.size - offset} bytes of an unfinished write)`);
      break;
    }
    if (!(frame.seq > previousSeq)) {
      throw new StoreCorruptError(file, offset, `journal sequence numbers go backwards (${frame.seq} after ${previousSeq})`);
    }
    previousSeq = frame.seq;
    firstSeq ??= frame.seq;
    recordCount++;
    onRecord({ seq: frame.seq, payload: source.bytes(offset + FRAME_HEADER_BYTES, frame.length), offset });
    offset += FRAME_HEADER_BYTES + frame.length;
  }
  return { warnings, validLength: offset, recordCount, firstSeq, lastSeq: firstSeq === undefined ? undefined : previousSeq, baseSeq };
}

/** Parses a journal image held in memory (records' payloads point into `bytes`). */
export function parseJournal(bytes: Buffer, file: string): JournalReadResult {
  const records: JournalRecord[] = [];
  const result = scanJournal(bufferSource(bytes), file, (record) => records.push(record));
  return { records, warnings: result.warnings, validLength: result.validLength };
}

/**
 * Streams a journal file's records to `onRecord` (payload valid only during the call), reading a
 * window at a time; a missing file is an empty journal. `windowBytes` is for tests.
 */
export function scanJournalFile(path: string, onRecord: (record: JournalRecord) => void, windowBytes = SCAN_BYTES): JournalScanResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { warnings: [], validLength: 0, recordCount: 0, firstSeq: undefined, lastSeq: undefined, baseSeq: undefined };
    throw error;
  }
  try {
    return scanJournal(fileSource(fd, fstatSync(fd).size, windowBytes), path, onRecord);
  } finally {
    closeSync(fd);
  }
}

/** Reads a whole journal file into records with payloads of their own (tests and tools; the store streams). */
export function readJournalFile(path: string, windowBytes = SCAN_BYTES): JournalReadResult {
  const records: JournalRecord[] = [];
  const result = scanJournalFile(path, (record) => records.push({ ...record, payload: Buffer.from(record.payload) }), windowBytes);
  return { records, warnings: result.warnings, validLength: result.validLength };
}

/**
 * The append-only journal with group commit: every append made while a flush is being scheduled
 * or in flight joins the next group, and a whole group shares one write and one fsync. A record's
 * promise resolves only after its group is on disk, so "acknowledged" always means "durable".
 */
export class Journal {
  private pending: PendingRecord[] = [];
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failure: unknown;
  private idleWaiters: (() => void)[] = [];
  private barriers: { run: () => void; resolve: () => void; reject: (error: unknown) => void }[] = [];
  /** bytes of records waiting for the next group */
  private pendingBytes = 0;
  private syncs = 0;
  /** bytes in the file, including those of the flush in flight */
  private length: number;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
    length: number,
    /** writes are durable when they return (O_DSYNC): one thread-pool round trip, not two */
    private readonly writesAreSynchronous: boolean,
  ) {
    this.length = length;
  }

  /** Opens for appending; `validLength` from readJournalFile drops a torn tail before the first append. */
  static async open(path: string, validLength: number, baseSeq = 0): Promise<Journal> {
    // O_DSYNC makes each write return only once its data is on disk, as write + fdatasync would,
    // in one system call; where the platform has no such flag, appends fdatasync after writing.
    const dsync = typeof constants.O_DSYNC === 'number' && process.platform !== 'win32' ? constants.O_DSYNC : 0;
    const handle = await open(path, 'a+').then(async (h) => {
      await h.close();
      return open(path, constants.O_RDWR | dsync);
    });
    const size = (await handle.stat()).size;
    let length = validLength;
    if (size !== validLength) await handle.truncate(validLength);
    // Empty, or an old-style header with no record: start it in the current form.
    const fresh = length < JOURNAL_HEADER_BYTES;
    if (fresh) {
      // Written over the old header before cutting the file, so a crash never leaves it empty.
      const header = encodeHeader(baseSeq);
      await handle.write(header, 0, header.length, 0);
      await handle.truncate(JOURNAL_HEADER_BYTES);
      length = JOURNAL_HEADER_BYTES;
    }
    await handle.sync();
    // A new journal's directory entry must be durable before the first write is acknowledged.
    if (fresh) fsyncDirectory(dirname(path));
    return new Journal(path, handle, length, dsync !== 0);
  }

  get byteLength(): number {
    return this.length + this.pendingBytes;
  }

  /** fsyncs so far: with group commit, far fewer than records */
  get syncCount(): number {
    return this.syncs;
  }

  get busy(): boolean {
    return this.pending.length > 0 || this.flushing !== undefined || this.scheduled;
  }

  /** The error that stopped the journal, if any. */
  get failed(): unknown {
    return this.failure;
  }

  /**
   * Appends a record; resolves once it is durable. `afterSync` runs right after the fsync, in
   * record order, before the promise resolves (the store writes series files there, so a series
   * file never holds bytes whose journal record could still be lost).
   */
  append(seq: number, payload: Uint8Array, afterSync?: () => void): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise<void>((resolve, reject) => {
      const frame = encodeFrame(seq, payload);
      this.pending.push({ frame, afterSync, resolve, reject });
      this.pendingBytes += frame.length;
      if (!this.scheduled && this.flushing === undefined) {
        this.scheduled = true;
        // setImmediate, not a microtask: every write made in this turn of the event loop joins.
        setImmediate(() => {
          this.scheduled = false;
          this.startFlush();
        });
      }
    });
  }

  /** Resolves when nothing is pending or in flight. */
  drain(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Runs `run` synchronously at a moment when no write is in flight: right away if the journal is
   * between groups, else as soon as the current group is durable and before the next one starts.
   * Records still waiting for their group may exist at that moment (the checkpoint handles them).
   * Writers never have to stop for it, so a busy store still gets its checkpoints.
   */
  barrier(run: () => void): Promise<void> {
    if (this.flushing === undefined) {
      try {
        run();
        return Promise.resolve();
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => this.barriers.push({ run, resolve, reject }));
  }

  private runBarriers(): void {
    const barriers = this.barriers;
    this.barriers = [];
    for (const b of barriers) {
      try {
        b.run();
        b.resolve();
      } catch (error) {
        b.reject(error);
      }
    }
  }

  private startFlush(): void {
    if (this.flushing !== undefined) return;
    this.runBarriers();
    if (this.pending.length === 0) {
      this.notifyIdle();
      return;
    }
    const group = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    this.flushing = this.flushGroup(group).finally(() => {
      this.flushing = undefined;
      this.startFlush();
    });
  }

  private async flushGroup(group: PendingRecord[]): Promise<void> {
    if (this.failure !== undefined) {
      for (const record of group) record.reject(this.failure);
      return;
    }
    const bytes = group.length === 1 ? (group[0] as PendingRecord).frame : Buffer.concat(group.map((r) => r.frame));
    try {
      let written = 0;
      while (written < bytes.length) {
        const { bytesWritten } = await this.handle.write(bytes, written, Math.min(bytes.length - written, MAX_IO_BYTES), this.length + written);
        written += bytesWritten;
      }
      if (!this.writesAreSynchronous) await this.handle.datasync();
      this.syncs++;
      this.length += bytes.length;
    } catch (error) {
      this.failure = error;
      for (const record of group) record.reject(error);
      return;
    }
    for (const record of group) {
      try {
        record.afterSync?.();
        record.resolve();
      } catch (error) {
        this.failure ??= error;
        record.reject(error);
      }
    }
  }

  private notifyIdle(): void {
    if (this.busy) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const w of waiters) w();
  }

  /**
   * Empties the journal after a snapshot (whose last sequence number is `baseSeq`) made it
   * redundant. Only from a barrier: no write may be in flight (it would land past the new end).
   * Records still pending are written after it.
   */
  truncateSync(baseSeq: number): void {
    if (this.flushing !== undefined) throw new Error('journal: truncate while a write is in flight');
    const fd = this.handle.fd;
    const header = encodeHeader(baseSeq);
    ftruncateSync(fd, JOURNAL_HEADER_BYTES);
    writeSync(fd, header, 0, header.length, 0);
    fsyncSync(fd);
    this.length = JOURNAL_HEADER_BYTES;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle.close();
  }
}
