import type { WorkspaceStore } from '../store/workspaceStore';
import { EndpointManager } from './endpointManager';
import type { OnlineFeaturesChoice } from './endpointTypes';
import { endpointsChanged, stopWithProcess } from './endpointsInProcess';

const managers = new WeakMap<WorkspaceStore, { manager: EndpointManager; stopper: { dispose(): void } }>();

/**
 * The endpoints of an open store, kept by the process that holds it (the engine), so they outlive
 * the window or command that asked for them. Every client starts and stops them through the
 * engine's `endpoints.*` methods; this is the one manager those methods share.
 */
export function endpointManagerFor(store: WorkspaceStore): EndpointManager {
  let held = managers.get(store);
  if (!held) {
    const manager = new EndpointManager(store);
    manager.onDidChange(() => endpointsChanged(store));
    held = { manager, stopper: stopWithProcess(() => stopEndpointsOf(store)) };
    managers.set(store, held);
  }
  return held.manager;
}

/** The store's manager if one was ever asked for (listing endpoints creates none). */
export function existingEndpointManager(store: WorkspaceStore): EndpointManager | undefined {
  return managers.get(store)?.manager;
}

/**
 * Stops every endpoint of a store that is about to close and waits for their request logs and
 * states to be written. The holder calls it before `store.close()`.
 */
export async function stopEndpointsOf(store: WorkspaceStore): Promise<void> {
  const held = managers.get(store);
  if (!held) return;
  managers.delete(store);
  held.stopper.dispose();
  await held.manager.stopAll();
}

/**
 * Why the holder must stay up for this store's endpoints ("2 endpoints running: a, b"), or
 * undefined when none runs.
 */
export function endpointsKeepAlive(store: WorkspaceStore): string | undefined {
  const names = managers.get(store)?.manager.list().map((e) => e.name) ?? [];
  return names.length === 0 ? undefined : `${names.length} endpoint${names.length === 1 ? '' : 's'} running: ${names.join(', ')}`;
}

/** An endpoint started in this store at some point, now stopped (its row in serving_endpoints). */
export interface StoppedEndpoint {
  readonly name: string;
  readonly uri: string;
  readonly version: number;
  readonly port: number;
  /** when it last changed state (ms since the epoch) */
  readonly updatedAt: number;
  readonly features?: OnlineFeaturesChoice;
}

/** The recorded endpoints that no manager of this process runs now (all of them when none was started). */
export function stoppedEndpoints(store: WorkspaceStore): StoppedEndpoint[] {
  const running = new Set(managers.get(store)?.manager.list().map((e) => e.name) ?? []);
  return store.database
    .rows('SELECT name, model_uri, version, port, updated_at, online_features FROM serving_endpoints ORDER BY name')
    .filter(([name]) => !running.has(String(name)))
    .map(([name, uri, version, port, updatedAt, features]) => ({
      name: String(name),
      uri: String(uri),
      version: Number(version),
      port: Number(port),
      updatedAt: Number(updatedAt),
      ...(features === null || features === undefined ? {} : { features: JSON.parse(String(features)) as OnlineFeaturesChoice }),
    }));
}
