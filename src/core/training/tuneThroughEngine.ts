import type { EngineClient } from '../engine/engineClient';
import { followEngineJob } from '../engine/engineJobFollow';
import { trainingFailureError } from './trainingJobFailures';
import type { TuningOptions, TuningProgress, TuningResult } from './tuningRunner';

/**
 * Tunes where the store is: as a job of the workspace engine (the study outlives the window or the
 * command that asked; the signal stops it there), or in this process against a team's MLflow
 * server, which has no engine.
 */
export async function tuneWhereTheStoreIs(options: TuningOptions & { readonly engine?: EngineClient }): Promise<TuningResult> {
  const { engine } = options;
  if (!engine || options.workerEntry !== undefined) {
    const { runTuning } = await import('./tuningRunner');
    return runTuning(options);
  }
  const { jobId } = await engine.call('tuning.start', {
    tuneSpecPath: options.tuneSpecPath,
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
  });
  let studyRunId: string | undefined;
  return followEngineJob<TuningProgress, TuningResult>(
    {
      status: (from, waitMs) => engine.call('tuning.status', { jobId, from, waitMs }),
      cancel: () => engine.call('tuning.cancel', { jobId }),
    },
    {
      onEvent: (progress) => {
        studyRunId ??= progress.studyRunId;
        options.onProgress?.(progress);
      },
      ...(options.signal ? { signal: options.signal } : {}),
      asError: (failure) => trainingFailureError(failure, 'tuning', studyRunId),
    },
  );
}
