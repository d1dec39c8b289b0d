import type { DatasetInput, Experiment, LifecycleStage, MetricSummary, Run, RunInfo, RunStatus, Tag } from '../tracking/trackingTypes';
import { RUN_STATUSES } from '../tracking/trackingTypes';
import { datasetFromMlflow } from './mlflowDatasetLimits';

// MLflow's protobuf JSON (as a server sends it) into the engine's entities.

type Json = Readonly<Record<string, unknown>>;

function str(value: unknown, fallback = ''): string {
  return typeof value === 'string' ? value : fallback;
}

function int(value: unknown, fallback = 0): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return fallback;
}

/**
 * A double as protobuf JSON writes it: a number or "NaN" / "Infinity" / "-Infinity". MLflow
 * stores ±inf as ±the largest double and answers that; it was an infinity when logged.
 */
export function doubleFromJson(value: unknown): number {
  if (value === Number.MAX_VALUE) return Infinity;
  if (value === -Number.MAX_VALUE) return -Infinity;
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  return Number(value);
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => typeof v === 'object' && v !== null) : [];
}

export function tagsFromJson(value: unknown): Tag[] {
  return list(value).map((t) => ({ key: str(t.key), value: str(t.value) }));
}

function stage(value: unknown): LifecycleStage {
  return value === 'deleted' ? 'deleted' : 'active';
}

export function experimentFromJson(json: Json): Experiment {
  return {
    experimentId: str(json.experiment_id),
    name: str(json.name),
    artifactLocation: str(json.artifact_location),
    lifecycleStage: stage(json.lifecycle_stage),
    creationTime: int(json.creation_time),
    lastUpdateTime: int(json.last_update_time),
    tags: tagsFromJson(json.tags),
  };
}

function status(value: unknown): RunStatus {
  return (RUN_STATUSES as readonly unknown[]).includes(value) ? (value as RunStatus) : 'RUNNING';
}

/** Run info; what MLflow keeps in system tags (source, git commit, parent) comes from `tags`. */
export function runInfoFromJson(json: Json, tags: readonly Tag[] = []): RunInfo {
  const tag = (key: string): string | undefined => tags.find((t) => t.key === key)?.value;
  const sourceName = tag('mlflow.source.name');
  return {
    runId: str(json.run_id, str(json.run_uuid)),
    runName: str(json.run_name, tag('mlflow.runName') ?? ''),
    experimentId: str(json.experiment_id),
    userId: str(json.user_id),
    status: status(json.status),
    startTime: int(json.start_time),
    endTime: json.end_time === undefined || json.end_time === null ? null : int(json.end_time),
    lifecycleStage: stage(json.lifecycle_stage),
    artifactUri: str(json.artifact_uri),
    source: sourceName === undefined ? null : { type: tag('mlflow.source.type') ?? 'UNKNOWN', name: sourceName },
    gitCommit: tag('mlflow.source.git.commit') ?? null,
    gitDirty: null,
    parentRunId: tag('mlflow.parentRunId') ?? null,
    ownerPid: null,
    ownerHost: null,
    heartbeatTime: null,
  };
}

/**
 * The latest value per key. MLflow's REST API has no min/max/count, so they describe the latest
 * point only (min = max = value, count = 1) until someone reads the history.
 */
function metricsFromJson(value: unknown): MetricSummary[] {
  return list(value).map((m) => {
    const v = doubleFromJson(m.value);
    return { key: str(m.key), value: v, step: int(m.step), timestamp: int(m.timestamp), min: v, max: v, count: 1 };
  });
}

function datasetInputsFromJson(value: unknown): DatasetInput[] {
  return list(value).map((input) => datasetFromMlflow(datasetInputFromJson(input)));
}

function datasetInputFromJson(input: Json): DatasetInput {
  const d = (typeof input.dataset === 'object' && input.dataset !== null ? input.dataset : {}) as Json;
  const context = tagsFromJson(input.tags).find((t) => t.key === 'mlflow.data.context')?.value;
  return {
    name: str(d.name),
    digest: str(d.digest),
    sourceType: str(d.source_type),
    source: str(d.source),
    ...(typeof d.schema === 'string' ? { schema: d.schema } : {}),
    ...(typeof d.profile === 'string' ? { profile: d.profile } : {}),
    ...(context === undefined ? {} : { context }),
  };
}

export function runFromJson(json: Json): Run {
  const data = (typeof json.data === 'object' && json.data !== null ? json.data : {}) as Json;
  const inputs = (typeof json.inputs === 'object' && json.inputs !== null ? json.inputs : {}) as Json;
  const info = (typeof json.info === 'object' && json.info !== null ? json.info : {}) as Json;
  const tags = tagsFromJson(data.tags);
  return {
    info: runInfoFromJson(info, tags),
    data: { metrics: metricsFromJson(data.metrics), params: tagsFromJson(data.params), tags },
    inputs: { datasetInputs: datasetInputsFromJson(inputs.dataset_inputs) },
  };
}
