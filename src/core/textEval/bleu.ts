import { splitOnWhitespace, stripTrailingWhitespace, tokenize13a } from './tokenizer13a';

/**
 * BLEU as sacreBLEU computes it (sacrebleu.metrics.bleu.BLEU): 13a tokenization, n-grams 1–4
 * clipped by the maximum count over references, brevity penalty against the closest reference
 * length, scores on a 0–100 scale.
 */

export type BleuSmoothing = 'exp' | 'floor' | 'add-k' | 'none';
export type BleuTokenizer = '13a' | 'none';

export interface BleuOptions {
  /** default 'exp' (sacreBLEU's default for corpus and sentence BLEU) */
  readonly smoothing?: BleuSmoothing;
  /** floor: default 0.1; add-k: default 1; ignored otherwise */
  readonly smoothValue?: number;
  readonly tokenizer?: BleuTokenizer;
  readonly lowercase?: boolean;
  /** stop at the highest n-gram order the hypothesis has (default: false for corpus, true for sentence) */
  readonly effectiveOrder?: boolean;
  readonly maxOrder?: number;
}

/** Sufficient statistics of one or more segments; they add up across a corpus. */
export interface BleuStats {
  readonly hypLength: number;
  readonly refLength: number;
  readonly correct: readonly number[];
  readonly total: readonly number[];
}

export interface BleuScore extends BleuStats {
  /** 0–100 */
  readonly score: number;
  /** per-order precisions, 0–100 */
  readonly precisions: readonly number[];
  readonly brevityPenalty: number;
}

const SMOOTH_DEFAULTS: Record<BleuSmoothing, number | undefined> = { none: undefined, floor: 0.1, 'add-k': 1, exp: undefined };
const DEFAULT_MAX_ORDER = 4;

function preprocess(segment: string, options: BleuOptions): string[] {
  const cased = options.lowercase ? segment.toLowerCase() : segment;
  // sacreBLEU strips trailing whitespace only (sent.rstrip()) before tokenizing.
  const stripped = stripTrailingWhitespace(cased);
  return splitOnWhitespace((options.tokenizer ?? '13a') === '13a' ? tokenize13a(stripped) : stripped);
}

