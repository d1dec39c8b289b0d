/**
 * Classification metrics over class indices and predicted probabilities (row-major, one column
 * per class). Conventions follow scikit-learn: a class never predicted has precision 0 (its
 * zero_division default), log loss clips probabilities to [1e-15, 1 - 1e-15].
 */

export interface PerClassMetrics {
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** rows whose true class is this one */
  readonly support: number;
}

export interface ClassificationReport {
  readonly accuracy: number;
  readonly precisionMacro: number;
  readonly recallMacro: number;
  readonly f1Macro: number;
  /** one-vs-rest, macro-averaged over classes present in y (binary: AUC of the second class) */
  readonly rocAuc: number;
  readonly logLoss: number;
  readonly perClass: readonly PerClassMetrics[];
  /** confusion[true][predicted] */
  readonly confusion: readonly (readonly number[])[];
}

export function argmaxRows(probabilities: Float32Array | Float64Array, classCount: number): Int32Array {
  const rows = probabilities.length / classCount;
  const out = new Int32Array(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    for (let c = 1; c < classCount; c++) if ((probabilities[r * classCount + c] as number) > (probabilities[r * classCount + best] as number)) best = c;
    out[r] = best;
  }
  return out;
}

export function confusionMatrix(actual: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number[][] {
  const m = Array.from({ length: classCount }, () => new Array<number>(classCount).fill(0));
  for (let i = 0; i < actual.length; i++) (m[actual[i] as number] as number[])[predicted[i] as number]! += 1;
  return m;
}

export function accuracy(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  let correct = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] === predicted[i]) correct++;
  return actual.length > 0 ? correct / actual.length : NaN;
}

export function perClassMetrics(confusion: readonly (readonly number[])[]): PerClassMetrics[] {
  const k = confusion.length;
  return confusion.map((row, c) => {
    const tp = row[c] as number;
    const support = row.reduce((a, b) => a + b, 0);
    let predicted = 0;
    for (let r = 0; r < k; r++) predicted += (confusion[r] as readonly number[])[c] as number;
    const precision = predicted > 0 ? tp / predicted : 0;
    const recall = support > 0 ? tp / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** Area under the ROC curve of scores for a binary labelling (Mann–Whitney U, ties count half). */
export function binaryRocAuc(positive: ArrayLike<boolean>, scores: ArrayLike<number>): number {
  const n = scores.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => (scores[a] as number) - (scores[b] as number));
  let positives = 0;
  let rankSum = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && scores[order[j + 1] as number] === scores[order[i] as number]) j++;
    const averageRank = (i + j) / 2 + 1; // 1-based ranks, ties share their mean rank
    for (let t = i; t <= j; t++) {
      if (positive[order[t] as number]) {
        positives++;
        rankSum += averageRank;
      }
    }
    i = j + 1;
  }
  const negatives = n - positives;
  if (positives === 0 || negatives === 0) return NaN;
  return (rankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/** One-vs-rest ROC-AUC, macro average (scikit-learn's roc_auc_score(multi_class="ovr")); binary uses class 1's score. */
export function rocAucOvr(actual: ArrayLike<number>, probabilities: Float32Array | Float64Array, classCount: number): number {
  const rows = actual.length;
  const column = (c: number): Float64Array => Float64Array.from({ length: rows }, (_, r) => probabilities[r * classCount + c] as number);
  if (classCount === 2) return binaryRocAuc(Array.from({ length: rows }, (_, r) => actual[r] === 1), column(1));
  let sum = 0;
  let counted = 0;
  for (let c = 0; c < classCount; c++) {
    const auc = binaryRocAuc(Array.from({ length: rows }, (_, r) => actual[r] === c), column(c));
    if (!Number.isNaN(auc)) {
      sum += auc;
      counted++;
    }
  }
  return counted > 0 ? sum / counted : NaN;
}

export function logLoss(actual: ArrayLike<number>, probabilities: Float32Array | Float64Array, classCount: number): number {
  const eps = 1e-15;
  let total = 0;
  for (let r = 0; r < actual.length; r++) {
    // renormalize each row first, as scikit-learn does
    let rowSum = 0;
    for (let c = 0; c < classCount; c++) rowSum += Math.min(Math.max(probabilities[r * classCount + c] as number, eps), 1 - eps);
    const p = Math.min(Math.max(probabilities[r * classCount + (actual[r] as number)] as number, eps), 1 - eps) / rowSum;
    total -= Math.log(p);
  }
  return actual.length > 0 ? total / actual.length : NaN;
}

export function classificationReport(actual: ArrayLike<number>, probabilities: Float32Array | Float64Array, classCount: number): ClassificationReport {
  const predicted = argmaxRows(probabilities, classCount);
  const confusion = confusionMatrix(actual, predicted, classCount);
  const perClass = perClassMetrics(confusion);
  const mean = (f: (m: PerClassMetrics) => number): number => perClass.reduce((a, m) => a + f(m), 0) / Math.max(perClass.length, 1);
  return {
    accuracy: accuracy(actual, predicted),
    precisionMacro: mean((m) => m.precision),
    recallMacro: mean((m) => m.recall),
    f1Macro: mean((m) => m.f1),
    rocAuc: rocAucOvr(actual, probabilities, classCount),
    logLoss: logLoss(actual, probabilities, classCount),
    perClass,
    confusion,
  };
}
