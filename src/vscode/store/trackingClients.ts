import type { EngineClient } from '../../core/engine/engineClient';
import type { CachingTrackingStore } from '../../core/remote/cachingTrackingStore';
import type { Reconnect } from '../../core/remote/mlflowHttp';
import type { TrackingStore } from '../../core/tracking/trackingStore';

/**
 * Tracking stores reached over MLflow's REST API: the MLOps engine that holds this workspace's
 * store, or a team's MLflow server (`mlops.tracking.uri`). One cached client per URL and token,
 * so panels share its read cache.
 */
const clients = new Map<string, CachingTrackingStore>();

export async function trackingClient(url: string, token: string | null | undefined, reconnect?: Reconnect): Promise<TrackingStore> {
  const key = `${url}\n${token ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const { MlflowRestClient } = await import('../../core/remote/mlflowRestClient');
    const { CachingTrackingStore } = await import('../../core/remote/cachingTrackingStore');
    client = new CachingTrackingStore(new MlflowRestClient({ url, token: token ?? null, ...(reconnect ? { reconnect } : {}) }));
    clients.set(key, client);
  }
  return client;
}

/** The store changed behind the client's back (the engine said so): its cached reads may be stale. */
export function forgetCachedReads(url: string, token: string | null): void {
  clients.get(`${url}\n${token ?? ''}`)?.clear();
}

/** The engine of the process holding this workspace's store, reached through its server. */
export async function engineClient(url: string, token: string | null, reconnect?: Reconnect): Promise<EngineClient> {
  const { httpEngine } = await import('../../core/engine/engineClient');
  return httpEngine(url, token, reconnect);
}