function ngramCounts(tokens: readonly string[], maxOrder: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let n = 1; n <= maxOrder; n++) {
    for (let i = 0; i + n <= tokens.length; i++) {
      // The order prefix keeps n-grams of different orders apart; \u0001 never occurs in tokens.
      const key = `${n}\u0001${tokens.slice(i, i + n).join('\u0001')}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return counts;
}

/** The reference length closest to the hypothesis length; ties go to the shorter reference. */
function closestRefLength(hypLength: number, refLengths: readonly number[]): number {
  let closestDiff = -1;
  let closestLength = -1;
  for (const refLength of refLengths) {
    const diff = Math.abs(hypLength - refLength);
    if (closestDiff === -1 || diff < closestDiff) {
      closestDiff = diff;
      closestLength = refLength;
    } else if (diff === closestDiff && refLength < closestLength) {
      closestLength = refLength;
    }
  }
  return closestLength;
}

/** Statistics of one hypothesis against its references. */
export function segmentBleuStats(hypothesis: string, references: readonly string[], options: BleuOptions = {}): BleuStats {
  if (references.length === 0) throw new Error('BLEU needs at least one reference for each hypothesis');
  const maxOrder = options.maxOrder ?? DEFAULT_MAX_ORDER;
  const hypTokens = preprocess(hypothesis, options);
  const refMax = new Map<string, number>();
  const refLengths: number[] = [];
  for (const reference of references) {
    const refTokens = preprocess(reference, options);
    refLengths.push(refTokens.length);
    for (const [ngram, count] of ngramCounts(refTokens, maxOrder)) {
      if (count > (refMax.get(ngram) ?? 0)) refMax.set(ngram, count);
    }
  }
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  for (let n = 1; n <= maxOrder; n++) total[n - 1] = Math.max(0, hypTokens.length - n + 1);
  for (const [ngram, count] of ngramCounts(hypTokens, maxOrder)) {
    const order = Number(ngram.slice(0, ngram.indexOf('\u0001')));
    correct[order - 1] = (correct[order - 1] ?? 0) + Math.min(count, refMax.get(ngram) ?? 0);
  }
  return { hypLength: hypTokens.length, refLength: closestRefLength(hypTokens.length, refLengths), correct, total };
}

/** Adds segment statistics (corpus BLEU pools them before computing the score). */
export function sumBleuStats(stats: readonly BleuStats[], maxOrder = DEFAULT_MAX_ORDER): BleuStats {
  const correct = new Array<number>(maxOrder).fill(0);
  const total = new Array<number>(maxOrder).fill(0);
  let hypLength = 0;
  let refLength = 0;
  for (const s of stats) {
    hypLength += s.hypLength;
    refLength += s.refLength;
    for (let i = 0; i < maxOrder; i++) {
      correct[i] = (correct[i] ?? 0) + (s.correct[i] ?? 0);
      total[i] = (total[i] ?? 0) + (s.total[i] ?? 0);
    }
  }
  return { hypLength, refLength, correct, total };
}

function logOrFloor(value: number): number {
  // sacreBLEU's my_log: log(0) is a huge negative number, so the score becomes 0.
  return value === 0 ? -9999999999 : Math.log(value);
}

/** The score from statistics, exactly as sacreBLEU's BLEU.compute_bleu. */
export function computeBleu(stats: BleuStats, options: BleuOptions = {}): BleuScore {
  const smoothing = options.smoothing ?? 'exp';
  const smoothValue = options.smoothValue ?? SMOOTH_DEFAULTS[smoothing] ?? 0;
  const maxOrder = options.maxOrder ?? DEFAULT_MAX_ORDER;
  const correct = [...stats.correct];
  const total = [...stats.total];
  const { hypLength, refLength } = stats;
  const brevityPenalty = hypLength < refLength ? (hypLength > 0 ? Math.exp(1 - refLength / hypLength) : 0) : 1;
  const precisions = new Array<number>(maxOrder).fill(0);
  const result = (score: number): BleuScore => ({ score, precisions, brevityPenalty, hypLength, refLength, correct: stats.correct, total: stats.total });
  if (!correct.some((c) => c !== 0)) return result(0);

  let smoothMteval = 1;
  let effectiveOrder = maxOrder;
  for (let n = 1; n <= maxOrder; n++) {
    if (smoothing === 'add-k' && n > 1) {
      correct[n - 1] = (correct[n - 1] ?? 0) + smoothValue;
      total[n - 1] = (total[n - 1] ?? 0) + smoothValue;
    }
    const totalN = total[n - 1] ?? 0;
    const correctN = correct[n - 1] ?? 0;
    if (totalN === 0) break;
    if (options.effectiveOrder) effectiveOrder = n;
    if (correctN === 0) {
      if (smoothing === 'exp') {
        smoothMteval *= 2;
        precisions[n - 1] = 100 / (smoothMteval * totalN);
      } else if (smoothing === 'floor') {
        precisions[n - 1] = (100 * smoothValue) / totalN;
      }
    } else {
      precisions[n - 1] = (100 * correctN) / totalN;
    }
  }
  let logSum = 0;
  for (const p of precisions.slice(0, effectiveOrder)) logSum += logOrFloor(p);
  return result(brevityPenalty * Math.exp(logSum / effectiveOrder));
}

/** Corpus BLEU: hypotheses[i] is scored against references[i] (one or more strings). */
export function corpusBleu(hypotheses: readonly string[], references: readonly (readonly string[])[], options: BleuOptions = {}): BleuScore {
  if (hypotheses.length !== references.length) {
    throw new Error(`corpus BLEU got ${hypotheses.length} hypotheses but ${references.length} reference lists`);
  }
  const stats = hypotheses.map((hyp, i) => segmentBleuStats(hyp, references[i] ?? [], options));
  return computeBleu(sumBleuStats(stats, options.maxOrder), options);
}

/** Sentence BLEU as sacrebleu.sentence_bleu: exp smoothing and effective order by default. */
export function sentenceBleu(hypothesis: string, references: readonly string[], options: BleuOptions = {}): BleuScore {
  const merged: BleuOptions = { ...options, effectiveOrder: options.effectiveOrder ?? true };
  return computeBleu(segmentBleuStats(hypothesis, references, merged), merged);
}
