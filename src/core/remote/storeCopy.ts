import type { TrackingStore } from '../tracking/trackingStore';
import type { Run, Tag } from '../tracking/trackingTypes';

/** Tag on a copied run naming the run it was copied from: a second copy skips it. */
export const COPIED_FROM_TAG = 'mlops.copiedFrom';

export interface CopyRunsOptions {
  /** the runs to copy (their parents come along, so the tree stays whole) */
  readonly runIds: readonly string[];
  /** e.g. the source server's URL, recorded in the copied-from tag as `<label>#<runId>` */
  readonly sourceLabel: string;
  /** progress, one call per run copied or skipped */
  readonly onProgress?: (event: CopyProgress) => void;
}

export interface CopyProgress {
  readonly sourceRunId: string;
  readonly targetRunId: string;
  readonly skipped: boolean;
  readonly metricPoints: number;
  readonly artifacts: number;
}

export interface CopyRunsResult {
  /** source run id → target run id, for every run copied or found already copied */
  readonly runIds: ReadonlyMap<string, string>;
  readonly copied: number;
  readonly skipped: number;
}

// Tags the target sets itself from createRun's fields; copying them as tags would fight those.
const SYSTEM_TAGS: ReadonlySet<string> = new Set(['mlflow.runName', 'mlflow.user', 'mlflow.parentRunId', COPIED_FROM_TAG]);
const BATCH_PARAMS_TAGS = 100;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function targetExperiment(source: TrackingStore, target: TrackingStore, experimentId: string, cache: Map<string, string>): Promise<string> {
  const known = cache.get(experimentId);
  if (known !== undefined) return known;
  const experiment = await source.getExperiment(experimentId);
  const existing = await target.getExperimentByName(experiment.name);
  let id: string;
  if (existing) {
    if (existing.lifecycleStage === 'deleted') await target.restoreExperiment(existing.experimentId);
    id = existing.experimentId;
  } else {
    id = await target.createExperiment(experiment.name, { tags: experiment.tags });
  }
  cache.set(experimentId, id);
  return id;
}

async function alreadyCopied(target: TrackingStore, experimentId: string, marker: string): Promise<string | undefined> {
  const found = await target.searchRuns({ experimentIds: [experimentId], filter: `tags.\`${COPIED_FROM_TAG}\` = '${marker.replace(/'/g, "\\'")}'`, viewType: 'ALL', maxResults: 1 });
  return found.runs[0]?.info.runId;
}

async function listAllArtifacts(store: TrackingStore, runId: string, path = ''): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await store.listArtifacts(runId, path)) {
    if (entry.isDir) files.push(...(await listAllArtifacts(store, runId, entry.path)));
    else files.push(entry.path);
  }
  return files;
}

/**
 * Copies runs between two tracking stores — the local workspace store and an MLflow server, either
 * way, since both are TrackingStores: experiment (by name), info, params, tags, every metric
 * point, dataset inputs and artifacts. The copy is marked with `mlops.copiedFrom`, so running it
 * again skips what is already there.
 */
export async function copyRuns(source: TrackingStore, target: TrackingStore, options: CopyRunsOptions): Promise<CopyRunsResult> {
  const experiments = new Map<string, string>();
  const mapped = new Map<string, string>();
  let copied = 0;
  let skipped = 0;

  const copyOne = async (runId: string, chain: readonly string[]): Promise<string> => {
    const done = mapped.get(runId);
    if (done !== undefined) return done;
    if (chain.includes(runId)) throw new Error(`Run ${runId} is its own ancestor (${[...chain, runId].join(' → ')}); cannot copy a cycle.`);
    const run: Run = await source.getRun(runId);
    const parentId = run.info.parentRunId;
    const targetParent = parentId ? await copyOne(parentId, [...chain, runId]) : undefined;
    const experimentId = await targetExperiment(source, target, run.info.experimentId, experiments);
    const marker = `${options.sourceLabel}#${runId}`;
    const existing = await alreadyCopied(target, experimentId, marker);
    if (existing !== undefined) {
      mapped.set(runId, existing);
      skipped++;
      options.onProgress?.({ sourceRunId: runId, targetRunId: existing, skipped: true, metricPoints: 0, artifacts: 0 });
      return existing;
    }
    const tags: Tag[] = run.data.tags.filter((t) => !SYSTEM_TAGS.has(t.key));
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
    for (const part of chunks(run.data.params, BATCH_PARAMS_TAGS)) await target.logBatch({ runId: newId, params: part });
    for (const part of chunks(tags, BATCH_PARAMS_TAGS)) await target.logBatch({ runId: newId, tags: part });
    let metricPoints = 0;
    for (const metric of run.data.metrics) {
      const columns = await source.getMetricColumns(runId, metric.key);
      metricPoints += columns.steps.length;
      await target.logMetricColumns(newId, metric.key, columns);
    }
    if (run.inputs.datasetInputs.length > 0) await target.logInputs(newId, run.inputs.datasetInputs);
    const files = await listAllArtifacts(source, runId);
    for (const file of files) await target.writeArtifact(newId, file, await source.readArtifact(runId, file));
    // Last, so a copy that stopped half-way stays RUNNING and is easy to tell apart.
    if (run.info.status !== 'RUNNING') await target.updateRun(newId, { status: run.info.status, ...(run.info.endTime === null ? {} : { endTime: run.info.endTime }) });
    if (run.info.lifecycleStage === 'deleted') await target.deleteRun(newId);
    mapped.set(runId, newId);
    copied++;
    options.onProgress?.({ sourceRunId: runId, targetRunId: newId, skipped: false, metricPoints, artifacts: files.length });
    return newId;
  };

  for (const runId of options.runIds) await copyOne(runId, []);
  return { runIds: mapped, copied, skipped };
}
