import type { Run } from '../tracking/trackingTypes';
import type { TrackingStore } from '../tracking/trackingStore';
import type { ModelRegistry } from './modelRegistry';
import type { UriMatch } from './modelUriScan';
import type { ModelVersion } from './registryTypes';

/** What a URI written in code points at now, or why it points at nothing. */
export type UriResolution =
  | { readonly kind: 'version'; readonly version: ModelVersion; /** undefined when the run is gone */ readonly run: Run | undefined }
  | { readonly kind: 'run'; readonly run: Run }
  | { readonly kind: 'unresolved'; readonly message: string };

/**
 * Resolves a `models:/` URI against the registry (its message names what is missing and what
 * exists) or a `runs:/` URI against the tracking store. Never throws.
 */
export async function resolveUriMatch(match: UriMatch, registry: ModelRegistry | undefined, tracking: TrackingStore): Promise<UriResolution> {
  if (match.kind === 'run') {
    const run = await tracking.getRun(match.runId).catch(() => undefined);
    return run ? { kind: 'run', run } : { kind: 'unresolved', message: `${match.uri}: no run ${match.runId} in this store.` };
  }
  if (!registry) return { kind: 'unresolved', message: `${match.uri}: there is no model registry in this window.` };
  let version: ModelVersion;
  try {
    version = registry.resolveUri(match.uri);
  } catch (error) {
    return { kind: 'unresolved', message: error instanceof Error ? error.message : String(error) };
  }
  const run = await tracking.getRun(version.runId).catch(() => undefined);
  return { kind: 'version', version, run };
}
