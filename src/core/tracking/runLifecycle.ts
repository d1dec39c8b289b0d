/**
 * Deleting, restoring and stopping runs with MLflow's semantics: a deleted run only changes its
 * lifecycle stage (it stays restorable until a garbage collection), and a run nobody can stop
 * from here is marked KILLED so it no longer shows as running.
 */
import type { TrackingStore } from './trackingStore';
import type { RunInfo } from './trackingTypes';
import { runLabel } from './runAnnotations';

/** Set on a run a person marked KILLED without stopping its process, so the history says so. */
export const MARKED_KILLED_TAG = 'mlops.marked_killed';

/** Names runs for a confirmation: `"a"`, `"a" and "b"`, `"a", "b", "c" and 4 more`. */
export function describeRuns(runs: readonly Pick<RunInfo, 'runName' | 'runId'>[], shown = 3): string {
  const names = runs.slice(0, shown).map((r) => `"${runLabel(r)}"`);
  const more = runs.length - names.length;
  if (more > 0) return `${names.join(', ')} and ${more} more`;
  if (names.length <= 1) return names[0] ?? 'no runs';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** Runs that can be deleted now, and those that must be stopped first (deleting a live run breaks its logging). */
export function splitDeletable<T extends { info: Pick<RunInfo, 'status' | 'lifecycleStage'> }>(runs: readonly T[]): { deletable: T[]; running: T[] } {
  const active = runs.filter((r) => r.info.lifecycleStage === 'active');
  return { deletable: active.filter((r) => r.info.status !== 'RUNNING'), running: active.filter((r) => r.info.status === 'RUNNING') };
}

export async function deleteRuns(store: Pick<TrackingStore, 'deleteRun'>, runIds: readonly string[]): Promise<void> {
  for (const runId of runIds) await store.deleteRun(runId);
}

export async function restoreRuns(store: Pick<TrackingStore, 'restoreRun'>, runIds: readonly string[]): Promise<void> {
  for (const runId of runIds) await store.restoreRun(runId);
}

/**
 * Ends a RUNNING run as KILLED without touching any process (there may be none left, or it may run
 * on another machine); resolves false when the run had already ended.
 */
export async function markRunKilled(store: Pick<TrackingStore, 'getRun' | 'setTag' | 'updateRun'>, runId: string, now = Date.now()): Promise<boolean> {
  const run = await store.getRun(runId);
  if (run.info.status !== 'RUNNING' && run.info.status !== 'SCHEDULED') return false;
  await store.setTag(runId, MARKED_KILLED_TAG, 'true');
  await store.updateRun(runId, { status: 'KILLED', endTime: now });
  return true;
}
