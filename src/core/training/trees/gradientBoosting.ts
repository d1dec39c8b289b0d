import type { TreeEnsembleJson } from '../../modelPackage/treeEnsemble';
import { SeededRandom } from '../seededRandom';
import { resolveMonitor } from '../tfTrainer';
import type { GbdtSpec } from '../trainSpec';
import { binMatrix, fitBinEdges } from './featureBinning';
import { growTree, leafOfBinned } from './histogramTreeGrower';
import { addImportance, ensembleMetrics, normalizeImportance, serializeTree, yieldToEvents, type TrainedEnsemble, type TreeProgress, type TreeTrainingInput } from './treeTraining';

/**
 * Histogram gradient boosting, as scikit-learn's HistGradientBoosting* and LightGBM do it:
 * features binned once to ≤ 255 quantile bins, trees grown leaf-wise on gradient/hessian
 * histograms (the larger child's histogram by subtraction), missing values sent to the side that
 * gains most, categories split as sets. Binary log loss (one tree per iteration), multiclass
 * softmax (one tree per class per iteration) or squared error. Each iteration is logged like an
 * epoch; early stopping watches the validation split and keeps the best iteration's trees.
 */
export async function trainGradientBoosting(input: TreeTrainingInput<GbdtSpec>, emit: TreeProgress): Promise<TrainedEnsemble> {
  const { task, train, validation, model, width } = input;
  const n = train.count;
  const random = new SeededRandom(input.seed);
  const edges = fitBinEdges(train.x, n, width, input.categoryCounts, model.maxBins, random.fork());
  const binned = binMatrix(train.x, n, width, edges);
  const validationBinned = binMatrix(validation.x, validation.count, width, edges);
  const classCount = input.classCount;
  const K = task === 'classification' && classCount > 2 ? classCount : 1;
  const link: TreeEnsembleJson['link'] = task === 'regression' ? 'identity' : K === 1 ? 'sigmoid' : 'softmax';
  const weight = new Float32Array(n).fill(1);
  if (task === 'classification') for (let r = 0; r < n; r++) weight[r] = input.classWeights[train.y[r] as number] ?? 1;
  const baseline = priorScores(task, train.y, weight, K);

  const rawTrain = new Float64Array(n * K);
  const rawValidation = new Float64Array(validation.count * K);
  for (let r = 0; r < n; r++) for (let k = 0; k < K; k++) rawTrain[r * K + k] = baseline[k] as number;
  for (let r = 0; r < validation.count; r++) for (let k = 0; k < K; k++) rawValidation[r * K + k] = baseline[k] as number;
  const probability = new Float32Array(n * K);
  const grad = new Float32Array(n);
  const hess = new Float32Array(n);
  const sampleRandom = random.fork();
  const featureRandom = random.fork();
  const allRows = Int32Array.from({ length: n }, (_, i) => i);
  const sampled = Math.max(1, Math.round(model.subsample * n));
  const columns = Math.max(1, Math.round(model.colsample * width));
  const allColumns = Int32Array.from({ length: width }, (_, i) => i);
  const importance = new Float64Array(width);
  const trees: TreeEnsembleJson['trees'][number][] = [];
  const treeGains: Float64Array[] = [];
  const outputsOf = task === 'classification' ? classCount : 1;

  const early = input.earlyStopping;
  const monitor = early ? resolveMonitor(early, task, validation.count > 0) : undefined;
  let best = monitor?.higherIsBetter ? -Infinity : Infinity;
  let bestIteration = 0;
  let bestMetrics: Record<string, number> = {};
  let lastMetrics: Record<string, number> = {};
  let sinceBest = 0;
  let stoppedEarly = false;
  let iterationsRun = 0;
  let trainingMs = 0;

  for (let iteration = 1; iteration <= model.maxIter; iteration++) {
    const started = performance.now();
    probabilities(rawTrain, probability, n, K, task);
    let rows: Int32Array = allRows;
    if (sampled < n) rows = partialShuffle(Int32Array.from(allRows), sampled, sampleRandom);
    const treeFeatures = columns < width ? partialShuffle(Int32Array.from(allColumns), columns, featureRandom).sort() : allColumns;
    for (let k = 0; k < K; k++) {
      gradients(task, K, k, probability, rawTrain, train.y, weight, grad, hess);
      const grown = growTree(binned, grad, hess, rows === allRows ? Int32Array.from(allRows) : rows.slice(), {
        channels: 1,
        lambda: model.l2Regularization,
        maxLeafNodes: model.maxLeafNodes ?? Infinity,
        maxDepth: model.maxDepth ?? Infinity,
        minSamplesLeaf: model.minSamplesLeaf,
        minHessian: 1e-3,
        treeFeatures,
        featuresPerNode: 0,
        random: featureRandom,
        categorySmoothing: 10,
      });
      const leafValue = (sums: Float64Array): number => (-(sums[0] as number) / ((sums[1] as number) + model.l2Regularization)) * model.learningRate;
      const leafValues = Float64Array.from(grown.sums, leafValue);
      for (let r = 0; r < n; r++) rawTrain[r * K + k] = (rawTrain[r * K + k] as number) + (leafValues[leafOfBinned(grown, binned, r)] as number);
      for (let r = 0; r < validation.count; r++) rawValidation[r * K + k] = (rawValidation[r * K + k] as number) + (leafValues[leafOfBinned(grown, validationBinned, r)] as number);
      trees.push(serializeTree(grown, edges, k, 1, (sums, out) => (out[0] = leafValue(sums))));
      const gains = new Float64Array(width);
      addImportance(gains, grown);
      treeGains.push(gains);
    }
    trainingMs += performance.now() - started;
    iterationsRun = iteration;

    const metrics: Record<string, number> = {};
    ensembleMetrics(metrics, '', task, finishScores(rawTrain, n, K, task), train.y, outputsOf);
    if (validation.count > 0) ensembleMetrics(metrics, 'val_', task, finishScores(rawValidation, validation.count, K, task), validation.y, outputsOf);
    lastMetrics = metrics;
    emit({ type: 'progress', epoch: iteration, epochs: model.maxIter, batch: 1, batchesPerEpoch: 1, batchLoss: { steps: [], values: [], timestamps: [] }, epochMetrics: metrics, samplesPerSecond: (n * iteration) / (trainingMs / 1000) });
    await yieldToEvents();
    if (!early || !monitor) continue;
    const value = metrics[monitor.key] ?? NaN;
    const improved = monitor.higherIsBetter ? value > best + early.minDelta : value < best - early.minDelta;
    if (improved || bestIteration === 0) {
      best = value;
      bestIteration = iteration;
      bestMetrics = metrics;
      sinceBest = 0;
    } else if (++sinceBest >= early.patience) {
      stoppedEarly = true;
      break;
    }
  }
  const restored = Boolean(early && early.restoreBestWeights && bestIteration > 0);
  const kept = restored ? bestIteration : iterationsRun;
  for (const gains of treeGains.slice(0, kept * K)) for (let f = 0; f < width; f++) importance[f] = (importance[f] as number) + (gains[f] as number);
  return {
    ensemble: {
      format: 'mlops-tree-ensemble',
      formatVersion: 1,
      kind: 'gbdt',
      task,
      width,
      outputs: K,
      valueWidth: 1,
      baseline: [...baseline],
      combine: 'sum',
      link,
      trees: trees.slice(0, kept * K),
    },
    iterationsRun,
    bestIteration: kept,
    stoppedEarly,
    finalMetrics: restored ? bestMetrics : lastMetrics,
    samplesPerSecond: (n * iterationsRun) / Math.max(trainingMs / 1000, 1e-9),
    importance: normalizeImportance(importance),
  };
}

