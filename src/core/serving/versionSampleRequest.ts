import { dirname } from 'node:path';
import { loadModelPackage } from '../modelPackage/modelPackageLoader';
import { modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';
import { buildSampleRequest, trainingDataCandidates } from './sampleRequest';

/**
 * A request body for a served model version: the head of the data it was trained on (found from
 * its run's spec), else one row made up from its signature.
 */
export async function versionSampleRequest(store: WorkspaceStore, uri: string, rows?: number): Promise<{ dataframe_records: Record<string, unknown>[] }> {
  const version = modelRegistryFor(store).resolveUri(uri);
  const model = await loadModelPackage(version.packageDir);
  const run = await store.tracking.getRun(version.runId).catch(() => undefined);
  const specPath = run?.data.tags.find((t) => t.key === 'mlops.spec')?.value;
  return buildSampleRequest(model.signature, trainingDataCandidates(model.manifest.dataset, specPath, dirname(store.dir)), rows);
}
