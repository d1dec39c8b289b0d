import { dirname } from 'node:path';
import type { EngineClient } from '../engine/engineClient';
import type { TrackingStore } from '../tracking/trackingStore';
import { followEngineJob } from '../engine/engineJobFollow';
import { trainingFailureError } from './trainingJobFailures';
import type { TrainingJobRequest } from './trainingJobs';
import type { TrainingOptions, TrainingProgress, TrainingResult } from './trainingRunner';

/**
 * Trains in the workspace engine and follows the job until it ends: progress as it comes, the
 * signal passed on as a cancel. Resolves with the result; rejects with the runner's own errors
 * (SpecError, TrainingInputError, TrainingFailedError, TrainingCancelledError).
 */
async function followTrainingInEngine(
  engine: EngineClient,
  request: TrainingJobRequest,
  options: { onProgress?: (progress: TrainingProgress) => void; signal?: AbortSignal; store?: TrackingStore } = {},
): Promise<TrainingResult> {
  const { jobId } = await engine.call('training.start', request);
  let runId: string | undefined;
  return followEngineJob<TrainingProgress, TrainingResult>(
    {
      status: (from, waitMs) => engine.call('training.status', { jobId, from, waitMs }),
      cancel: () => engine.call('training.cancel', { jobId }),
    },
    {
      onEvent: (progress) => {
        runId ??= progress.runId;
        options.onProgress?.(progress);
      },
      ...(options.signal ? { signal: options.signal } : {}),
      asError: async (failure) => {
        if (failure.kind === 'gone' && runId !== undefined && options.store) await markAbandoned(options.store, runId, failure.message);
        return trainingFailureError(failure, 'training', runId);
      },
    },
  );
}

/** The run of a training whose engine died: FAILED now, with why, rather than RUNNING until someone notices. */
async function markAbandoned(store: TrackingStore, runId: string, why: string): Promise<void> {
  try {
    const run = await store.getRun(runId);
    if (run.info.status !== 'RUNNING') return;
    // as the runner records a failure (mlops.error), so the run's page says why
    await store.setTag(runId, 'mlops.error', why);
    await store.updateRun(runId, { status: 'FAILED', endTime: Date.now() });
  } catch {
    // the next engine to open the store fails it (its owner is gone); the error says what happened
  }
}

/**
 * Trains where the store is: as a job of the workspace engine (which outlives the window or the
 * command that asked), or in this process against a team's MLflow server, which has no engine.
 */
export async function trainWhereTheStoreIs(options: TrainingOptions): Promise<TrainingResult> {
  if (options.engine && options.storeDir && !options.registry) {
    const { resolveActor } = await import('../registry/registryActor');
    const actor = options.actor ?? (await resolveActor(dirname(options.storeDir)));
    return followTrainingInEngine(
      options.engine,
      {
        specPath: options.specPath,
        actor,
        ...(options.backend ? { backend: options.backend } : {}),
        ...(options.prices ? { prices: options.prices } : {}),
        ...(options.experimentName ? { experimentName: options.experimentName } : {}),
      },
      { store: options.store, ...(options.onProgress ? { onProgress: options.onProgress } : {}), ...(options.signal ? { signal: options.signal } : {}) },
    );
  }
  const { runTraining } = await import('./trainingRunner');
  return runTraining(options);
}
