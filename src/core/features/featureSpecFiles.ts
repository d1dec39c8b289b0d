import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** features.yaml, features.yml, or NAME.features.yaml: the files the Features view lists. */
export function isFeatureSpecFile(name: string): boolean {
  return /^(.+\.)?features\.ya?ml$/i.test(name);
}

/** Feature definition files under `folder` (hidden folders and node_modules skipped), sorted. */
export async function findFeatureSpecs(folder: string, depth = 4): Promise<string[]> {
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
      } else if (isFeatureSpecFile(entry.name)) {
        found.push(join(dir, entry.name));
      }
    }
  };
  await walk(folder, 0);
  return found.sort();
}
