import { closeSync, constants, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { crc32 } from './crc32';
import { fsyncDirectory } from './snapshot';
import { StoreCorruptError } from './storeErrors';

// File layout: an 8-byte header, then frames. A frame is
//   u32 magic | u32 payload length | f64 sequence number | u32 crc32(length, seq, payload) | payload
// The magic lets the reader tell a torn tail (nothing valid after it) from damage in the middle
// (a valid frame follows): only the first may be dropped, the second would lose acknowledged data.
const FILE_HEADER = Buffer.from('MLOPSJ01', 'latin1');
export const JOURNAL_HEADER_BYTES = FILE_HEADER.length;
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

/** Is there a complete, checksum-valid frame starting at `offset`? */
function frameAt(bytes: Buffer, offset: number): { length: number; seq: number } | undefined {
  if (bytes.length - offset < FRAME_HEADER_BYTES) return undefined;
  if (bytes.readUInt32LE(offset) !== FRAME_MAGIC) return undefined;
  const length = bytes.readUInt32LE(offset + 4);
  if (length > MAX_PAYLOAD_BYTES || offset + FRAME_HEADER_BYTES + length > bytes.length) return undefined;
  const seq = bytes.readDoubleLE(offset + 8);
  const expected = bytes.readUInt32LE(offset + 16);
  const actual = crc32(bytes.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + length), crc32(bytes.subarray(offset + 4, offset + 16)));
  if (actual !== expected) return undefined;
  return { length, seq };
}

function hasValidFrameAfter(bytes: Buffer, from: number): boolean {
  const magic = Buffer.alloc(4);
  magic.writeUInt32LE(FRAME_MAGIC, 0);
  let at = bytes.indexOf(magic, from);
  while (at >= 0) {
    if (frameAt(bytes, at)) return true;
    at = bytes.indexOf(magic, at + 1);
  }
  return false;
}

/**
 * Parses a journal image. A damaged frame with no valid frame after it is a torn tail: the write
 * never completed, so it was never acknowledged, and it is dropped with a warning. A damaged frame
 * followed by a valid one means acknowledged data would be skipped: that is a StoreCorruptError.
 */
export function parseJournal(bytes: Buffer, file: string): JournalReadResult {
  const warnings: string[] = [];
  if (bytes.length === 0) return { records: [], warnings, validLength: 0 };
  if (bytes.length < JOURNAL_HEADER_BYTES) {
    if (FILE_HEADER.subarray(0, bytes.length).equals(bytes)) {
      warnings.push(`${file}: dropped an incomplete journal header (${bytes.length} bytes)`);
      return { records: [], warnings, validLength: 0 };
    }
    throw new StoreCorruptError(file, 0, 'the journal header is not recognised');
  }
  if (!bytes.subarray(0, JOURNAL_HEADER_BYTES).equals(FILE_HEADER)) {
    throw new StoreCorruptError(file, 0, 'the journal header is not recognised (not an MLOps Studio journal, or written by a newer version)');
  }
  const records: JournalRecord[] = [];
  let offset = JOURNAL_HEADER_BYTES;
  let previousSeq = -Infinity;
  while (offset < bytes.length) {
    const frame = frameAt(bytes, offset);
    if (!frame) {
      if (hasValidFrameAfter(bytes, offset + 1)) {
        throw new StoreCorruptError(file, offset, 'a journal record fails its checksum but valid records follow it, so dropping it would lose acknowledged writes');
      }
      warnings.push(`${file}: dropped a torn last record at byte offset ${offset} (${bytes.length - offset} bytes of an unfinished write)`);
      break;
    }
    if (!(frame.seq > previousSeq)) {
      throw new StoreCorruptError(file, offset, `journal sequence numbers go backwards (${frame.seq} after ${previousSeq})`);
    }
    previousSeq = frame.seq;
    records.push({ seq: frame.seq, payload: bytes.subarray(offset + FRAME_HEADER_BYTES, offset + FRAME_HEADER_BYTES + frame.length), offset });
    offset += FRAME_HEADER_BYTES + frame.length;
  }
  return { records, warnings, validLength: offset };
}

/** Reads a journal file from disk (a missing or empty file is an empty journal). */
export function readJournalFile(path: string): JournalReadResult {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], warnings: [], validLength: 0 };
    throw error;
  }
  try {
    const size = fstatSync(fd).size;
    const bytes = Buffer.allocUnsafe(size);
    let read = 0;
    while (read < size) {
      const n = readSync(fd, bytes, read, size - read, read);
      if (n === 0) break;
      read += n;
    }
    return parseJournal(bytes.subarray(0, read), path);
  } finally {
    closeSync(fd);
  }
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
  static async open(path: string, validLength: number): Promise<Journal> {
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
    const fresh = length < JOURNAL_HEADER_BYTES;
    if (fresh) {
      await handle.truncate(0);
      await handle.write(FILE_HEADER, 0, FILE_HEADER.length, 0);
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
        const { bytesWritten } = await this.handle.write(bytes, written, bytes.length - written, this.length + written);
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
   * Empties the journal after a snapshot made it redundant. Only from a barrier: no write may be in
   * flight (it would land past the new end). Records still pending are written after it.
   */
  truncateSync(): void {
    if (this.flushing !== undefined) throw new Error('journal: truncate while a write is in flight');
    const fd = this.handle.fd;
    ftruncateSync(fd, JOURNAL_HEADER_BYTES);
    writeSync(fd, FILE_HEADER, 0, FILE_HEADER.length, 0);
    fsyncSync(fd);
    this.length = JOURNAL_HEADER_BYTES;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.handle.close();
  }
}
