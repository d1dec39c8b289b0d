import { existsSync } from 'node:fs';
import { DriftInputError } from '../drift/columnDrift';
import type { DriftReport } from '../drift/driftTypes';
import { modelVersionNode } from '../lineage/lineageNodes';
import { lineageFor, modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';
import { saveDriftReport } from './driftHistory';

/** A model version's training data, as its run recorded it: what a `reference.model` monitor compares with. */
export interface ModelReference {
  readonly path: string;
  readonly name: string;
  /** what the file must still hash to */
  readonly digest: string;
  /** who recorded the digest, for the error when the file changed */
  readonly recordedBy: string;
  readonly modelVersion: { readonly name: string; readonly version: number };
}

/** The training dataset recorded on a model version's run (read where the store is held). */
export async function resolveModelReference(store: WorkspaceStore, uri: string, monitorFile: string): Promise<ModelReference> {
  const version = modelRegistryFor(store).resolveUri(uri);
  if (!version.runId) throw new DriftInputError(`${monitorFile}: reference.model ${uri} (version ${version.version}) has no run, so its training data is unknown`);
  const run = await store.tracking.getRun(version.runId);
  const inputs = run.inputs.datasetInputs;
  const training = inputs.find((i) => i.context === 'training') ?? inputs[0];
  if (!training) throw new DriftInputError(`${monitorFile}: reference.model ${uri}: run ${version.runId} recorded no dataset input`);
  if (!existsSync(training.source)) throw new DriftInputError(`${monitorFile}: reference.model ${uri}: the training data ${training.source} (run ${version.runId}) no longer exists`);
  return { path: training.source, name: `${uri} training data (${training.name})`, digest: training.digest, recordedBy: `run ${version.runId}`, modelVersion: { name: version.name, version: version.version } };
}

/**
 * What running a monitor writes: the report (and its alert) in one commit, and, for a monitor of
 * a model version's data, the version → monitor lineage edge. Returns the report's id.
 */
export async function recordMonitorReport(store: WorkspaceStore, monitor: string, report: DriftReport, alert: string | undefined, modelVersion?: { name: string; version: number }): Promise<number> {
  const reportId = await saveDriftReport(store, monitor, report, alert);
  if (modelVersion) {
    // A monitor that watches a version's data is part of that version's lineage.
    await lineageFor(store).record([{ from: modelVersionNode(modelVersion.name, modelVersion.version), to: { kind: 'monitor', id: monitor }, relation: 'monitored' }], { [`monitor:${monitor}`]: `monitor ${monitor}` });
  }
  return reportId;
}
