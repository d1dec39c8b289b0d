import { artifactFilesUnder } from '../tracking/artifactFiles';
import type { TrackingStore } from '../tracking/trackingStore';
import type { Param, Run, Tag } from '../tracking/trackingTypes';
import { MAX_PARAM_VALUE_LENGTH } from '../tracking/trackingValidation';

/** Tag on a copied run naming the run it was copied from: a second copy skips it. */
export const COPIED_FROM_TAG = 'mlops.copiedFrom';
/** Set last, once everything is there: a run with COPIED_FROM_TAG but not this one is a copy cut short. */
export const COPY_COMPLETE_TAG = 'mlops.copyComplete';
/** On a copy that failed midway (marked FAILED): why. */
export const COPY_ERROR_TAG = 'mlops.copyError';
/** On a copy cut short that a later copy replaced (and deleted): the source it had been copied from. */
export const COPY_REPLACED_TAG = 'mlops.copyReplaced';
/** On a copy whose params were too long for a param: their keys; each value is whole in `params/<key>.txt`. */
export const LONG_PARAMS_TAG = 'mlops.longParams';

/** Where a param too long for MLflow travels whole. */
export function longParamArtifact(key: string): string {
  return `params/${key}.txt`;
}

export interface CopyRunsOptions {
  /** the runs to copy (their parents come along, so the tree stays whole) */
  readonly runIds: readonly string[];
  /** e.g. the source server's URL, recorded in the copied-from tag as `<label>#<runId>` */
  readonly sourceLabel: string;
  /** progress, one call per run copied or skipped */
  readonly onProgress?: (event: CopyProgress) => void;
  /** runs copied at once (default 1) */
  readonly concurrency?: number;
}

export interface CopyProgress {
  readonly sourceRunId: string;
  readonly targetRunId: string;
  readonly skipped: boolean;
  /** a copy cut short by an earlier attempt was replaced by this one */
  readonly repaired: boolean;
  readonly metricPoints: number;
  readonly artifacts: number;
  /** keys of params longer than MLflow keeps (6,000 characters): cut in the param, whole as an artifact */
  readonly longParams: readonly string[];
}

export interface CopyRunsResult {
  /** source run id → target run id, for every run copied or found already copied */
  readonly runIds: ReadonlyMap<string, string>;
  readonly copied: number;
  readonly skipped: number;
  /** of the copied, how many replaced a copy an earlier attempt left unfinished */
  readonly repaired: number;
  /** params longer than 6,000 characters, kept whole as artifacts (see longParamArtifact) */
  readonly longParams: number;
}

// Tags the target sets itself from createRun's fields; copying them as tags would fight those.
const SYSTEM_TAGS: ReadonlySet<string> = new Set(['mlflow.runName', 'mlflow.user', 'mlflow.parentRunId', COPIED_FROM_TAG, COPY_COMPLETE_TAG, COPY_ERROR_TAG, COPY_REPLACED_TAG]);
const MAX_TAG_VALUE = 5_000;
const BATCH_PARAMS_TAGS = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** The target's experiment for a source experiment; one lookup (or creation) per experiment, however many runs ask at once. */
function targetExperiment(source: TrackingStore, target: TrackingStore, experimentId: string, cache: Map<string, Promise<string>>): Promise<string> {
  let id = cache.get(experimentId);
  if (id === undefined) {
    id = (async (): Promise<string> => {
      const experiment = await source.getExperiment(experimentId);
      const existing = await target.getExperimentByName(experiment.name);
      if (!existing) return target.createExperiment(experiment.name, { tags: experiment.tags });
      if (existing.lifecycleStage === 'deleted') await target.restoreExperiment(existing.experimentId);
      return existing.experimentId;
    })();
    cache.set(experimentId, id);
    // a failed lookup is not remembered: the next run asks again
    id.catch(() => cache.delete(experimentId));
  }
  return id;
}

interface EarlierCopies {
  /** the finished copy, if there is one */
  readonly complete: string | undefined;
  /** copies an earlier attempt left unfinished (no COPY_COMPLETE_TAG) */
  readonly unfinished: readonly string[];
}

