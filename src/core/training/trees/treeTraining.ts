import type { SerializedTree, TreeEnsembleJson } from '../../modelPackage/treeEnsemble';
import type { EncodedSplit } from '../datasetPreparation';
import type { TrainProgressEvent } from '../trainingEvents';
import type { EarlyStoppingSpec, ForestSpec, GbdtSpec, TaskKind } from '../trainSpec';
import { MISSING_BIN, type BinEdges } from './featureBinning';
import type { GrownTree } from './histogramTreeGrower';

/** What both tree trainers take: the natively encoded splits and the spec's model section. */
export interface TreeTrainingInput<M extends GbdtSpec | ForestSpec> {
  readonly task: TaskKind;
  readonly classCount: number;
  readonly classWeights: Float32Array;
  readonly train: EncodedSplit;
  readonly validation: EncodedSplit;
  /** encoded columns (one per feature) */
  readonly width: number;
  /** per column: its categories when categorical, 0 when numeric */
  readonly categoryCounts: readonly number[];
  readonly model: M;
  readonly earlyStopping: EarlyStoppingSpec | false;
  readonly seed: number;
}

export interface TrainedEnsemble {
  readonly ensemble: TreeEnsembleJson;
  /** boosting iterations or forest trees grown (an "epoch" in the run's curves) */
  readonly iterationsRun: number;
  /** the iteration whose ensemble was kept (early stopping drops the trees after it) */
  readonly bestIteration: number;
  readonly stoppedEarly: boolean;
  readonly finalMetrics: Record<string, number>;
  readonly samplesPerSecond: number;
  /** total split gain per encoded column over the kept trees, summing to 1 (all 0 without splits) */
  readonly importance: Float64Array;
}

export type TreeProgress = (event: TrainProgressEvent) => void;

/** A grown tree with bin thresholds mapped back to values, and its leaves' values. */
export function serializeTree(grown: GrownTree, edges: BinEdges, output: number, valueWidth: number, leafValue: (sums: Float64Array, out: number[]) => void): SerializedTree {
  const threshold: number[] = [];
  const value: number[] = [];
  const leftCategories: Record<string, number[]> = {};
  const scratch = new Array<number>(valueWidth).fill(0);
  grown.feature.forEach((f, node) => {
    if (f < 0) {
      threshold.push(0);
      leafValue(grown.sums[node] as Float64Array, scratch);
      value.push(...scratch);
      return;
    }
    for (let c = 0; c < valueWidth; c++) value.push(0);
    const categories = grown.leftCategories[node];
    if (categories) {
      leftCategories[String(node)] = categories;
      threshold.push(0);
      return;
    }
    const cut = edges.edges[f] as Float64Array;
    const bin = grown.thresholdBin[node] as number;
    // the last real bin: every present value goes left (the split separates the missing ones)
    threshold.push(bin < cut.length ? (cut[bin] as number) : Number.MAX_VALUE);
  });
  return {
    output,
    feature: [...grown.feature],
    threshold,
    missingLeft: grown.missingLeft.map((m) => (m ? 1 : 0)),
    left: [...grown.left],
    right: [...grown.right],
    value,
    ...(Object.keys(leftCategories).length > 0 ? { leftCategories } : {}),
  };
}

/** Adds a tree's split gains to `importance` (per encoded column). */
export function addImportance(importance: Float64Array, grown: GrownTree): void {
  grown.feature.forEach((f, node) => {
    if (f >= 0) importance[f] = (importance[f] as number) + (grown.gain[node] as number);
  });
}

export function normalizeImportance(importance: Float64Array): Float64Array {
  const total = importance.reduce((a, b) => a + b, 0);
  return total > 0 ? importance.map((v) => v / total) : importance;
}

/**
 * `${prefix}loss` and `${prefix}accuracy` (probabilities per class) or `${prefix}loss` (MSE) and
 * `${prefix}rmse`, the names the network trainers log per epoch.
 */
export function ensembleMetrics(metrics: Record<string, number>, prefix: string, task: TaskKind, out: Float32Array | Float64Array, y: Float32Array, classCount: number): void {
  const n = y.length;
  if (n === 0) return;
  if (task === 'classification') {
    let loss = 0;
    let correct = 0;
    for (let i = 0; i < n; i++) {
      const label = y[i] as number;
      let arg = 0;
      for (let c = 1; c < classCount; c++) if ((out[i * classCount + c] as number) > (out[i * classCount + arg] as number)) arg = c;
      if (arg === label) correct++;
      loss -= Math.log(Math.max(out[i * classCount + label] as number, 1e-15));
    }
    metrics[`${prefix}loss`] = loss / n;
    metrics[`${prefix}accuracy`] = correct / n;
    return;
  }
  let sq = 0;
  for (let i = 0; i < n; i++) sq += ((out[i] as number) - (y[i] as number)) ** 2;
  metrics[`${prefix}loss`] = sq / n;
  metrics[`${prefix}rmse`] = Math.sqrt(sq / n);
}

/** Categorical columns are binned by category index: at most a byte of them (the missing bin above). */
export function checkCategoryCounts(categoryCounts: readonly number[], names: readonly string[]): void {
  categoryCounts.forEach((count, f) => {
    if (count > MISSING_BIN) throw new Error(`column "${names[f] ?? f}" has ${count} categories; tree models take at most ${MISSING_BIN} per column (exclude it if it is an identifier)`);
  });
}

/** Lets the progress message leave the worker between iterations. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
