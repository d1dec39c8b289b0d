import { basename } from 'node:path';
import { featureSetNode } from '../../features/featureLineage';
import { datasetNode, runNode } from '../../lineage/lineageNodes';
import { lineageFor, modelRegistryFor } from '../../registry/registryAccess';
import { localRegistryBackend } from '../../registry/registryBackend';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import { registerFromSpec, type TrainingRegistered } from '../../training/specRegistration';
import { startTrainingJob, trainingJobs, type TrainingJobRequest } from '../../training/trainingJobs';
import { startTuningJob, tuningJobs, type TuningJobRequest } from '../../training/tuningJobs';
import { modelSearchJobs, startModelSearchJob, type ModelSearchJobRequest } from '../../training/modelSearchJobs';
import type { EngineJobs, EngineJobStatus } from '../engineJobs';
import type { EngineContext, EngineMethodTable } from '../engineMethod';
import { backendParam, followParams, pricesParam } from './jobParams';

/**
 * Trainings: the jobs the engine runs for windows and commands (start, follow, cancel), and what
 * a training records beyond its run — the spec's `register:`, the lineage of a built training set
 * or a re-run (also asked by trainings that run elsewhere: tuning trials, a team's server).
 */
export const trainingMethods = {
  /** The spec's `register:` for a finished run, in one round trip; `actor` is the trainer's (its $MLOPS_ACTOR or git user). */
  'training.register': async (
    { store }: EngineContext,
    params: { runId: string; model: string; alias?: string; reviewComment: string; actor?: string },
  ): Promise<TrainingRegistered> => {
    const alias = optionalText(params.alias, 'alias');
    const actor = optionalText(params.actor, 'actor');
    const registry = localRegistryBackend(modelRegistryFor(store), `the workspace store at ${store.dir}`);
    return registerFromSpec(
      registry,
      { model: text(params.model, 'model'), ...(alias === undefined ? {} : { alias }) },
      text(params.runId, 'runId'),
      typeof params.reviewComment === 'string' ? params.reviewComment : '',
      actor,
    );
  },
  /** A training set built from feature views: each view → the set (its digest), labelled with the set's file name. */
  'training.recordTrainingSet': async ({ store }: EngineContext, params: { datasetDigest: string; views: string[]; path: string }): Promise<void> => {
    const digest = text(params.datasetDigest, 'datasetDigest');
    if (!Array.isArray(params.views) || params.views.length === 0) throw new InvalidArgumentError('training.recordTrainingSet: views must name at least one feature view.');
    const views = params.views.map((view) => text(view, 'views[]'));
    await lineageFor(store).record(
      views.map((view) => ({ from: featureSetNode(view), to: datasetNode(digest), relation: 'built' })),
      { [`dataset:${digest}`]: basename(text(params.path, 'path')) },
    );
  },
  /** A re-run reproduced its original: both runs exist here and the re-run names the original in its tags. */
  'training.recordRerun': async ({ store }: EngineContext, params: { originalRunId: string; rerunRunId: string }): Promise<void> => {
    const originalRunId = text(params.originalRunId, 'originalRunId');
    const rerun = await store.tracking.getRun(text(params.rerunRunId, 'rerunRunId'));
    await store.tracking.getRun(originalRunId);
    const { RERUN_OF_TAG } = await import('../../training/rerun');
    const of = rerun.data.tags.find((t) => t.key === RERUN_OF_TAG)?.value;
    if (of !== originalRunId) throw new InvalidArgumentError(`Run ${rerun.info.runId} is not a re-run of ${originalRunId} (its ${RERUN_OF_TAG} tag is ${of === undefined ? 'missing' : `"${of}"`}).`);
    await lineageFor(store).record([{ from: runNode(originalRunId), to: runNode(rerun.info.runId), relation: 'reproduced' }]);
  },
  /** Starts a training here, in the engine; follow it with training.status. */
  'training.start': ({ store }: EngineContext, params: TrainingJobRequest): { jobId: string } => {
    const backend = backendParam(params.backend);
    const prices = pricesParam(params.prices);
    const experimentName = optionalText(params.experimentName, 'experimentName');
    const actor = optionalText(params.actor, 'actor');
    return startTrainingJob(store, {
      specPath: text(params.specPath, 'specPath'),
      ...(backend ? { backend } : {}),
      ...(prices ? { prices } : {}),
      ...(experimentName ? { experimentName } : {}),
      ...(actor ? { actor } : {}),
    });
  },
  /** A training's progress after `from`, waiting up to `waitMs` for news; its result or failure once it ended. */
  'training.status': jobStatusMethod(trainingJobs),
  'training.cancel': jobCancelMethod(trainingJobs),
  /** Starts a hyperparameter study here, in the engine; follow it with tuning.status. */
  'tuning.start': ({ store }: EngineContext, params: TuningJobRequest): { jobId: string } => {
    const backend = backendParam(params.backend);
    const prices = pricesParam(params.prices);
    if (params.parallel !== undefined && !(Number.isInteger(params.parallel) && params.parallel >= 1)) throw new InvalidArgumentError(`parallel must be a whole number ≥ 1, got ${JSON.stringify(params.parallel)}`);
    return startTuningJob(store, {
      tuneSpecPath: text(params.tuneSpecPath, 'tuneSpecPath'),
      ...(backend ? { backend } : {}),
      ...(prices ? { prices } : {}),
      ...(params.parallel !== undefined ? { parallel: params.parallel } : {}),
    });
  },
  'tuning.status': jobStatusMethod(tuningJobs),
  'tuning.cancel': jobCancelMethod(tuningJobs),
  /** Starts *Find Best Model* here, in the engine; follow it with search.status. */
  'search.start': ({ store }: EngineContext, params: ModelSearchJobRequest): { jobId: string } => {
    const backend = backendParam(params.backend);
    const prices = pricesParam(params.prices);
    const metric = optionalText(params.metric, 'metric');
    for (const [name, value] of [['budgetSeconds', params.budgetSeconds], ['costBudget', params.costBudget], ['maxLatencyMs', params.maxLatencyMs]] as const) {
      if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0)) throw new InvalidArgumentError(`${name} must be a positive number, got ${JSON.stringify(value)}`);
    }
    if (params.candidates !== undefined && !Array.isArray(params.candidates)) throw new InvalidArgumentError('candidates must be a list of { label, model }');
    return startModelSearchJob(store, {
      specPath: text(params.specPath, 'specPath'),
      ...(params.budgetSeconds !== undefined ? { budgetSeconds: params.budgetSeconds } : {}),
      ...(params.costBudget !== undefined ? { costBudget: params.costBudget } : {}),
      ...(params.maxLatencyMs !== undefined ? { maxLatencyMs: params.maxLatencyMs } : {}),
      ...(metric ? { metric } : {}),
      ...(backend ? { backend } : {}),
      ...(prices ? { prices } : {}),
      ...(params.candidates ? { candidates: params.candidates } : {}),
    });
  },
  'search.status': jobStatusMethod(modelSearchJobs),
  'search.cancel': jobCancelMethod(modelSearchJobs),
} satisfies EngineMethodTable;

/** A job kind's `<kind>.status`: its events after `from`, waiting up to `waitMs` for news; how it ended. */
function jobStatusMethod<E, R>(jobs: EngineJobs<E, R>): (context: EngineContext, params: { jobId: string; from?: number; waitMs?: number }) => Promise<EngineJobStatus<E, R>> {
  return ({ store }, params) => {
    const { from, waitMs } = followParams(params);
    return jobs.status(store, text(params.jobId, 'jobId'), from, waitMs);
  };
}

/** A job kind's `<kind>.cancel`: false when the job is not running here. */
function jobCancelMethod<E, R>(jobs: EngineJobs<E, R>): (context: EngineContext, params: { jobId: string }) => { cancelling: boolean } {
  return ({ store }, params) => ({ cancelling: jobs.cancel(store, text(params.jobId, 'jobId')) });
}

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(`${name} must be a non-empty string.`);
  return value;
}

function optionalText(value: unknown, name: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, name);
}
