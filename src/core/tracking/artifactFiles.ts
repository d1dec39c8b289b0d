import type { TrackingStore } from './trackingStore';

/** Every file (not folder) of a run's artifacts under `path` ('' = all), walking subfolders; the store may be local or a server. */
export async function artifactFilesUnder(store: TrackingStore, runId: string, path = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await store.listArtifacts(runId, path)) {
    if (entry.isDir) files.push(...(await artifactFilesUnder(store, runId, entry.path)));
    else files.push(entry.path);
  }
  return files;
}