async function earlierCopies(target: TrackingStore, experimentId: string, marker: string): Promise<EarlierCopies> {
  const found = await target.searchRuns({ experimentIds: [experimentId], filter: `tags.\`${COPIED_FROM_TAG}\` = '${marker.replace(/'/g, "\\'")}'`, viewType: 'ALL', maxResults: 100 });
  const complete = found.runs.find((r) => r.data.tags.some((t) => t.key === COPY_COMPLETE_TAG && t.value === 'true'));
  return { complete: complete?.info.runId, unfinished: found.runs.filter((r) => r !== complete).map((r) => r.info.runId) };
}

/**
 * An unfinished copy is put away before the run is copied again: it no longer carries the
 * copied-from tag (so no later copy finds it), says what it was, and is deleted.
 */
async function retire(target: TrackingStore, runId: string, marker: string): Promise<void> {
  const run = await target.getRun(runId);
  if (run.info.lifecycleStage === 'deleted') await target.restoreRun(runId);
  await target.setTag(runId, COPY_REPLACED_TAG, marker);
  await target.deleteTag(runId, COPIED_FROM_TAG);
  if (run.info.status === 'RUNNING') await target.updateRun(runId, { status: 'FAILED', endTime: Date.now() });
  await target.deleteRun(runId);
}

/** Best effort: a copy that failed midway must not look complete, nor still running. */
async function markFailed(target: TrackingStore, runId: string, error: unknown): Promise<void> {
  const why = error instanceof Error ? error.message : String(error);
  try {
    await target.setTag(runId, COPY_ERROR_TAG, why.slice(0, MAX_TAG_VALUE));
  } catch {
    // the target may be what failed; the status below matters more
  }
  try {
    await target.updateRun(runId, { status: 'FAILED', endTime: Date.now() });
  } catch {
    // still without the complete tag, so the next copy repairs it
  }
}

/**
 * Copies runs between two tracking stores — the local workspace store and an MLflow server, either
 * way, since both are TrackingStores: experiment (by name), info, params, tags, every metric
 * point, dataset inputs and artifacts. The copy is marked with `mlops.copiedFrom` from the start
 * and with `mlops.copyComplete` once everything is there (and only then gets the source's status),
 * so running it again skips what is complete and replaces a copy an earlier attempt cut short. A
 * copy that fails midway is marked FAILED with `mlops.copyError` saying why.
 */
