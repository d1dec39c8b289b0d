import type { WorkspaceStore } from '../store/workspaceStore';

// Light on purpose (type imports only): a window loads it at activation to hear of the endpoints
// its own process runs, without loading the endpoint manager, the registry or the store.

const listeners = new Set<(store: WorkspaceStore) => void>();
const stoppers = new Set<() => Promise<void>>();

/**
 * Fires whenever an endpoint of a store held in this process changes: started, stopped,
 * restarting, moved to a new version, or new traffic figures (every half second under load).
 * Traffic figures are not committed to the store, so the holder pushes these to its clients.
 */
export function onEndpointsChange(listener: (store: WorkspaceStore) => void): { dispose(): void } {
  listeners.add(listener);
  return { dispose: () => listeners.delete(listener) };
}

/** An endpoint manager of this process says its endpoints changed. */
export function endpointsChanged(store: WorkspaceStore): void {
  for (const listener of listeners) {
    try {
      listener(store);
    } catch {
      // a broken listener must not break serving
    }
  }
}

/** How a store's endpoints are stopped when this process goes away (see stopEndpointsInThisProcess). */
export function stopWithProcess(stop: () => Promise<void>): { dispose(): void } {
  stoppers.add(stop);
  return { dispose: () => stoppers.delete(stop) };
}

/** Stops the endpoints of every store this process holds (a holder that is going away). */
export async function stopEndpointsInThisProcess(): Promise<void> {
  await Promise.all([...stoppers].map((stop) => stop()));
}
