import type { DatasetInput, LifecycleStage, Run, RunSource, RunStatus } from './trackingTypes';

// The in-memory state of the runs in use (RunStateCache) and of every experiment. SQLite (made
// durable by the journal) is the record and answers search (runSearchSql.ts); a run's state is read
// from it when first needed and kept while it is used, so reads and writes of a run being trained or
// shown cost no round trip through sql.js per field, and memory follows the runs in use.

export interface SummaryState {
  readonly seriesId: number;
  value: number;
  step: number;
  timestamp: number;
  min: number;
  max: number;
  count: number;
  /**
   * The points of a short series kept inline in SQLite, once read (undefined: not read yet — a
   * search that loads 10,000 runs leaves them on disk); null when the series has no inline row.
   */
  inline: Uint8Array | null | undefined;
}

export interface RunState {
  runId: string;
  experimentId: string;
  runName: string;
  userId: string;
  status: RunStatus;
  startTime: number;
  endTime: number | null;
  lifecycleStage: LifecycleStage;
  source: RunSource | null;
  gitCommit: string | null;
  gitDirty: boolean | null;
  parentRunId: string | null;
  ownerPid: number | null;
  ownerHost: string | null;
  heartbeatTime: number | null;
  readonly params: Map<string, string>;
  readonly tags: Map<string, string>;
  readonly metrics: Map<string, SummaryState>;
  inputs: DatasetInput[];
  nextSeriesId: number;
  /**
   * The immutable Run handed to callers, built on first read and dropped on every change: a UI
   * that searches again and again gets the same objects instead of 40,000 new ones per page.
   */
  view: Run | undefined;
}

export interface ExperimentState {
  experimentId: string;
  name: string;
  artifactLocation: string;
  lifecycleStage: LifecycleStage;
  creationTime: number;
  lastUpdateTime: number;
  readonly tags: Map<string, string>;
}
