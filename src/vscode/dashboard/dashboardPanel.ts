import * as vscode from 'vscode';
import { PRODUCT_VERSION } from '../../core/product/productInfo';
import {
  DASHBOARD_VIEW_TYPE,
  type DashboardAction,
  type DashboardContract,
  type DashboardEndpoint,
  type DashboardOverview,
  type DashboardTarget,
} from '../../protocol/dashboard/dashboardContract';
import { dashboardValidators } from '../../protocol/dashboard/dashboardValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import type { EndpointsService } from '../endpoints/endpointsService';
import { engineOf, trackingOf, type StoreService } from '../store/storeService';
import { CoalescedRefresh } from '../panels/coalescedRefresh';

export interface DashboardDependencies {
  extensionUri: vscode.Uri;
  storeService: StoreService;
  log: vscode.LogOutputChannel;
  /** the window's endpoints, when the dashboard should list them */
  endpoints?: EndpointsService;
}

const ACTION_COMMANDS: Record<DashboardAction, string> = {
  revealStore: 'mlops.revealStore',
  openSettings: 'mlops.openSettings',
  openWalkthrough: 'mlops.openWalkthrough',
  showLogs: 'mlops.showLogs',
  trainModel: 'mlops.trainModel',
  openRuns: 'mlops.openRuns',
  registerModel: 'mlops.registerModel',
  serveModel: 'mlops.serveModel',
};

/** How many recent runs, models, reviews and alerts the dashboard lists. */
const RECENT_RUNS = 10;
const LIMITS = { models: 6, reviews: 10, alerts: 10 };

/** "MLOps: Open Dashboard": where the store is, what it holds, what happened recently. One per window. */
export class DashboardPanel extends PanelHost<DashboardContract> {
  private static current: DashboardPanel | undefined;
  private readonly overviewChanged = new CoalescedRefresh(250, () => {
    this.readOverview().then(
      (overview) => this.notify('overviewChanged', overview),
      (error: unknown) => this.log.warn(`Dashboard refresh failed: ${String(error)}`),
    );
  });

  static show(deps: DashboardDependencies): DashboardPanel {
    if (DashboardPanel.current) {
      DashboardPanel.current.panel.reveal();
      return DashboardPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'MLOps Dashboard', vscode.ViewColumn.Active);
    return DashboardPanel.attach(panel, deps);
  }

  /** Called by the serializer when VS Code restores a dashboard after a reload. */
  static revive(panel: vscode.WebviewPanel, deps: DashboardDependencies): DashboardPanel {
    DashboardPanel.current?.dispose();
    return DashboardPanel.attach(panel, deps);
  }

