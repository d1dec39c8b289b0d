import type { TreeEnsembleJson } from '../../modelPackage/treeEnsemble';
import { SeededRandom } from '../seededRandom';
import type { ForestSpec } from '../trainSpec';
import { binMatrix, fitBinEdges } from './featureBinning';
import { growTree, leafOfBinned } from './histogramTreeGrower';
import { addImportance, ensembleMetrics, normalizeImportance, serializeTree, yieldToEvents, type TrainedEnsemble, type TreeProgress, type TreeTrainingInput } from './treeTraining';

/**
 * A random forest as scikit-learn's RandomForest* grows it: each tree on a bootstrap sample,
 * each node choosing among a random subset of features (sqrt of them for classification), split
 * by Gini impurity (classification) or squared error (regression), leaves holding class
 * proportions or means, the forest averaging its trees. Splits are searched on the same ≤ 255
 * quantile bins as boosting, which is what makes them cheap; missing values and categories are
 * routed as in boosting. Every tree is logged like an epoch (the forest so far on each split).
 */
export async function trainRandomForest(input: TreeTrainingInput<ForestSpec>, emit: TreeProgress): Promise<TrainedEnsemble> {
  const { task, train, validation, model, width } = input;
  const n = train.count;
  const random = new SeededRandom(input.seed);
  const edges = fitBinEdges(train.x, n, width, input.categoryCounts, model.maxBins, random.fork());
  const binned = binMatrix(train.x, n, width, edges);
  const validationBinned = binMatrix(validation.x, validation.count, width, edges);
  const K = task === 'classification' ? input.classCount : 1;
  // channels: one-hot classes (their sums are class counts) or the target; hessians: row weights
  const channels = new Float32Array(n * K);
  const weight = new Float32Array(n).fill(1);
  for (let r = 0; r < n; r++) {
    if (task === 'classification') {
      const label = train.y[r] as number;
      const w = input.classWeights[label] ?? 1;
      weight[r] = w;
      channels[r * K + label] = w;
    } else channels[r] = train.y[r] as number;
  }
  const perNode = featuresPerNode(model.maxFeatures, width, task);
  const allColumns = Int32Array.from({ length: width }, (_, i) => i);
  const bootstrapRandom = random.fork();
  const nodeRandom = random.fork();
  const sumTrain = new Float64Array(n * K);
  const sumValidation = new Float64Array(validation.count * K);
  const trees: TreeEnsembleJson['trees'][number][] = [];
  const importance = new Float64Array(width);
  let metrics: Record<string, number> = {};
  let trainingMs = 0;
  const leafValue = (sums: Float64Array, out: number[]): void => {
    const h = Math.max(sums[K] as number, 1e-300);
    for (let k = 0; k < K; k++) out[k] = (sums[k] as number) / h;
  };
  const leaf = new Array<number>(K).fill(0);

  for (let t = 1; t <= model.nEstimators; t++) {
    const started = performance.now();
    const rows = new Int32Array(n);
    if (model.bootstrap) for (let i = 0; i < n; i++) rows[i] = bootstrapRandom.int(n);
    else for (let i = 0; i < n; i++) rows[i] = i;
    const grown = growTree(binned, channels, weight, rows, {
      channels: K,
      lambda: 0,
      maxLeafNodes: model.maxLeafNodes ?? Infinity,
      maxDepth: model.maxDepth ?? Infinity,
      minSamplesLeaf: model.minSamplesLeaf,
      minHessian: 0,
      treeFeatures: allColumns,
      featuresPerNode: perNode,
      random: nodeRandom,
      categorySmoothing: 1,
    });
    const tree = serializeTree(grown, edges, 0, K, leafValue);
    trees.push(tree);
    addImportance(importance, grown);
    for (let r = 0; r < n; r++) {
      leafValue(grown.sums[leafOfBinned(grown, binned, r)] as Float64Array, leaf);
      for (let k = 0; k < K; k++) sumTrain[r * K + k] = (sumTrain[r * K + k] as number) + (leaf[k] as number);
    }
    for (let r = 0; r < validation.count; r++) {
      leafValue(grown.sums[leafOfBinned(grown, validationBinned, r)] as Float64Array, leaf);
      for (let k = 0; k < K; k++) sumValidation[r * K + k] = (sumValidation[r * K + k] as number) + (leaf[k] as number);
    }
    trainingMs += performance.now() - started;
    metrics = {};
    ensembleMetrics(metrics, '', task, sumTrain.map((v) => v / t), train.y, K);
    if (validation.count > 0) ensembleMetrics(metrics, 'val_', task, sumValidation.map((v) => v / t), validation.y, K);
    emit({ type: 'progress', epoch: t, epochs: model.nEstimators, batch: 1, batchesPerEpoch: 1, batchLoss: { steps: [], values: [], timestamps: [] }, epochMetrics: metrics, samplesPerSecond: (n * t) / Math.max(trainingMs / 1000, 1e-9) });
    await yieldToEvents();
  }
  return {
    ensemble: { format: 'mlops-tree-ensemble', formatVersion: 1, kind: 'random_forest', task, width, outputs: K, valueWidth: K, baseline: new Array<number>(K).fill(0), combine: 'mean', link: 'identity', trees },
    iterationsRun: model.nEstimators,
    bestIteration: model.nEstimators,
    stoppedEarly: false,
    finalMetrics: metrics,
    samplesPerSecond: (n * model.nEstimators) / Math.max(trainingMs / 1000, 1e-9),
    importance: normalizeImportance(importance),
  };
}

/** max_features → features drawn per node (0 = all of them, the histogram-subtraction path is not used by forests). */
function featuresPerNode(maxFeatures: ForestSpec['maxFeatures'], width: number, task: 'classification' | 'regression'): number {
  const resolved = maxFeatures === 'auto' ? (task === 'classification' ? 'sqrt' : 1) : maxFeatures;
  const k = resolved === 'sqrt' ? Math.floor(Math.sqrt(width)) : resolved === 'log2' ? Math.floor(Math.log2(width)) : Math.round(resolved * width);
  // at least one; drawing all of them still takes the per-node path (no subtraction, no histograms kept)
  return Math.min(width, Math.max(1, k));
}
