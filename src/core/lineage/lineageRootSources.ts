import type { ModelRegistry } from '../registry/modelRegistry';
import type { TrackingStore } from '../tracking/trackingStore';
import type { LineageStore } from './lineageStore';
import type { LineageNode } from './lineageTypes';

/** The picker's groups are cut here: beyond this nobody scrolls, and the answer stays small. */
export const MAX_ROOT_VERSIONS_PER_MODEL = 20;
export const MAX_ROOT_RUNS = 20;
const MAX_ROOT_NODES = 20;

/** What "MLOps: Show Lineage" offers to start from, read in one go (one round trip for a client window). */
export interface LineageRootSources {
  readonly models: readonly {
    readonly name: string;
    readonly aliases: Readonly<Record<string, number>>;
    /** newest first */
    readonly versions: readonly { readonly version: number; readonly creationTime: number }[];
  }[];
  /** newest first */
  readonly runs: readonly { readonly runId: string; readonly runName: string; readonly status: string; readonly startTime: number }[];
  readonly endpoints: readonly LineageNode[];
  readonly monitors: readonly LineageNode[];
}

export async function lineageRootSources(registry: Pick<ModelRegistry, 'listModels' | 'listVersions'>, tracking: Pick<TrackingStore, 'searchRuns'>, lineage: Pick<LineageStore, 'nodesOfKind'>): Promise<LineageRootSources> {
  const { runs } = await tracking.searchRuns({ orderBy: ['attributes.start_time DESC'], maxResults: MAX_ROOT_RUNS });
  return {
    models: registry.listModels().map((m) => ({
      name: m.name,
      aliases: { ...m.aliases },
      versions: registry
        .listVersions(m.name)
        .slice(0, MAX_ROOT_VERSIONS_PER_MODEL)
        .map((v) => ({ version: v.version, creationTime: v.creationTime })),
    })),
    runs: runs.map((r) => ({ runId: r.info.runId, runName: r.info.runName, status: r.info.status, startTime: r.info.startTime })),
    endpoints: lineage.nodesOfKind('endpoint', MAX_ROOT_NODES),
    monitors: lineage.nodesOfKind('monitor', MAX_ROOT_NODES),
  };
}
