import { lstat, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PATH_RECORDS, tableCacheFolder } from '../data/tableCache';
import { REGISTRY_FOLDER } from '../registry/versionFreezer';
import { ABANDONED_TEMP_AGE_MS, ARTIFACT_TEMP_FOLDER, ARTIFACTS_FOLDER, ArtifactStore } from '../tracking/artifactStore';
import type { WorkspaceStore } from './workspaceStore';

/*
 * Garbage collection of the store's files (issue #21): deleting a run only changes its lifecycle
 * stage, as in MLflow, so its files stay restorable; after a grace period they are collected.
 * What a live run or a registered version needs is never touched.
 */

/** A deleted run's files are kept this long after it was deleted (it can be restored meanwhile). */
export const GC_GRACE_MS = 7 * 24 * 60 * 60_000;

const RUN_ID = /^[0-9a-f]{32}$/;

export type GcItemKind = 'deleted run' | 'unknown run' | 'unregistered copy' | 'temp files' | 'prepared table';

export interface GcItem {
  readonly kind: GcItemKind;
  /** the folder (or, for temp files, the temp folder) */
  readonly path: string;
  readonly runId?: string;
  readonly bytes: number;
  /** how many files (temp files: how many were removed) */
  readonly files: number;
}

export interface GcKept {
  readonly runId: string;
  readonly reason: string;
}

export interface GcReport {
  readonly dryRun: boolean;
  readonly graceMs: number;
  readonly removed: readonly GcItem[];
  /** deleted runs whose files stay, and why (registered, still in the grace period, running) */
  readonly kept: readonly GcKept[];
  readonly bytes: number;
}

export interface GcOptions {
  /** list what would go, delete nothing */
  readonly dryRun?: boolean;
  /** a deleted run's files go once it has been deleted this long (default GC_GRACE_MS) */
  readonly olderThanMs?: number;
  readonly now?: number;
}

/** Bytes and files under a path (a symlink counts as itself; it is never followed). */
async function sizeOf(path: string): Promise<{ bytes: number; files: number }> {
  let stat;
  try {
    stat = await lstat(path);
  } catch {
    return { bytes: 0, files: 0 };
  }
  if (!stat.isDirectory()) return { bytes: stat.size, files: 1 };
  let bytes = 0;
  let files = 0;
  for (const name of await readdir(path)) {
    const inner = await sizeOf(join(path, name));
    bytes += inner.bytes;
    files += inner.files;
  }
  return { bytes, files };
}

async function ageMs(path: string, now: number): Promise<number> {
  try {
    return now - (await lstat(path)).mtimeMs;
  } catch {
    return 0;
  }
}

async function listFolder(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/**
 * Removes (or with `dryRun` only lists): the artifact folders of runs deleted longer than the
 * grace period ago; artifact folders named for runs the store does not know; registry copies no
 * version points at; abandoned upload temp files. Never a live run's files, never the files of a
 * run a model version was registered from (an external version's model lives only there), never
 * a folder young enough to be mid-write.
 */
export async function collectGarbage(store: Pick<WorkspaceStore, 'dir' | 'database'>, options: GcOptions = {}): Promise<GcReport> {
  const now = options.now ?? Date.now();
  const graceMs = options.olderThanMs ?? GC_GRACE_MS;
  const dryRun = options.dryRun ?? false;
  const db = store.database;
  const runs = new Map<string, { stage: string; status: string }>();
  for (const [runId, stage, status] of db.rows('SELECT run_id, lifecycle_stage, status FROM runs')) runs.set(String(runId), { stage: String(stage), status: String(status) });
  const deletedAt = new Map<string, number>();
  for (const [runId, time] of db.rows('SELECT run_id, deleted_time FROM run_deletions')) deletedAt.set(String(runId), Number(time));
  const registeredRuns = new Set<string>();
  const storages = new Set<string>();
  for (const [runId, storage] of db.rows('SELECT run_id, storage FROM model_versions')) {
    registeredRuns.add(String(runId));
    if (storage) storages.add(String(storage));
  }

  const removed: GcItem[] = [];
  const kept: GcKept[] = [];
  const remove = async (item: Omit<GcItem, 'bytes' | 'files'>): Promise<void> => {
    const size = await sizeOf(item.path);
    if (!dryRun) await rm(item.path, { recursive: true, force: true });
    removed.push({ ...item, ...size });
  };

  const artifactsRoot = join(store.dir, ARTIFACTS_FOLDER);
  for (const name of await listFolder(artifactsRoot)) {
    if (name === ARTIFACT_TEMP_FOLDER || !RUN_ID.test(name)) continue; // the temp folder has its own rule; other names are not ours
    const path = join(artifactsRoot, name);
    const run = runs.get(name);
    if (!run) {
      // a folder for a run being created this moment is young; an old one belongs to no run
      if ((await ageMs(path, now)) >= ABANDONED_TEMP_AGE_MS) await remove({ kind: 'unknown run', path, runId: name });
      continue;
    }
    if (run.stage !== 'deleted') continue;
    if (registeredRuns.has(name)) {
      kept.push({ runId: name, reason: 'a model version was registered from it' });
      continue;
    }
    if (run.status === 'RUNNING') {
      kept.push({ runId: name, reason: 'it is still running' });
      continue;
    }
    const since = deletedAt.get(name) ?? now;
    if (now - since < graceMs) {
      kept.push({ runId: name, reason: `deleted ${describeAge(now - since)} ago; its files go after ${describeAge(graceMs)}` });
      continue;
    }
    await remove({ kind: 'deleted run', path, runId: name });
  }

  // A crash between freezing a version's files and committing the version leaves a copy no version points at.
  const versionsRoot = join(store.dir, REGISTRY_FOLDER, 'versions');
  for (const name of await listFolder(versionsRoot)) {
    const path = join(versionsRoot, name);
    if (storages.has(`${REGISTRY_FOLDER}/versions/${name}`)) continue;
    if ((await ageMs(path, now)) >= ABANDONED_TEMP_AGE_MS) await remove({ kind: 'unregistered copy', path });
  }

  // Prepared tables (typed columns of data files read before) are a cache: one unused for the
  // grace period goes (a read touches it), and the next read of its file parses it again.
  const tablesRoot = tableCacheFolder(store.dir);
  for (const name of await listFolder(tablesRoot)) {
    const path = join(tablesRoot, name);
    if (name === PATH_RECORDS) {
      for (const record of await listFolder(path)) if ((await ageMs(join(path, record), now)) >= graceMs) await remove({ kind: 'prepared table', path: join(path, record) });
      continue;
    }
    const tables = await listFolder(path);
    let newest = Infinity;
    for (const table of tables) newest = Math.min(newest, await ageMs(join(path, table), now));
    if (tables.length === 0 || newest >= graceMs) await remove({ kind: 'prepared table', path });
  }

  const temps = new ArtifactStore(artifactsRoot).removeAbandonedTemps(now, { dryRun });
  if (temps.removed > 0) removed.push({ kind: 'temp files', path: join(artifactsRoot, ARTIFACT_TEMP_FOLDER), bytes: temps.bytes, files: temps.removed });

  return { dryRun, graceMs, removed, kept, bytes: removed.reduce((sum, item) => sum + item.bytes, 0) };
}

/** "3 days", "5 hours", "12 minutes" — for reasons and the report. */
export function describeAge(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}

/** "1.2 MB" */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
