import { closeSync, copyFileSync, fsyncSync, linkSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
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

/** Artifacts of one store: `<store>/artifacts/<runId>/<path>`, immutable once written. */
export class ArtifactStore {
  constructor(readonly root: string) {}

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
    const folder = dirname(target);
    mkdirSync(folder, { recursive: true });
    // Re-check after mkdir: a concurrent symlink swap would be caught here.
    this.resolve(runId, artifactPath);
    const temp = join(folder, `.tmp-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
    const fd = openSync(temp, 'wx');
    try {
      let written = 0;
      while (written < data.length) written += writeSync(fd, data, written, data.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    try {
      // link() fails if the target exists: immutability without a check-then-write race.
      linkSync(temp, target);
      unlinkSync(temp);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        unlinkSync(temp);
        throw new InvalidArgumentError(`Artifact "${artifactPath}" of run ${runId} already exists; artifacts cannot be overwritten.`);
      }
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EXDEV') renameSync(temp, target);
      else throw error;
    }
    fsyncDirectory(folder);
  }

  copyFrom(runId: string, localPath: string, artifactPath: string): void {
    const stat = statSync(localPath);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(localPath)) this.copyFrom(runId, join(localPath, entry), artifactPath === '' ? entry : `${artifactPath}/${entry}`);
      return;
    }
    const target = this.resolve(runId, artifactPath, { create: true });
    mkdirSync(dirname(target), { recursive: true });
    this.resolve(runId, artifactPath);
    const temp = `${target}.tmp-${process.pid}`;
    copyFileSync(localPath, temp);
    const fd = openSync(temp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    try {
      linkSync(temp, target);
    } catch (error) {
      unlinkSync(temp);
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw new InvalidArgumentError(`Artifact "${artifactPath}" of run ${runId} already exists; artifacts cannot be overwritten.`);
      throw error;
    }
    unlinkSync(temp);
    fsyncDirectory(dirname(target));
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
      .filter((name) => !name.startsWith('.tmp-') && !name.includes('.tmp-'))
      .sort()
      .map((name) => {
        const stat = lstatSync(join(folder, name));
        const rel = prefix === '' ? name : `${prefix}/${name}`;
        return stat.isDirectory() ? { path: rel, isDir: true } : { path: rel, isDir: false, fileSize: stat.size };
      });
  }
}

export const ARTIFACTS_FOLDER = 'artifacts';
