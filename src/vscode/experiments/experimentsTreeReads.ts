/**
 * What the Experiments view reads: the experiments, and each expanded experiment's most recent
 * runs. Through the engine a run arrives as its row needs it (`runs.list`: info and a few fields);
 * a team's MLflow server has no engine, so there the runs come whole from its search API.
 * Free of `vscode`, so a benchmark measures exactly what the view moves.
 */
import type { EngineClient } from '../../core/engine/engineClient';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Experiment, Run } from '../../core/tracking/trackingTypes';

/** Where the view reads: the tracking API, and the engine when the workspace store's engine answers. */
export interface TreeSource {
  readonly tracking: TrackingStore;
  readonly engine: EngineClient | undefined;
}

/** Most recent runs listed under an experiment; the runs panel pages through the rest. */
export const RUNS_PER_EXPERIMENT = 200;
/** MLflow's "Default" experiment always exists with this id. */
const DEFAULT_EXPERIMENT_ID = '0';

type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY';

/** An experiment's most recent runs, newest first. */
async function recentRuns(source: TreeSource, experimentId: string, viewType: ViewType, maxResults: number): Promise<readonly Run[]> {
  if (source.engine) return (await source.engine.call('runs.list', { experimentId, viewType, maxResults })).runs;
  return (await source.tracking.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.start_time DESC'], maxResults, viewType })).runs;
}

/** The experiments, most recently updated first; "Default" only once something logged into it. */
export async function readExperiments(source: TreeSource): Promise<Experiment[]> {
  const [{ experiments }, defaultRuns] = await Promise.all([
    source.tracking.searchExperiments({ orderBy: ['attributes.last_update_time DESC'], maxResults: 1000 }),
    recentRuns(source, DEFAULT_EXPERIMENT_ID, 'ACTIVE_ONLY', 1),
  ]);
  return experiments.filter((e) => !(e.experimentId === DEFAULT_EXPERIMENT_ID && defaultRuns.length === 0));
}

/**
 * An expanded experiment: its most recent active runs, and its deleted ones (to restore).
 * `listed`: the runs are list rows (only what a row shows), not whole runs.
 */
export async function readExperimentRuns(source: TreeSource, experimentId: string): Promise<{ runs: readonly Run[]; deleted: readonly Run[]; listed: boolean }> {
  const [runs, deleted] = await Promise.all([recentRuns(source, experimentId, 'ACTIVE_ONLY', RUNS_PER_EXPERIMENT), recentRuns(source, experimentId, 'DELETED_ONLY', RUNS_PER_EXPERIMENT)]);
  return { runs, deleted, listed: source.engine !== undefined };
}
