import { basename } from 'node:path';
import { EngineJobs } from '../engine/engineJobs';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { ModelSearchOptions, ModelSearchResult } from './modelSearch';
import type { LeaderboardEntry } from './modelSearchLeaderboard';
import { describeTrainingFailure } from './trainingJobFailures';

// *Find Best Model* runs in the engine like trainings (trainingJobs.ts): its candidates outlive the
// window or the command that started the search; cancelling stops it after the current candidate.

/** What a client asks to search: the runner's options that travel as data. */
export type ModelSearchJobRequest = Pick<ModelSearchOptions, 'specPath' | 'budgetSeconds' | 'costBudget' | 'maxLatencyMs' | 'metric' | 'backend' | 'prices' | 'candidates'>;

/** The leaderboard after a candidate ended. */
export interface ModelSearchUpdate {
  readonly leaderboard: readonly LeaderboardEntry[];
  readonly done: number;
  readonly total: number;
}

/** Model searches running in this engine. */
export const modelSearchJobs = new EngineJobs<ModelSearchUpdate, ModelSearchResult>('search', 'model search', describeTrainingFailure, (u) => `${u.done}/${u.total} candidates${u.leaderboard[0] ? ` · best so far: ${u.leaderboard[0].label}` : ''}`);

/** Starts a search in this process (the engine) and answers with its job id at once. */
export function startModelSearchJob(store: WorkspaceStore, request: ModelSearchJobRequest): { jobId: string } {
  return modelSearchJobs.start(store, basename(request.specPath), async (signal, report) => {
    const { findBestModel } = await import('./modelSearch');
    return findBestModel({ ...request, store: store.tracking, signal, onUpdate: (leaderboard, done, total) => report({ leaderboard, done, total }) });
  });
}
