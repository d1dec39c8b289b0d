import { basename } from 'node:path';
import { readTable } from '../data/tableReader';
import { classificationCurves, regressionCurves, type EvaluationCurves } from '../evaluation/evaluationCurves';
import { evaluateClassifier, evaluateRegressor, evaluationMetrics, type EvaluationReport } from '../evaluation/evaluationReport';
import { denseForward } from '../modelPackage/denseForward';
import { MODEL_DIR, PACKAGE_FILES, PACKAGE_FORMAT, PACKAGE_FORMAT_VERSION, type ModelManifest, type ModelSignature, type PackageFile } from '../modelPackage/modelPackageFormat';
import type { BackendName, BackendPreference } from '../process/workerProtocol';
import { selectBackend } from './backendSelection';
import { prepareData } from './datasetPreparation';
import { buildArchitecture, initialWeights, parameterCount } from './networkArchitecture';
import { SeededRandom } from './seededRandom';
import type { SpecOverrides } from './specOverrides';
import { tfjsModelFiles } from './tfjsModelFiles';
import { trainNetwork } from './tfTrainer';
import type { TrainEvent } from './trainingEvents';
import { parseTrainSpec } from './trainSpecParser';

export interface TrainJobInput {
  readonly specPath: string;
  /** the spec's text as the parent read it (the worker does not re-read a file that may have changed) */
  readonly specText: string;
  readonly backend: BackendPreference;
  readonly wasmDir?: string;
  /** dotted-path overrides, e.g. from a tuning trial */
  readonly overrides?: SpecOverrides;
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
  /** the model package and evaluation artifacts, paths relative to the run's artifact root */
  readonly files: readonly PackageFile[];
}

/**
 * Runs inside a worker process: reads and checks the data (every problem thrown before training),
 * trains on the selected backend while streaming progress, evaluates on the test split, and
 * returns the model package as in-memory files for the parent to store.
 */
export async function runTrainJob(input: TrainJobInput, emit: (event: TrainEvent) => void): Promise<TrainJobResult> {
  const parsed = parseTrainSpec(input.specText, input.specPath, input.overrides);
  const spec = parsed.spec;
  const table = await readTable(spec.dataset, { columnKinds: spec.columnKinds, displayName: spec.datasetAsWritten });
  const data = prepareData(table, spec, basename(input.specPath), parsed.locate);
  const classCount = data.classes.length;
  const layers = buildArchitecture(spec, data.task, data.preprocessing.width, classCount);
  const backend = await selectBackend(input.backend, input.wasmDir);
  const batchesPerEpoch = Math.ceil(data.train.count / Math.min(spec.batchSize, Math.max(data.train.count, 1)));
  emit({
    type: 'ready',
    backend,
    task: data.task,
    classes: data.classes,
    datasetDigest: table.digest,
    rows: { total: table.rowCount, dropped: data.droppedRows, train: data.train.count, validation: data.validation.count, test: data.test.count },
    features: data.featureColumns.map((c) => ({ name: c.name, kind: c.kind })),
    columns: table.columns.map((c) => ({ name: c.name, kind: c.kind, missing: c.missing })),
    inputWidth: data.preprocessing.width,
    parameters: parameterCount(layers),
    epochs: spec.epochs,
    batchesPerEpoch,
  });

  const train = backend.chosen === 'js' ? (await import('./jsTrainer')).trainNetworkJs : trainNetwork;
  const trained = await train(
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

  emit({ type: 'phase', phase: 'evaluating' });
  let evaluation: EvaluationReport | undefined;
  let curves: EvaluationCurves | undefined;
  if (data.test.count > 0) {
    const out = denseForward(layers, trained.weights, data.test.x, data.test.count);
    evaluation = data.task === 'classification' ? evaluateClassifier(data.test.y, out, data.classes) : evaluateRegressor(data.test.y, out);
    curves = data.task === 'classification' ? classificationCurves(data.test.y, out, data.classes) : regressionCurves(data.test.y, out);
  }
  const testMetrics = evaluation ? evaluationMetrics(evaluation) : {};

  emit({ type: 'phase', phase: 'packaging' });
  const tfjs = tfjsModelFiles(layers, trained.weights);
  const signature: ModelSignature = {
    inputs: data.featureColumns.map((c) => {
      const fitted = data.preprocessing.features.find((f) => f.name === c.name);
      return {
        name: c.name,
        type: c.kind === 'numeric' ? 'double' : 'string',
        ...(fitted?.kind === 'categorical' ? { categories: fitted.categories } : {}),
        optional: c.missing > 0,
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
    flavor: 'tfjs-layers',
    files: PACKAGE_FILES,
    backend: backend.chosen,
    datasetDigest: table.digest,
    dataset: spec.datasetAsWritten,
    parameters: parameterCount(layers),
    metrics,
  };
  const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;
  const files: PackageFile[] = [
    { path: `${MODEL_DIR}/${PACKAGE_FILES.manifest}`, data: json(manifest) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.tfjsModel}`, data: tfjs.modelJson },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.tfjsWeights}`, data: tfjs.weightsBin },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.preprocessing}`, data: json(data.preprocessing) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.signature}`, data: json(signature) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.metrics}`, data: json({ training: trained.finalMetrics, test: evaluation ?? null }) },
    { path: `${MODEL_DIR}/${PACKAGE_FILES.spec}`, data: input.specText },
  ];
  if (evaluation) {
    files.push({ path: 'evaluation/report.json', data: json(evaluation) });
    if (evaluation.task === 'classification') files.push({ path: 'evaluation/confusion_matrix.json', data: json({ labels: evaluation.classes, matrix: evaluation.confusion }) });
  }
  if (curves) files.push({ path: 'evaluation/curves.json', data: JSON.stringify(curves) });
  return {
    backend: backend.chosen,
    epochsRun: trained.epochsRun,
    bestEpoch: trained.bestEpoch,
    stoppedEarly: trained.stoppedEarly,
    samplesPerSecond: trained.samplesPerSecond,
    finalMetrics: trained.finalMetrics,
    evaluation,
    testMetrics,
    files,
  };
}
