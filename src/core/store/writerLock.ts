import { closeSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { isProcessAlive } from './processLiveness';

/** Who holds the store's writer lock, as written in `.mlops/writer.lock`. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** what the user would call the holder: "VS Code window", "mlops CLI", … */
  readonly name: string;
  /** ISO time the lock was taken */
  readonly startedAt: string;
}

export const WRITER_LOCK_FILE = 'writer.lock';
const TAKEOVER_FILE = 'writer.lock.takeover';
/** a takeover marker older than this belongs to a process that died mid-takeover */
const STALE_TAKEOVER_MS = 10_000;

function describeTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  const sameDay = date.toDateString() === new Date().toDateString();
  const hhmm = `${String(date.getHours()).padStart(2, '0')}:${String(date.getMinutes()).padStart(2, '0')}`;
  return sameDay ? hhmm : `${date.toISOString().slice(0, 10)} ${hhmm}`;
}

/** Another process is the store's writer; the message says who, since when, and what to do. */
export class StoreLockedError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The workspace store ${dir} is in use by ${holder.name} (pid ${holder.pid} on host ${holder.hostname}) since ${describeTime(holder.startedAt)}. ` +
        `Close it or use that window to make changes; if that process is gone, delete ${join(dir, WRITER_LOCK_FILE)}.`,
    );
    this.name = 'StoreLockedError';
  }
}

/** The lock this process holds; `release` removes it only if it is still ours. */
export interface WriterLock {
  readonly holder: LockHolder;
  release(): void;
}

function readHolder(path: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.hostname !== 'string') return undefined;
    return {
      pid: parsed.pid,
      hostname: parsed.hostname,
      name: typeof parsed.name === 'string' ? parsed.name : 'another process',
      startedAt: typeof parsed.startedAt === 'string' ? parsed.startedAt : '',
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    // A half-written lock (crash between create and write) holds no information: treat as unreadable.
    return undefined;
  }
}

function sameHolder(a: LockHolder, b: LockHolder): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && a.startedAt === b.startedAt;
}

function tryCreate(path: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
  try {
    writeSync(fd, JSON.stringify(holder, null, 2) + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

function isStale(holder: LockHolder | undefined, path: string): boolean {
  if (holder === undefined) {
    // Unreadable: only stale once it is old enough that its writer cannot still be writing it.
    try {
      return Date.now() - statSync(path).mtimeMs > STALE_TAKEOVER_MS;
    } catch {
      return true;
    }
  }
  // A pid on another host cannot be checked from here; only its owner (or a human) can clear it.
  return holder.hostname === hostname() && !isProcessAlive(holder.pid);
}

/**
 * Takes the single-writer lock of `dir`, or throws StoreLockedError naming the holder. A lock left
 * by a dead process on this host is taken over; the takeover itself is serialised through an
 * exclusive marker file so that two processes finding the same stale lock cannot both win.
 */
export function acquireWriterLock(dir: string, name: string): WriterLock {
  const path = join(dir, WRITER_LOCK_FILE);
  const takeoverPath = join(dir, TAKEOVER_FILE);
  const holder: LockHolder = { pid: process.pid, hostname: hostname(), name, startedAt: new Date().toISOString() };
  for (let attempt = 0; attempt < 200; attempt++) {
    if (tryCreate(path, holder)) return makeLock(path, holder);
    const current = readHolder(path);
    if (current && current.pid === process.pid && current.hostname === holder.hostname) {
      throw new StoreLockedError(dir, current);
    }
    if (!isStale(current, path)) {
      if (current) throw new StoreLockedError(dir, current);
      sleepSync(5); // vanished or half-written a moment ago: look again
      continue;
    }
    if (!tryCreate(takeoverPath, holder)) {
      const marker = readHolder(takeoverPath);
      if (isStale(marker, takeoverPath) || (marker && Date.now() - Date.parse(marker.startedAt) > STALE_TAKEOVER_MS)) {
        try {
          unlinkSync(takeoverPath);
        } catch {
          /* someone else cleared it */
        }
      } else {
        // Another process is taking the stale lock over right now: wait for it to finish, then
        // report the new holder rather than the dead one.
        sleepSync(10);
      }
      continue;
    }
    try {
      // Under the marker, nobody else replaces the lock: re-check it is the same stale lock.
      const again = readHolder(path);
      const unchanged = again === undefined ? current === undefined : current !== undefined && sameHolder(again, current);
      if (unchanged && isStale(again, path)) {
        const aside = `${path}.stale-${process.pid}`;
        try {
          renameSync(path, aside);
          unlinkSync(aside);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        }
        if (tryCreate(path, holder)) return makeLock(path, holder);
      }
    } finally {
      try {
        unlinkSync(takeoverPath);
      } catch {
        /* already gone */
      }
    }
  }
  const current = readHolder(path);
  if (current) throw new StoreLockedError(dir, current);
  const why = whyUnreadable(path);
  if (why === undefined) throw new Error(`Could not take the writer lock ${path}: it kept changing hands; try again.`);
  throw new UnreadableLockError(path, why);
}

/**
 * The lock file exists but names no holder, and it stayed that way while we retried, so it is not
 * a lock being written this instant (that takes microseconds). It is taken over once it is 10 s
 * old; before that, say what is wrong rather than "try again".
 */
export class UnreadableLockError extends Error {
  constructor(
    readonly path: string,
    why: string,
  ) {
    super(
      `The writer lock ${path} cannot be read (${why}), so it is not known which process holds the store. ` +
        `If no VS Code window, mlops server or other mlops command is using it, delete ${path}; an unreadable lock is also taken over once it is ${STALE_TAKEOVER_MS / 1000} s old.`,
    );
    this.name = 'UnreadableLockError';
  }
}

function whyUnreadable(path: string): string | undefined {
  let text: string;
  let ageMs: number;
  try {
    ageMs = Date.now() - statSync(path).mtimeMs;
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (error as Error).message;
  }
  const age = `written ${(ageMs / 1000).toFixed(1)} s ago`;
  if (text.length === 0) return `it is empty, ${age}`;
  try {
    JSON.parse(text);
  } catch {
    return `it is not a lock MLOps Studio writes: ${text.length} bytes starting ${JSON.stringify(text.slice(0, 24))}, ${age}`;
  }
  return `it names no process id and host, ${age}`;
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function makeLock(path: string, holder: LockHolder): WriterLock {
  let released = false;
  const release = (): void => {
    if (released) return;
    released = true;
    process.removeListener('exit', release);
    const current = readHolder(path);
    if (current && sameHolder(current, holder)) {
      try {
        unlinkSync(path);
      } catch {
        /* already gone */
      }
    }
  };
  // A CLI that exits without closing the store still frees the lock (SIGKILL leaves it stale,
  // which the next opener detects through the dead pid).
  process.on('exit', release);
  return { holder, release };
}

/** Who holds the store in `dir` now; undefined when nobody does (no lock, or one left by a dead process here). */
export function readWriterLock(dir: string): LockHolder | undefined {
  const path = join(dir, WRITER_LOCK_FILE);
  const holder = readHolder(path);
  return holder && !isStale(holder, path) ? holder : undefined;
}
