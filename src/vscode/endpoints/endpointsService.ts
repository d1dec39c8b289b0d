import * as vscode from 'vscode';
import type { EngineClient } from '../../core/engine/engineClient';
import type { EndpointsState } from '../../core/engine/methods/endpointsMethods';
import type { EndpointInfo } from '../../core/serving/endpointManager';
import type { StoppedEndpoint } from '../../core/serving/endpointManagers';
import { stopEndpointsInThisProcess } from '../../core/serving/endpointsInProcess';
import { DEFAULT_REQUEST_LOG_RETENTION, type RequestLogRetention } from '../../core/serving/requestLogFiles';
import { engineOf, type StoreAccess, type StoreService } from '../store/storeService';

const NONE: EndpointsState = { running: [], stopped: [] };
/** how long change notifications are gathered before the endpoints are read again */
const LOAD_COALESCE_MS = 200;

/**
 * The endpoints of this workspace as the engine (the process that holds the store) runs them: they
 * outlive a window reload, and every window lists, starts and stops the same ones. Keeps their
 * last state for the view, the dashboard and the status bar, and re-reads it whenever the engine
 * says something changed.
 */
export class EndpointsService implements vscode.Disposable {
  private state: EndpointsState = NONE;
  private stateText = JSON.stringify(NONE);
  private soonTimer: ReturnType<typeof setTimeout> | undefined;
  private everRead = false;
  private loading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  /** Fires when the endpoints' state changed (started, stopped, new traffic figures …). */
  readonly onDidChange = this.changeEmitter.event;
  private readonly item = vscode.window.createStatusBarItem('mlops.endpoints', vscode.StatusBarAlignment.Left, 49);
  private readonly subscriptions: { dispose(): void }[] = [];

  constructor(
    private readonly storeService: StoreService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'MLOps endpoints';
    this.item.command = 'mlops.endpoints.focus';
    this.subscriptions.push(
      storeService.onDidChange(() => this.loadSoon()),
      storeService.onDidChangeEndpoints(() => this.loadSoon()),
      // New limits apply to running endpoints at once: old segments past them are dropped.
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('mlops.serving.requestLog')) void this.applyRetention();
      }),
    );
  }

  /**
   * The engine of the store's holder, or why there is none (no folder, nothing tracked yet, a
   * team's MLflow server). `create`: a store is created for a first endpoint.
   */
  async engine(options: { create?: boolean } = {}): Promise<{ engine: EngineClient } | { message: string }> {
    const access = await this.storeService.access(options);
    const engine = engineOf(access);
    return engine ? { engine } : { message: unavailable(access) };
  }

  /** Running endpoints, as last read (the view asks `load` first). */
  running(): readonly EndpointInfo[] {
    return this.state.running;
  }

  /** Endpoints recorded in the store that no longer run. */
  stopped(): readonly StoppedEndpoint[] {
    return this.state.stopped;
  }

  /** Reads the endpoints once, for the first look (a view opening); later changes arrive as events. */
  async loadOnce(): Promise<void> {
    if (!this.everRead) await this.load();
  }

  /**
   * Reads the endpoints from the engine. One read at a time: a caller that comes while one is
   * under way (which may predate the change it knows of) gets the next one, shared by all such callers.
   */
  load(): Promise<void> {
    if (!this.loading) {
      this.loading = this.read().finally(() => (this.loading = undefined));
      return this.loading;
    }
    this.queued ??= this.loading.then(() => {
      this.queued = undefined;
      return this.load();
    });
    return this.queued;
  }

  /**
   * Changes come in bursts (a training run's metrics, traffic figures every half second): read
   * once they pause a little. Only a store someone already opened reports changes, so this never
   * opens one.
   */
  private loadSoon(): void {
    this.soonTimer ??= setTimeout(() => {
      this.soonTimer = undefined;
      void this.load();
    }, LOAD_COALESCE_MS);
  }

  private async read(): Promise<void> {
    let next: EndpointsState = NONE;
    try {
      const access = await this.storeService.access();
      const engine = engineOf(access);
      if (engine) next = await engine.call('endpoints.list', {});
    } catch (error) {
      // The holder may be restarting: keep showing what was there, say why in the log.
      this.log.warn(`Endpoints: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.everRead = true;
    const text = JSON.stringify(next);
    if (text === this.stateText) return;
    this.state = next;
    this.stateText = text;
    this.showStatus();
    this.changeEmitter.fire();
  }

  private showStatus(): void {
    const running = this.state.running;
    if (running.length === 0) {
      this.item.hide();
      return;
    }
    const restarting = running.some((e) => e.status !== 'running');
    this.item.text = `$(${restarting ? 'sync~spin' : 'radio-tower'}) ${running.length === 1 ? `${running[0]?.name} :${running[0]?.port}` : `${running.length} endpoints`}`;
    this.item.tooltip = running.map((e) => `${e.name} — ${e.url} — v${e.version} — ${e.status} — ${e.stats.requests} requests`).join('\n');
    this.item.show();
  }

  private async applyRetention(): Promise<void> {
    const opened = await this.engine();
    if ('message' in opened) return;
    await opened.engine.call('endpoints.setRequestLogRetention', { retention: requestLogRetention() }).catch((error: unknown) => this.log.warn(`Endpoints: the request log setting was not applied: ${error instanceof Error ? error.message : String(error)}`));
  }

  /**
   * Stops endpoints this window's own process runs, if it holds a store itself. A window that is a
   * client (the usual case) leaves the engine's endpoints running: they outlive the window.
   */
  async stopAll(): Promise<void> {
    await stopEndpointsInThisProcess().catch((error: unknown) => this.log.warn(`Stopping endpoints: ${error instanceof Error ? error.message : String(error)}`));
  }

  dispose(): void {
    clearTimeout(this.soonTimer);
    for (const subscription of this.subscriptions) subscription.dispose();
    void this.stopAll();
    this.item.dispose();
    this.changeEmitter.dispose();
  }
}

function unavailable(access: StoreAccess): string {
  switch (access.state) {
    case 'noFolder':
      return 'open a folder first';
    case 'absent':
      return 'nothing has been tracked in this workspace yet';
    case 'client':
      return access.origin === 'remote' ? `endpoints run from a workspace store, and this window tracks on the MLflow server ${access.url} (mlops.tracking.uri)` : access.message;
    default:
      return access.message;
  }
}

/** mlops.serving.requestLog.maxRows / maxDays, as the settings UI lets users change them. */
export function requestLogRetention(): RequestLogRetention {
  const settings = vscode.workspace.getConfiguration('mlops.serving.requestLog');
  const positive = (value: number | undefined, fallback: number): number => (typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : fallback);
  return {
    maxRows: Math.floor(positive(settings.get<number>('maxRows'), DEFAULT_REQUEST_LOG_RETENTION.maxRows)),
    maxDays: positive(settings.get<number>('maxDays'), DEFAULT_REQUEST_LOG_RETENTION.maxDays),
  };
}
