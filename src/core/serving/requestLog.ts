import { closeSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readFully } from '../store/journal';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { RequestLogEntry } from './endpointTypes';
import { DEFAULT_REQUEST_LOG_RETENTION, REQUEST_LOG_FOLDER, endpointLogFolder, listSegments, type RequestLogRetention } from './requestLogFiles';
import { FRAME_HEADER_BYTES, decodeFrame, encodeFrame, splitFrames, type FrameMeta, type LoggedRequest } from './requestLogFormat';
import { SegmentIndex } from './requestLogIndex';
import { SegmentWriter, type PendingFrame } from './requestLogWriter';

export interface RequestLogOptions {
  readonly retention?: RequestLogRetention;
  /** the clock retention and segment names use (tests) */
  readonly now?: () => number;
  /** a segment is closed once it holds this many bytes (default 8 MiB; tests make it small) */
  readonly segmentBytes?: number;
  /** a batch that could not be written (the log goes on with the next one) */
  readonly onError?: (error: unknown) => void;
}

/** Which entries a reader wants; the rest are skipped without parsing them. */
export interface RequestLogFilter {
  /** entries logged at or after this time (epoch ms) */
  readonly since?: number;
  /** only answered requests (status 200) that kept their inputs: what drift monitoring compares */
  readonly answeredWithInputs?: boolean;
}

/**
 * The request logs of a store's endpoints: per endpoint, append-only segment files under
 * <store>/requests/, written in batches, kept within a retention of rows and days, and read
 * newest first a segment at a time (memory follows what a reader asks for, not the log's size).
 * The store's database keeps none of it.
 */
export class RequestLog {
  private readonly writers = new Map<string, SegmentWriter>();
  private retentionNow: RequestLogRetention;
  private readonly now: () => number;
  private readonly segmentBytes: number;
  private readonly index = new SegmentIndex();

  constructor(
    readonly dir: string,
    private readonly options: RequestLogOptions = {},
  ) {
    this.retentionNow = options.retention ?? DEFAULT_REQUEST_LOG_RETENTION;
    this.now = options.now ?? Date.now;
    this.segmentBytes = options.segmentBytes ?? 8 * 1024 * 1024;
  }

  get retention(): RequestLogRetention {
    return this.retentionNow;
  }

  /** New limits apply at once (segments past them are dropped with the next batch, or now if idle). */
  setRetention(retention: RequestLogRetention): void {
    this.retentionNow = retention;
    for (const writer of this.writers.values()) writer.checkRetentionSoon();
    // Endpoints that are not logging now (stopped ones too) lose their old segments as well.
    this.pruning = this.pruning.then(() => this.pruneIdle()).catch((error: unknown) => this.options.onError?.(error));
  }

  private pruning: Promise<void> = Promise.resolve();
  /** writers being closed: a new writer of the same endpoint starts once the old one is done */
  private readonly closing = new Map<string, Promise<void>>();

  private async pruneIdle(): Promise<void> {
    let folders: string[];
    try {
      folders = readdirSync(join(this.dir, REQUEST_LOG_FOLDER));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    for (const folder of folders) {
      let endpoint: string;
      try {
        endpoint = decodeURIComponent(folder);
      } catch {
        continue; // not one of ours
      }
      if (this.writers.has(endpoint) || endpointLogFolder(this.dir, endpoint) !== join(this.dir, REQUEST_LOG_FOLDER, folder)) continue;
      this.writer(endpoint).checkRetentionSoon();
      await this.closeEndpoint(endpoint);
    }
  }

  /** Queues entries of `endpoint` (answered by `modelName`) for the next batch. */
  append(endpoint: string, modelName: string, entries: readonly RequestLogEntry[]): void {
    const frames: PendingFrame[] = entries.map((entry) => {
      const { inputs, outputs, ...rest } = entry;
      return {
        frame: encodeFrame({ ...rest, modelName }, inputs ? JSON.stringify(inputs) : null, outputs ? JSON.stringify(outputs) : null),
        time: entry.time,
        answeredRows: entry.status === 200 && inputs ? entry.rows : 0,
      };
    });
    this.writer(endpoint).push(frames);
  }

  /** Queues frames an endpoint process encoded, laid end to end: the bytes are appended as they are. */
  appendFrames(endpoint: string, bytes: Buffer): void {
    let frames: ReturnType<typeof splitFrames>;
    try {
      frames = splitFrames(bytes);
    } catch (error) {
      // a batch garbled on its way is dropped like one that cannot be written; serving goes on
      this.options.onError?.(error);
      return;
    }
    this.writer(endpoint).push(frames);
  }

  /** Queues frames already encoded (moving an old store's rows). */
  appendEncoded(endpoint: string, frames: readonly PendingFrame[]): void {
    this.writer(endpoint).push(frames);
  }

  /** Resolves once every entry appended so far is on disk. */
  async flushed(endpoint?: string): Promise<void> {
    await this.pruning;
    const writers = endpoint === undefined ? [...this.writers.values()] : [this.writers.get(endpoint)].filter((w): w is SegmentWriter => w !== undefined);
    await Promise.all(writers.map((w) => w.flushed()));
  }

  /** Flushes and closes an endpoint's segment (its endpoint stopped); a later append opens it again. */
  async closeEndpoint(endpoint: string): Promise<void> {
    const writer = this.writers.get(endpoint);
    if (!writer) return;
    this.writers.delete(endpoint);
    const closed = writer.close().finally(() => {
      if (this.closing.get(endpoint) === closed) this.closing.delete(endpoint);
    });
    this.closing.set(endpoint, closed);
    await closed;
  }

  async close(): Promise<void> {
    await this.pruning;
    await Promise.all([...this.writers.keys()].map((endpoint) => this.closeEndpoint(endpoint)));
  }

  private writer(endpoint: string): SegmentWriter {
    let writer = this.writers.get(endpoint);
    if (!writer) {
      writer = new SegmentWriter(
        endpointLogFolder(this.dir, endpoint),
        this.index,
        () => ({ retention: this.retentionNow, now: this.now, segmentBytes: this.segmentBytes }),
        (error) => this.options.onError?.(error),
        this.closing.get(endpoint),
      );
      this.writers.set(endpoint, writer);
    }
    return writer;
  }

  /** An endpoint's logged requests, newest first, read a segment at a time. */
  *newestFirst(endpoint: string, filter: RequestLogFilter = {}): Generator<LoggedRequest> {
    for (const { frame } of this.framesNewestFirst(endpoint, filter)) yield decodeFrame(frame);
  }

  /**
   * Input rows `endpoint` has answered since it first logged (status 200 with inputs), counting
   * rows whose segments retention dropped since: it only grows, so "N new rows" stays meaningful.
   */
  answeredRows(endpoint: string): number {
    const folder = endpointLogFolder(this.dir, endpoint);
    for (;;) {
      const segments = listSegments(folder);
      const last = segments[segments.length - 1];
      if (!last) return 0;
      const path = join(folder, last.name);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // dropped meanwhile: list again
        throw error;
      }
      try {
        return last.rowsBefore + this.index.read(path, fd).answeredRows;
      } finally {
        closeSync(fd);
      }
    }
  }

