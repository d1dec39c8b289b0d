import type { FittedPreprocessing } from '../training/preprocessing';

/**
 * The model package: everything serving needs, written under `model/` in the run's artifacts.
 *
 *   model/MLmodel.json        manifest: format version, task, files, backend, dataset digest, metrics
 *   model/model.json          TensorFlow.js layers model (topology + weights manifest)
 *   model/weights.bin         its weights (float32, little-endian)
 *   model/preprocessing.json  fitted imputation, scaling and one-hot categories
 *   model/signature.json      input columns and types, output (classes or value)
 *   model/metrics.json        final training metrics and the test evaluation
 *   model/spec.train.yaml     the spec as it was when the model was trained
 *
 * A tree model (gbdt, random_forest; flavor "tree-ensemble") has, instead of model.json and weights.bin:
 *   model/trees.json               the ensemble (treeEnsemble.ts), scored without any library
 *   model/feature_importance.json  total split gain per input column, largest first
 */
export const MODEL_DIR = 'model';
export const PACKAGE_FORMAT = 'mlops-studio-model';
export const PACKAGE_FORMAT_VERSION = 1;

export const PACKAGE_FILES = {
  manifest: 'MLmodel.json',
  tfjsModel: 'model.json',
  tfjsWeights: 'weights.bin',
  preprocessing: 'preprocessing.json',
  signature: 'signature.json',
  metrics: 'metrics.json',
  spec: 'spec.train.yaml',
} as const;

export const TREE_PACKAGE_FILES = {
  manifest: PACKAGE_FILES.manifest,
  trees: 'trees.json',
  featureImportance: 'feature_importance.json',
  preprocessing: PACKAGE_FILES.preprocessing,
  signature: PACKAGE_FILES.signature,
  metrics: PACKAGE_FILES.metrics,
  spec: PACKAGE_FILES.spec,
} as const;

/** `model/feature_importance.json`: what the model card shows. */
export interface FeatureImportanceFile {
  /** "gain": each column's share of the total split gain over the model's trees */
  readonly kind: 'gain';
  /**
   * `permutation` on each feature: how much the test loss (log loss, or MSE for regression) rises
   * when the column's values are shuffled among the test rows (mean over `permutation.repeats`)
   */
  readonly features: readonly { readonly name: string; readonly importance: number; readonly permutation?: number }[];
  readonly permutation?: { readonly metric: 'log_loss' | 'mse'; readonly rows: number; readonly repeats: number };
}

export interface SignatureInput {
  readonly name: string;
  readonly type: 'double' | 'string';
  /** categories seen in training (string inputs) */
  readonly categories?: readonly string[];
  /** true when the training data had empty cells in this column (imputed) */
  readonly optional: boolean;
}

export interface ModelSignature {
  readonly inputs: readonly SignatureInput[];
  readonly output:
    | { readonly task: 'classification'; readonly target: string; readonly classes: readonly string[] }
    | { readonly task: 'regression'; readonly target: string; readonly type: 'double' };
}

export interface ModelManifest {
  readonly format: typeof PACKAGE_FORMAT;
  readonly formatVersion: number;
  readonly createdAt: string;
  readonly task: 'classification' | 'regression';
  readonly target: string;
  readonly modelType: string;
  readonly flavor: 'tfjs-layers' | 'tree-ensemble';
  readonly files: Readonly<Record<string, string>>;
  readonly backend: string;
  readonly datasetDigest: string;
  readonly dataset: string;
  /** weights of a network; leaves of a tree ensemble */
  readonly parameters: number;
  readonly metrics: Readonly<Record<string, number>>;
}

export interface PackageFile {
  /** path relative to the run's artifact root, e.g. "model/model.json" */
  readonly path: string;
  readonly data: Uint8Array | string;
}

export type { FittedPreprocessing };
