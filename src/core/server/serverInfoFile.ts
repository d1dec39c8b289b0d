import { closeSync, fsyncSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from '../store/processLiveness';

/**
 * `.mlops/server.json`: how a second window or the CLI finds the store's writer and talks to it
 * instead of opening the locked store. It holds the token, so it is readable by its owner only.
 */
export interface ServerInfo {
  /** e.g. http://127.0.0.1:5123 */
  readonly url: string;
  readonly port: number;
  /** the bearer token, or null when the server was started without one (tests only) */
  readonly token: string | null;
  readonly pid: number;
  readonly hostname: string;
  /** ISO time */
  readonly startedAt: string;
  /** MLOps Studio version of the server */
  readonly version: string;
}

export const SERVER_INFO_FILE = 'server.json';

/** Writes the file atomically with mode 0600 (temp file, fsync, rename). */
export function writeServerInfo(dir: string, info: ServerInfo): void {
  const target = join(dir, SERVER_INFO_FILE);
  const temp = join(dir, `.${SERVER_INFO_FILE}.${process.pid}.tmp`);
  const fd = openSync(temp, 'w', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(info, null, 2)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, target);
}

function parse(text: string): ServerInfo | undefined {
  try {
    const v = JSON.parse(text) as Partial<ServerInfo>;
    if (typeof v.url !== 'string' || typeof v.port !== 'number' || typeof v.pid !== 'number' || typeof v.hostname !== 'string') return undefined;
    return {
      url: v.url,
      port: v.port,
      token: typeof v.token === 'string' ? v.token : null,
      pid: v.pid,
      hostname: v.hostname,
      startedAt: typeof v.startedAt === 'string' ? v.startedAt : '',
      version: typeof v.version === 'string' ? v.version : '',
    };
  } catch {
    return undefined;
  }
}

/**
 * The running server of the store in `dir`, or undefined when there is none: no file, an
 * unreadable one, or one left behind by a process that is gone (a crash skips the cleanup).
 */
export function readServerInfo(dir: string): ServerInfo | undefined {
  let text: string;
  try {
    text = readFileSync(join(dir, SERVER_INFO_FILE), 'utf8');
  } catch {
    return undefined;
  }
  const info = parse(text);
  if (!info) return undefined;
  if (info.hostname === hostname() && !isProcessAlive(info.pid)) return undefined;
  return info;
}

/** Removes the file if it still describes `info` (another server may have replaced it). */
export function removeServerInfo(dir: string, info: ServerInfo): void {
  const path = join(dir, SERVER_INFO_FILE);
  let current: ServerInfo | undefined;
  try {
    current = parse(readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  if (!current || current.pid !== info.pid || current.url !== info.url || current.startedAt !== info.startedAt) return;
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
