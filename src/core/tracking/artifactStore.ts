import { closeSync, constants, copyFileSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, win32 } from 'node:path';
import { fsyncDirectory } from '../store/snapshot';
import { ArtifactPathError, InvalidArgumentError } from './trackingErrors';
import type { ArtifactEntry } from './trackingTypes';

/**
 * Checks an artifact path (relative, "/"-separated) and returns its segments. Rejected: empty
 * segments made of dots, "..", absolute paths (POSIX or Windows), backslashes, NUL and other
 * control characters — anything that could point outside the run's folder on some platform.
 */
export function checkArtifactPath(path: string, options: { allowEmpty?: boolean } = {}): string[] {
  if (path.includes('\0')) throw new ArtifactPathError(path, 'it contains a NUL character');
  if ([...path].some((ch) => ch.charCodeAt(0) < 0x20)) throw new ArtifactPathError(path, 'it contains a control character');
  if (isAbsolute(path) || win32.isAbsolute(path) || /^[A-Za-z]:/.test(path)) {
    throw new ArtifactPathError(path, 'it is absolute; use a path relative to the run\'s artifact folder');
  }
  if (path.includes('\\')) throw new ArtifactPathError(path, 'it contains a backslash; use "/" between folders');
  const segments = path.split('/').filter((s) => s !== '' && s !== '.');
  if (segments.some((s) => s === '..')) throw new ArtifactPathError(path, 'it contains "..", which would leave the run\'s artifact folder');
  if (segments.length === 0 && !options.allowEmpty) throw new ArtifactPathError(path, 'it is empty');
  return segments;
}

