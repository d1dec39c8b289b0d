import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationCurves } from '../evaluation/evaluationCurves';
import { versionFeedback, type VersionFeedback } from '../feedback/versionFeedback';
import { PACKAGE_FILES, TREE_PACKAGE_FILES, type FeatureImportanceFile, type ModelManifest, type ModelSignature } from '../modelPackage/modelPackageFormat';
import type { DurableDatabase } from '../store/durableDatabase';
import type { TrackingStore } from '../tracking/trackingStore';
import type { DatasetInput, Run } from '../tracking/trackingTypes';
import { loggedTrainingLength, runLog, trainingLengthFact, trainingMetricsLabel } from '../training/trainingLength';
import type { ModelRegistry } from './modelRegistry';
import type { ModelVersion, RegisteredModel } from './registryTypes';

export interface ConfusionMatrix {
  readonly labels: readonly string[];
  /** matrix[true][predicted] */
  readonly matrix: readonly (readonly number[])[];
}

/** Everything a model card shows for one version, gathered from the registry, the frozen package and the run. */
export interface ModelCard {
  readonly uri: string;
  readonly model: Pick<RegisteredModel, 'name' | 'description' | 'tags' | 'requireReview' | 'aliases'>;
  readonly version: ModelVersion;
  readonly task: 'classification' | 'regression' | null;
  readonly target: string | null;
  readonly modelType: string | null;
  readonly signature: ModelSignature | null;
  /** the run's test_* metrics (per-class confusion counts left out: see confusionMatrix) */
  readonly evaluation: Readonly<Record<string, number>>;
  /** final training metrics (loss, val_loss, …) */
  readonly training: Readonly<Record<string, number>>;
  /**
   * what `training` was measured at, in the model type's words: "Last epoch", "Epoch 27 (kept)",
   * "After boosting round 137", "All 100 trees"
   */
  readonly trainingMetricsAt: string;
  /**
   * how long it trained, in the model type's words: {label: "Boosting rounds", value: "137 of 500,
   * stopped early"}, {label: "Trees", value: "100"}, {label: "Epochs", value: "60"}; null when the
   * run (which logged it) is gone
   */
  readonly trainedFor: { readonly label: string; readonly value: string } | null;
  /**
   * what training the version used: its run's `cpu_seconds` and `cost` (null when not measured or not
   * priced), and the one-row scoring latency measured on the test split (`predict_latency_p99_ms`)
   */
  readonly trainingUsage: { readonly cpuSeconds: number | null; readonly cost: number | null; readonly predictLatencyP99Ms: number | null };
  readonly confusionMatrix: ConfusionMatrix | null;
  /** ROC/PR per class or predicted-vs-actual and residuals; null for versions trained before curves were saved */
  readonly curves: EvaluationCurves | null;
  /** a tree model's split gain per input column, largest first; null for networks */
  readonly featureImportance: FeatureImportanceFile | null;
  readonly dataset: { readonly digest: string | null; readonly source: string | null; readonly name: string | null; readonly inputs: readonly DatasetInput[] };
  readonly params: Readonly<Record<string, string>>;
  readonly backend: string | null;
  readonly parameters: number | null;
  readonly sizeBytes: number;
  /** who registered the version, and who ran the training */
  readonly registeredBy: string;
  readonly trainedBy: string | null;
  readonly description: string;
  readonly run: { readonly runId: string; readonly runName: string | null; readonly experimentId: string | null; readonly startTime: number | null; readonly status: string | null; readonly gitCommit: string | null; readonly available: boolean };
  /** frozen files worth opening: the spec, the evaluation report */
  readonly files: { readonly spec: string | null; readonly evaluationReport: string | null; readonly packageDir: string };
  /** text evaluations of this version (BLEU/ROUGE with their reviewers' ratings) and feedback posted to its endpoints */
  readonly feedback?: VersionFeedback;
}

export interface ModelCardOptions {
  /** the workspace store's database, for feedback posted to endpoints (without it that part is null) */
  readonly database?: Pick<DurableDatabase, 'rows'>;
}

function readJson<T>(file: string): T | null {
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as T;
  } catch {
    return null;
  }
}

/**
 * The model card of `name` version `version`. The frozen copy is the source of truth for what the
 * version is; the run adds params and author, and may be gone (then those fields are empty).
 */
