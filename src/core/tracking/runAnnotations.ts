/**
 * What a person adds to a run after the fact — its name, a star, a note — stored the way MLflow
 * stores them, so the MLflow UI and the Python client see the same: the run name attribute (and its
 * `mlflow.runName` tag), the `mlflow.note.content` tag, and a star tag of our own.
 */
import type { TrackingStore } from './trackingStore';
import { MAX_TAG_VALUE_LENGTH } from './trackingValidation';
import type { Run, RunInfo } from './trackingTypes';

export const STARRED_TAG = 'mlops.starred';
export const NOTE_TAG = 'mlflow.note.content';
export const RUN_NAME_TAG = 'mlflow.runName';

type AnnotationWriter = Pick<TrackingStore, 'getRun' | 'setTag' | 'deleteTag' | 'updateRun'>;

export function isStarred(run: Run): boolean {
  return run.data.tags.some((t) => t.key === STARRED_TAG && t.value === 'true');
}

/** The run's note, '' when it has none. */
export function noteOf(run: Run): string {
  return run.data.tags.find((t) => t.key === NOTE_TAG)?.value ?? '';
}

/** How a run is called in menus and messages: its name, or the start of its id when it has none. */
export function runLabel(info: Pick<RunInfo, 'runName' | 'runId'>): string {
  return info.runName || info.runId.slice(0, 8);
}

/** Why a new run name cannot be used, or undefined when it can. */
export function runNameProblem(name: string): string | undefined {
  const trimmed = name.trim();
  if (trimmed === '') return 'A run name cannot be empty.';
  if (trimmed.length > MAX_TAG_VALUE_LENGTH) return `A run name can have at most ${MAX_TAG_VALUE_LENGTH} characters (MLflow keeps it as a tag).`;
  return undefined;
}

/** Renames a run; resolves false when the name did not change. */
export async function renameRun(store: AnnotationWriter, run: Pick<RunInfo, 'runId' | 'runName'>, name: string): Promise<boolean> {
  const problem = runNameProblem(name);
  if (problem) throw new Error(problem);
  const trimmed = name.trim();
  if (trimmed === run.runName) return false;
  await store.updateRun(run.runId, { runName: trimmed });
  return true;
}

export async function setStarred(store: AnnotationWriter, runIds: readonly string[], starred: boolean): Promise<void> {
  for (const runId of runIds) {
    if (starred) await store.setTag(runId, STARRED_TAG, 'true');
    else await deleteTagIfPresent(store, runId, STARRED_TAG);
  }
}

/** Why a note cannot be saved, or undefined when it can. */
export function noteProblem(note: string): string | undefined {
  return note.length > MAX_TAG_VALUE_LENGTH ? `The note has ${note.length} characters; MLflow keeps at most ${MAX_TAG_VALUE_LENGTH} in a run's note (${NOTE_TAG}).` : undefined;
}

/** Saves a run's note; a blank note removes the tag, as clearing the note in MLflow's UI does. */
export async function saveNote(store: AnnotationWriter, runId: string, note: string): Promise<void> {
  const problem = noteProblem(note);
  if (problem) throw new Error(problem);
  if (note.trim() === '') await deleteTagIfPresent(store, runId, NOTE_TAG);
  else await store.setTag(runId, NOTE_TAG, note);
}

/** MLflow fails deleting a tag a run does not have; unstarring an unstarred run is not an error. */
async function deleteTagIfPresent(store: AnnotationWriter, runId: string, key: string): Promise<void> {
  const run = await store.getRun(runId);
  if (run.data.tags.some((t) => t.key === key)) await store.deleteTag(runId, key);
}
