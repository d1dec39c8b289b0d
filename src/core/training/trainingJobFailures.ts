import type { EngineJobFailure } from '../engine/engineJobs';
import { SpecError } from './specErrors';

/** A training-shaped runner's error (training, tuning, model search) as a job failure. */
export async function describeTrainingFailure(error: unknown): Promise<EngineJobFailure> {
  const { TrainingCancelledError, TrainingFailedError, TrainingInputError } = await import('./trainingRunner');
  const { JobCancelledError } = await import('../process/childJob');
  if (error instanceof SpecError) return { kind: 'spec', file: error.file, issues: error.issues };
  if (error instanceof TrainingInputError) return { kind: 'input', message: error.message };
  if (error instanceof TrainingCancelledError) return error.runId === undefined ? { kind: 'cancelled' } : { kind: 'cancelled', runId: error.runId };
  if (error instanceof JobCancelledError) return { kind: 'cancelled' };
  if (error instanceof TrainingFailedError) return { kind: 'failed', message: error.message, runId: error.runId, stderrTail: error.stderrTail };
  return { kind: 'error', message: error instanceof Error ? error.message : String(error) };
}

/** The error a failed job was, as the in-process runner would have thrown it (callers handle both alike). */
export async function trainingFailureError(failure: EngineJobFailure, what: string, runId: string | undefined): Promise<Error> {
  const { TrainingCancelledError, TrainingFailedError, TrainingInputError } = await import('./trainingRunner');
  switch (failure.kind) {
    case 'spec':
      return new SpecError(failure.file, failure.issues);
    case 'input':
      return new TrainingInputError(failure.message);
    case 'cancelled':
      return new TrainingCancelledError(failure.runId);
    case 'failed':
      return new TrainingFailedError(failure.message, failure.runId, failure.stderrTail);
    case 'error':
      return new Error(failure.message);
    case 'gone':
      return runId === undefined ? new Error(`${what}: ${failure.message}`) : new TrainingFailedError(failure.message, runId, '');
  }
}
