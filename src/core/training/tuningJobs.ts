import { basename } from 'node:path';
import { EngineJobs } from '../engine/engineJobs';
import type { WorkspaceStore } from '../store/workspaceStore';
import { describeTrainingFailure } from './trainingJobFailures';
import type { TuningOptions, TuningProgress, TuningResult } from './tuningRunner';

// Tuning studies run in the engine like trainings (trainingJobs.ts): the study and its trials
// outlive the window or the command that started them; cancelling stops the study (KILLED).

/** What a client asks to tune: the runner's options that travel as data. */
export type TuningJobRequest = Pick<TuningOptions, 'tuneSpecPath' | 'backend' | 'prices' | 'parallel'>;

/** Tuning studies running in this engine. */
export const tuningJobs = new EngineJobs<TuningProgress, TuningResult>('tuning', 'tuning study', describeTrainingFailure, (p) => p.message);

/** Starts a study in this process (the engine) and answers with its job id at once. */
export function startTuningJob(store: WorkspaceStore, request: TuningJobRequest): { jobId: string } {
  return tuningJobs.start(store, basename(request.tuneSpecPath), async (signal, report) => {
    const { runTuning } = await import('./tuningRunner');
    return runTuning({
      store: store.tracking,
      tuneSpecPath: request.tuneSpecPath,
      signal,
      onProgress: report,
      ...(request.backend ? { backend: request.backend } : {}),
      ...(request.prices ? { prices: request.prices } : {}),
      ...(request.parallel !== undefined ? { parallel: request.parallel } : {}),
    });
  });
}