function isInside(root: string, candidate: string): boolean {
  const rel = relative(root, candidate);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Files being written live in `<store>/artifacts/.incoming/` until they are linked into place: no
 * run folder is named like that (run ids are hex), so every name a user gives an artifact stays
 * theirs, and abandoned writes are all in one folder to clean.
 */
export const ARTIFACT_TEMP_FOLDER = '.incoming';

/** A temp file untouched this long whose writer is gone is abandoned (a write keeps its mtime fresh). */
export const ABANDONED_TEMP_AGE_MS = 15 * 60_000;
/** ... and after this long it is abandoned even if its writer's pid is in use (by another process since). */
const STALE_TEMP_AGE_MS = 24 * 60 * 60_000;

export interface TempCleanup {
  readonly removed: number;
  readonly bytes: number;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Creates an artifact's folder. A part of the path that is already an artifact file cannot become a
 * folder (artifacts are immutable): that is the caller's mistake, said as such, not a file-system error.
 */
function makeParentFolder(folder: string, artifactPath: string): void {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST' || code === 'ENOTDIR') throw new ArtifactPathError(artifactPath, 'a folder on its way is already an artifact file, and artifacts cannot be overwritten');
    throw error;
  }
}

/** Artifacts of one store: `<store>/artifacts/<runId>/<path>`, immutable once written. */
export class ArtifactStore {
  constructor(readonly root: string) {}

  /** A fresh temp file name in the temp folder, carrying the writer's pid for the cleanup. */
  private tempFile(): string {
    const folder = join(this.root, ARTIFACT_TEMP_FOLDER);
    mkdirSync(folder, { recursive: true });
    return join(folder, `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  }

  /**
   * Deletes temp files of writes that were killed mid-way: untouched for ABANDONED_TEMP_AGE_MS and
   * their writer no longer running (or untouched for a day). Never one still being written.
   * `dryRun` counts them and deletes nothing (`mlops gc --dry-run`).
   */
  removeAbandonedTemps(now: number = Date.now(), options: { dryRun?: boolean } = {}): TempCleanup {
    const folder = join(this.root, ARTIFACT_TEMP_FOLDER);
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { removed: 0, bytes: 0 };
      throw error;
    }
    let removed = 0;
    let bytes = 0;
    for (const name of names) {
      const file = join(folder, name);
      let stat;
      try {
        stat = lstatSync(file);
      } catch {
        continue; // its writer linked it into place and removed it meanwhile
      }
      const age = now - stat.mtimeMs;
      if (age < ABANDONED_TEMP_AGE_MS) continue;
      const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? NaN);
      const writerGone = !Number.isInteger(pid) || pid <= 0 || (pid !== process.pid && !isProcessAlive(pid));
      if (!writerGone && age < STALE_TEMP_AGE_MS) continue;
      try {
        if (!options.dryRun) rmSync(file, { recursive: true, force: true });
        removed++;
        bytes += stat.size;
      } catch {
        // a file we may not delete stays for the next open
      }
    }
    return { removed, bytes };
  }

  runFolder(runId: string): string {
    if (!/^[0-9a-f]{32}$/.test(runId)) throw new InvalidArgumentError(`"${runId}" is not a run id`);
    return join(this.root, runId);
  }

  /**
   * The absolute file for an artifact, after checking that no existing folder on the way is a
   * symlink that leads out of the run's folder.
   */
  resolve(runId: string, artifactPath: string, options: { allowEmpty?: boolean; create?: boolean } = {}): string {
    const segments = checkArtifactPath(artifactPath, options);
    const runRoot = this.runFolder(runId);
    if (options.create) mkdirSync(runRoot, { recursive: true });
    const target = join(runRoot, ...segments);
    let realRoot: string;
    try {
      realRoot = realpathSync(runRoot);
    } catch {
      return target; // nothing exists yet, so nothing can be a symlink
    }
    // Walk down the existing part of the path and resolve links as the OS would.
    let current = runRoot;
    for (const segment of segments) {
      current = join(current, segment);
      let isLink: boolean;
      try {
        isLink = lstatSync(current).isSymbolicLink();
      } catch {
        break;
      }
      if (isLink) {
        let real: string;
        try {
          real = realpathSync(current);
        } catch {
          throw new ArtifactPathError(artifactPath, 'it goes through a broken symbolic link');
        }
        if (!isInside(realRoot, real)) throw new ArtifactPathError(artifactPath, 'it goes through a symbolic link that leads outside the run\'s artifact folder');
      }
    }
    return target;
  }

  /** Writes a new artifact durably; an existing artifact is never overwritten. */
  write(runId: string, artifactPath: string, data: Uint8Array): void {
    const target = this.resolve(runId, artifactPath, { create: true });
    makeParentFolder(dirname(target), artifactPath);
    // Re-check after mkdir: a concurrent symlink swap would be caught here.
    this.resolve(runId, artifactPath);
    const temp = this.tempFile();
    try {
      const fd = openSync(temp, 'wx');
      try {
        let written = 0;
        while (written < data.length) written += writeSync(fd, data, written, data.length - written);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      rmSync(temp, { force: true }); // a full disk must not keep the half it took
      throw error;
    }
    this.place(temp, target, runId, artifactPath);
  }

  /** Moves a written, fsync'd temp file to its artifact path, refusing to replace an existing one. */
  private place(temp: string, target: string, runId: string, artifactPath: string): void {
    const exists = (): InvalidArgumentError => new InvalidArgumentError(`Artifact "${artifactPath}" of run ${runId} already exists; artifacts cannot be overwritten.`);
    try {
      try {
        // link() fails if the target exists: immutability without a check-then-write race.
        linkSync(temp, target);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw exists();
        if (code === 'EXDEV') {
          // the run's folder is a link to another disk: copy there, still never over a file
          try {
            copyFileSync(temp, target, constants.COPYFILE_EXCL);
          } catch (copyError) {
            if ((copyError as NodeJS.ErrnoException).code === 'EEXIST') throw exists();
            throw copyError;
          }
          const fd = openSync(target, 'r');
          try {
            fsyncSync(fd);
          } finally {
            closeSync(fd);
          }
        } else if (code === 'EPERM' || code === 'ENOTSUP') {
          // no hard links on this file system
          renameSync(temp, target);
        } else {
          throw error;
        }
      }
    } finally {
      rmSync(temp, { force: true });
    }
    fsyncDirectory(dirname(target));
  }

  copyFrom(runId: string, localPath: string, artifactPath: string): void {
    const stat = statSync(localPath);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(localPath)) this.copyFrom(runId, join(localPath, entry), artifactPath === '' ? entry : `${artifactPath}/${entry}`);
      return;
    }
    const target = this.resolve(runId, artifactPath, { create: true });
    makeParentFolder(dirname(target), artifactPath);
    this.resolve(runId, artifactPath);
    const temp = this.tempFile();
    try {
      copyFileSync(localPath, temp);
      const fd = openSync(temp, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      rmSync(temp, { force: true });
      throw error;
    }
    this.place(temp, target, runId, artifactPath);
  }

  read(runId: string, artifactPath: string): Buffer {
    const target = this.resolve(runId, artifactPath);
    return readFileSync(target);
  }

  list(runId: string, path = ''): ArtifactEntry[] {
    const folder = this.resolve(runId, path, { allowEmpty: true });
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const prefix = checkArtifactPath(path, { allowEmpty: true }).join('/');
    return names
      .sort()
      .map((name) => {
        const stat = lstatSync(join(folder, name));
        const rel = prefix === '' ? name : `${prefix}/${name}`;
        return stat.isDirectory() ? { path: rel, isDir: true } : { path: rel, isDir: false, fileSize: stat.size };
      });
  }
}

export const ARTIFACTS_FOLDER = 'artifacts';
