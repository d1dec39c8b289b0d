import { basename } from 'node:path';
import { EngineJobs } from '../engine/engineJobs';
import type { WorkspaceStore } from '../store/workspaceStore';
import { describeTrainingFailure } from './trainingJobFailures';
import type { TrainingOptions, TrainingProgress, TrainingResult } from './trainingRunner';

/*
 * Trainings run in the engine, next to the store: a window reload or a closed terminal does not
 * end them, any client can follow one, and the store is written in process. A client starts a
 * job, follows its progress with long polls and may cancel it (trainThroughEngine.ts).
 */

/** What a client asks to train: the runner's options that travel as data (`actor`: the client's $MLOPS_ACTOR or git user). */
export type TrainingJobRequest = Pick<TrainingOptions, 'specPath' | 'backend' | 'prices' | 'experimentName' | 'actor'>;

/** Trainings running in this engine. */
export const trainingJobs = new EngineJobs<TrainingProgress, TrainingResult>('training', 'training', describeTrainingFailure, (p) => p.message);

/** Starts a training in this process (the engine) and answers with its job id at once. */
export function startTrainingJob(store: WorkspaceStore, request: TrainingJobRequest): { jobId: string } {
  return trainingJobs.start(store, basename(request.specPath), async (signal, report) => {
    // Loaded on the first training: the runner brings the spec parser and the trainers' plumbing.
    const [{ runTraining }, { inProcessEngine }] = await Promise.all([import('./trainingRunner'), import('../engine/engineInProcess')]);
    return runTraining({
      store: store.tracking,
      engine: inProcessEngine(store),
      storeDir: store.dir,
      specPath: request.specPath,
      signal,
      onProgress: report,
      ...(request.backend ? { backend: request.backend } : {}),
      ...(request.prices ? { prices: request.prices } : {}),
      ...(request.experimentName ? { experimentName: request.experimentName } : {}),
      ...(request.actor ? { actor: request.actor } : {}),
    });
  });
}
