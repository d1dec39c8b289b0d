import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Files under `folder` whose name `matches` (monitor specs, feature definitions…), sorted. Hidden
 * folders and node_modules are skipped and the walk stops `depth` levels down: spec files live near
 * the workspace root, and a deep walk of a data folder would cost more than it finds.
 */
export async function findSpecFiles(folder: string, matches: (name: string) => boolean, depth = 4): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory()) {
        if (level < depth && !entry.name.startsWith('.') && entry.name !== 'node_modules') await walk(join(dir, entry.name), level + 1);
      } else if (matches(entry.name)) {
        found.push(join(dir, entry.name));
      }
    }
  };
  await walk(folder, 0);
  return found.sort();
}
