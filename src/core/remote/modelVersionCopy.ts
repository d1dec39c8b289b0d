import { mlflowModelFiles, type MlflowModelFile } from '../modelPackage/mlflowModelExport';
import type { ModelRegistry } from '../registry/modelRegistry';
import { artifactFilesUnder } from '../tracking/artifactFiles';
import { NotFoundError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import type { MlflowRegistryClient } from './mlflowRegistryClient';
import { COPIED_FROM_TAG, COPY_COMPLETE_TAG, copyRuns } from './storeCopy';

/** The local side: the workspace's tracking store and its registry. */
export interface LocalModels {
  readonly tracking: TrackingStore;
  readonly registry: ModelRegistry;
}

/** The remote side: an MLflow server's tracking and registry APIs. */
export interface RemoteModels {
  readonly tracking: TrackingStore;
  readonly registry: MlflowRegistryClient;
}

export interface VersionRef {
  readonly name: string;
  readonly version: number;
}

export interface VersionCopyResult {
  readonly source: VersionRef;
  readonly target: VersionRef;
  readonly skipped: boolean;
  /** what the copy could not do, said to the user (e.g. why the version is not an MLflow Model there) */
  readonly note?: string;
}

/** The folder inside a run's artifacts that a version's source names. */
function artifactPathOfSource(source: string, where: string): string {
  const runs = /^runs:\/[^/]+\/?(.*)$/.exec(source);
  if (runs) return runs[1] ?? '';
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/[^/]+\/[^/]+\/artifacts\/?(.*)$/.exec(source);
  if (proxied) return proxied[1] ?? '';
  throw new Error(`${where}: its files are at ${source}, which is not in a run's artifacts served by the MLflow server (runs:/ or mlflow-artifacts:/), so they cannot be copied.`);
}

/**
 * A version on the server must point at files that are there: they are listed on the server before
 * the version (and its aliases) is created, so a copy that lost them fails instead of reporting
 * "copied" over nothing.
 */
async function checkFilesArrived(source: TrackingStore, sourceRunId: string, target: TrackingStore, targetRunId: string, path: string, what: string): Promise<void> {
  const expected = await artifactFilesUnder(source, sourceRunId, path);
  const there = new Set(await artifactFilesUnder(target, targetRunId, path));
  const missing = expected.filter((f) => !there.has(f));
  const where = path === '' ? 'its run' : `"${path}" of its run`;
  if (expected.length > 0 && missing.length === 0) return;
  // The run is no longer whole: without its complete tag, the next copy replaces it.
  if (missing.length > 0) await target.deleteTag(targetRunId, COPY_COMPLETE_TAG);
  if (expected.length === 0) throw new Error(`${what}: its files ("${path}" of run ${sourceRunId}) are not in the workspace, so there is nothing to copy; no version or alias was created on the server.`);
  throw new Error(`${what}: ${missing.length} of its ${expected.length} files did not arrive in ${where} on the server (e.g. ${missing[0] as string}); no version or alias was created. Copy again to repair it.`);
}

/**
 * Beside the package's own files, the version's folder on the server gets an MLflow Model's
 * (MLmodel, a numpy/pandas python_function), so the team's registry version loads with
 * `mlflow.pyfunc.load_model('models:/NAME/N')`. Listed before the version is created, like the rest.
 */
async function addMlflowModelFiles(packageDir: string, target: TrackingStore, runId: string, path: string, what: string): Promise<string | undefined> {
  if (packageDir === '') return undefined; // an external version: no package to describe
  let files: MlflowModelFile[];
  try {
    files = await mlflowModelFiles(packageDir);
  } catch (error) {
    // the package's own files are there; only MLflow's loader will not find a model in them
    return `its files were copied, but they cannot be described as an MLflow Model (${error instanceof Error ? error.message : String(error)}), so mlflow.pyfunc.load_model will not load it`;
  }
  const at = (file: string): string => (path === '' ? file : `${path}/${file}`);
  for (const file of files) await target.writeArtifact(runId, at(file.path), file.data);
  const there = new Set(await artifactFilesUnder(target, runId, path));
  const missing = files.filter((f) => !there.has(at(f.path)));
  if (missing.length > 0) {
    await target.deleteTag(runId, COPY_COMPLETE_TAG);
    throw new Error(`${what}: ${missing.length} of the MLflow Model's ${files.length} files did not arrive on the server (e.g. ${at((missing[0] as MlflowModelFile).path)}); no version or alias was created. Copy again to repair it.`);
  }
  return undefined;
}

function marker(label: string, ref: VersionRef): string {
  return `${label}#${ref.name}/${ref.version}`;
}

/**
 * Copies model versions from the workspace registry to an MLflow server: the run first (with its
 * metrics and artifacts, see copyRuns), then the version pointing at the copied files, with its
 * description, tags, stage and aliases — only once the files are listed on the server. A version
 * already copied (tag mlops.copiedFrom) is skipped.
 */
export async function copyVersionsToRemote(local: LocalModels, remote: RemoteModels, versions: readonly VersionRef[], sourceLabel: string): Promise<VersionCopyResult[]> {
  const results: VersionCopyResult[] = [];
  for (const ref of versions) {
    const version = local.registry.getVersion(ref.name, ref.version);
    const mark = marker(sourceLabel, { name: version.name, version: version.version });
    const existing = (await remote.registry.searchVersions(`name = '${version.name.replace(/'/g, "\\'")}'`)).find((v) => v.tags.some((t) => t.key === COPIED_FROM_TAG && t.value === mark));
    if (existing) {
      results.push({ source: ref, target: { name: existing.name, version: existing.version }, skipped: true });
      continue;
    }
    const path = artifactPathOfSource(version.source, `version ${version.version} of "${version.name}"`);
    const { runIds } = await copyRuns(local.tracking, remote.tracking, { runIds: [version.runId], sourceLabel });
    const remoteRunId = runIds.get(version.runId) as string;
    await checkFilesArrived(local.tracking, version.runId, remote.tracking, remoteRunId, path, `version ${version.version} of "${version.name}"`);
    const note = await addMlflowModelFiles(version.packageDir, remote.tracking, remoteRunId, path, `version ${version.version} of "${version.name}"`);
    const artifactUri = (await remote.tracking.getRun(remoteRunId)).info.artifactUri;
    const model = local.registry.getModel(version.name);
    await remote.registry.ensureModel(version.name, { description: model.description, tags: model.tags });
    const created = await remote.registry.createVersion(version.name, {
      source: path === '' ? artifactUri : `${artifactUri}/${path}`,
      runId: remoteRunId,
      description: version.description,
      tags: [...version.tags.filter((t) => t.key !== COPIED_FROM_TAG), { key: COPIED_FROM_TAG, value: mark }],
    });
    if (version.currentStage !== 'None') await remote.registry.transitionStage(created.name, created.version, version.currentStage);
    for (const alias of version.aliases) await remote.registry.setAlias(created.name, alias, created.version);
    results.push({ source: ref, target: { name: created.name, version: created.version }, skipped: false, ...(note ? { note } : {}) });
  }
  return results;
}

/** The other way: MLflow server versions into the workspace registry (its run copied first). */
export async function copyVersionsToLocal(remote: RemoteModels, local: LocalModels, versions: readonly VersionRef[], sourceLabel: string): Promise<VersionCopyResult[]> {
  const results: VersionCopyResult[] = [];
  for (const ref of versions) {
    const version = await remote.registry.getVersion(ref.name, ref.version);
    const mark = marker(sourceLabel, { name: version.name, version: version.version });
    let existing;
    try {
      existing = local.registry.listVersions(version.name).find((v) => v.tags.some((t) => t.key === COPIED_FROM_TAG && t.value === mark));
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    if (existing) {
      results.push({ source: ref, target: { name: existing.name, version: existing.version }, skipped: true });
      continue;
    }
    if (!version.runId) throw new Error(`Version ${version.version} of "${version.name}" has no run; the workspace registry keeps only versions of runs.`);
    const path = artifactPathOfSource(version.source, `version ${version.version} of "${version.name}"`);
    const { runIds } = await copyRuns(remote.tracking, local.tracking, { runIds: [version.runId], sourceLabel });
    const model = await remote.registry.getModel(version.name);
    if (model && !local.registry.findModel(version.name)) await local.registry.createModel(version.name, { description: model.description, tags: model.tags });
    const created = await local.registry.registerVersion(runIds.get(version.runId) as string, version.name, {
      artifactPath: path,
      description: version.description,
      tags: [...version.tags.filter((t) => t.key !== COPIED_FROM_TAG), { key: COPIED_FROM_TAG, value: mark }],
    });
    if (version.currentStage !== 'None') await local.registry.transitionStage(created.name, created.version, version.currentStage);
    for (const alias of version.aliases) await local.registry.setAlias(created.name, alias, created.version);
    results.push({ source: ref, target: { name: created.name, version: created.version }, skipped: false });
  }
  return results;
}
