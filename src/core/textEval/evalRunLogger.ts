import { basename } from 'node:path';
import type { TrackingStore } from '../tracking/trackingStore';
import type { EvalRow } from './evalSet';
import type { TextEvaluation } from './textEvaluation';
import { ensureExperiment } from '../tracking/ensureExperiment';

export const EVAL_ROWS_ARTIFACT = 'eval/rows.jsonl';
export const DEFAULT_EVAL_EXPERIMENT = 'text-eval';
/** Tag naming the model version an evaluation judged (models:/NAME/VERSION), so the version's card and summary find the run. */
export const EVALUATED_MODEL_TAG = 'mlops.evaluated_model';

export interface LogEvaluationOptions {
  readonly experimentName?: string;
  readonly runName?: string;
  /** the evaluation set as the user named it */
  readonly datasetPath: string;
  readonly smoothing: string;
  /** whether ROUGE stemmed tokens (rouge-score's use_stemmer) */
  readonly rougeStemming: boolean;
  readonly source: string;
  /** the model version whose predictions these are, as models:/NAME/VERSION (an alias resolved first) */
  readonly evaluatedModel?: string;
  /** the served model that made the predictions (its /invocations URL), when one did */
  readonly predictionsFrom?: string;
  readonly gitCommit?: string;
  readonly gitDirty?: boolean;
}

/** One line of eval/rows.jsonl: the row as given plus its scores (what the feedback panel pages through). */
export function rowsArtifact(rows: readonly EvalRow[], evaluation: TextEvaluation): string {
  return evaluation.rows
    .map((scores, i) => {
      const row = rows[i] as EvalRow;
      const rouge = Object.fromEntries(Object.entries(scores.rouge).map(([type, s]) => [type, { p: s.precision, r: s.recall, f: s.fmeasure }]));
      return JSON.stringify({
        index: scores.index,
        line: scores.line,
        ...(row.id !== undefined ? { id: row.id } : {}),
        input: row.input,
        references: row.references,
        prediction: row.prediction,
        bleu: scores.bleu,
        rouge,
        exact_match: scores.exactMatch,
        prediction_tokens: scores.predictionTokens,
        reference_tokens: scores.referenceTokens,
        ...(scores.latencyMs !== undefined ? { latency_ms: scores.latencyMs } : {}),
      });
    })
    .join('\n') + '\n';
}

/** Creates a FINISHED run holding the evaluation: params, aggregate metrics and eval/rows.jsonl. */
export async function logTextEvaluation(tracking: TrackingStore, rows: readonly EvalRow[], evaluation: TextEvaluation, options: LogEvaluationOptions): Promise<string> {
  const experimentName = options.experimentName ?? DEFAULT_EVAL_EXPERIMENT;
  const experimentId = await ensureExperiment(tracking, experimentName);
  const run = await tracking.createRun({
    experimentId,
    ...(options.runName ? { runName: options.runName } : {}),
    tags: [{ key: 'mlops.evaluation', value: 'text' }, ...(options.evaluatedModel ? [{ key: EVALUATED_MODEL_TAG, value: options.evaluatedModel }] : [])],
    source: { type: 'LOCAL', name: options.source },
    ...(options.gitCommit ? { gitCommit: options.gitCommit, gitDirty: options.gitDirty ?? false } : {}),
  });
  const runId = run.info.runId;
  try {
    const timestamp = Date.now();
    await tracking.logBatch({
      runId,
      params: [
        { key: 'eval_set', value: basename(options.datasetPath) },
        { key: 'eval_rows', value: String(rows.length) },
        { key: 'bleu_tokenize', value: '13a' },
        { key: 'bleu_smooth', value: options.smoothing },
        { key: 'rouge_tokenizer', value: 'rouge-score default' },
        // named after rouge-score's argument so a score can be reproduced there
        { key: 'rouge_use_stemmer', value: String(options.rougeStemming) },
        ...(options.predictionsFrom ? [{ key: 'predictions_from', value: options.predictionsFrom }] : []),
      ],
      metrics: Object.entries(evaluation.metrics).map(([key, value]) => ({ key, value, step: 0, timestamp })),
    });
    await tracking.writeArtifact(runId, EVAL_ROWS_ARTIFACT, rowsArtifact(rows, evaluation));
    await tracking.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
  } catch (error) {
    await tracking.updateRun(runId, { status: 'FAILED', endTime: Date.now() }).catch(() => undefined);
    throw error;
  }
  return runId;
}
