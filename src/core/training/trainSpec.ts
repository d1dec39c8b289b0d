import type { DataEncoding } from '../data/textDecoding';

/** The normalized training spec: every default filled in, paths resolved. */

export type TaskKind = 'classification' | 'regression';
export type ModelType = 'logistic_regression' | 'linear_regression' | 'mlp' | 'gbdt' | 'random_forest';
export type TreeModelType = 'gbdt' | 'random_forest';
export type Activation = 'relu' | 'tanh' | 'sigmoid' | 'elu' | 'linear';
export type OptimizerName = 'adam' | 'sgd' | 'rmsprop' | 'adagrad';
export type MonitoredMetric = 'val_loss' | 'loss' | 'val_accuracy' | 'accuracy' | 'val_rmse' | 'rmse';

export type FeatureSelection = { mode: 'all' } | { mode: 'list'; columns: string[] } | { mode: 'exclude'; columns: string[] };

export interface HiddenLayerSpec {
  units: number;
  activation: Activation;
  dropout: number;
}

/** Gradient-boosted trees (`model: {type: gbdt, …}`), defaults of scikit-learn's HistGradientBoosting*. */
export interface GbdtSpec {
  readonly type: 'gbdt';
  readonly learningRate: number;
  /** boosting iterations (trees per class) before early stopping */
  readonly maxIter: number;
  /** null: no limit */
  readonly maxLeafNodes: number | null;
  readonly maxDepth: number | null;
  readonly minSamplesLeaf: number;
  readonly l2Regularization: number;
  /** share of the training rows each iteration draws (without replacement) */
  readonly subsample: number;
  /** share of the features each tree may use */
  readonly colsample: number;
  readonly maxBins: number;
}

/** A random forest (`model: {type: random_forest, …}`), defaults of scikit-learn's RandomForest*. */
export interface ForestSpec {
  readonly type: 'random_forest';
  readonly nEstimators: number;
  readonly maxDepth: number | null;
  readonly maxLeafNodes: number | null;
  readonly minSamplesLeaf: number;
  /** features drawn per split: sqrt/log2 of them, a share, or auto (sqrt for classification, all for regression) */
  readonly maxFeatures: 'auto' | 'sqrt' | 'log2' | number;
  readonly bootstrap: boolean;
  readonly maxBins: number;
}

export function isTreeModel(type: ModelType): type is TreeModelType {
  return type === 'gbdt' || type === 'random_forest';
}

export interface PreprocessingSpec {
  impute: { numeric: 'mean' | 'median' | 'most_frequent' | 'constant'; categorical: 'most_frequent' | 'constant'; fillValue?: number | string };
  standardize: boolean;
  oneHot: { handleUnknown: 'ignore' | 'error'; maxCategories: number };
}

export interface SplitSpec {
  train: number;
  validation: number;
  test: number;
  seed: number;
  stratified: boolean;
}

export interface EarlyStoppingSpec {
  patience: number;
  minDelta: number;
  monitor: MonitoredMetric;
  restoreBestWeights: boolean;
}

export interface FeatureSetDataset {
  /** absolute path of the features.yaml */
  features: string;
  /** absolute path of the entity rows: join keys, event timestamp, target */
  entities: string;
  /** VIEW:FEATURE or VIEW:* */
  select: string[];
  /** the entity file's event-time column */
  timestamp: string;
}

export interface TrainSpec {
  experiment: string;
  runName?: string;
  /** absolute path of the data file */
  dataset: string;
  /** the dataset as written in the spec (for messages and params) */
  datasetAsWritten: string;
  /** the CSV's text encoding when it is not UTF-8 (`dataset: {path, encoding}`) */
  datasetEncoding?: DataEncoding;
  /**
   * The dataset is a point-in-time training set built from materialized features; `dataset` is
   * then the entity file, and training reads the set built from it.
   */
  featureSet?: FeatureSetDataset;
  /** register the run's model after a successful run (and point an alias at it) */
  register?: { model: string; alias?: string };
  target: string;
  task?: TaskKind;
  features: FeatureSelection;
  columnKinds: Record<string, 'numeric' | 'categorical'>;
  preprocessing: PreprocessingSpec;
  split: SplitSpec;
  /** `trees` is set for gbdt and random_forest models; `layers` only for an mlp */
  model: { type: ModelType; layers: HiddenLayerSpec[]; trees?: GbdtSpec | ForestSpec };
  optimizer: { name: OptimizerName; learningRate: number; momentum: number; l2: number };
  epochs: number;
  batchSize: number;
  earlyStopping: EarlyStoppingSpec | false;
  classWeights?: 'balanced' | Record<string, number>;
  seed: number;
  logEveryNBatches: number;
  /** what the spec sets that its model does without (a tree model's optimizer, epochs, …), one line each, for the run's warnings */
  ignoredSettings?: string[];
}

/** Where a spec value came from, so later checks (e.g. an unknown column) can point at the line. */
export type SpecLocator = (path: readonly (string | number)[]) => { line: number; column: number } | undefined;
