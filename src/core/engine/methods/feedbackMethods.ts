import { readEvaluatedRows, type EvaluatedRow } from '../../feedback/evaluatedRows';
import { FeedbackStore } from '../../feedback/feedbackStore';
import { FeedbackError, type FeedbackEntry, type FeedbackInput, type FeedbackSummary, type Thumb } from '../../feedback/feedbackTypes';
import { ModelFeedbackStore, type ModelFeedbackEntry } from '../../feedback/modelFeedbackStore';
import { versionFeedback, type VersionFeedback } from '../../feedback/versionFeedback';
import { modelRegistryFor } from '../../registry/registryAccess';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/* Params come from another process: checked here; FeedbackStore validates what it saves. */

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new FeedbackError(`${what} must be a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

function nullableText(value: unknown, what: string): string | null | undefined {
  if (value === undefined || value === null) return value;
  if (typeof value !== 'string') throw new FeedbackError(`${what} must be a string or null, got ${JSON.stringify(value)}`);
  return value;
}

function feedbackInput(value: unknown): FeedbackInput {
  const i = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  if (typeof i.rowIndex !== 'number') throw new FeedbackError(`rowIndex must be a number, got ${JSON.stringify(i.rowIndex)}`);
  if (i.rating !== undefined && i.rating !== null && typeof i.rating !== 'number') throw new FeedbackError(`rating must be a number or null, got ${JSON.stringify(i.rating)}`);
  if (i.time !== undefined && typeof i.time !== 'number') throw new FeedbackError(`time must be a number, got ${JSON.stringify(i.time)}`);
  const label = nullableText(i.label, 'label');
  const comment = nullableText(i.comment, 'comment');
  return {
    runId: text(i.runId, 'runId'),
    rowIndex: i.rowIndex,
    reviewer: text(i.reviewer, 'reviewer'),
    ...(i.rating !== undefined ? { rating: i.rating as number | null } : {}),
    ...(i.thumb !== undefined ? { thumb: i.thumb as Thumb | null } : {}),
    ...(label !== undefined ? { label } : {}),
    ...(comment !== undefined ? { comment } : {}),
    ...(typeof i.time === 'number' ? { time: i.time } : {}),
  };
}

function versionNumber(value: unknown): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) throw new FeedbackError(`version must be a positive integer, got ${JSON.stringify(value)}`);
  return value;
}

/** A run's feedback, every reviewer's, with its aggregates. */
export interface RunFeedback {
  readonly entries: FeedbackEntry[];
  readonly summary: FeedbackSummary;
}

function runFeedback(store: FeedbackStore, runId: string): RunFeedback {
  return { entries: store.list(runId), summary: store.summary(runId) };
}

/** A model URI resolved to its version. */
export interface ResolvedVersion {
  readonly name: string;
  readonly version: number;
  /** models:/NAME/VERSION */
  readonly uri: string;
}

/** Feedback on evaluation runs and on a model version's served answers: what the review panel and the CLI ask the store's holder. */
export const feedbackMethods = {
  /** The rows a reviewer rates (eval/rows.jsonl) and the run's name. */
  'feedback.source': async ({ store }: EngineContext, params: { runId: string }): Promise<{ runName: string; rows: EvaluatedRow[] }> => {
    const runId = text(params.runId, 'runId');
    const run = await store.tracking.getRun(runId);
    return { runName: run.info.runName, rows: await readEvaluatedRows(store.tracking, runId) };
  },
  /** Every reviewer's feedback on a run (fails when there is no such run). */
  'feedback.run': async ({ store }: EngineContext, params: { runId: string }): Promise<RunFeedback> => {
    const runId = text(params.runId, 'runId');
    await store.tracking.getRun(runId);
    return runFeedback(new FeedbackStore(store.database, store.tracking), runId);
  },
  /** Saves one reviewer's feedback on a row (the run's feedback metrics follow) and answers with the run's feedback after it. */
  'feedback.save': async ({ store }: EngineContext, params: { input: FeedbackInput }): Promise<{ entry: FeedbackEntry } & RunFeedback> => {
    const feedback = new FeedbackStore(store.database, store.tracking);
    const entry = await feedback.save(feedbackInput(params.input));
    return { entry, ...runFeedback(feedback, entry.runId) };
  },
  /** models:/NAME/VERSION or models:/NAME@alias → the version. */
  'feedback.resolveVersion': ({ store }: EngineContext, params: { uri: string }): ResolvedVersion => {
    const version = modelRegistryFor(store).resolveUri(text(params.uri, 'uri'));
    return { name: version.name, version: version.version, uri: `models:/${version.name}/${version.version}` };
  },
  /** Registered versions a text evaluation can be linked to ("which version made the predictions?"). */
  'feedback.evaluatableVersions': ({ store }: EngineContext, _params: Record<string, never>): { name: string; version: number; aliases: string[]; creationTime: number; createdBy: string }[] => {
    const registry = modelRegistryFor(store);
    return registry
      .listModels()
      .flatMap((m) => registry.listVersions(m.name))
      .map((v) => ({ name: v.name, version: v.version, aliases: [...v.aliases], creationTime: v.creationTime, createdBy: v.createdBy }));
  },
  /** Feedback applications posted to endpoints about a version's answers. */
  'feedback.versionEndpointEntries': ({ store }: EngineContext, params: { name: string; version: number }): ModelFeedbackEntry[] =>
    new ModelFeedbackStore(store.database).list(text(params.name, 'name'), versionNumber(params.version)),
  /** Endpoint feedback and text evaluations of a version, side by side. */
  'feedback.versionSummary': ({ store }: EngineContext, params: { name: string; version: number }): Promise<VersionFeedback> =>
    versionFeedback(store.tracking, store.database, text(params.name, 'name'), versionNumber(params.version)),
} satisfies EngineMethodTable;