export async function copyRuns(source: TrackingStore, target: TrackingStore, options: CopyRunsOptions): Promise<CopyRunsResult> {
  const experiments = new Map<string, Promise<string>>();
  const mapped = new Map<string, string>();
  // a run asked for twice at once (a parent of two children being copied) is copied once
  const inflight = new Map<string, Promise<string>>();
  let copied = 0;
  let skipped = 0;
  let repaired = 0;
  let longParams = 0;

  const copyOne = (runId: string, chain: readonly string[]): Promise<string> => {
    const done = mapped.get(runId);
    if (done !== undefined) return Promise.resolve(done);
    if (chain.includes(runId)) return Promise.reject(new Error(`Run ${runId} is its own ancestor (${[...chain, runId].join(' → ')}); cannot copy a cycle.`));
    let copying = inflight.get(runId);
    if (!copying) {
      copying = copyRun(runId, chain).finally(() => inflight.delete(runId));
      inflight.set(runId, copying);
    }
    return copying;
  };

  const copyRun = async (runId: string, chain: readonly string[]): Promise<string> => {
    const run: Run = await source.getRun(runId);
    const parentId = run.info.parentRunId;
    const targetParent = parentId ? await copyOne(parentId, [...chain, runId]) : undefined;
    const experimentId = await targetExperiment(source, target, run.info.experimentId, experiments);
    const marker = `${options.sourceLabel}#${runId}`;
    const earlier = await earlierCopies(target, experimentId, marker);
    if (earlier.complete !== undefined) {
      mapped.set(runId, earlier.complete);
      skipped++;
      options.onProgress?.({ sourceRunId: runId, targetRunId: earlier.complete, skipped: true, repaired: false, metricPoints: 0, artifacts: 0, longParams: [] });
      return earlier.complete;
    }
    for (const unfinished of earlier.unfinished) await retire(target, unfinished, marker);
    // MLflow (and the workspace store) keep 6,000 characters of a param: a longer value travels
    // whole as an artifact, the param keeps its start, and a tag names the keys — nothing is cut silently.
    const long = run.data.params.filter((p) => p.value.length > MAX_PARAM_VALUE_LENGTH);
    const params: Param[] = run.data.params.map((p) => (p.value.length > MAX_PARAM_VALUE_LENGTH ? { key: p.key, value: p.value.slice(0, MAX_PARAM_VALUE_LENGTH) } : p));
    const tags: Tag[] = run.data.tags.filter((t) => !SYSTEM_TAGS.has(t.key) && !(long.length > 0 && t.key === LONG_PARAMS_TAG));
    if (long.length > 0) tags.push({ key: LONG_PARAMS_TAG, value: long.map((p) => p.key).join(', ').slice(0, MAX_TAG_VALUE) });
    const files = await artifactFilesUnder(source, runId);
    const created = await target.createRun({
      experimentId,
      runName: run.info.runName,
      startTime: run.info.startTime,
      userId: run.info.userId,
      tags: [{ key: COPIED_FROM_TAG, value: marker }],
      ...(run.info.source ? { source: run.info.source } : {}),
      ...(run.info.gitCommit ? { gitCommit: run.info.gitCommit } : {}),
      ...(targetParent ? { parentRunId: targetParent } : {}),
      ownerPid: null,
    });
    const newId = created.info.runId;
    let metricPoints = 0;
    try {
      for (const part of chunks(params, BATCH_PARAMS_TAGS)) await target.logBatch({ runId: newId, params: part });
      for (const part of chunks(tags, BATCH_PARAMS_TAGS)) await target.logBatch({ runId: newId, tags: part });
      for (const metric of run.data.metrics) {
        const columns = await source.getMetricColumns(runId, metric.key);
        metricPoints += columns.steps.length;
        await target.logMetricColumns(newId, metric.key, columns);
      }
      if (run.inputs.datasetInputs.length > 0) await target.logInputs(newId, run.inputs.datasetInputs);
      for (const file of files) await target.writeArtifact(newId, file, await source.readArtifact(runId, file));
      for (const p of long) await target.writeArtifact(newId, longParamArtifact(p.key), p.value);
      // Only now is the copy whole: it takes the source's status, and the tag that says so comes last.
      if (run.info.status !== 'RUNNING') await target.updateRun(newId, { status: run.info.status, ...(run.info.endTime === null ? {} : { endTime: run.info.endTime }) });
      await target.setTag(newId, COPY_COMPLETE_TAG, 'true');
    } catch (error) {
      await markFailed(target, newId, error);
      throw error;
    }
    if (run.info.lifecycleStage === 'deleted') await target.deleteRun(newId);
    mapped.set(runId, newId);
    copied++;
    const isRepair = earlier.unfinished.length > 0;
    if (isRepair) repaired++;
    longParams += long.length;
    options.onProgress?.({ sourceRunId: runId, targetRunId: newId, skipped: false, repaired: isRepair, metricPoints, artifacts: files.length + long.length, longParams: long.map((p) => p.key) });
    return newId;
  };

  // A few runs at a time; the first failure stops taking new ones (those under way finish or fail
  // on their own, marked FAILED as always) and is what the copy reports.
  const queue = [...options.runIds];
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    for (let runId = queue.shift(); runId !== undefined && !failure; runId = queue.shift()) {
      try {
        await copyOne(runId, []);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency ?? 1, queue.length)) }, worker));
  if (failure) throw failure.error;
  return { runIds: mapped, copied, skipped, repaired, longParams };
}
