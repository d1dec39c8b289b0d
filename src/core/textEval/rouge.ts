import { rougeTokenize, type RougeTokenizeOptions } from './rougeTokenizer';

/**
 * ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum as Google's rouge-score computes them
 * (rouge_score/rouge_scorer.py, with or without use_stemmer): n-gram overlap, LCS, and
 * summary-level union-LCS over newline-separated sentences; several references = the reference
 * with the highest F (score_multi).
 */

export interface RougeScore {
  readonly precision: number;
  readonly recall: number;
  readonly fmeasure: number;
}

export type RougeType = 'rouge1' | 'rouge2' | 'rougeL' | 'rougeLsum';
export const ROUGE_TYPES: readonly RougeType[] = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'];
export type RougeScores = Readonly<Record<RougeType, RougeScore>>;

const ZERO: RougeScore = { precision: 0, recall: 0, fmeasure: 0 };

function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

function score(hits: number, predictionCount: number, targetCount: number): RougeScore {
  const precision = hits / Math.max(predictionCount, 1);
  const recall = hits / Math.max(targetCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function ngrams(tokens: readonly string[], n: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i + n <= tokens.length; i++) {
    const key = tokens.slice(i, i + n).join(' ');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

/** ROUGE-N from token lists (target = reference). */
export function rougeN(targetTokens: readonly string[], predictionTokens: readonly string[], n: number): RougeScore {
  const target = ngrams(targetTokens, n);
  const prediction = ngrams(predictionTokens, n);
  let hits = 0;
  for (const [gram, count] of target) hits += Math.min(count, prediction.get(gram) ?? 0);
  let targetCount = 0;
  for (const count of target.values()) targetCount += count;
  let predictionCount = 0;
  for (const count of prediction.values()) predictionCount += count;
  return score(hits, predictionCount, targetCount);
}

/** The (|ref|+1)×(|can|+1) LCS length table. */
export function lcsTable<T>(ref: readonly T[], can: readonly T[]): number[][] {
  const table: number[][] = Array.from({ length: ref.length + 1 }, () => new Array<number>(can.length + 1).fill(0));
  for (let i = 1; i <= ref.length; i++) {
    const row = table[i] as number[];
    const previous = table[i - 1] as number[];
    for (let j = 1; j <= can.length; j++) {
      row[j] = ref[i - 1] === can[j - 1] ? (previous[j - 1] as number) + 1 : Math.max(previous[j] as number, row[j - 1] as number);
    }
  }
  return table;
}

/** Indices into ref of one LCS, recovered the way rouge-score's _backtrack_norec does. */
export function lcsIndices<T>(ref: readonly T[], can: readonly T[]): number[] {
  const table = lcsTable(ref, can);
  const at = (i: number, j: number): number => (table[i] as number[])[j] as number;
  const indices: number[] = [];
  let i = ref.length;
  let j = can.length;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) {
      indices.unshift(i - 1);
      i--;
      j--;
    } else if (at(i, j - 1) > at(i - 1, j)) {
      j--;
    } else {
      i--;
    }
  }
  return indices;
}

/** ROUGE-L from token lists. */
export function rougeL(targetTokens: readonly string[], predictionTokens: readonly string[]): RougeScore {
  if (targetTokens.length === 0 || predictionTokens.length === 0) return ZERO;
  const lcs = (lcsTable(targetTokens, predictionTokens)[targetTokens.length] as number[])[predictionTokens.length] as number;
  const precision = lcs / predictionTokens.length;
  const recall = lcs / targetTokens.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** The tokens of ref that lie on an LCS with any candidate sentence (ROUGE paper §3.2). */
export function unionLcs<T>(ref: readonly T[], candidates: readonly (readonly T[])[]): T[] {
  const union = new Set<number>();
  for (const can of candidates) for (const index of lcsIndices(ref, can)) union.add(index);
  return [...union].sort((a, b) => a - b).map((index) => ref[index] as T);
}

/** Summary-level LCS (ROUGE-Lsum) over sentence token lists; hits are capped by token counts. */
export function summaryLevelLcs(refSentences: readonly (readonly string[])[], canSentences: readonly (readonly string[])[]): RougeScore {
  if (refSentences.length === 0 || canSentences.length === 0) return ZERO;
  const m = refSentences.reduce((sum, s) => sum + s.length, 0);
  const n = canSentences.reduce((sum, s) => sum + s.length, 0);
  if (m === 0 || n === 0) return ZERO;
  const refCounts = new Map<string, number>();
  const canCounts = new Map<string, number>();
  for (const sentence of refSentences) for (const t of sentence) refCounts.set(t, (refCounts.get(t) ?? 0) + 1);
  for (const sentence of canSentences) for (const t of sentence) canCounts.set(t, (canCounts.get(t) ?? 0) + 1);
  let hits = 0;
  for (const ref of refSentences) {
    for (const token of unionLcs(ref, canSentences)) {
      const inCan = canCounts.get(token) ?? 0;
      const inRef = refCounts.get(token) ?? 0;
      if (inCan > 0 && inRef > 0) {
        hits++;
        canCounts.set(token, inCan - 1);
        refCounts.set(token, inRef - 1);
      }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function sentences(text: string): string[] {
  return text.split('\n').filter((line) => line.length > 0);
}

/** rouge-score's RougeScorer(use_stemmer=options.stem).score(target, prediction) for all four types. */
export function rougeScores(target: string, prediction: string, options: RougeTokenizeOptions = {}): RougeScores {
  const tokenize = (text: string): string[] => rougeTokenize(text, options);
  const targetTokens = tokenize(target);
  const predictionTokens = tokenize(prediction);
  return {
    rouge1: rougeN(targetTokens, predictionTokens, 1),
    rouge2: rougeN(targetTokens, predictionTokens, 2),
    rougeL: rougeL(targetTokens, predictionTokens),
    rougeLsum: summaryLevelLcs(sentences(target).map(tokenize), sentences(prediction).map(tokenize)),
  };
}

/** score_multi: per type, the scores against the reference with the highest F (first on ties). */
export function rougeScoresMulti(targets: readonly string[], prediction: string, options: RougeTokenizeOptions = {}): RougeScores {
  if (targets.length === 0) throw new Error('ROUGE needs at least one reference');
  const all = targets.map((target) => rougeScores(target, prediction, options));
  const best = (type: RougeType): RougeScore => {
    let chosen = all[0]?.[type] ?? ZERO;
    for (const scores of all) if (scores[type].fmeasure > chosen.fmeasure) chosen = scores[type];
    return chosen;
  };
  return { rouge1: best('rouge1'), rouge2: best('rouge2'), rougeL: best('rougeL'), rougeLsum: best('rougeLsum') };
}
