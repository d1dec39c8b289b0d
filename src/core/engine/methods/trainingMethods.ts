import { basename } from 'node:path';
import { featureSetNode } from '../../features/featureLineage';
import { datasetNode, runNode } from '../../lineage/lineageNodes';
import { lineageFor, modelRegistryFor } from '../../registry/registryAccess';
import { localRegistryBackend } from '../../registry/registryBackend';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import { registerFromSpec, type TrainingRegistered } from '../../training/specRegistration';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/**
 * What a training (in a window or the CLI, wherever the worker ran) records in the store beyond
 * its run: the spec's `register:`, and the lineage of a built training set or a re-run. The run
 * itself goes through the tracking API like any other.
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
} satisfies EngineMethodTable;

function text(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(`${name} must be a non-empty string.`);
  return value;
}

function optionalText(value: unknown, name: string): string | undefined {
  return value === undefined || value === null ? undefined : text(value, name);
}
