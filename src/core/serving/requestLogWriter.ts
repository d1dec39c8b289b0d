import { closeSync, fstatSync, openSync } from 'node:fs';
import { mkdir, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { listSegments, segmentFileName, type RequestLogRetention, type SegmentFile } from './requestLogFiles';
import { SEGMENT_HEADER_BYTES, SEGMENT_MAGIC } from './requestLogFormat';
import type { SegmentFrames, SegmentIndex } from './requestLogIndex';

/** One encoded entry waiting for its batch. */
export interface PendingFrame {
  readonly frame: Buffer;
  readonly time: number;
  /** input rows it counts towards "rows answered" (status 200 with inputs), else 0 */
  readonly answeredRows: number;
}

export interface SegmentWriterSettings {
  readonly retention: RequestLogRetention;
  readonly now: () => number;
  /** a segment is closed once it holds this many bytes (default 8 MiB) */
  readonly segmentBytes: number;
}

interface ActiveSegment {
  readonly file: SegmentFile;
  readonly handle: FileHandle;
  length: number;
  entries: number;
  answeredRows: number;
  lastTime: number;
}

const DAY_MS = 86_400_000;
const SEGMENT_MAX_AGE_MS = 3_600_000;
/** retention is looked at after every batch that closes a segment, and at least this often */
const RETENTION_CHECK_MS = 60_000;
/** largest single write (a batch is written in pieces of at most this) */
const WRITE_PIECE_BYTES = 64 * 1024 * 1024;

/**
 * Appends one endpoint's request log to its segments: entries that arrive while a batch is
 * being written make the next batch (one write and one fdatasync each, off the event loop), a
 * segment is closed when it is big, full or old, and retention drops whole old segments.
 */
export class SegmentWriter {
  private pending: PendingFrame[] = [];
  private running: Promise<void> | undefined;
  private active: ActiveSegment | undefined;
  private segments: SegmentFile[] = [];
  /** last entry time of segments closed by this writer (others: bounded by the next one's start) */
  private readonly closedLastTime = new Map<string, number>();
  private retentionDue = true;
  private lastRetentionCheck = 0;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly folder: string,
    private readonly index: SegmentIndex,
    private readonly settings: () => SegmentWriterSettings,
    private readonly onError: (error: unknown) => void,
    /** the previous writer of this folder, still closing: nothing is written before it is done */
    private readonly after?: Promise<void>,
  ) {
    // An endpoint with no traffic still loses its old days.
    this.timer = setInterval(() => this.checkRetentionSoon(), 10 * 60_000);
    this.timer.unref();
  }

  push(frames: readonly PendingFrame[]): void {
    if (this.closed || frames.length === 0) return;
    for (const frame of frames) this.pending.push(frame);
    this.schedule();
  }

  /** Retention changed (or time passed): apply it with the next batch, or now when idle. */
  checkRetentionSoon(): void {
    if (this.closed) return;
    this.retentionDue = true;
    this.schedule();
  }

  /** Resolves once everything pushed so far is on disk. */
  async flushed(): Promise<void> {
    while (this.running) await this.running;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    await this.flushed();
    const active = this.active;
    this.active = undefined;
    await active?.handle.close();
  }

  private schedule(): void {
    if (this.running) return;
    this.running = this.run().finally(() => {
      this.running = undefined;
      if (this.pending.length > 0) this.schedule();
    });
  }

  private async run(): Promise<void> {
    if (this.after) await this.after.catch(() => undefined);
    // Entries arriving in this turn of the event loop join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.pending.length > 0 || this.retentionDue) {
      const batch = this.pending;
      this.pending = [];
      try {
        const active = this.active ?? (await this.openActive());
        if (batch.length > 0) {
          if (this.closeDue(active)) await this.startNext(active);
          await this.write(batch);
        }
        await this.applyRetention();
      } catch (error) {
        // Serving outlives a full disk: the batch is lost, the next one opens the segment again.
        this.retentionDue = false;
        const active = this.active;
        this.active = undefined;
        await active?.handle.close().catch(() => undefined);
        this.onError(error);
        return;
      }
    }
  }

  private async openActive(): Promise<ActiveSegment> {
    await mkdir(this.folder, { recursive: true });
    this.segments = listSegments(this.folder);
    const last = this.segments[this.segments.length - 1];
    if (!last) {
      await syncDirectory(dirname(this.folder));
      return this.create(0, 0);
    }
    const path = join(this.folder, last.name);
    // The newest segment may end in a write a crash cut short: counted and cut off here.
    const fd = openSync(path, 'r');
    let found: SegmentFrames;
    let size: number;
    try {
      size = fstatSync(fd).size;
      found = this.index.read(path, fd);
    } finally {
      closeSync(fd);
    }
    const handle = await open(path, 'r+');
    try {
      if (size < SEGMENT_HEADER_BYTES) {
        // created, but its header never reached the disk
        await handle.write(SEGMENT_MAGIC, 0, SEGMENT_HEADER_BYTES, 0);
      }
      const validEnd = Math.max(SEGMENT_HEADER_BYTES, found.validEnd);
      if (size > validEnd) await handle.truncate(validEnd);
      if (size !== validEnd) await handle.datasync();
      this.active = { file: last, handle, length: validEnd, entries: found.frames.length, answeredRows: found.answeredRows, lastTime: Math.max(last.created, found.lastTime) };
      this.retentionDue = true;
      return this.active;
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  private async create(first: number, rowsBefore: number): Promise<ActiveSegment> {
    const file: SegmentFile = { name: segmentFileName(first, rowsBefore, this.settings().now()), first, rowsBefore, created: this.settings().now() };
    const handle = await open(join(this.folder, file.name), 'wx');
    try {
      await handle.write(SEGMENT_MAGIC, 0, SEGMENT_HEADER_BYTES, 0);
      await handle.datasync();
    } catch (error) {
      await handle.close();
      throw error;
    }
    await syncDirectory(this.folder);
    this.segments.push(file);
    this.active = { file, handle, length: SEGMENT_HEADER_BYTES, entries: 0, answeredRows: 0, lastTime: file.created };
    return this.active;
  }

  private closeDue(active: ActiveSegment): boolean {
    if (active.entries === 0) return false;
    const { retention, segmentBytes, now } = this.settings();
    // Small enough pieces that dropping whole segments keeps close to what retention asks.
    const maxEntries = Number.isFinite(retention.maxRows) ? Math.max(1, Math.ceil(retention.maxRows / 8)) : Number.POSITIVE_INFINITY;
    const maxAge = Number.isFinite(retention.maxDays) ? Math.min(SEGMENT_MAX_AGE_MS, Math.max(1000, (retention.maxDays * DAY_MS) / 8)) : SEGMENT_MAX_AGE_MS;
    return active.length >= segmentBytes || active.entries >= maxEntries || now() - active.file.created >= maxAge;
  }

  private async startNext(active: ActiveSegment): Promise<ActiveSegment> {
    this.closedLastTime.set(active.file.name, active.lastTime);
    this.active = undefined;
    await active.handle.close();
    this.retentionDue = true;
    // Two segments started in the same millisecond would sort by index anyway; names stay distinct.
    return this.create(active.file.first + active.entries, active.file.rowsBefore + active.answeredRows);
  }

  private async write(batch: readonly PendingFrame[]): Promise<void> {
    const active = this.active as ActiveSegment;
    for (let i = 0; i < batch.length; ) {
      const piece: Buffer[] = [];
      let bytes = 0;
      for (; i < batch.length && (piece.length === 0 || bytes + (batch[i] as PendingFrame).frame.length <= WRITE_PIECE_BYTES); i++) {
        piece.push((batch[i] as PendingFrame).frame);
        bytes += (batch[i] as PendingFrame).frame.length;
      }
      const buffer = piece.length === 1 ? (piece[0] as Buffer) : Buffer.concat(piece, bytes);
      let written = 0;
      while (written < buffer.length) written += (await active.handle.write(buffer, written, buffer.length - written, active.length + written)).bytesWritten;
      active.length += buffer.length;
    }
    await active.handle.datasync();
    for (const frame of batch) {
      active.entries++;
      active.answeredRows += frame.answeredRows;
      active.lastTime = Math.max(active.lastTime, frame.time);
    }
  }

  /** Drops the oldest segments while the rest still hold maxRows, and those wholly older than maxDays. */
  private async applyRetention(): Promise<void> {
    const { retention, now } = this.settings();
    const time = now();
    if (!this.retentionDue && time - this.lastRetentionCheck < RETENTION_CHECK_MS) return;
    this.retentionDue = false;
    this.lastRetentionCheck = time;
    let active = this.active as ActiveSegment;
    const cutoff = time - retention.maxDays * DAY_MS;
    if (active.entries > 0 && active.lastTime < cutoff) active = await this.startNext(active);
    const end = active.file.first + active.entries;
    while (this.segments.length > 1) {
      const oldest = this.segments[0] as SegmentFile;
      const next = this.segments[1] as SegmentFile;
      const lastTime = this.closedLastTime.get(oldest.name) ?? next.created;
      if (!(end - next.first >= retention.maxRows || lastTime < cutoff)) break;
      const path = join(this.folder, oldest.name);
      await unlink(path).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
      this.index.forget(path);
      this.segments.shift();
      this.closedLastTime.delete(oldest.name);
    }
  }
}

/**
 * fsync a folder so a new segment's name survives a power cut, off the event loop (a segment is
 * started about once a second under load). Some file systems refuse to sync a folder; the rename
 * and create are still atomic there.
 */
async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close();
  }
}