export async function modelCard(registry: ModelRegistry, tracking: TrackingStore, name: string, version: number | string, options: ModelCardOptions = {}): Promise<ModelCard> {
  const model = registry.getModel(name);
  const v = registry.getVersion(name, version);
  const packageDir = v.packageDir;
  // An external version (registered from any source through the REST API) has no frozen files:
  // its card shows only what the registry and its run (when there is one here) know.
  const frozen = v.external !== true;
  const manifest = frozen ? readJson<ModelManifest>(join(packageDir, PACKAGE_FILES.manifest)) : null;
  const packageMetrics = frozen ? readJson<{ training?: Record<string, number> }>(join(packageDir, PACKAGE_FILES.metrics)) : null;
  const confusion = frozen ? readJson<ConfusionMatrix>(join(v.storageDir, 'evaluation', 'confusion_matrix.json')) : null;
  const curves = frozen ? readJson<EvaluationCurves>(join(v.storageDir, 'evaluation', 'curves.json')) : null;
  const featureImportance = frozen ? readJson<FeatureImportanceFile>(join(packageDir, TREE_PACKAGE_FILES.featureImportance)) : null;
  let run: Run | undefined;
  try {
    run = v.runId === '' ? undefined : await tracking.getRun(v.runId);
  } catch {
    run = undefined;
  }
  const evaluation: Record<string, number> = {};
  const fromRun = run?.data.metrics.filter((m) => m.key.startsWith('test_') && !m.key.startsWith('test_confusion_')) ?? [];
  if (fromRun.length > 0) for (const m of fromRun) evaluation[m.key] = m.value;
  else for (const [key, value] of Object.entries(manifest?.metrics ?? {})) if (key.startsWith('test_') && !key.startsWith('test_confusion_')) evaluation[key] = value;
  const training = packageMetrics?.training ?? Object.fromEntries(Object.entries(manifest?.metrics ?? {}).filter(([key]) => !key.startsWith('test_')));
  const tag = (key: string): string | null => run?.data.tags.find((t) => t.key === key)?.value ?? null;
  const runMetric = (key: string): number | null => run?.data.metrics.find((m) => m.key === key)?.value ?? null;
  const inputs = run?.inputs.datasetInputs ?? [];
  const digest = manifest?.datasetDigest ?? tag('mlops.dataset.digest') ?? inputs[0]?.digest ?? null;
  const input = inputs.find((d) => d.digest === digest) ?? inputs[0];
  const spec = join(packageDir, PACKAGE_FILES.spec);
  const report = join(v.storageDir, 'evaluation', 'report.json');
  const feedback = await versionFeedback(tracking, options.database, model.name, v.version);
  const params = Object.fromEntries((run?.data.params ?? []).map((p) => [p.key, p.value]));
  const modelType = manifest?.modelType ?? params['model.type'] ?? null;
  const length = run ? loggedTrainingLength(modelType, runLog(run)) : undefined;
  return {
    uri: `models:/${name}/${v.version}`,
    model: { name: model.name, description: model.description, tags: model.tags, requireReview: model.requireReview, aliases: model.aliases },
    version: v,
    task: manifest?.task ?? v.signature?.output.task ?? null,
    target: manifest?.target ?? v.signature?.output.target ?? null,
    modelType,
    signature: v.signature,
    evaluation,
    training,
    trainingMetricsAt: trainingMetricsLabel(modelType, length),
    trainedFor: length ? trainingLengthFact(length) : null,
    trainingUsage: { cpuSeconds: runMetric('cpu_seconds'), cost: runMetric('cost'), predictLatencyP99Ms: runMetric('predict_latency_p99_ms') },
    confusionMatrix: confusion,
    curves,
    featureImportance,
    dataset: { digest, source: input?.source ?? manifest?.dataset ?? null, name: input?.name ?? null, inputs },
    params,
    backend: manifest?.backend ?? tag('mlops.backend'),
    parameters: manifest?.parameters ?? null,
    sizeBytes: v.sizeBytes,
    registeredBy: v.createdBy,
    trainedBy: run?.info.userId ?? null,
    description: v.description,
    run: {
      runId: v.runId,
      runName: run?.info.runName ?? null,
      experimentId: run?.info.experimentId ?? null,
      startTime: run?.info.startTime ?? null,
      status: run?.info.status ?? null,
      gitCommit: run?.info.gitCommit ?? null,
      available: run !== undefined,
    },
    files: { spec: frozen && existsSync(spec) ? spec : null, evaluationReport: frozen && existsSync(report) ? report : null, packageDir },
    feedback,
  };
}