  /** The answered request (status 200) that carried X-Request-Id `requestId`, newest first. */
  findAnswered(endpoint: string, requestId: string): LoggedRequest | undefined {
    const needle = Buffer.from(`"id":${JSON.stringify(requestId)}`, 'utf8');
    for (const { meta, frame } of this.framesNewestFirst(endpoint, {})) {
      if (meta.status !== 200 || frame.indexOf(needle, FRAME_HEADER_BYTES) < 0) continue;
      const request = decodeFrame(frame);
      if (request.requestId === requestId) return request;
    }
    return undefined;
  }

  /**
   * Whole frames, newest first: segments from the newest, and in each the frames that pass the
   * filter (found by the segment index, without parsing), read back one at a time (a frame's
   * buffer is reused: valid until the next one is asked for).
   */
  private *framesNewestFirst(endpoint: string, filter: RequestLogFilter): Generator<{ meta: FrameMeta; frame: Buffer }> {
    const folder = endpointLogFolder(this.dir, endpoint);
    const segments = listSegments(folder);
    let buffer = Buffer.allocUnsafe(64 * 1024);
    for (let k = segments.length - 1; k >= 0; k--) {
      const next = segments[k + 1];
      // Every entry of a segment is older than the start of the next one.
      if (filter.since !== undefined && next && next.created < filter.since) return;
      const path = join(folder, (segments[k] as (typeof segments)[number]).name);
      let fd: number;
      try {
        fd = openSync(path, 'r');
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue; // retention dropped it meanwhile
        throw error;
      }
      try {
        const { frames } = this.index.read(path, fd);
        for (let i = frames.length - 1; i >= 0; i--) {
          const meta = frames[i] as FrameMeta;
          if (filter.since !== undefined && meta.time < filter.since) continue;
          if (filter.answeredWithInputs && !(meta.status === 200 && meta.hasInputs)) continue;
          if (buffer.length < meta.length) buffer = Buffer.allocUnsafe(Math.max(meta.length, buffer.length * 2));
          const frame = buffer.subarray(0, meta.length);
          if (readFully(fd, frame, meta.length, meta.offset) < meta.length) break;
          yield { meta, frame };
        }
      } finally {
        closeSync(fd);
      }
    }
  }
}

const logs = new WeakMap<WorkspaceStore, RequestLog>();

/** The one request log of an open store (the endpoints write it, monitors and the CLI read it). */
export function requestLogFor(store: WorkspaceStore): RequestLog {
  let log = logs.get(store);
  if (!log) {
    log = new RequestLog(store.dir);
    logs.set(store, log);
  }
  return log;
}

/** Flushes and closes the request log of a store that is closing (its endpoints are stopped). */
export async function closeRequestLogOf(store: WorkspaceStore): Promise<void> {
  const log = logs.get(store);
  logs.delete(store);
  await log?.close();
}

/** An endpoint's request log, newest first, at most `limit` entries (tests and tools). */
export function readRequestLog(store: WorkspaceStore, endpoint: string, limit = 1000): LoggedRequest[] {
  const entries: LoggedRequest[] = [];
  if (limit <= 0) return entries;
  for (const entry of requestLogFor(store).newestFirst(endpoint)) {
    entries.push(entry);
    if (entries.length >= limit) break;
  }
  return entries;
}
