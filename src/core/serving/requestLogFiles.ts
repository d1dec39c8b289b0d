import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Under the store folder: requests/<endpoint>/<segment>.seg */
export const REQUEST_LOG_FOLDER = 'requests';

/** How much of an endpoint's request log is kept; older segments are dropped whole. */
export interface RequestLogRetention {
  /** logged requests kept per endpoint (the newest; a little more until a whole segment can go) */
  readonly maxRows: number;
  /** requests older than this many days are dropped */
  readonly maxDays: number;
}

export const DEFAULT_REQUEST_LOG_RETENTION: RequestLogRetention = { maxRows: 50_000, maxDays: 30 };

/** Nothing is dropped (what moving an old store's rows into segments uses). */
export const KEEP_EVERYTHING: RequestLogRetention = { maxRows: Number.POSITIVE_INFINITY, maxDays: Number.POSITIVE_INFINITY };

/**
 * One segment, as its name says: the endpoint-wide index of its first entry, how many answered
 * input rows came before it (so "rows answered so far" survives dropped segments), and when it
 * was started (every entry of a segment is older than the next segment's start).
 */
export interface SegmentFile {
  readonly name: string;
  readonly first: number;
  readonly rowsBefore: number;
  readonly created: number;
}

const NAME = /^(\d{16})-(\d{16})-(\d{13,})\.seg$/;

export function segmentFileName(first: number, rowsBefore: number, created: number): string {
  return `${String(first).padStart(16, '0')}-${String(rowsBefore).padStart(16, '0')}-${String(Math.floor(created)).padStart(13, '0')}.seg`;
}

/** The folder of an endpoint's segments: its name made safe as one path segment on every OS. */
export function endpointLogFolder(storeDir: string, endpoint: string): string {
  const safe = encodeURIComponent(endpoint).replace(/[.*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return join(storeDir, REQUEST_LOG_FOLDER, safe);
}

/** An endpoint's segments, oldest first (none when it never logged). */
export function listSegments(folder: string): SegmentFile[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const segments: SegmentFile[] = [];
  for (const name of names) {
    const match = NAME.exec(name);
    if (match) segments.push({ name, first: Number(match[1]), rowsBefore: Number(match[2]), created: Number(match[3]) });
  }
  return segments.sort((a, b) => a.first - b.first || a.created - b.created);
}
