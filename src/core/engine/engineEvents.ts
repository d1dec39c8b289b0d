import type { ServerResponse } from 'node:http';
import { modelRegistryFor } from '../registry/registryAccess';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { RegistryChange } from '../registry/registryTypes';
import type { TrackingChange } from '../tracking/trackingTypes';
import { onEndpointsChange } from '../serving/endpointsInProcess';

/** What the holder pushes to its clients when the store changes. */
export type EngineEvent =
  | { readonly topic: 'tracking'; readonly change: TrackingChange }
  | { readonly topic: 'registry'; readonly change: RegistryChange }
  /** anything committed (lineage, drift reports, endpoints …), at most one per coalescing window */
  | { readonly topic: 'store' }
  /** an endpoint started, stopped, restarted or has new traffic figures (not committed: they change every half second) */
  | { readonly topic: 'endpoints' };

/** Commits come in bursts (a training run logs many); clients re-read at most this often for them. */
const STORE_EVENT_COALESCE_MS = 250;
/** A comment line now and then keeps idle proxies and sockets from closing the stream. */
const KEEPALIVE_MS = 15_000;

/**
 * Pushes store changes to clients as server-sent events, so a window that is a client sees the
 * CLI's and other windows' writes at once instead of polling for them.
 */
export class EngineEventHub {
  private readonly clients = new Set<ServerResponse>();
  private readonly subscriptions: { dispose(): void }[] = [];
  private storeTimer: ReturnType<typeof setTimeout> | undefined;
  private endpointsTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly keepalive: ReturnType<typeof setInterval>;

  constructor(store: WorkspaceStore) {
    this.subscriptions.push(
      store.tracking.onDidChange((change) => this.send({ topic: 'tracking', change })),
      modelRegistryFor(store).onDidChange((change) => this.send({ topic: 'registry', change })),
      onEndpointsChange((changed) => {
        if (changed !== store) return;
        this.endpointsTimer ??= setTimeout(() => {
          this.endpointsTimer = undefined;
          this.send({ topic: 'endpoints' });
        }, STORE_EVENT_COALESCE_MS);
      }),
      store.database.onDidCommit(() => {
        this.storeTimer ??= setTimeout(() => {
          this.storeTimer = undefined;
          this.send({ topic: 'store' });
        }, STORE_EVENT_COALESCE_MS);
      }),
    );
    this.keepalive = setInterval(() => {
      for (const client of this.clients) client.write(': keepalive\n\n');
    }, KEEPALIVE_MS);
    this.keepalive.unref();
  }

  /** clients listening now (the engine does not stop while one is) */
  get clientCount(): number {
    return this.clients.size;
  }

  attach(res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    // The stream is long-lived by design: the server's idle timeout must not cut it.
    res.socket?.setTimeout(0);
    res.write(': connected\n\n');
    this.clients.add(res);
    res.on('close', () => this.clients.delete(res));
  }

  private send(event: EngineEvent): void {
    const line = `data: ${JSON.stringify(event)}\n\n`;
    for (const client of this.clients) client.write(line);
  }

  close(): void {
    clearTimeout(this.storeTimer);
    clearTimeout(this.endpointsTimer);
    clearInterval(this.keepalive);
    for (const subscription of this.subscriptions) subscription.dispose();
    for (const client of this.clients) client.end();
    this.clients.clear();
  }
}
