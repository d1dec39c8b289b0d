import { randomUUID } from 'node:crypto';
import { closeSync, copyFileSync, fsyncSync, mkdirSync, openSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fsyncDirectory } from '../store/snapshot';

/** Registry files live in `<store>/registry/versions/<uuid>/`: a name no crash or retry can collide with. */
export const REGISTRY_FOLDER = 'registry';

export interface FrozenCopy {
  /** relative to the store folder, "/"-separated */
  readonly storage: string;
  readonly sizeBytes: number;
}

/**
 * Copies folders of a run's artifacts into a fresh folder of the registry and fsyncs every file
 * and folder, so the copy is on disk before the version that points at it is committed. A crash
 * before the commit leaves an unreferenced folder, never a version without its files.
 */
export function freezeFolders(storeDir: string, sources: readonly { from: string; to: string }[]): FrozenCopy {
  const storage = `${REGISTRY_FOLDER}/versions/${randomUUID()}`;
  const root = join(storeDir, ...storage.split('/'));
  mkdirSync(root, { recursive: true });
  let sizeBytes = 0;
  try {
    for (const source of sources) sizeBytes += copyTree(source.from, join(root, source.to));
    fsyncDirectory(root);
    fsyncDirectory(join(storeDir, REGISTRY_FOLDER, 'versions'));
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
  return { storage, sizeBytes };
}

function copyTree(from: string, to: string): number {
  mkdirSync(to, { recursive: true });
  let bytes = 0;
  for (const entry of readdirSync(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    if (entry.isDirectory()) {
      bytes += copyTree(source, target);
    } else if (entry.isFile()) {
      copyFileSync(source, target);
      const fd = openSync(target, 'r');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      bytes += statSync(target).size;
    }
  }
  fsyncDirectory(to);
  return bytes;
}

/** Removes a deleted version's files (after the deletion is durable; a leftover folder is harmless). */
export function removeFrozenCopy(storeDir: string, storage: string): void {
  if (!storage.startsWith(`${REGISTRY_FOLDER}/versions/`)) return;
  rmSync(join(storeDir, ...storage.split('/')), { recursive: true, force: true });
}
