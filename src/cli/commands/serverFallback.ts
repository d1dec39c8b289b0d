import type { TrackingStore } from '../../core/tracking/trackingStore';

/**
 * When another process holds the workspace store, the CLI becomes a client of that writer through
 * its MLflow-compatible server (found in `.mlops/server.json`), instead of failing with "in use".
 * Returns undefined when the holder runs no server (or it does not answer).
 */
export async function trackingClientOfWriter(storeDir: string): Promise<{ tracking: TrackingStore; url: string } | undefined> {
  const { readServerInfo } = await import('../../core/server/serverInfoFile');
  const info = readServerInfo(storeDir);
  if (!info) return undefined;
  try {
    const health = await fetch(`${info.url}/health`, { signal: AbortSignal.timeout(2_000) });
    if (!health.ok) return undefined;
  } catch {
    return undefined;
  }
  const { MlflowRestClient } = await import('../../core/remote/mlflowRestClient');
  return { tracking: new MlflowRestClient({ url: info.url, token: info.token }), url: info.url };
}
