import { extname } from 'node:path';
import { NotFoundError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import { invalidParameter, MlflowHttpError, notFound } from './mlflowHttpError';

/** What an artifact request answers: JSON for uploads and listings, raw bytes for downloads. */
export interface ArtifactReply {
  readonly contentType: string;
  readonly body: string | Buffer;
}

interface ArtifactTarget {
  readonly runId: string;
  /** "/"-separated path below the run's artifact root; "" for the root itself */
  readonly path: string;
}

const JSON_TYPE = 'application/json';
const TEXT_EXTENSIONS: ReadonlySet<string> = new Set(['.txt', '.json', '.yaml', '.yml', '.md', '.csv', '.log', '.py', '.html', '.toml', '.ini', '.cfg']);
const TEXT_NAMES: ReadonlySet<string> = new Set(['MLmodel', 'MLproject', 'requirements.txt']);

function decodeSegments(path: string): string[] {
  return path
    .split('/')
    .filter((s) => s !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw invalidParameter(`Artifact path ${JSON.stringify(path)} has a malformed %-escape in ${JSON.stringify(segment)}.`);
      }
    });
}

/**
 * Maps `<experiment_id>/<run_id>/artifacts/<path>` (the layout of the `mlflow-artifacts:` URIs we
 * hand out) to a run and a path inside its artifact folder. The engine then refuses any path that
 * would leave that folder (`..`, absolute paths, backslashes, symlinks out).
 */
async function resolveTarget(store: TrackingStore, rawPath: string, options: { allowRoot: boolean }): Promise<ArtifactTarget | undefined> {
  const segments = decodeSegments(rawPath);
  const [experimentId, runId, artifactsFolder, ...rest] = segments;
  if (experimentId === undefined || runId === undefined || artifactsFolder !== 'artifacts') return undefined;
  if (rest.length === 0 && !options.allowRoot) return undefined;
  let run;
  try {
    run = await store.getRun(runId);
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(`Run with id=${runId} not found (artifact path ${JSON.stringify(rawPath)})`);
    throw error;
  }
  if (run.info.experimentId !== experimentId) {
    throw notFound(`Run ${runId} belongs to experiment ${run.info.experimentId}, not ${experimentId} (artifact path ${JSON.stringify(rawPath)})`);
  }
  return { runId, path: rest.join('/') };
}

function notARunPath(rawPath: string): MlflowHttpError {
  return invalidParameter(`Artifact path ${JSON.stringify(rawPath)} is not inside a run's artifact folder: expected <experiment_id>/<run_id>/artifacts/<path>, as in the run's artifact_uri.`);
}

function contentTypeFor(path: string): string {
  const name = path.split('/').pop() ?? '';
  if (TEXT_NAMES.has(name) || TEXT_EXTENSIONS.has(extname(name).toLowerCase())) return 'text/plain; charset=utf-8';
  return 'application/octet-stream';
}

/** `PUT /api/2.0/mlflow-artifacts/artifacts/<path>`: one file, raw bytes. */
export async function uploadArtifact(store: TrackingStore, rawPath: string, body: Buffer): Promise<ArtifactReply> {
  const target = await resolveTarget(store, rawPath, { allowRoot: false });
  if (!target) throw notARunPath(rawPath);
  await store.writeArtifact(target.runId, target.path, body);
  return { contentType: JSON_TYPE, body: '{}' };
}

/** `GET /api/2.0/mlflow-artifacts/artifacts/<path>`: the file's bytes. */
export async function downloadArtifact(store: TrackingStore, rawPath: string): Promise<ArtifactReply> {
  const target = await resolveTarget(store, rawPath, { allowRoot: false });
  if (!target) throw notARunPath(rawPath);
  try {
    return { contentType: contentTypeFor(target.path), body: await store.readArtifact(target.runId, target.path) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') {
      throw notFound(`Artifact ${JSON.stringify(target.path)} of run ${target.runId} does not exist${code === 'EISDIR' ? ' as a file (it is a folder; list it instead)' : ''}.`);
    }
    throw error;
  }
}

/**
 * `GET /api/2.0/mlflow-artifacts/artifacts?path=`: entries relative to the listed folder. A file,
 * a missing path, or a path that is no run's folder gives `{}` — the client reads that as "a file".
 */
export async function listArtifacts(store: TrackingStore, rawPath: string): Promise<ArtifactReply> {
  const target = await resolveTarget(store, rawPath, { allowRoot: true }).catch((error: unknown) => {
    if (error instanceof MlflowHttpError && error.status === 404) return undefined;
    throw error;
  });
  if (!target) return { contentType: JSON_TYPE, body: '{}' };
  let entries;
  try {
    entries = await store.listArtifacts(target.runId, target.path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOTDIR') return { contentType: JSON_TYPE, body: '{}' };
    throw error;
  }
  if (entries.length === 0) return { contentType: JSON_TYPE, body: '{}' };
  const prefix = target.path === '' ? '' : `${target.path.split('/').filter((s) => s !== '' && s !== '.').join('/')}/`;
  const files = entries.map((e) => {
    const path = e.path.startsWith(prefix) ? e.path.slice(prefix.length) : e.path;
    return e.isDir ? { path, is_dir: true } : { path, is_dir: false, file_size: e.fileSize ?? 0 };
  });
  return { contentType: JSON_TYPE, body: JSON.stringify({ files }) };
}

/** Artifacts are immutable in the workspace store, so deleting one is refused with a reason. */
export async function deleteArtifact(_store: TrackingStore, rawPath: string): Promise<ArtifactReply> {
  throw new MlflowHttpError(501, 'NOT_IMPLEMENTED', `Deleting artifact ${JSON.stringify(rawPath)} is not supported: artifacts in the MLOps Studio workspace store are immutable once written.`);
}
