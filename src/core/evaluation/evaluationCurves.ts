/**
 * The curves a model card draws from the test split: ROC and precision–recall per class
 * (one-vs-rest) for classifiers, predicted-vs-actual and residuals for regressors. They are
 * computed once at training time and kept small (a few hundred points per curve), because the
 * card must open instantly and the test predictions themselves are not stored.
 */

/** [x, y] pairs: ROC (false positive rate, true positive rate), PR (recall, precision). */
export type CurvePoints = readonly (readonly [number, number])[];

export interface ClassCurve {
  readonly label: string;
  readonly points: CurvePoints;
  /** area under this curve (ROC AUC, or average precision for PR); NaN when the class is absent from the test split */
  readonly area: number;
}

export type EvaluationCurves =
  | { readonly task: 'classification'; readonly roc: readonly ClassCurve[]; readonly pr: readonly ClassCurve[] }
  | {
      readonly task: 'regression';
      /** [actual, predicted] for at most MAX_SCATTER test rows (evenly spaced through the split) */
      readonly predictedVsActual: CurvePoints;
      /** histogram of predicted − actual over every test row */
      readonly residuals: { readonly edges: readonly number[]; readonly counts: readonly number[] };
    };

const MAX_CURVE_POINTS = 200;
const MAX_SCATTER = 1000;
const RESIDUAL_BINS = 30;

/** Keeps the first and last point and an even spread between, so a curve stays the same shape. */
function thin(points: [number, number][]): [number, number][] {
  if (points.length <= MAX_CURVE_POINTS) return points;
  const step = (points.length - 1) / (MAX_CURVE_POINTS - 1);
  return Array.from({ length: MAX_CURVE_POINTS }, (_, i) => points[Math.round(i * step)] as [number, number]);
}

/**
 * ROC and PR curves of one class's scores. Thresholds are taken at every distinct score, highest
 * first, so tied scores move the curve in one diagonal step (as scikit-learn's roc_curve does).
 */
function classCurves(positive: readonly boolean[], scores: Float64Array): { roc: [number, number][]; pr: [number, number][]; auc: number; ap: number } {
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => (scores[b] as number) - (scores[a] as number));
  const positives = positive.filter(Boolean).length;
  const negatives = positive.length - positives;
  const roc: [number, number][] = [[0, 0]];
  const pr: [number, number][] = [];
  let tp = 0;
  let fp = 0;
  let auc = 0;
  let ap = 0;
  let previousRecall = 0;
  for (let i = 0; i < order.length; ) {
    const score = scores[order[i] as number] as number;
    while (i < order.length && scores[order[i] as number] === score) {
      if (positive[order[i] as number]) tp++;
      else fp++;
      i++;
    }
    const tpr = positives > 0 ? tp / positives : 0;
    const fpr = negatives > 0 ? fp / negatives : 0;
    const [lastFpr, lastTpr] = roc[roc.length - 1] as [number, number];
    auc += ((fpr - lastFpr) * (tpr + lastTpr)) / 2;
    roc.push([fpr, tpr]);
    const precision = tp / (tp + fp);
    const recall = tpr;
    ap += (recall - previousRecall) * precision; // average precision, scikit-learn's step-wise sum
    previousRecall = recall;
    pr.push([recall, precision]);
  }
  return { roc: thin(roc), pr: thin(pr), auc: positives > 0 && negatives > 0 ? auc : NaN, ap: positives > 0 ? ap : NaN };
}

export function classificationCurves(actual: ArrayLike<number>, probabilities: Float32Array | Float64Array, classes: readonly string[]): EvaluationCurves {
  const rows = actual.length;
  const roc: ClassCurve[] = [];
  const pr: ClassCurve[] = [];
  classes.forEach((label, c) => {
    const scores = Float64Array.from({ length: rows }, (_, r) => probabilities[r * classes.length + c] as number);
    const positive = Array.from({ length: rows }, (_, r) => actual[r] === c);
    const curves = classCurves(positive, scores);
    roc.push({ label, points: curves.roc, area: curves.auc });
    pr.push({ label, points: curves.pr, area: curves.ap });
  });
  return { task: 'classification', roc, pr };
}

export function regressionCurves(actual: ArrayLike<number>, predicted: ArrayLike<number>): EvaluationCurves {
  const n = actual.length;
  const shown = Math.min(n, MAX_SCATTER);
  const predictedVsActual: [number, number][] = [];
  for (let k = 0; k < shown; k++) {
    const i = Math.floor((k * n) / shown);
    predictedVsActual.push([actual[i] as number, predicted[i] as number]);
  }
  const residuals = Float64Array.from({ length: n }, (_, i) => (predicted[i] as number) - (actual[i] as number)).filter(Number.isFinite);
  let min = Infinity;
  let max = -Infinity;
  for (const r of residuals) {
    if (r < min) min = r;
    if (r > max) max = r;
  }
  if (residuals.length === 0) return { task: 'regression', predictedVsActual, residuals: { edges: [], counts: [] } };
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const width = (max - min) / RESIDUAL_BINS;
  const counts = new Array<number>(RESIDUAL_BINS).fill(0);
  for (const r of residuals) {
    const bin = Math.min(RESIDUAL_BINS - 1, Math.floor((r - min) / width));
    counts[bin] = (counts[bin] ?? 0) + 1;
  }
  const edges = Array.from({ length: RESIDUAL_BINS + 1 }, (_, i) => min + i * width);
  return { task: 'regression', predictedVsActual, residuals: { edges, counts } };
}
