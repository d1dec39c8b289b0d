import { mkdir } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { readTable } from '../data/tableReader';
import { classificationCurves, regressionCurves, type EvaluationCurves } from '../evaluation/evaluationCurves';
import { evaluateClassifier, evaluateRegressor, evaluationMetrics, type EvaluationReport } from '../evaluation/evaluationReport';
import { denseForward } from '../modelPackage/denseForward';
import { MODEL_DIR, PACKAGE_FILES, PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, TREE_PACKAGE_FILES, type ModelManifest, type ModelSignature, type PackageFile } from '../modelPackage/modelPackageFormat';
import type { BackendName, BackendPreference, BackendReport } from '../process/workerProtocol';
import { selectBackend } from './backendSelection';
import { prepareData } from './datasetPreparation';
import { measurePredictLatency, rowRecords } from './predictLatency';
import { PREDICT_LATENCY_METRICS } from './predictLatencyMetrics';
import { buildArchitecture, initialWeights, parameterCount } from './networkArchitecture';
import { SeededRandom } from './seededRandom';
import type { SpecOverrides } from './specOverrides';
import { specTextAsTrained } from './specAsTrained';
import { tfjsModelFiles } from './tfjsModelFiles';
import { trainNetwork, type TrainedNetwork } from './tfTrainer';
import type { TrainEvent } from './trainingEvents';
import type { FeatureSelection, FeatureSetDataset, TrainSpec } from './trainSpec';
import { parseTrainSpec } from './trainSpecParser';

export interface TrainJobInput {
  readonly specPath: string;
  /** the spec's text as the parent read it (the worker does not re-read a file that may have changed) */
  readonly specText: string;
  readonly backend: BackendPreference;
  readonly wasmDir?: string;
  /** dotted-path overrides, e.g. from a tuning trial */
  readonly overrides?: SpecOverrides;
  /** for a feature-set dataset: the workspace store folder (its features/ hold the materialized views) and where to write the built set */
  readonly featureSet?: { readonly storeDir: string; readonly output: string };
  /** the store's prepared tables: a dataset read before loads its typed columns from there */
  readonly tableCache?: string;
}

