/** Where a lineage box leads, worked out without `vscode` (unit-tested). */
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/** "NAME/VERSION" → { name, version }; a name may itself contain "/". */
export function modelVersionOf(id: string): { name: string; version: number } | undefined {
  const slash = id.lastIndexOf('/');
  const version = Number(id.slice(slash + 1));
  return slash > 0 && Number.isInteger(version) && version > 0 ? { name: id.slice(0, slash), version } : undefined;
}

/** The absolute path of `target` when it names an existing file inside an open workspace folder. */
export function workspaceFile(target: string | undefined, folders: readonly string[]): string | undefined {
  if (!target || /^[a-z][a-z0-9+.-]+:\/\//i.test(target)) return undefined;
  for (const folder of folders) {
    const path = isAbsolute(target) ? target : resolve(folder, target);
    const rel = relative(folder, path);
    if (rel.startsWith('..') || isAbsolute(rel)) continue;
    if (existsSync(path) && statSync(path).isFile()) return path;
  }
  return undefined;
}
