import * as vscode from 'vscode';
import type { EndpointInfo, EndpointManager } from '../../core/serving/endpointManager';
import { DEFAULT_REQUEST_LOG_RETENTION, type RequestLogRetention } from '../../core/serving/requestLogFiles';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { StoreService } from '../store/storeService';

/**
 * The endpoints of this window: one EndpointManager on the open store, created on first use;
 * a status bar item while any endpoint runs; every endpoint stopped when the window closes.
 */
export class EndpointsService implements vscode.Disposable {
  private manager: { store: WorkspaceStore; manager: EndpointManager } | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly item = vscode.window.createStatusBarItem('mlops.endpoints', vscode.StatusBarAlignment.Left, 49);
  private readonly settingsWatch = vscode.workspace.onDidChangeConfiguration((event) => {
    // New limits apply to running endpoints at once: old segments past them are dropped.
    if (event.affectsConfiguration('mlops.serving.requestLog')) this.manager?.manager.setRequestLogRetention(requestLogRetention());
  });

  constructor(
    private readonly storeService: StoreService,
    private readonly log: vscode.LogOutputChannel,
  ) {
    this.item.name = 'MLOps endpoints';
    this.item.command = 'mlops.endpoints.focus';
  }

  /** The manager of the open store, or a message saying why there is none (no folder, locked…). */
  async open(options: { create?: boolean } = {}): Promise<{ manager: EndpointManager; store: WorkspaceStore } | { message: string }> {
    const access = await this.storeService.access(options);
    if (access.state !== 'open') return { message: 'message' in access ? access.message : access.state === 'noFolder' ? 'open a folder first' : 'nothing has been tracked in this workspace yet' };
    if (this.manager?.store !== access.store) {
      const { EndpointManager } = await import('../../core/serving/endpointManager');
      const manager = new EndpointManager(access.store, { requestLog: requestLogRetention() });
      manager.onDidChange(() => this.changed());
      this.manager = { store: access.store, manager };
    }
    return this.manager;
  }

  /** Running endpoints (no store is opened just to list them). */
  running(): EndpointInfo[] {
    return this.manager?.manager.list() ?? [];
  }

  recorded(): ReturnType<EndpointManager['recorded']> {
    return this.manager?.manager.recorded() ?? [];
  }

  private changed(): void {
    const running = this.running();
    if (running.length === 0) this.item.hide();
    else {
      const restarting = running.some((e) => e.status !== 'running');
      this.item.text = `$(${restarting ? 'sync~spin' : 'radio-tower'}) ${running.length === 1 ? `${running[0]?.name} :${running[0]?.port}` : `${running.length} endpoints`}`;
      this.item.tooltip = running.map((e) => `${e.name} — ${e.url} — v${e.version} — ${e.status} — ${e.stats.requests} requests`).join('\n');
      this.item.show();
    }
    this.changeEmitter.fire();
  }

  async stopAll(): Promise<void> {
    const manager = this.manager?.manager;
    if (!manager) return;
    await manager.stopAll().catch((error: unknown) => this.log.warn(`Stopping endpoints: ${error instanceof Error ? error.message : String(error)}`));
  }

  dispose(): void {
    this.settingsWatch.dispose();
    void this.stopAll();
    this.item.dispose();
    this.changeEmitter.dispose();
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
