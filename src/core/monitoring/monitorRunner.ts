import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DriftInputError } from '../drift/columnDrift';
import { computeDriftReport } from '../drift/driftReport';
import { tableCacheFolder } from '../data/tableCache';
import { readDriftTable } from '../drift/driftSources';
import type { DriftReport, DriftTableInput } from '../drift/driftTypes';
import { modelVersionNode } from '../lineage/lineageNodes';
import { lineageFor, modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';
import { SpecError } from '../training/specErrors';
import { findSpecFiles } from '../workspace/specFileFinder';
import { saveDriftReport } from './driftHistory';
import { endpointTrafficTable } from './endpointTraffic';
import { MONITOR_SPEC_SUFFIX, type MonitorSpec } from './monitorSpec';
import { loadMonitorSpec } from './monitorSpecParser';

export interface MonitorRunResult {
  spec: MonitorSpec;
  report: DriftReport;
  reportId?: number;
  /** the dataset drifted: an alert was raised */
  tripped: boolean;
  alert?: string;
}

export interface RunMonitorOptions {
  /** resolves reference.model and, unless `save` is false, keeps the report and alert */
  store?: WorkspaceStore;
  save?: boolean;
  /** compute the report elsewhere (e.g. a worker process); in this process when absent */
  compute?: (reference: MonitorDataSource, current: MonitorDataSource, spec: MonitorSpec) => Promise<DriftReport>;
}

/** A file one side of a monitor reads; `digest` is what it must still hash to (a model's training data). */
export interface MonitorDataSource {
  path: string;
  name: string;
  /** rows already in memory (an endpoint's traffic); `path` is empty then */
  table?: DriftTableInput;
  digest?: string;
  /** who recorded the digest, for the error when the file changed */
  recordedBy?: string;
  /** the model version whose training data this is (a monitor of that version, for lineage) */
  modelVersion?: { name: string; version: number };
}

/** The training dataset recorded on a model version's run. */
async function modelReference(store: WorkspaceStore | undefined, uri: string, spec: MonitorSpec): Promise<MonitorDataSource> {
  if (!store) throw new DriftInputError(`${spec.file}: reference.model needs the workspace store (to find ${uri})`);
  const version = modelRegistryFor(store).resolveUri(uri);
  if (!version.runId) throw new DriftInputError(`${spec.file}: reference.model ${uri} (version ${version.version}) has no run, so its training data is unknown`);
  const run = await store.tracking.getRun(version.runId);
  const inputs = run.inputs.datasetInputs;
  const training = inputs.find((i) => i.context === 'training') ?? inputs[0];
  if (!training) throw new DriftInputError(`${spec.file}: reference.model ${uri}: run ${version.runId} recorded no dataset input`);
  if (!existsSync(training.source)) throw new DriftInputError(`${spec.file}: reference.model ${uri}: the training data ${training.source} (run ${version.runId}) no longer exists`);
  return { path: training.source, name: `${uri} training data (${training.name})`, digest: training.digest, recordedBy: `run ${version.runId}`, modelVersion: { name: version.name, version: version.version } };
}

/** The current side: a file, or the window of an endpoint's logged traffic (read from the store). */
function currentSource(store: WorkspaceStore | undefined, spec: MonitorSpec): MonitorDataSource {
  if (spec.current.kind === 'file') return { path: spec.current.path, name: spec.current.asWritten };
  if (!store) throw new DriftInputError(`${spec.file}: current.endpoint needs the workspace store (the request log of ${spec.current.endpoint} lives there)`);
  const table = endpointTrafficTable(store, spec.current.endpoint, spec.current.window);
  return { path: '', name: table.name, table };
}

/**
 * Runs one monitor: computes the report (by default here; `compute` can send the files to a worker
 * process), stores it and raises an alert when the dataset drifted.
 */
export async function runMonitor(spec: MonitorSpec, options: RunMonitorOptions = {}): Promise<MonitorRunResult> {
  const reference: MonitorDataSource = spec.reference.kind === 'model' ? await modelReference(options.store, spec.reference.uri, spec) : { path: spec.reference.path, name: spec.reference.asWritten };
  const current = currentSource(options.store, spec);
  // a monitor reads the same reference at every check: its typed columns come from the store's prepared tables
  const cache = options.store ? tableCacheFolder(options.store.dir) : undefined;
  const report = options.compute
    ? await options.compute(reference, current, spec)
    : computeDriftReport(await readDriftTable(reference.path, reference.name, cache), current.table ?? (await readDriftTable(current.path, current.name, cache)), spec.options);
  if (reference.digest !== undefined && report.reference.digest !== reference.digest) {
    const uri = spec.reference.kind === 'model' ? spec.reference.uri : reference.name;
    throw new DriftInputError(`${spec.file}: reference.model ${uri}: ${reference.path} changed since ${reference.recordedBy ?? 'the run'} trained on it (digest ${reference.digest}, now ${report.reference.digest ?? 'unknown'})`);
  }
  const tripped = report.datasetDrift;
  const drifted = report.columns.filter((c) => c.drifted).map((c) => c.column);
  const alert = tripped
    ? `Monitor ${spec.name}: dataset drift — ${report.driftedColumns} of ${report.columnCount} columns drifted (${drifted.slice(0, 5).join(', ')}${drifted.length > 5 ? ', …' : ''})`
    : undefined;
  const reportId = options.store && options.save !== false ? await saveDriftReport(options.store, spec.name, report, alert) : undefined;
  if (options.store && options.save !== false && reference.modelVersion) {
    // A monitor that watches a version's data is part of that version's lineage.
    await lineageFor(options.store).record([{ from: modelVersionNode(reference.modelVersion.name, reference.modelVersion.version), to: { kind: 'monitor', id: spec.name }, relation: 'monitored' }], { [`monitor:${spec.name}`]: `monitor ${spec.name}` });
  }
  return { spec, report, reportId, tripped, alert };
}

/** Every *.monitor.yaml under `folder` (not descending into node_modules or dot-folders). */
export function findMonitorSpecs(folder: string, depth = 4): Promise<string[]> {
  return findSpecFiles(folder, (name) => name.endsWith(MONITOR_SPEC_SUFFIX), depth);
}

/** A monitor named by file path or by name (searched in the workspace). */
export async function resolveMonitor(workspace: string, nameOrFile: string): Promise<MonitorSpec> {
  const asPath = resolve(workspace, nameOrFile);
  if (existsSync(asPath)) return loadMonitorSpec(asPath);
  const files = await findMonitorSpecs(workspace);
  const byFileName = files.find((f) => basename(f) === `${nameOrFile}${MONITOR_SPEC_SUFFIX}`);
  if (byFileName) return loadMonitorSpec(byFileName);
  // A spec elsewhere may set `name:`; one broken spec must not hide the others.
  for (const file of files) {
    const spec = await loadMonitorSpec(file).catch((error: unknown) => {
      if (error instanceof SpecError) return undefined;
      throw error;
    });
    if (spec?.name === nameOrFile) return spec;
  }
  throw new DriftInputError(`no monitor named "${nameOrFile}" (no such file, and no *${MONITOR_SPEC_SUFFIX} under ${workspace} has that name)`);
}
