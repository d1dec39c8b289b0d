import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { ModelVersion } from '../registry/registryTypes';
import { artifactFilesUnder } from '../tracking/artifactFiles';
import type { TrackingStore } from '../tracking/trackingStore';
import { artifactPathOfSource } from './mlflowRegistryBackend';

/**
 * The files of a model version registered on an MLflow server, downloaded through its artifact
 * API into a cache folder (`cacheRoot/<server>/<name>/<version>`) and reused from there: a
 * version's files do not change once registered. Returns the folder to load the package from.
 */
export async function downloadVersionFiles(tracking: TrackingStore, serverUrl: string, version: ModelVersion, cacheRoot: string = join(tmpdir(), 'mlops-remote-models')): Promise<string> {
  const path = artifactPathOfSource(version.source);
  if (path === undefined || version.runId === '') {
    throw new Error(`models:/${version.name}/${version.version} keeps its files at ${version.source}, which is not a run's artifacts served by ${serverUrl}; they cannot be downloaded through its artifact API.`);
  }
  const server = createHash('sha256').update(serverUrl).digest('hex').slice(0, 12);
  const target = join(cacheRoot, server, encodeURIComponent(version.name), String(version.version));
  const complete = join(target, '.mlops-download-complete');
  if (existsSync(complete)) return target;
  const files = await artifactFilesUnder(tracking, version.runId, path);
  if (files.length === 0) throw new Error(`models:/${version.name}/${version.version}: ${serverUrl} has no files under ${version.source}.`);
  // Into a fresh folder first: a download cut short never looks like a complete one.
  const partial = `${target}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  for (const file of files) {
    const relative = path === '' ? file : file.slice(path.length + 1);
    const out = join(partial, relative);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, await tracking.readArtifact(version.runId, file));
  }
  writeFileSync(join(partial, '.mlops-download-complete'), `${version.source}\n`);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  renameSync(partial, target);
  return target;
}
