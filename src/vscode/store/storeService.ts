import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { EngineClient } from '../../core/engine/engineClient';
import { readTrackingUri, resolveStoreDir } from '../settings/settings';
import { engineClient, trackingClient, writerServer } from './trackingClients';

/** Secret-storage key of the token for `mlops.tracking.uri`. */
export const TRACKING_TOKEN_SECRET = 'mlops.tracking.token';
/** A client sees others' writes by polling: how often views refresh in that mode. */
const CLIENT_POLL_MS = 5000;

export type StoreAccess =
  | { state: 'noFolder' }
  | { state: 'absent'; dir: string }
  | { state: 'open'; dir: string; store: WorkspaceStore; engine: EngineClient }
  /**
   * Tracking works through a server: the process that writes this store (its engine answers
   * everything else: lineage, drift reports, endpoints …), or a team's MLflow server (no engine).
   */
  | { state: 'client'; origin: 'writer'; url: string; /** the bearer token sent to it */ token: string | null; tracking: TrackingStore; engine: EngineClient; message: string }
  | { state: 'client'; origin: 'remote'; url: string; token: string | null; tracking: TrackingStore; message: string }
  | { state: 'locked'; dir: string; message: string }
  | { state: 'error'; dir: string; message: string };

/** The engine behind an access: this window's store or the holder's; undefined on a team's MLflow server or without a store. */
export function engineOf(access: StoreAccess): EngineClient | undefined {
  if (access.state === 'open') return access.engine;
  if (access.state === 'client' && access.origin === 'writer') return access.engine;
  return undefined;
}

/** The tracking store behind an access, local or through a server; undefined when there is none. */
export function trackingOf(access: StoreAccess): TrackingStore | undefined {
  if (access.state === 'open') return access.store.tracking;
  if (access.state === 'client') return access.tracking;
  return undefined;
}

/**
 * Owns this window's handle on the workspace store. Nothing is loaded until something asks:
 * the store module (and with it sql.js) is imported on first use, never at activation.
 */
export class StoreService implements vscode.Disposable {
  private opening: Promise<StoreAccess> | undefined;
  private openedDir: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly openEmitter = new vscode.EventEmitter<WorkspaceStore>();
  /** Fires when this window becomes the store's writer. */
  readonly onDidOpen = this.openEmitter.event;
  /** Fires when the store's content or this window's access to it changes. */
  readonly onDidChange = this.changeEmitter.event;
  private storeSubscription: { dispose(): void } | undefined;

  private pollTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets?: vscode.SecretStorage,
  ) {}

  /**
   * The store if it exists (or `create` is set), opening it on first call. With
   * `mlops.tracking.uri` set, a client of that MLflow server instead; when another window holds
   * the store, a client of that window's server.
   */
  async access(options: { create?: boolean } = {}): Promise<StoreAccess> {
    const remoteUri = readTrackingUri();
    if (remoteUri) return this.remote(remoteUri);
    const dir = resolveStoreDir();
    if (!dir) return { state: 'noFolder' };
    if (this.openedDir !== undefined && this.openedDir !== dir) await this.close();
    if (!this.opening) {
      if (!options.create && !existsSync(dir)) return { state: 'absent', dir };
      this.opening = this.open(dir);
    }
    const access = await this.opening;
    // A failed open is retried on the next call: the other writer may have gone away.
    if (access.state !== 'open') this.opening = undefined;
    if (access.state === 'locked') {
      const writer = await writerServer(access.dir);
      if (writer) {
        this.pollWhileClient();
        return {
          state: 'client',
          origin: 'writer',
          url: writer.url,
          token: writer.token,
          tracking: await trackingClient(writer.url, writer.token),
          engine: await engineClient(writer.url, writer.token),
          message: `Another window or process writes to this store; this window works through its server at ${writer.url}.`,
        };
      }
    }
    return access;
  }

  private async remote(url: string): Promise<StoreAccess> {
    const token = (await this.secrets?.get(TRACKING_TOKEN_SECRET)) ?? null;
    this.pollWhileClient();
    return { state: 'client', origin: 'remote', url, token, tracking: await trackingClient(url, token), message: `Tracking on the MLflow server ${url} (mlops.tracking.uri).` };
  }

  /** Others write to a server behind our back: views refresh every few seconds meanwhile. */
  private pollWhileClient(): void {
    this.pollTimer ??= setInterval(() => this.changeEmitter.fire(), CLIENT_POLL_MS);
  }

  private async open(dir: string): Promise<StoreAccess> {
    const started = Date.now();
    // Lazy: loads the engine's store and sql.js only now.
    const { openWorkspaceStore, StoreLockedError } = await import('../../core/store/workspaceStore');
    try {
      const store = await openWorkspaceStore({
        dir,
        writerName: `VS Code window (${vscode.env.appName})`,
        dailyGc: {
          onReport: (report) => this.log.info(`Garbage collection of ${dir}: ${report.removed.length} folder(s) removed, ${report.bytes} bytes freed`),
          onError: (error) => this.log.warn(`Garbage collection of ${dir} failed: ${error instanceof Error ? error.message : String(error)}`),
        },
      });
      this.openedDir = dir;
      this.storeSubscription = store.tracking.onDidChange(() => this.changeEmitter.fire());
      this.log.info(`Opened the workspace store ${dir} in ${Date.now() - started} ms`);
      this.openEmitter.fire(store);
      this.changeEmitter.fire();
      const { inProcessEngine } = await import('../../core/engine/engineClient');
      return { state: 'open', dir, store, engine: inProcessEngine(store) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof StoreLockedError) {
        this.log.warn(message);
        return { state: 'locked', dir, message };
      }
      this.log.error(`Could not open the workspace store ${dir}: ${message}`);
      return { state: 'error', dir, message };
    }
  }

  /** Asks every view and panel to re-read the store. */
  refresh(): void {
    this.changeEmitter.fire();
  }

  async close(): Promise<void> {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    const opening = this.opening;
    this.opening = undefined;
    this.openedDir = undefined;
    this.storeSubscription?.dispose();
    this.storeSubscription = undefined;
    if (!opening) return;
    const access = await opening;
    if (access.state === 'open') {
      await access.store.close();
      this.log.info(`Closed the workspace store ${access.dir}`);
    }
  }

  dispose(): void {
    void this.close();
    this.changeEmitter.dispose();
    this.openEmitter.dispose();
  }
}
