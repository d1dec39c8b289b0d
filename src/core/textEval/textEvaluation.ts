import { computeBleu, segmentBleuStats, sumBleuStats, type BleuSmoothing, type BleuStats } from './bleu';
import type { EvalRow } from './evalSet';
import { latencyStats, type LatencyStats } from './latencyStats';
import { ROUGE_TYPES, rougeScoresMulti, type RougeScores } from './rouge';
import { splitOnWhitespace, tokenize13a } from './tokenizer13a';

/** What one row scored. BLEU is sentence BLEU (effective order); ROUGE is the best reference. */
export interface RowScores {
  readonly index: number;
  readonly line: number;
  readonly id?: string;
  readonly bleu: number;
  readonly rouge: RougeScores;
  readonly exactMatch: boolean;
  /** 13a tokens of the prediction */
  readonly predictionTokens: number;
  /** 13a tokens of the closest-length reference (BLEU's reference length) */
  readonly referenceTokens: number;
  readonly latencyMs?: number;
}

export interface TextEvaluation {
  readonly rows: readonly RowScores[];
  /** run metrics, e.g. bleu, rouge1_f, exact_match, latency_p95_ms */
  readonly metrics: Readonly<Record<string, number>>;
  readonly latency?: LatencyStats;
}

export interface TextEvaluationOptions {
  /** corpus BLEU smoothing (default exp, sacreBLEU's default) */
  readonly smoothing?: BleuSmoothing;
  readonly lowercase?: boolean;
  /** Porter stemming before ROUGE matching, as rouge-score's use_stemmer=True (default false, rouge-score's default) */
  readonly rougeStemming?: boolean;
  readonly onProgress?: (done: number, total: number) => void;
  readonly isCancelled?: () => boolean;
}

export class EvaluationCancelledError extends Error {
  constructor(done: number, total: number) {
    super(`Evaluation cancelled after ${done} of ${total} rows`);
    this.name = 'EvaluationCancelledError';
  }
}

/** Exact match after trimming surrounding whitespace, against any reference. */
function exactMatch(prediction: string, references: readonly string[]): boolean {
  const p = prediction.trim();
  return references.some((r) => r.trim() === p);
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, v) => sum + v, 0) / values.length;
}

const YIELD_EVERY = 64;

/**
 * Scores every row and aggregates: corpus BLEU over all rows (sacreBLEU corpus_score), mean
 * sentence BLEU, mean ROUGE P/R/F per type (rouge-score reports per-pair scores; the mean is the
 * point estimate its BootstrapAggregator centres on), exact-match share, token counts, latency.
 * Yields to the event loop every few rows so a host stays responsive and can cancel.
 */
export async function evaluateTextRows(rows: readonly EvalRow[], options: TextEvaluationOptions = {}): Promise<TextEvaluation> {
  const bleuOptions = { lowercase: options.lowercase ?? false };
  const rougeOptions = { stem: options.rougeStemming ?? false };
  const scored: RowScores[] = [];
  const stats: BleuStats[] = [];
  for (const row of rows) {
    if (scored.length % YIELD_EVERY === 0 && scored.length > 0) {
      options.onProgress?.(scored.length, rows.length);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (options.isCancelled?.()) throw new EvaluationCancelledError(scored.length, rows.length);
    const rowStats = segmentBleuStats(row.prediction, row.references, bleuOptions);
    stats.push(rowStats);
    scored.push({
      index: row.index,
      line: row.line,
      ...(row.id !== undefined ? { id: row.id } : {}),
      bleu: computeBleu(rowStats, { ...bleuOptions, effectiveOrder: true }).score,
      rouge: rougeScoresMulti(row.references, row.prediction, rougeOptions),
      exactMatch: exactMatch(row.prediction, row.references),
      predictionTokens: rowStats.hypLength,
      referenceTokens: rowStats.refLength,
      ...(row.latencyMs !== undefined ? { latencyMs: row.latencyMs } : {}),
    });
  }
  options.onProgress?.(scored.length, rows.length);

  const corpus = computeBleu(sumBleuStats(stats), { ...bleuOptions, smoothing: options.smoothing ?? 'exp' });
  const metrics: Record<string, number> = {
    bleu: corpus.score,
    bleu_brevity_penalty: corpus.brevityPenalty,
    sentence_bleu_mean: mean(scored.map((r) => r.bleu)),
    exact_match: mean(scored.map((r) => (r.exactMatch ? 1 : 0))),
    rows: scored.length,
    prediction_tokens_total: corpus.hypLength,
    prediction_tokens_mean: mean(scored.map((r) => r.predictionTokens)),
    reference_tokens_total: corpus.refLength,
  };
  corpus.precisions.forEach((p, i) => {
    metrics[`bleu_precision_${i + 1}`] = p;
  });
  for (const type of ROUGE_TYPES) {
    metrics[`${type}_p`] = mean(scored.map((r) => r.rouge[type].precision));
    metrics[`${type}_r`] = mean(scored.map((r) => r.rouge[type].recall));
    metrics[`${type}_f`] = mean(scored.map((r) => r.rouge[type].fmeasure));
  }
  const latency = latencyStats(scored.flatMap((r) => (r.latencyMs !== undefined ? [r.latencyMs] : [])));
  if (latency) {
    metrics.latency_mean_ms = latency.mean;
    metrics.latency_p50_ms = latency.p50;
    metrics.latency_p95_ms = latency.p95;
    metrics.latency_max_ms = latency.max;
  }
  return { rows: scored, metrics, ...(latency ? { latency } : {}) };
}

/** 13a token count of a text (what the token metrics count). */
export function countTokens13a(text: string): number {
  return splitOnWhitespace(tokenize13a(text)).length;
}
