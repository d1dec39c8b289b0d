import { EVAL_ROWS_ARTIFACT } from '../textEval/evalRunLogger';
import type { TrackingStore } from '../tracking/trackingStore';
import { FeedbackError } from './feedbackTypes';

/** A row of an evaluation run as `eval/rows.jsonl` holds it (what reviewers see). */
export interface EvaluatedRow {
  readonly index: number;
  readonly input: string;
  readonly references: readonly string[];
  readonly prediction: string;
  readonly bleu: number;
  readonly rouge1F: number;
  readonly rougeLF: number;
  readonly exactMatch: boolean;
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : 0;
}

function rougeF(rouge: unknown, type: string): number {
  if (typeof rouge !== 'object' || rouge === null) return 0;
  const score = (rouge as Record<string, unknown>)[type];
  return typeof score === 'object' && score !== null ? num((score as Record<string, unknown>).f) : 0;
}

/** Reads the rows of an evaluation run; fails naming the run when it has none. */
export async function readEvaluatedRows(tracking: TrackingStore, runId: string): Promise<EvaluatedRow[]> {
  let text: string;
  try {
    text = (await tracking.readArtifact(runId, EVAL_ROWS_ARTIFACT)).toString('utf8');
  } catch {
    throw new FeedbackError(`Run ${runId} has no ${EVAL_ROWS_ARTIFACT}: it is not a text evaluation (run "MLOps: Evaluate Text Model…" or mlops eval first)`);
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        throw new FeedbackError(`${EVAL_ROWS_ARTIFACT} of run ${runId}, line ${i + 1}: not valid JSON`);
      }
      const o = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
      return {
        index: i,
        input: typeof o.input === 'string' ? o.input : '',
        references: Array.isArray(o.references) ? o.references.filter((r): r is string => typeof r === 'string') : [],
        prediction: typeof o.prediction === 'string' ? o.prediction : '',
        bleu: num(o.bleu),
        rouge1F: rougeF(o.rouge, 'rouge1'),
        rougeLF: rougeF(o.rouge, 'rougeL'),
        exactMatch: o.exact_match === true,
      };
    });
}
