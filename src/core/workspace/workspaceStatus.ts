import type { TrackingStore } from '../tracking/trackingStore';
import type { RunStatus, TrackingStats } from '../tracking/trackingTypes';

export interface RecentRunSummary {
  runId: string;
  runName: string;
  experimentName: string;
  status: RunStatus;
  /** a tuning trial the pruner stopped (its status is KILLED): say "pruned", as the views do */
  pruned?: boolean;
  startTime: number;
  endTime?: number;
}

/** What the dashboard and `mlops status` show: how much the store holds and what happened last. */
export interface WorkspaceStatus {
  counts: TrackingStats;
  recentRuns: RecentRunSummary[];
}

export async function readWorkspaceStatus(tracking: TrackingStore, recentLimit: number): Promise<WorkspaceStatus> {
  const [counts, recent, experiments] = await Promise.all([
    tracking.stats(),
    tracking.searchRuns({ orderBy: ['attributes.start_time DESC'], maxResults: recentLimit }),
    tracking.searchExperiments({ viewType: 'ALL', maxResults: 50_000 }),
  ]);
  const names = new Map(experiments.experiments.map((e) => [e.experimentId, e.name]));
  return {
    counts,
    recentRuns: recent.runs.map(({ info, data }) => ({
      runId: info.runId,
      runName: info.runName,
      experimentName: names.get(info.experimentId) ?? `experiment ${info.experimentId}`,
      status: info.status,
      ...(info.status === 'KILLED' && data.tags.some((t) => t.key === 'mlops.tune.pruned') ? { pruned: true } : {}),
      startTime: info.startTime,
      ...(info.endTime === null ? {} : { endTime: info.endTime }),
    })),
  };
}
