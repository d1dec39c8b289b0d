import { dirname } from 'node:path';
import type { EngineClient } from '../../core/engine/engineClient';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { resolveStoreDir } from '../settings/settings';
import { engineOf, trackingOf, type StoreAccess, type StoreService } from '../store/storeService';

/** The workspace registry as this window reaches it, and the tracking store beside it. */
export interface OpenedWorkspaceRegistry {
  readonly registry: WorkspaceRegistry;
  readonly tracking: TrackingStore;
}

// One per engine (its address and token; the object itself for an engine in this process):
// the git user behind changes without an actor is looked up once, not at every command.
const byAddress = new Map<string, WorkspaceRegistry>();
const byEngine = new WeakMap<EngineClient, WorkspaceRegistry>();

/** Where changes made from this window are attributed (git user.name of the workspace, unless mlops.user.name / $MLOPS_ACTOR says otherwise). */
function actorDir(access: StoreAccess): string | undefined {
  const dir = access.state === 'client' && access.origin === 'engine' ? access.dir : resolveStoreDir();
  return dir === undefined ? undefined : dirname(dir);
}

/** Why an access has no workspace registry, for a message (undefined: nothing to say, e.g. no store yet). */
function whyNone(access: StoreAccess): string | undefined {
  switch (access.state) {
    case 'error':
      return access.message;
    case 'client':
      return `${access.message} Reviews, the audit log and model cards are kept only in a workspace store: clear mlops.tracking.uri to work on this workspace's.`;
    default:
      return undefined;
  }
}

/**
 * The workspace registry (reviews, audit log and model cards included) through the engine: this
 * window's own store, or the one another window or process holds. Undefined registry, with the
 * reason, when there is no store yet, no folder, or mlops.tracking.uri points at a team's MLflow server.
 */
export async function openWorkspaceRegistry(storeService: StoreService, options: { create?: boolean } = {}): Promise<OpenedWorkspaceRegistry | { message: string | undefined }> {
  const access = await storeService.access(options);
  const engine = engineOf(access);
  const tracking = trackingOf(access);
  if (!engine || !tracking) return { message: whyNone(access) };
  const key = access.state === 'client' ? `${access.url}\n${access.token ?? ''}` : undefined;
  let registry = key === undefined ? byEngine.get(engine) : byAddress.get(key);
  if (!registry) {
    // Lazy: the engine's client code loads on first use, never at activation.
    const { engineRegistryBackend } = await import('../../core/engine/engineRegistryBackend');
    const location = `the workspace store (through the MLOps engine at ${engine.where})`;
    const dir = actorDir(access);
    registry = engineRegistryBackend(engine, location, dir === undefined ? {} : { actorDir: dir });
    if (key === undefined) byEngine.set(engine, registry);
    else byAddress.set(key, registry);
  }
  return { registry, tracking };
}