  private static attach(panel: vscode.WebviewPanel, deps: DashboardDependencies): DashboardPanel {
    const host = new DashboardPanel(panel, deps);
    DashboardPanel.current = host;
    host.onDidDispose(() => {
      if (DashboardPanel.current === host) DashboardPanel.current = undefined;
    });
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<DashboardContract> = {
    getOverview: () => this.readOverview(),
  };

  protected readonly notificationHandlers: NotificationHandlers<DashboardContract> = {
    runAction: async ({ action }) => {
      await vscode.commands.executeCommand(ACTION_COMMANDS[action]);
    },
    open: async ({ target }) => {
      await openTarget(target);
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: DashboardDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      {
        viewType: DASHBOARD_VIEW_TYPE,
        title: 'MLOps Dashboard',
        bundle: 'dashboard',
        validators: dashboardValidators,
        iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg'),
      },
      deps.log,
    );
    this.track(deps.storeService.onDidChange(() => this.scheduleRefresh()));
    if (deps.endpoints) this.track(deps.endpoints.onDidChange(() => this.scheduleRefresh()));
    void this.watchOwnRegistryChanges();
    this.track(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mlops.store') && this.scheduleRefresh()));
    this.track(vscode.workspace.onDidGrantWorkspaceTrust(() => this.scheduleRefresh()));
    this.track(this.overviewChanged);
  }

  /** Coalesces bursts of store changes (a training run logs many metrics) into one update. */
  private scheduleRefresh(): void {
    this.overviewChanged.request();
  }

  /** Registry changes made in this window show at once; everyone's arrive through the store's change event. */
  private async watchOwnRegistryChanges(): Promise<void> {
    const { openWorkspaceRegistry } = await import('../models/workspaceRegistry');
    const opened = await openWorkspaceRegistry(this.deps.storeService).catch(() => undefined);
    if (opened && 'registry' in opened) this.track(opened.registry.onDidChange(() => this.scheduleRefresh()));
  }

  private endpoints(): DashboardEndpoint[] {
    return (this.deps.endpoints?.running() ?? []).map((e) => ({
      name: e.name,
      uri: e.uri,
      version: e.version,
      status: e.status,
      url: e.url,
      requests: e.stats.requests,
      errors: e.stats.errors,
      p50Ms: e.stats.p50Ms,
    }));
  }

  private async readOverview(): Promise<DashboardOverview> {
    const workspaceName = vscode.workspace.name ?? 'no folder open';
    const base = {
      workspaceName,
      trusted: vscode.workspace.isTrusted,
      version: PRODUCT_VERSION,
      readAt: Date.now(),
      recentRuns: [],
      models: [],
      modelCount: 0,
      pendingReviews: [],
      endpoints: this.endpoints(),
      alerts: [],
    };
    const access = await this.deps.storeService.access();
    switch (access.state) {
      case 'noFolder':
        return { ...base, storeDir: '', storeState: 'absent', message: 'Open a folder: MLOps Studio keeps its store inside the workspace.' };
      case 'absent':
        return {
          ...base,
          storeDir: access.dir,
          storeState: 'absent',
          message: 'The store folder is created when the first run is logged.',
          counts: { experiments: 0, runs: 0, activeRuns: 0, metricPoints: 0 },
        };
      case 'error':
        return { ...base, storeDir: access.dir, storeState: access.state, message: access.message };
      case 'client': {
        const { readWorkspaceStatus } = await import('../../core/workspace/workspaceStatus');
        const tracking = trackingOf(access);
        if (!tracking) return { ...base, storeDir: access.url, storeState: access.state, message: 'No tracking store.' };
        const status = await readWorkspaceStatus(tracking, RECENT_RUNS);
        const where =
          access.origin === 'engine'
            ? // the usual case: the engine holds this workspace's store (the message names its pid and address)
              { storeDir: access.dir, storeState: 'engine' as const, message: access.message }
            : { storeDir: access.url, storeState: 'client' as const, message: access.message };
        // The registry, reviews and alerts live in the workspace store (whichever process holds it); a team's MLflow server keeps tracking only.
        const engine = engineOf(access);
        const attention = engine ? await engine.call('workspace.attention', { limits: LIMITS }) : undefined;
        return { ...base, ...where, counts: status.counts, recentRuns: status.recentRuns, ...attention };
      }
    }
  }
}

/** Opens what a dashboard row stands for, with the same commands as the views' clicks. */
async function openTarget(target: DashboardTarget): Promise<void> {
  switch (target.kind) {
    case 'run':
      await vscode.commands.executeCommand('mlops.openRun', { runId: target.runId });
      return;
    case 'modelVersion':
      await vscode.commands.executeCommand('mlops.openModelCard', { name: target.name, version: target.version });
      return;
    case 'review':
      // Compare Versions on a pending review puts what the alias holds now beside the candidate.
      if (target.previousVersion === null) await vscode.commands.executeCommand('mlops.openModelCard', { name: target.name, version: target.version });
      else await vscode.commands.executeCommand('mlops.compareModelVersions', { kind: 'review', review: { name: target.name, version: target.version, previousVersion: target.previousVersion } });
      return;
    case 'endpoints':
      await vscode.commands.executeCommand('mlops.endpoints.focus');
      return;
    case 'monitor': {
      const { findMonitorSpecs } = await import('../../core/monitoring/monitorRunner');
      const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
      const files = (await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => findMonitorSpecs(f.uri.fsPath)))).flat();
      for (const file of files) {
        const spec = await loadMonitorSpec(file).catch(() => undefined);
        if (spec?.name === target.name) {
          await vscode.commands.executeCommand('mlops.showDrift', { name: spec.name, file, openAlerts: 0 });
          return;
        }
      }
      void vscode.window.showWarningMessage(`MLOps: no *.monitor.yaml in this workspace is named "${target.name}" any more; its alerts stay in the store.`);
      return;
    }
  }
}
