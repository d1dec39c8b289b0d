/**
 * Where a run's captured output is: "Run Script as Experiment" saves stdout and stderr as the
 * artifact `logs/output.txt`; MLflow scripts often log `*.log` / `stdout.txt` files; a training run
 * that crashed keeps the tail of its worker's stderr in a tag.
 */
import type { TrackingStore } from './trackingStore';
import type { ArtifactEntry, Run } from './trackingTypes';

export type RunLogSource =
  | { readonly kind: 'artifact'; readonly path: string; readonly size?: number }
  | { readonly kind: 'tag'; readonly key: string; readonly title: string; readonly text: string };

/** Folders whose files are all logs; other folders (a model, data) are not walked. */
const LOG_FOLDER = /^(logs?|outputs?)$/i;
const LOG_FILE = /(\.(log|out|err)|(^|\/)(stdout|stderr|output|console)(\.txt)?)$/i;

/** Tags that hold output when no file was saved, in the order they are offered. */
const LOG_TAGS: readonly { key: string; title: string }[] = [
  { key: 'mlops.stderr_tail', title: 'stderr (last lines before the crash)' },
  { key: 'mlops.error', title: 'error' },
];

/** The log files among a run's artifacts: every file in a logs folder, and log-named files elsewhere. */
export function pickLogArtifacts(entries: readonly ArtifactEntry[]): ArtifactEntry[] {
  return entries.filter((e) => !e.isDir && (LOG_FILE.test(e.path) || e.path.split('/').slice(0, -1).some((dir) => LOG_FOLDER.test(dir))));
}

/** Every place the run's output can be read from, files first; empty when it has none. */
export async function findRunLogs(store: Pick<TrackingStore, 'listArtifacts'>, run: Run): Promise<RunLogSource[]> {
  const root = await store.listArtifacts(run.info.runId).catch(() => []);
  const nested = await Promise.all(root.filter((e) => e.isDir && LOG_FOLDER.test(e.path)).map((e) => store.listArtifacts(run.info.runId, e.path).catch(() => [])));
  const files = pickLogArtifacts([...root, ...nested.flat()]).map((e): RunLogSource => ({ kind: 'artifact', path: e.path, ...(e.fileSize !== undefined ? { size: e.fileSize } : {}) }));
  const tags = LOG_TAGS.flatMap(({ key, title }): RunLogSource[] => {
    const text = run.data.tags.find((t) => t.key === key)?.value;
    return text ? [{ kind: 'tag', key, title, text }] : [];
  });
  // The error tag repeats what a log file already shows; it is only worth opening when there is no file.
  return files.length > 0 ? [...files, ...tags.filter((t) => t.kind === 'tag' && t.key !== 'mlops.error')] : tags;
}
