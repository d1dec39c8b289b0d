import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { EngineClient } from '../../core/engine/engineClient';
import type { EngineAddress } from '../../core/engine/engineLauncher';
import type { Reconnect } from '../../core/remote/mlflowHttp';
import { readSettings, readTrackingUri, resolveStoreDir } from '../settings/settings';
import { engineClient, forgetCachedReads, trackingClient } from './trackingClients';

/** Secret-storage key of the token for `mlops.tracking.uri`. */
export const TRACKING_TOKEN_SECRET = 'mlops.tracking.token';
/** A team's MLflow server pushes no changes: how often views refresh in that mode. */
const REMOTE_POLL_MS = 5000;

export type StoreAccess =
  | { state: 'noFolder' }
  | { state: 'absent'; dir: string }
  /**
   * The MLOps engine holds the workspace store in `dir` and this window is its client: tracking
   * through its MLflow REST API, everything else (lineage, drift reports, endpoints …) through
   * its engine calls.
   */
  | { state: 'client'; origin: 'engine'; dir: string; url: string; /** the bearer token sent to it */ token: string | null; tracking: TrackingStore; engine: EngineClient; message: string }
  /** A team's MLflow server (`mlops.tracking.uri`): tracking and MLflow's registry only. */
  | { state: 'client'; origin: 'remote'; url: string; token: string | null; tracking: TrackingStore; message: string }
  /** The engine could not be started or reached; the message says why and what to do. */
  | { state: 'error'; dir: string; message: string };

/** The engine behind an access: the workspace store's; undefined on a team's MLflow server or without a store. */
export function engineOf(access: StoreAccess): EngineClient | undefined {
  return access.state === 'client' && access.origin === 'engine' ? access.engine : undefined;
}

/** The tracking store behind an access, local or through a server; undefined when there is none. */
export function trackingOf(access: StoreAccess): TrackingStore | undefined {
  return access.state === 'client' ? access.tracking : undefined;
}

interface Connection {
  readonly dir: string;
  readonly address: EngineAddress;
  readonly events: { dispose(): void };
}

/**
 * This window's way to the workspace store: a client of the MLOps engine, the one process that
 * holds the store for every window, `mlops` command and script (started here on first need,
 * found if it runs). The window holds no store: nothing of it is loaded in the extension host.
 * With `mlops.tracking.uri` set, a client of that MLflow server instead.
 */
