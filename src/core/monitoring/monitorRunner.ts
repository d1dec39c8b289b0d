import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { DriftInputError } from '../drift/columnDrift';
import { computeDriftReport } from '../drift/driftReport';
import { tableCacheFolder } from '../data/tableCache';
import { readDriftTable } from '../drift/driftSources';
import type { DriftReport, DriftTableInput } from '../drift/driftTypes';
import type { EngineClient } from '../engine/engineClient';
import type { WorkspaceStore } from '../store/workspaceStore';
import { SpecError } from '../training/specErrors';
import { findSpecFiles } from '../workspace/specFileFinder';
import { trafficTable } from './endpointTraffic';
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
  /**
   * The engine of the process that holds the store (this one or another): resolves
   * reference.model, reads an endpoint's traffic and, unless `save` is false, keeps the report and alert.
   */
  engine?: EngineClient;
  /** the store in this process: the same as `engine: inProcessEngine(store)`, and its prepared tables */
  store?: WorkspaceStore;
  /** where the typed columns of files read before are kept (the store's prepared tables) */
  cacheFolder?: string;
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

/** The training dataset recorded on a model version's run, asked of the store's holder. */
async function modelReference(engine: EngineClient | undefined, uri: string, spec: MonitorSpec): Promise<MonitorDataSource> {
  if (!engine) throw new DriftInputError(`${spec.file}: reference.model needs the workspace store (to find ${uri})`);
  return engine.call('monitoring.modelReference', { uri, monitorFile: spec.file });
}

/** The current side: a file, or the window of an endpoint's logged traffic (asked of the store's holder). */
async function currentSource(engine: EngineClient | undefined, spec: MonitorSpec): Promise<MonitorDataSource> {
  if (spec.current.kind === 'file') return { path: spec.current.path, name: spec.current.asWritten };
  if (!engine) throw new DriftInputError(`${spec.file}: current.endpoint needs the workspace store (the request log of ${spec.current.endpoint} lives there)`);
  const table = trafficTable(await engine.call('monitoring.trafficRecords', { endpoint: spec.current.endpoint, window: spec.current.window }));
  return { path: '', name: table.name, table };
}

/**
 * Runs one monitor: computes the report (by default here; `compute` can send the files to a worker
 * process), stores it and raises an alert when the dataset drifted.
 */
export async function runMonitor(spec: MonitorSpec, options: RunMonitorOptions = {}): Promise<MonitorRunResult> {
  const engine = options.engine ?? (options.store ? (await import('../engine/engineInProcess')).inProcessEngine(options.store) : undefined);
  const reference: MonitorDataSource = spec.reference.kind === 'model' ? await modelReference(engine, spec.reference.uri, spec) : { path: spec.reference.path, name: spec.reference.asWritten };
  const current = await currentSource(engine, spec);
  // a monitor reads the same reference at every check: its typed columns come from the store's prepared tables
  const cache = options.cacheFolder ?? (options.store ? tableCacheFolder(options.store.dir) : undefined);
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
  const reportId =
    engine && options.save !== false
      ? (await engine.call('monitoring.recordReport', { monitor: spec.name, report, ...(alert !== undefined ? { alert } : {}), ...(reference.modelVersion ? { modelVersion: reference.modelVersion } : {}) })).reportId
      : undefined;
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
