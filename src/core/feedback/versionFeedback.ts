import type { DurableDatabase } from '../store/durableDatabase';
import { EVALUATED_MODEL_TAG } from '../textEval/evalRunLogger';
import type { TrackingStore } from '../tracking/trackingStore';
import { FEEDBACK_METRICS } from './feedbackStore';
import { summarizeModelFeedback, type ModelFeedbackSummary } from './modelFeedbackStore';

/** The text metrics shown next to feedback, in this order. */
export const TEXT_EVAL_METRICS = ['bleu', 'rouge1_f', 'rouge2_f', 'rougeL_f', 'rougeLsum_f', 'exact_match', 'rows'] as const;

/** A text evaluation run of a version (`mlops eval --model`) with its scores and its reviewers' feedback. */
export interface TextEvaluationOfVersion {
  readonly runId: string;
  readonly runName: string;
  readonly startTime: number;
  /** the TEXT_EVAL_METRICS the run has */
  readonly metrics: Readonly<Record<string, number>>;
  /** rouge_use_stemmer of the run; null for runs made before it was recorded (those did not stem) */
  readonly rougeStemming: boolean | null;
  /** the run's feedback_* metrics: rows reviewed, mean 1–5 rating, share of thumbs up */
  readonly feedback: { readonly count: number; readonly meanRating: number | null; readonly thumbsUpShare: number | null };
}

/** What people and text metrics say about one model version. */
export interface VersionFeedback {
  /** feedback posted to endpoints on this version's answers; null when the store was not read (a remote backend) */
  readonly endpoint: ModelFeedbackSummary | null;
  /** newest first */
  readonly textEvaluations: readonly TextEvaluationOfVersion[];
}

const MAX_EVALUATIONS = 100;

/** Text evaluation runs linked to models:/NAME/VERSION and the endpoint feedback on that version. */
export async function versionFeedback(tracking: TrackingStore, database: Pick<DurableDatabase, 'rows'> | undefined, name: string, version: number): Promise<VersionFeedback> {
  // registry names are [A-Za-z0-9._-], so the URI needs no quoting inside the filter
  const uri = `models:/${name}/${version}`;
  const { runs } = await tracking.searchRuns({ filter: `tags.\`${EVALUATED_MODEL_TAG}\` = '${uri}'`, maxResults: MAX_EVALUATIONS });
  const textEvaluations = runs.map((run): TextEvaluationOfVersion => {
    const metric = new Map(run.data.metrics.map((m) => [m.key, m.value]));
    const stemmer = run.data.params.find((p) => p.key === 'rouge_use_stemmer')?.value;
    return {
      runId: run.info.runId,
      runName: run.info.runName,
      startTime: run.info.startTime,
      metrics: Object.fromEntries(TEXT_EVAL_METRICS.flatMap((key) => (metric.has(key) ? [[key, metric.get(key) as number]] : []))),
      rougeStemming: stemmer === undefined ? null : stemmer === 'true',
      feedback: {
        count: metric.get(FEEDBACK_METRICS.count) ?? 0,
        meanRating: metric.get(FEEDBACK_METRICS.meanRating) ?? null,
        thumbsUpShare: metric.get(FEEDBACK_METRICS.thumbsUpShare) ?? null,
      },
    };
  });
  return { endpoint: database ? summarizeModelFeedback(database, name, version) : null, textEvaluations };
}
