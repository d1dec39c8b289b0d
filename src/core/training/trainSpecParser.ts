import Ajv, { type ErrorObject } from 'ajv';
import { basename, dirname, resolve } from 'node:path';
import { isMap, isNode, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import trainSchema from '../../../schemas/train.schema.json';
import { fieldName, SpecError, type SpecIssue } from './specErrors';
import { applySpecOverrides, type SpecOverrides } from './specOverrides';
import type { DataEncoding } from '../data/textDecoding';
import { isTreeModel, type Activation, type EarlyStoppingSpec, type FeatureSelection, type ForestSpec, type GbdtSpec, type HiddenLayerSpec, type ModelType, type MonitoredMetric, type OptimizerName, type TrainSpec, type TreeModelType } from './trainSpec';
import { specDocumentValue } from './specDocumentValue';
import { readSpecText } from './specFileText';
import { NETWORK_ONLY_PREPROCESSING, NETWORK_ONLY_SETTINGS } from './treeIgnoredSettings';

export interface ParsedTrainSpec {
  readonly spec: TrainSpec;
  /** the file's text, saved with the model */
  readonly text: string;
  /** position of a field in the file, for checks made later against the data */
  locate(path: readonly (string | number)[]): { line: number; column: number };
}

let compiled: ReturnType<Ajv['compile']> | undefined;
function validator(): ReturnType<Ajv['compile']> {
  compiled ??= new Ajv({ allErrors: true, strict: false, verbose: true }).compile(trainSchema);
  return compiled;
}

/** Reads and validates a *.train.yaml file. */
export async function loadTrainSpec(specPath: string, overrides?: SpecOverrides): Promise<ParsedTrainSpec> {
  return parseTrainSpec(await readSpecText(specPath, 'the spec'), specPath, overrides);
}

/**
 * Every problem in a spec's text, positioned for the editor (empty when the spec is valid).
 * Checks YAML syntax and the schema; data-dependent checks (columns) need the dataset.
 */
export function validateTrainSpecText(text: string, specPath: string): SpecIssue[] {
  try {
    parseTrainSpec(text, specPath);
    return [];
  } catch (error) {
    if (error instanceof SpecError) return [...error.issues];
    throw error;
  }
}

/**
 * Parses spec text; `specPath` anchors the relative dataset path and names the file in errors.
 * `overrides` (dotted paths in the YAML's own terms, e.g. "optimizer.learning_rate" or
 * "model.layers.0.units") replace values before validation — how tuning trials vary a spec.
 */
export function parseTrainSpec(text: string, specPath: string, overrides?: SpecOverrides): ParsedTrainSpec {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const position = (offset: number): { line: number; column: number } => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  if (doc.errors.length > 0) {
    throw new SpecError(
      specPath,
      doc.errors.map((e) => ({ message: e.message.split('\n')[0] ?? e.message, field: '', ...position(e.pos[0]) })),
    );
  }
  // `layers: [64, 32]` is short for `[{ units: 64 }, { units: 32 }]`; expanded before overrides so a search can vary `model.layers.0.units`.
  const parsedValue: unknown = expandLayerShorthand(specDocumentValue(doc, specPath, position));
  const value: unknown = overrides && parsedValue !== null && typeof parsedValue === 'object' ? applySpecOverrides(parsedValue as Record<string, unknown>, overrides) : parsedValue;
  if (value === null || value === undefined) {
    throw new SpecError(specPath, [{ message: 'the spec is empty: it needs at least `dataset` and `target`', field: '', line: 1, column: 1 }]);
  }
  const locate = (path: readonly (string | number)[]): { line: number; column: number } => {
    const node = nodeAt(doc, path);
    return node?.range ? position(node.range[0]) : { line: 1, column: 1 };
  };
  const validate = validator();
  if (!validate(value)) {
    throw new SpecError(specPath, describeSchemaErrors(validate.errors ?? [], doc, position));
  }
  const raw = value as RawSpec;
  const split = resolveSplit(raw.split);
  if (typeof split === 'string') throw new SpecError(specPath, [{ message: split, field: 'split', ...locate(['split']) }]);
  const modelIssues = modelFieldIssues(raw, locate);
  if (modelIssues.length > 0) throw new SpecError(specPath, modelIssues);
  const spec = settleEarlyStopping(raw, normalize(raw, split, specPath));
  if (typeof spec === 'string') throw new SpecError(specPath, [{ message: spec, field: 'early_stopping.monitor', ...locate(['early_stopping', 'monitor']) }]);
  return { spec, text, locate };
}

const SPLIT_DEFAULTS = { train: 0.7, validation: 0.15, test: 0.15 } as const;
type SplitFractions = { train: number; validation: number; test: number };

/**
 * The three fractions. Unwritten ones share what the written ones leave, in the defaults'
 * proportions (`{ train: 0.8, test: 0.2 }` means no validation rows, not a default 0.15 that
 * breaks the sum); with none written, the defaults. A message says why they cannot add up to 1.
 */
export function resolveSplit(split: RawSpec['split']): SplitFractions | string {
  const keys = ['train', 'validation', 'test'] as const;
  const written = keys.filter((k) => split?.[k] !== undefined);
  const given = written.reduce((sum, k) => sum + (split?.[k] ?? 0), 0);
  const missing = keys.filter((k) => !written.includes(k));
  const shown = (k: (typeof keys)[number]): string => `${k} ${+(split?.[k] ?? 0).toFixed(6)}`;
  if (missing.length === 0) {
    if (Math.abs(given - 1) <= 1e-9) return { train: split!.train!, validation: split!.validation!, test: split!.test! };
    return `split fractions add up to ${+given.toFixed(6)}, not 1 (${keys.map(shown).join(' + ')})`;
  }
  if (written.length === 0) return { ...SPLIT_DEFAULTS };
  const left = 1 - given;
  if (left < -1e-9) {
    return `split fractions add up to ${+given.toFixed(6)} before ${missing.join(' and ')} (${written.map(shown).join(' + ')}): they must add up to 1, and ${missing.join(' and ')} ${missing.length === 1 ? 'gets' : 'get'} what is left`;
  }
  const weight = missing.reduce((sum, k) => sum + SPLIT_DEFAULTS[k], 0);
  const out: SplitFractions = { train: 0, validation: 0, test: 0 };
  // rounded: 1 - 0.7 - 0.1 is 0.20000000000000007, and the fractions are recorded as params
  for (const k of keys) out[k] = written.includes(k) ? split![k]! : Number((Math.max(0, left) * (SPLIT_DEFAULTS[k] / weight)).toFixed(12));
  if (out.train <= 0) return `split.train must be more than 0: ${written.map(shown).join(' + ')} leaves nothing to train on`;
  return out;
}

/**
 * With no validation rows, early stopping cannot watch a validation metric: the default monitor
 * becomes the training one (and the run's params record that, not `val_loss`); a validation
 * monitor the spec names is an error that says what to write instead.
 */
function settleEarlyStopping(raw: RawSpec, spec: TrainSpec): TrainSpec | string {
  if (spec.earlyStopping === false || spec.split.validation > 0 || !spec.earlyStopping.monitor.startsWith('val_')) return spec;
  const training = spec.earlyStopping.monitor.replace(/^val_/, '') as MonitoredMetric;
  const written = raw.early_stopping !== false && raw.early_stopping?.monitor !== undefined;
  if (!written) return { ...spec, earlyStopping: { ...spec.earlyStopping, monitor: training } };
  return `early_stopping.monitor is ${spec.earlyStopping.monitor}, but split.validation is 0: there are no validation rows to watch. Give the split a validation fraction (e.g. validation: 0.15), watch the training metric (monitor: ${training}), or turn it off (early_stopping: false)`;
}

/** `model.layers: [64, 32]` → `[{ units: 64 }, { units: 32 }]`; anything else is left for the schema to judge. */
function expandLayerShorthand(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  const model = (value as { model?: unknown }).model;
  if (model === null || typeof model !== 'object') return value;
  const layers = (model as { layers?: unknown }).layers;
  if (!Array.isArray(layers) || !layers.some((l) => typeof l === 'number')) return value;
  return { ...value, model: { ...model, layers: layers.map((l: unknown) => (typeof l === 'number' && Number.isInteger(l) && l >= 1 ? { units: l } : l)) } };
}

function nodeAt(doc: Document, path: readonly (string | number)[]): Node | undefined {
  const node = path.length === 0 ? doc.contents : doc.getIn(path, true);
  return isNode(node) ? node : undefined;
}

/** Turns ajv's errors into one issue per field, at the most specific place, in words. */
export function describeSchemaErrors(errors: readonly ErrorObject[], doc: Document, position: (offset: number) => { line: number; column: number }): SpecIssue[] {
  const byPath = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    if (error.keyword === 'if') continue; // its `then` error says what is wrong
    const list = byPath.get(error.instancePath) ?? [];
    list.push(error);
    byPath.set(error.instancePath, list);
  }
  // An alternative (oneOf) fails with errors in every branch: report the deepest paths only.
  const paths = [...byPath.keys()].filter((p) => ![...byPath.keys()].some((q) => q !== p && q.startsWith(`${p}/`) && (byPath.get(p) ?? []).every((e) => e.keyword === 'oneOf' || e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum')));
  const issues: SpecIssue[] = [];
  for (const path of paths) {
    const list = byPath.get(path) ?? [];
    const segments = path.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~')).map((s) => (/^\d+$/.test(s) ? Number(s) : s));
    const field = fieldName(segments);
    const label = field === '' ? 'the spec' : `\`${field}\``;
    const additional = list.filter((e) => e.keyword === 'additionalProperties');
    for (const error of additional) {
      const key = String((error.params as { additionalProperty: string }).additionalProperty);
      const parent = nodeAt(doc, segments);
      const pair = isMap(parent) ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key) : undefined;
      const keyNode = pair && isScalar(pair.key) ? pair.key : parent;
      const allowed = Object.keys((error.parentSchema as { properties?: Record<string, unknown> }).properties ?? {});
      issues.push({
        message: `unknown field \`${fieldName([...segments, key])}\`${allowed.length ? ` (expected one of: ${allowed.join(', ')})` : ''}`,
        field: fieldName([...segments, key]),
        ...at(keyNode, position),
      });
    }
    const required = list.filter((e) => e.keyword === 'required');
    for (const error of required) {
      const missing = String((error.params as { missingProperty: string }).missingProperty);
      issues.push({ message: `${label} needs \`${missing}\``, field: fieldName([...segments, missing]), ...at(nodeAt(doc, segments), position) });
    }
    const rest = list.filter((e) => e.keyword !== 'additionalProperties' && e.keyword !== 'required');
    if (rest.length === 0) continue;
    const node = nodeAt(doc, segments);
    const oneOf = rest.find((e) => e.keyword === 'oneOf');
    const constants = rest.filter((e) => e.keyword === 'const' || e.keyword === 'enum').flatMap((e) =>
      e.keyword === 'const' ? [(e.params as { allowedValue: unknown }).allowedValue] : (e.params as { allowedValues: unknown[] }).allowedValues,
    );
    let message: string;
    if (oneOf) {
      const description = (oneOf.parentSchema as { description?: string }).description;
      message = `${label} ${description ? `is not valid: ${description}` : 'does not match any allowed form'}`;
    } else if (rest.some((e) => e.keyword === 'not')) {
      message = `${label} ${notMessage(field)}`;
    } else if (/^model\.layers\[\d+\]$/.test(field) && rest.some((e) => e.keyword === 'type')) {
      message = `${label} must be the number of units (e.g. 64) or an object such as { units: 64, activation: relu } (found ${JSON.stringify(valueOf(node))})`;
    } else if (constants.length > 0) {
      message = `${label} must be one of: ${[...new Set(constants.map((c) => JSON.stringify(c)))].join(', ')} (found ${JSON.stringify(valueOf(node))})`;
    } else {
      message = `${label} ${rest[0]?.message ?? 'is not valid'} (found ${JSON.stringify(valueOf(node))})`;
    }
    issues.push({ message, field, ...at(node, position) });
  }
  return issues.sort((a, b) => a.line - b.line || a.column - b.column);
}

function notMessage(field: string): string {
  return field === 'model' ? 'has `layers`, which only an `mlp` model takes' : 'is not allowed here';
}

function valueOf(node: Node | undefined): unknown {
  if (!node) return undefined;
  return isScalar(node) ? node.value : isSeq(node) ? '[…]' : isMap(node) ? '{…}' : undefined;
}

function at(node: Node | undefined, position: (offset: number) => { line: number; column: number }): Pick<SpecIssue, 'line' | 'column' | 'endLine' | 'endColumn'> {
  if (!node?.range) return { line: 1, column: 1 };
  const start = position(node.range[0]);
  const end = position(node.range[1]);
  return { ...start, endLine: end.line, endColumn: end.column };
}

interface RawModel {
  type: ModelType;
  layers?: { units: number; activation?: Activation; dropout?: number }[];
  learning_rate?: number;
  max_iter?: number;
  n_estimators?: number;
  max_leaf_nodes?: number | null;
  max_depth?: number | null;
  min_samples_leaf?: number;
  l2_regularization?: number;
  subsample?: number;
  colsample?: number;
  max_features?: 'auto' | 'sqrt' | 'log2' | number;
  bootstrap?: boolean;
  max_bins?: number;
}

/** The fields each tree model takes (the schema lists them all under `model`). */
const TREE_FIELDS: Record<TreeModelType, readonly (keyof RawModel)[]> = {
  gbdt: ['learning_rate', 'max_iter', 'max_leaf_nodes', 'max_depth', 'min_samples_leaf', 'l2_regularization', 'subsample', 'colsample', 'max_bins'],
  random_forest: ['n_estimators', 'max_depth', 'max_leaf_nodes', 'min_samples_leaf', 'max_features', 'bootstrap', 'max_bins'],
};

/** Model fields that do not belong to the spec's model type, each with what that type takes instead. */
function modelFieldIssues(raw: RawSpec, locate: (path: readonly (string | number)[]) => { line: number; column: number }): SpecIssue[] {
  const type = raw.model?.type ?? 'mlp';
  const issues: SpecIssue[] = [];
  const issue = (path: (string | number)[], message: string): void => {
    issues.push({ message, field: fieldName(path), ...locate(path) });
  };
  const allTreeFields = new Set([...TREE_FIELDS.gbdt, ...TREE_FIELDS.random_forest]);
  for (const key of Object.keys(raw.model ?? {}) as (keyof RawModel)[]) {
    if (!allTreeFields.has(key)) continue;
    if (isTreeModel(type)) {
      if (TREE_FIELDS[type].includes(key)) continue;
      const other: TreeModelType = type === 'gbdt' ? 'random_forest' : 'gbdt';
      const hint = key === 'n_estimators' ? ' (its number of trees is `max_iter`)' : key === 'max_iter' ? ' (its number of trees is `n_estimators`)' : key === 'learning_rate' ? ' (a forest averages its trees; it has no learning rate)' : '';
      issue(['model', key], `\`model.${key}\` is a ${other} parameter; a ${type} model takes: ${TREE_FIELDS[type].join(', ')}${hint}`);
      continue;
    }
    const owners = (Object.keys(TREE_FIELDS) as TreeModelType[]).filter((t) => TREE_FIELDS[t].includes(key)).join(' and ');
    issue(['model', key], `\`model.${key}\` is a ${owners} parameter; a ${type} model takes ${type === 'mlp' ? '`layers`' : 'no other model field'} (its training is set by optimizer, epochs and batch_size)`);
  }
  return issues;
}

/**
 * Settings a tree model does without (treeIgnoredSettings.ts): gradient descent (optimizer, epochs,
 * batch_size, log_every_n_batches), imputation and scaling, a forest's early stopping. Training
 * goes on without them (a spec can then try several model families, as Find Best Model does), and
 * the run says which it ignored and why.
 */
function ignoredByTrees(raw: RawSpec): string[] {
  const type = raw.model?.type ?? 'mlp';
  if (!isTreeModel(type)) return [];
  const ignored: string[] = [];
  const trees = type === 'gbdt' ? '`model.max_iter` boosting rounds' : '`model.n_estimators` trees';
  const networkSettings = NETWORK_ONLY_SETTINGS.filter((k) => raw[k] !== undefined);
  if (networkSettings.length > 0) ignored.push(`${networkSettings.map((k) => `\`${k}\``).join(', ')}: network settings, ignored by the ${type} model (it grows ${trees}${type === 'gbdt' ? ' with `model.learning_rate`' : ''})`);
  const preprocessing = NETWORK_ONLY_PREPROCESSING.filter((k) => raw.preprocessing?.[k] !== undefined);
  if (preprocessing.length > 0) ignored.push(`${preprocessing.map((k) => `\`preprocessing.${k}\``).join(', ')}: ignored by the ${type} model (trees route missing values themselves and need no scaling)`);
  if (type === 'random_forest' && raw.early_stopping !== undefined && raw.early_stopping !== false) ignored.push('`early_stopping`: ignored by the random_forest model (it grows all its `n_estimators` trees; a gbdt model stops early)');
  return ignored;
}

/** The tree model's settings with scikit-learn's defaults. */
function treeSettings(model: RawModel | undefined): GbdtSpec | ForestSpec | undefined {
  if (model?.type === 'gbdt') {
    return {
      type: 'gbdt',
      learningRate: model.learning_rate ?? 0.1,
      maxIter: model.max_iter ?? 100,
      maxLeafNodes: model.max_leaf_nodes === undefined ? 31 : model.max_leaf_nodes,
      maxDepth: model.max_depth ?? null,
      minSamplesLeaf: model.min_samples_leaf ?? 20,
      l2Regularization: model.l2_regularization ?? 0,
      subsample: model.subsample ?? 1,
      colsample: model.colsample ?? 1,
      maxBins: model.max_bins ?? 255,
    };
  }
  if (model?.type === 'random_forest') {
    return {
      type: 'random_forest',
      nEstimators: model.n_estimators ?? 100,
      maxDepth: model.max_depth ?? null,
      maxLeafNodes: model.max_leaf_nodes ?? null,
      minSamplesLeaf: model.min_samples_leaf ?? 1,
      maxFeatures: model.max_features ?? 'auto',
      bootstrap: model.bootstrap ?? true,
      maxBins: model.max_bins ?? 255,
    };
  }
  return undefined;
}

/** The spec as the schema allows it (snake_case, optional fields). */
interface RawSpec {
  experiment?: string;
  name?: string;
  dataset: string | { path: string; encoding?: DataEncoding } | { features: string; entities: string; select: string[]; timestamp?: string };
  target: string;
  task?: 'classification' | 'regression';
  features?: 'all' | string[] | { exclude: string[] };
  columns?: Record<string, 'numeric' | 'categorical'>;
  preprocessing?: {
    impute?: { numeric?: 'mean' | 'median' | 'most_frequent' | 'constant'; categorical?: 'most_frequent' | 'constant'; fill_value?: number | string };
    standardize?: boolean;
    one_hot?: { handle_unknown?: 'ignore' | 'error'; max_categories?: number };
  };
  split?: { train?: number; validation?: number; test?: number; seed?: number; stratified?: boolean };
  model?: RawModel;
  optimizer?: { name?: OptimizerName; learning_rate?: number; momentum?: number; l2?: number };
  epochs?: number;
  batch_size?: number;
  early_stopping?: false | { patience?: number; min_delta?: number; monitor?: MonitoredMetric; restore_best_weights?: boolean };
  class_weights?: 'balanced' | Record<string, number>;
  seed?: number;
  log_every_n_batches?: number;
  register?: { model: string; alias?: string };
}

/** The data file, or the entity file of a feature-set dataset (training reads the set built from it). */
function datasetOf(dataset: RawSpec['dataset'], specPath: string): Pick<TrainSpec, 'dataset' | 'datasetAsWritten' | 'datasetEncoding' | 'featureSet'> {
  const folder = dirname(specPath);
  if (typeof dataset === 'string') return { dataset: resolve(folder, dataset), datasetAsWritten: dataset };
  if ('path' in dataset) return { dataset: resolve(folder, dataset.path), datasetAsWritten: dataset.path, ...(dataset.encoding ? { datasetEncoding: dataset.encoding } : {}) };
  return {
    dataset: resolve(folder, dataset.entities),
    datasetAsWritten: `${dataset.entities} + ${dataset.select.join(', ')}`,
    featureSet: { features: resolve(folder, dataset.features), entities: resolve(folder, dataset.entities), select: [...dataset.select], timestamp: dataset.timestamp ?? 'event_timestamp' },
  };
}

/** Fills defaults (the same ones the schema documents) and resolves the dataset path. */
function normalize(raw: RawSpec, split: SplitFractions, specPath: string): TrainSpec {
  const seed = raw.seed ?? 42;
  const features: FeatureSelection =
    raw.features === undefined || raw.features === 'all'
      ? { mode: 'all' }
      : Array.isArray(raw.features)
        ? { mode: 'list', columns: raw.features }
        : { mode: 'exclude', columns: raw.features.exclude };
  const modelType = raw.model?.type ?? 'mlp';
  const layers: HiddenLayerSpec[] =
    modelType === 'mlp'
      ? (raw.model?.layers ?? [{ units: 32 }]).map((l) => ({ units: l.units, activation: l.activation ?? 'relu', dropout: l.dropout ?? 0 }))
      : [];
  const trees = treeSettings(raw.model);
  const earlyStopping: EarlyStoppingSpec | false =
    raw.early_stopping === false || trees?.type === 'random_forest'
      ? false
      : {
          patience: raw.early_stopping?.patience ?? 10,
          minDelta: raw.early_stopping?.min_delta ?? 1e-4,
          monitor: raw.early_stopping?.monitor ?? 'val_loss',
          restoreBestWeights: raw.early_stopping?.restore_best_weights ?? true,
        };
  const impute = raw.preprocessing?.impute;
  const spec: TrainSpec = {
    experiment: raw.experiment ?? basename(specPath).replace(/\.train\.ya?ml$/i, '').replace(/\.ya?ml$/i, ''),
    ...datasetOf(raw.dataset, specPath),
    ...(raw.register ? { register: { model: raw.register.model, ...(raw.register.alias ? { alias: raw.register.alias } : {}) } } : {}),
    target: raw.target,
    features,
    columnKinds: raw.columns ?? {},
    preprocessing: {
      impute: { numeric: impute?.numeric ?? 'mean', categorical: impute?.categorical ?? 'most_frequent', ...(impute?.fill_value !== undefined ? { fillValue: impute.fill_value } : {}) },
      standardize: raw.preprocessing?.standardize ?? true,
      oneHot: { handleUnknown: raw.preprocessing?.one_hot?.handle_unknown ?? 'ignore', maxCategories: raw.preprocessing?.one_hot?.max_categories ?? 100 },
    },
    split: {
      ...split,
      seed: raw.split?.seed ?? seed,
      stratified: raw.split?.stratified ?? true,
    },
    model: { type: modelType, layers, ...(trees ? { trees } : {}) },
    optimizer: {
      name: raw.optimizer?.name ?? 'adam',
      learningRate: raw.optimizer?.learning_rate ?? 0.01,
      momentum: raw.optimizer?.momentum ?? 0,
      l2: raw.optimizer?.l2 ?? 0,
    },
    // a tree model's iterations are its epochs: the run's curves, progress and pruning count them
    epochs: trees ? (trees.type === 'gbdt' ? trees.maxIter : trees.nEstimators) : (raw.epochs ?? 50),
    batchSize: raw.batch_size ?? 32,
    earlyStopping,
    seed,
    logEveryNBatches: raw.log_every_n_batches ?? 10,
  };
  if (raw.name !== undefined) spec.runName = raw.name;
  if (raw.task !== undefined) spec.task = raw.task;
  if (raw.class_weights !== undefined) spec.classWeights = raw.class_weights;
  const ignored = ignoredByTrees(raw);
  if (ignored.length > 0) spec.ignoredSettings = ignored;
  return spec;
}