export class StoreService implements vscode.Disposable {
  private connecting: Promise<Connection> | undefined;
  private connectingDir: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly openEmitter = new vscode.EventEmitter<void>();
  /** Fires when this window has connected to the engine (a first one, or a new one after a stop). */
  readonly onDidOpen = this.openEmitter.event;
  /** Fires when the store's content or this window's access to it changes. */
  readonly onDidChange = this.changeEmitter.event;
  private readonly endpointsEmitter = new vscode.EventEmitter<void>();
  /** Fires when the engine's endpoints change (traffic figures every half second under load): only the endpoints' views need it. */
  readonly onDidChangeEndpoints = this.endpointsEmitter.event;
  private pollTimer: ReturnType<typeof setInterval> | undefined;
  /** watches for an engine to appear (a `mlops` command in a terminal starts one): then this window connects */
  private engineWatcher: { dir: string; watcher: vscode.Disposable } | undefined;

  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly secrets?: vscode.SecretStorage,
  ) {}

  /**
   * The store if it exists (or `create` is set), through the engine, which starts on first call.
   * With `mlops.tracking.uri` set, a client of that MLflow server instead.
   */
  async access(options: { create?: boolean } = {}): Promise<StoreAccess> {
    const remoteUri = readTrackingUri();
    if (remoteUri) return this.remote(remoteUri);
    this.stopPolling();
    const dir = resolveStoreDir();
    if (!dir) return { state: 'noFolder' };
    this.watchForEngine(dir);
    if (this.connectingDir !== undefined && this.connectingDir !== dir) this.disconnect();
    if (!this.connecting) {
      if (!options.create && !existsSync(dir)) return { state: 'absent', dir };
      this.connectingDir = dir;
      this.connecting = this.connect(dir);
    }
    let connection: Connection;
    try {
      connection = await this.connecting;
    } catch (error) {
      // Tried again on the next call: whatever stopped it may be gone by then.
      this.disconnect();
      const message = error instanceof Error ? error.message : String(error);
      return { state: 'error', dir, message };
    }
    const { url, token, pid } = connection.address;
    return {
      state: 'client',
      origin: 'engine',
      dir,
      url,
      token,
      tracking: await trackingClient(url, token, this.reconnect),
      engine: await engineClient(url, token, this.reconnect),
      message: `The MLOps engine (pid ${pid}) holds ${dir} and answers at ${url}.`,
    };
  }

  /**
   * A request found the engine gone (killed, or stopped): connect again, starting a new engine if
   * none runs, so a training or a view in the middle of its work carries on.
   */
  private readonly reconnect: Reconnect = async (unreachable) => {
    if ((await this.engineAddress())?.url === unreachable) this.disconnect();
    const access = await this.access();
    if (access.state !== 'client' || access.origin !== 'engine') return undefined;
    this.log.info(`Carrying on with the MLOps engine at ${access.url} (the one at ${unreachable} stopped answering).`);
    return { url: access.url, token: access.token };
  };

  /** The engine's address when this window is connected, without starting one. */
  async engineAddress(): Promise<EngineAddress | undefined> {
    return this.connecting ? (await this.connecting.catch(() => undefined))?.address : undefined;
  }

  private async connect(dir: string): Promise<Connection> {
    const started = Date.now();
    const settings = readSettings();
    const [{ ensureEngine }, { subscribeEngineEvents }] = await Promise.all([import('../../core/engine/engineLauncher'), import('../../core/engine/engineEventStream')]);
    const address = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'MLOps: starting the engine…' }, () =>
      ensureEngine(dir, { idleMs: settings.engineIdleMinutes * 60_000, port: settings.serverPort }),
    );
    this.log.info(`${address.started ? 'Started' : 'Connected to'} the MLOps engine for ${dir}: ${address.url} (pid ${address.pid}) in ${Date.now() - started} ms`);
    const events = subscribeEngineEvents(address.url, address.token, {
      onEvent: (event) => {
        // Reads cached a moment ago may predate this change.
        forgetCachedReads(address.url, address.token);
        if (event.topic === 'endpoints') this.endpointsEmitter.fire();
        else if (event.topic !== 'tracking') this.changeEmitter.fire();
      },
      onClosed: (reason) => {
        if (this.connecting === undefined || this.connectingDir !== dir) return;
        this.log.warn(`The MLOps engine for ${dir} (pid ${address.pid}) went away: ${reason}. The next view or command starts a new one.`);
        void vscode.window.setStatusBarMessage('$(debug-disconnect) MLOps: the engine stopped; the next view or command starts it again (MLOps log says why)', 8000);
        this.disconnect();
        this.changeEmitter.fire();
      },
    });
    this.openEmitter.fire();
    this.changeEmitter.fire();
    return { dir, address, events };
  }

  /**
   * A window with no store yet (or whose engine stopped) hears when a command starts an engine
   * for this folder, and shows what that command does from then on.
   */
  private watchForEngine(dir: string): void {
    if (this.engineWatcher?.dir === dir) return;
    this.engineWatcher?.watcher.dispose();
    const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dirname(dir)), `${dir.slice(dirname(dir).length + 1)}/server.json`), false, false, true);
    const appeared = (): void => {
      if (!this.connecting) this.changeEmitter.fire();
    };
    this.engineWatcher = { dir, watcher: vscode.Disposable.from(watcher, watcher.onDidCreate(appeared), watcher.onDidChange(appeared)) };
  }

  private async remote(url: string): Promise<StoreAccess> {
    this.disconnect();
    const token = (await this.secrets?.get(TRACKING_TOKEN_SECRET)) ?? null;
    // A team's server pushes nothing: views refresh every few seconds meanwhile.
    this.pollTimer ??= setInterval(() => this.changeEmitter.fire(), REMOTE_POLL_MS);
    return { state: 'client', origin: 'remote', url, token, tracking: await trackingClient(url, token), message: `Tracking on the MLflow server ${url} (mlops.tracking.uri).` };
  }

  private stopPolling(): void {
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /** Stops listening to the engine (which stops by itself once no window listens and it is idle). */
  private disconnect(): void {
    const connecting = this.connecting;
    this.connecting = undefined;
    this.connectingDir = undefined;
    void connecting?.then(
      (connection) => connection.events.dispose(),
      () => undefined,
    );
  }

  /** Asks every view and panel to re-read the store. */
  refresh(): void {
    this.changeEmitter.fire();
  }

  async close(): Promise<void> {
    this.stopPolling();
    this.disconnect();
    this.engineWatcher?.watcher.dispose();
    this.engineWatcher = undefined;
  }

  dispose(): void {
    void this.close();
    this.changeEmitter.dispose();
    this.openEmitter.dispose();
  }
}
