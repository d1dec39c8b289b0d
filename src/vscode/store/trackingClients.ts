import type { EngineClient } from '../../core/engine/engineClient';
import type { TrackingStore } from '../../core/tracking/trackingStore';

/**
 * Tracking stores reached over MLflow's REST API: the window that writes this workspace's store
 * (found in .mlops/server.json) or a team's MLflow server (`mlops.tracking.uri`). One cached
 * client per URL and token, so panels share its read cache.
 */
const clients = new Map<string, TrackingStore>();

export async function trackingClient(url: string, token: string | null | undefined): Promise<TrackingStore> {
  const key = `${url}\n${token ?? ''}`;
  let client = clients.get(key);
  if (!client) {
    const { MlflowRestClient } = await import('../../core/remote/mlflowRestClient');
    const { CachingTrackingStore } = await import('../../core/remote/cachingTrackingStore');
    client = new CachingTrackingStore(new MlflowRestClient({ url, token: token ?? null }));
    clients.set(key, client);
  }
  return client;
}

/** The writer's server, if one runs for the store in `dir` (a file left by a dead process is ignored). */
export async function writerServer(dir: string): Promise<{ url: string; token: string | null } | undefined> {
  const { readServerInfo } = await import('../../core/server/serverInfoFile');
  const info = readServerInfo(dir);
  return info ? { url: info.url, token: info.token } : undefined;
}

/** The engine of the process holding this workspace's store, reached through its server. */
export async function engineClient(url: string, token: string | null): Promise<EngineClient> {
  const { httpEngine } = await import('../../core/engine/engineClient');
  return httpEngine(url, token);
}
