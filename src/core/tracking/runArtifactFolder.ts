import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ARTIFACTS_FOLDER } from './artifactStore';
import type { RunInfo } from './trackingTypes';

/**
 * Where a run's artifact folder is on this machine, if it is on this machine at all.
 * - the workspace store gives a `file:` URI;
 * - through the local server of the window that writes this store, MLflow's proxied
 *   `mlflow-artifacts:` URI names a folder of that same store (`storeDir`);
 * - a team's MLflow server keeps artifacts on its side (S3, a server disk): nothing to open here.
 */
export type ArtifactFolder = { readonly local: true; readonly path: string } | { readonly local: false; readonly reason: string };

export function runArtifactFolder(info: Pick<RunInfo, 'runId' | 'artifactUri'>, options: { storeDir?: string; serverUrl?: string } = {}): ArtifactFolder {
  const uri = info.artifactUri;
  if (uri.startsWith('file:')) return { local: true, path: fileURLToPath(uri) };
  if (uri.startsWith('mlflow-artifacts:') && options.storeDir) return { local: true, path: join(options.storeDir, ARTIFACTS_FOLDER, info.runId) };
  const where = options.serverUrl ? `the tracking server ${options.serverUrl}` : 'the tracking server';
  return {
    local: false,
    reason: `its artifacts are kept by ${where} at ${uri || '(no artifact URI)'}, not in a folder on this machine. The Runs panel's run details list and preview them.`,
  };
}