export interface TrainJobResult {
  readonly backend: BackendName;
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly samplesPerSecond: number;
  /** metrics of the kept epoch (loss, val_loss, accuracy/rmse, …) */
  readonly finalMetrics: Readonly<Record<string, number>>;
  readonly evaluation: EvaluationReport | undefined;
  /** flat test metrics to log (`test_accuracy`, …) */
  readonly testMetrics: Readonly<Record<string, number>>;
  /** one-row scoring latency of the package on test rows (`predict_latency_p50_ms`, `predict_latency_p99_ms`); empty without test rows */
  readonly latencyMetrics: Readonly<Record<string, number>>;
  /** the model package and evaluation artifacts, paths relative to the run's artifact root */
  readonly files: readonly PackageFile[];
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/**
 * Builds the point-in-time training set of a feature-set dataset (in this worker: the join reads
 * every selected view's history). With `features: all` the entity keys and the event time are not
 * features: they identify rows, and a model must not learn from them.
 */
async function buildFeatureSetDataset(spec: TrainSpec, input: TrainJobInput): Promise<{ spec: TrainSpec; path: string; views: string[] }> {
  const featureSet = spec.featureSet as FeatureSetDataset;
  if (!input.featureSet) throw new Error(`${spec.datasetAsWritten}: a feature-set dataset needs the workspace store (it holds the materialized features); train inside the workspace`);
  const { loadFeatureRepo } = await import('../features/featureSpecParser');
  const { buildTrainingSet, parseFeatureRefs } = await import('../features/trainingSetBuilder');
  const repo = await loadFeatureRepo(featureSet.features);
  await mkdir(dirname(input.featureSet.output), { recursive: true });
  const result = await buildTrainingSet(repo, input.featureSet.storeDir, featureSet.entities, parseFeatureRefs(featureSet.select.join(',')), input.featureSet.output, { timestampColumn: featureSet.timestamp });
  const identifiers = [featureSet.timestamp, ...new Set(repo.views.filter((v) => result.views.includes(v.name)).flatMap((v) => v.joinKeys))];
  const features: FeatureSelection =
    spec.features.mode === 'all' ? { mode: 'exclude', columns: identifiers } : spec.features.mode === 'exclude' ? { mode: 'exclude', columns: [...new Set([...spec.features.columns, ...identifiers])] } : spec.features;
  return { spec: { ...spec, features }, path: result.output, views: result.views };
}

/**
 * Runs inside a worker process: reads and checks the data (every problem thrown before training),
 * trains on the selected backend while streaming progress, evaluates on the test split, and
 * returns the model package as in-memory files for the parent to store.
 */
export async function runTrainJob(input: TrainJobInput, emit: (event: TrainEvent) => void): Promise<TrainJobResult> {
  const parsed = parseTrainSpec(input.specText, input.specPath, input.overrides);
  const built = parsed.spec.featureSet ? await buildFeatureSetDataset(parsed.spec, input) : undefined;
  const spec = built?.spec ?? parsed.spec;
  const table = await readTable(built?.path ?? spec.dataset, {
    columnKinds: spec.columnKinds,
    displayName: spec.datasetAsWritten,
    ...(input.tableCache ? { cacheFolder: input.tableCache } : {}),
    ...(spec.datasetEncoding && !built ? { encoding: spec.datasetEncoding } : {}),
    ...(built ? {} : { encodingHint: `, or declare its encoding in the spec: \`dataset: {path: ${spec.datasetAsWritten}, encoding: latin1}\` (or windows-1252)` }),
  });
  const data = prepareData(table, spec, basename(input.specPath), parsed.locate);
  const classCount = data.classes.length;
  const trees = spec.model.trees;
  const layers = trees ? [] : buildArchitecture(spec, data.task, data.preprocessing.width, classCount);
  // tree models are trained here in plain JavaScript: TensorFlow.js is not loaded for them
  const backend: BackendReport = trees ? { chosen: 'js', attempts: [{ backend: 'js', ok: true, reason: `${spec.model.type} trains without TensorFlow.js`, ms: 0 }] } : await selectBackend(input.backend, input.wasmDir);
  const batchesPerEpoch = trees ? 1 : Math.ceil(data.train.count / Math.min(spec.batchSize, Math.max(data.train.count, 1)));
  emit({
    type: 'ready',
    backend,
    task: data.task,
    classes: data.classes,
    datasetDigest: table.digest,
    ...(built ? { trainingSet: { path: built.path, views: built.views, rows: table.rowCount } } : {}),
    rows: { total: table.rowCount, dropped: data.droppedRows, train: data.train.count, validation: data.validation.count, test: data.test.count },
    ...(data.warnings.length + (spec.ignoredSettings?.length ?? 0) > 0 ? { warnings: [...data.warnings, ...(spec.ignoredSettings ?? [])] } : {}),
    features: data.featureColumns.map((c) => ({ name: c.name, kind: c.kind })),
    columns: table.columns.map((c) => ({ name: c.name, kind: c.kind, missing: c.missing })),
    inputWidth: data.preprocessing.width,
    parameters: trees ? 0 : parameterCount(layers),
    epochs: spec.epochs,
    batchesPerEpoch,
  });

  let trained: Pick<TrainedNetwork, 'epochsRun' | 'bestEpoch' | 'stoppedEarly' | 'finalMetrics' | 'samplesPerSecond'>;
  let predict: (x: Float32Array, rows: number) => Float32Array;
  let modelFiles: PackageFile[];
  let parameters: number;
  let flavor: ModelManifest['flavor'] = 'tfjs-layers';
  let packageFiles: Readonly<Record<string, string>> = PACKAGE_FILES;
  if (trees) {
    const { trainTreeModel } = await import('./trees/treeModelTraining');
    const model = await trainTreeModel(trees, data, spec, emit);
    trained = model;
    predict = model.predict;
    parameters = model.leaves;
    flavor = 'tree-ensemble';
    packageFiles = TREE_PACKAGE_FILES;
    modelFiles = [
      { path: `${MODEL_DIR}/${TREE_PACKAGE_FILES.trees}`, data: JSON.stringify(model.ensemble) },
      { path: `${MODEL_DIR}/${TREE_PACKAGE_FILES.featureImportance}`, data: json(model.importance) },
    ];
  } else {
    const train = backend.chosen === 'js' ? (await import('./jsTrainer')).trainNetworkJs : trainNetwork;
    const network = await train(
      {
        layers,
        initial: initialWeights(layers, new SeededRandom(spec.seed)),
        task: data.task,
        classCount,
        classWeights: data.classWeights,
        train: data.train,
        validation: data.validation,
        spec,
      },
      emit,
    );
    trained = network;
    predict = (x, rows) => denseForward(layers, network.weights, x, rows);
    parameters = parameterCount(layers);
    const tfjs = tfjsModelFiles(layers, network.weights);
    modelFiles = [
      { path: `${MODEL_DIR}/${PACKAGE_FILES.tfjsModel}`, data: tfjs.modelJson },
      { path: `${MODEL_DIR}/${PACKAGE_FILES.tfjsWeights}`, data: tfjs.weightsBin },
    ];
  }

  emit({ type: 'phase', phase: 'evaluating' });
  let evaluation: EvaluationReport | undefined;
  let curves: EvaluationCurves | undefined;
  if (data.test.count > 0) {
    const out = predict(data.test.x, data.test.count);
    evaluation = data.task === 'classification' ? evaluateClassifier(data.test.y, out, data.classes) : evaluateRegressor(data.test.y, out);
    curves = data.task === 'classification' ? classificationCurves(data.test.y, out, data.classes) : regressionCurves(data.test.y, out);
  }
  const testMetrics = evaluation ? evaluationMetrics(evaluation) : {};

  emit({ type: 'phase', phase: 'packaging' });
  const signature: ModelSignature = {
    inputs: data.featureColumns.map((c) => {
      const fitted = data.preprocessing.features.find((f) => f.name === c.name);
      return {
        name: c.name,
        type: c.kind === 'numeric' ? 'double' : 'string',
        ...(fitted?.kind === 'categorical' ? { categories: fitted.categories } : {}),
        // a tree model routes a missing value in any column; other models impute what training saw missing
        optional: trees !== undefined || c.missing > 0,
      };
    }),
    output: data.task === 'classification' ? { task: 'classification', target: spec.target, classes: data.classes } : { task: 'regression', target: spec.target, type: 'double' },
  };
  const metrics = { ...trained.finalMetrics, ...testMetrics };
  const manifest: ModelManifest = {
    format: PACKAGE_FORMAT,
    formatVersion: PACKAGE_FORMAT_VERSION,
    createdAt: new Date().toISOString(),
    task: data.task,
    target: spec.target,
    modelType: spec.model.type,
    flavor,
    files: packageFiles,
    backend: backend.chosen,
    datasetDigest: table.digest,
    dataset: spec.datasetAsWritten,
    parameters,
    metrics,
  };
  const files: PackageFile[] = [
    { path: `${MODEL_DIR}/${PACKAGE_FILES.manifest}`, data: json(manifest) },
    ...modelFiles,
    { path: `${MODEL_DIR}/${PACKAGE_FILES.preprocessing}`, data: json(data.preprocessing) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.signature}`, data: json(signature) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.metrics}`, data: json({ training: trained.finalMetrics, test: evaluation ?? null }) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.spec}`, data: specTextAsTrained(input.specText, input.overrides) },
  ];
  if (evaluation) {
    files.push({ path: 'evaluation/report.json', data: json(evaluation) });
    if (evaluation.task === 'classification') files.push({ path: 'evaluation/confusion_matrix.json', data: json({ labels: evaluation.classes, matrix: evaluation.confusion }) });
  }
  if (curves) files.push({ path: 'evaluation/curves.json', data: JSON.stringify(curves) });
  // measured on the package as written, through the scorer endpoints use: what a one-row request costs
  const latency = data.testRows ? await measurePredictLatency(files, rowRecords(data.featureColumns, data.testRows, 200)) : undefined;
  const latencyMetrics: Record<string, number> = latency ? { [PREDICT_LATENCY_METRICS.p50]: latency.p50Ms, [PREDICT_LATENCY_METRICS.p99]: latency.p99Ms } : {};
  return {
    backend: backend.chosen,
    epochsRun: trained.epochsRun,
    bestEpoch: trained.bestEpoch,
    stoppedEarly: trained.stoppedEarly,
    samplesPerSecond: trained.samplesPerSecond,
    finalMetrics: trained.finalMetrics,
    evaluation,
    testMetrics,
    latencyMetrics,
    files,
  };
}
