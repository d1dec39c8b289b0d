import type { EngineClient } from '../engine/engineClient';
import { followEngineJob } from '../engine/engineJobFollow';
import type { ModelSearchOptions, ModelSearchResult } from './modelSearch';
import type { ModelSearchUpdate } from './modelSearchJobs';
import { trainingFailureError } from './trainingJobFailures';

/**
 * Finds the best model where the store is: as a job of the workspace engine (the search outlives
 * the window or the command that asked; the signal stops it after the current candidate), or in
 * this process when there is no engine.
 */
export async function searchWhereTheStoreIs(options: ModelSearchOptions & { readonly engine?: EngineClient }): Promise<ModelSearchResult> {
  const { engine, store: _store, signal, onUpdate, workerEntry, ...request } = options;
  if (!engine || workerEntry !== undefined) {
    const { findBestModel } = await import('./modelSearch');
    return findBestModel(options);
  }
  const { jobId } = await engine.call('search.start', request);
  return followEngineJob<ModelSearchUpdate, ModelSearchResult>(
    {
      status: (from, waitMs) => engine.call('search.status', { jobId, from, waitMs }),
      cancel: () => engine.call('search.cancel', { jobId }),
    },
    {
      onEvent: (update) => onUpdate?.(update.leaderboard, update.done, update.total),
      ...(signal ? { signal } : {}),
      asError: (failure) => trainingFailureError(failure, 'model search', undefined),
    },
  );
}