/** The constant raw score that minimizes the loss: the mean, the log-odds, or the log class priors. */
function priorScores(task: GbdtTask, y: Float32Array, weight: Float32Array, K: number): number[] {
  if (task === 'regression') {
    let sum = 0;
    for (const v of y) sum += v;
    return [y.length > 0 ? sum / y.length : 0];
  }
  const counts = new Float64Array(Math.max(K, 2));
  let total = 0;
  for (let r = 0; r < y.length; r++) {
    counts[K === 1 ? ((y[r] as number) === 1 ? 1 : 0) : (y[r] as number)]! += weight[r] as number;
    total += weight[r] as number;
  }
  const p = (c: number): number => Math.min(1 - 1e-15, Math.max(1e-15, (counts[c] as number) / Math.max(total, 1e-300)));
  if (K === 1) return [Math.log(p(1) / (1 - p(1)))];
  return Array.from({ length: K }, (_, k) => Math.log(p(k)));
}

type GbdtTask = TreeTrainingInput<GbdtSpec>['task'];

/** Probabilities (classification) from the raw scores, into `out`; regression leaves it unused. */
function probabilities(raw: Float64Array, out: Float32Array, n: number, K: number, task: GbdtTask): void {
  if (task === 'regression') return;
  if (K === 1) {
    for (let r = 0; r < n; r++) out[r] = 1 / (1 + Math.exp(-(raw[r] as number)));
    return;
  }
  for (let r = 0; r < n; r++) {
    const o = r * K;
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, raw[o + k] as number);
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const e = Math.exp((raw[o + k] as number) - max);
      out[o + k] = e;
      sum += e;
    }
    for (let k = 0; k < K; k++) out[o + k] = (out[o + k] as number) / sum;
  }
}

/** First and second derivatives of the loss for output k, weighted per row. */
function gradients(task: GbdtTask, K: number, k: number, p: Float32Array, raw: Float64Array, y: Float32Array, weight: Float32Array, grad: Float32Array, hess: Float32Array): void {
  const n = y.length;
  if (task === 'regression') {
    // half squared error: the residual, unit hessian
    for (let r = 0; r < n; r++) {
      grad[r] = (raw[r] as number) - (y[r] as number);
      hess[r] = 1;
    }
    return;
  }
  for (let r = 0; r < n; r++) {
    const pr = p[r * K + k] as number;
    const target = K === 1 ? ((y[r] as number) === 1 ? 1 : 0) : (y[r] as number) === k ? 1 : 0;
    const w = weight[r] as number;
    grad[r] = w * (pr - target);
    hess[r] = w * Math.max(pr * (1 - pr), 1e-16);
  }
}

/** Raw scores → probabilities per class (binary: both columns). */
function finishScores(raw: Float64Array, n: number, K: number, task: GbdtTask): Float64Array {
  if (task === 'regression') return raw;
  const classes = K === 1 ? 2 : K;
  const out = new Float64Array(n * classes);
  for (let r = 0; r < n; r++) {
    if (K === 1) {
      const p = 1 / (1 + Math.exp(-(raw[r] as number)));
      out[r * 2] = 1 - p;
      out[r * 2 + 1] = p;
      continue;
    }
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, raw[r * K + k] as number);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp((raw[r * K + k] as number) - max);
    for (let k = 0; k < K; k++) out[r * K + k] = Math.exp((raw[r * K + k] as number) - max) / sum;
  }
  return out;
}

/** Moves a uniform draw of `k` entries to the front and returns them. */
function partialShuffle(values: Int32Array, k: number, random: SeededRandom): Int32Array {
  for (let i = 0; i < k; i++) {
    const j = i + random.int(values.length - i);
    const t = values[i] as number;
    values[i] = values[j] as number;
    values[j] = t;
  }
  return values.subarray(0, k);
}
