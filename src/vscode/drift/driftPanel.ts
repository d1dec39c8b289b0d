import * as vscode from 'vscode';
import type { DriftReport } from '../../core/drift/driftTypes';
import type { EngineClient } from '../../core/engine/engineClient';
import { DRIFT_VIEW_TYPE, type DriftContract, type DriftPanelState, type DriftReportView } from '../../protocol/drift/driftContract';
import { driftValidators } from '../../protocol/drift/driftValidators';
import type { MonitorNode } from '../monitors/monitorsTreeProvider';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import { engineOf, type StoreService } from '../store/storeService';
import { driftHistoryPoint, driftReportView } from './driftViews';

export interface DriftPanelDependencies {
  readonly extensionUri: vscode.Uri;
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
}

/** Changes in the store are looked at once per burst, at most this often. */
const STORE_CHANGE_DEBOUNCE_MS = 1000;

function shownKey(newestReport: number | undefined, openAlerts: number): string {
  return `${newestReport ?? 0}/${openAlerts}`;
}

/** A monitor's history from the store, or a one-off check held in memory only. */
type DriftSubject = { kind: 'monitor'; name: string; file: string } | { kind: 'check'; report: DriftReport };

/** The monitor a restored panel showed, from the webview state it saved (one-off checks are not restored). */
export function monitorOfState(state: unknown): { name: string; file: string } | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { monitor, file } = state as Record<string, unknown>;
  return typeof monitor === 'string' && monitor !== '' && typeof file === 'string' && file !== '' ? { name: monitor, file } : undefined;
}

/** "Drift: NAME": per-column results, distributions and drift over time for a monitor or a check. */
export class DriftPanel extends PanelHost<DriftContract> {
  private static readonly monitors = new Map<string, DriftPanel>();

  /** The panel of `name`, revealed (and told to reload) or created. */
  static showMonitor(monitor: { name: string; file: string }, deps: DriftPanelDependencies): DriftPanel {
    const existing = DriftPanel.monitors.get(monitor.name);
    if (existing) {
      existing.panel.reveal();
      existing.notify('changed', {});
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, `Drift: ${monitor.name}`, vscode.ViewColumn.Active);
    return DriftPanel.attach(panel, { kind: 'monitor', ...monitor }, deps);
  }

  static showCheck(report: DriftReport, deps: DriftPanelDependencies): DriftPanel {
    const title = `Drift: ${report.current.name.split(/[\\/]/).pop() ?? report.current.name}`;
    const panel = vscode.window.createWebviewPanel(DRIFT_VIEW_TYPE, title, vscode.ViewColumn.Active);
    return DriftPanel.attach(panel, { kind: 'check', report }, deps);
  }

  /** Open panels of a monitor reload after it ran or its alerts were acknowledged. */
  static monitorChanged(name: string): void {
    DriftPanel.monitors.get(name)?.notify('changed', {});
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: DriftPanelDependencies): void {
    const monitor = monitorOfState(state);
    if (!monitor) {
      panel.dispose(); // a one-off check lived in memory: run "Check Drift…" again
      return;
    }
    DriftPanel.monitors.get(monitor.name)?.dispose();
    DriftPanel.attach(panel, { kind: 'monitor', ...monitor }, deps);
  }

  private static attach(panel: vscode.WebviewPanel, subject: DriftSubject, deps: DriftPanelDependencies): DriftPanel {
    const host = new DriftPanel(panel, subject, deps);
    if (subject.kind === 'monitor') {
      DriftPanel.monitors.set(subject.name, host);
      host.onDidDispose(() => {
        if (DriftPanel.monitors.get(subject.name) === host) DriftPanel.monitors.delete(subject.name);
      });
    }
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<DriftContract> = {
    getState: () => this.state(),
    getReport: ({ id }) => this.report(id),
  };

  protected readonly notificationHandlers: NotificationHandlers<DriftContract> = {
    runMonitor: async () => {
      const monitor = this.monitor();
      await vscode.commands.executeCommand('mlops.runMonitor', { name: monitor.name, file: monitor.file, openAlerts: 0 } satisfies MonitorNode);
    },
    acknowledgeAlerts: async () => {
      const monitor = this.monitor();
      await vscode.commands.executeCommand('mlops.acknowledgeMonitorAlerts', { name: monitor.name, file: monitor.file, openAlerts: 0 } satisfies MonitorNode);
      this.notify('changed', {});
    },
    openSpec: async () => {
      await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(this.monitor().file));
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly subject: DriftSubject,
    private readonly deps: DriftPanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      { viewType: DRIFT_VIEW_TYPE, title: panel.title, bundle: 'drift', validators: driftValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') },
      deps.log,
    );
    if (subject.kind === 'monitor') this.followStore(subject.name);
  }

  /** the newest report and open alerts the view was last given (see followStore) */
  private shown: string | undefined;

  /**
   * Reports and alerts written elsewhere (the CLI, another window's schedule, the engine) reload
   * the panel: after a burst of store changes, one small request says whether this monitor's
   * newest report or its open alerts moved.
   */
  private followStore(monitor: string): void {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const check = async (): Promise<void> => {
      if (this.shown === undefined) return; // the view has not loaded yet: it will read the newest
      const engine = engineOf(await this.deps.storeService.access());
      const [state] = engine ? await engine.call('monitoring.treeState', { monitors: [{ name: monitor }] }) : [];
      if (state && shownKey(state.last?.id, state.openAlerts) !== this.shown) this.notify('changed', {});
    };
    this.track(
      this.deps.storeService.onDidChange(() => {
        pending ??= setTimeout(() => {
          pending = undefined;
          void check().catch(() => undefined);
        }, STORE_CHANGE_DEBOUNCE_MS);
      }),
    );
    this.track({ dispose: () => clearTimeout(pending) });
  }

  private monitor(): { name: string; file: string } {
    if (this.subject.kind !== 'monitor') throw new Error('This panel shows a one-off drift check, not a monitor.');
    return this.subject;
  }

  /**
   * The engine of the process that holds the store (this window or another); undefined when
   * there is no store yet (a monitor that never ran); an error when monitor history cannot be read.
   */
  private async engine(): Promise<EngineClient | undefined> {
    const access = await this.deps.storeService.access();
    const engine = engineOf(access);
    if (engine) return engine;
    if (access.state === 'absent') return undefined;
    throw new Error(
      access.state === 'client'
        ? 'Monitor history is kept in the workspace store; the MLflow server this window tracks to (mlops.tracking.uri) keeps none.'
        : 'message' in access
          ? access.message
          : 'Open the folder that holds the monitor.',
    );
  }

  private async state(): Promise<DriftPanelState> {
    if (this.subject.kind === 'check') {
      const report = this.subject.report;
      return { title: `${report.reference.name} → ${report.current.name}`, monitor: null, report: driftReportView(report, null) };
    }
    const engine = await this.engine();
    if (!engine) return { title: this.subject.name, monitor: { name: this.subject.name, file: this.subject.file, openAlerts: 0, driftShareThreshold: null, history: [], feedback: null }, report: null };
    const endpoint = await this.watchedEndpoint();
    const data = await engine.call('monitoring.driftPanelState', { monitor: this.subject.name, ...(endpoint ? { endpoint } : {}) });
    this.shown = shownKey(data.newest?.id, data.openAlerts);
    const report = data.newest?.report;
    const feedback = data.endpointFeedback;
    return {
      title: this.subject.name,
      monitor: {
        name: this.subject.name,
        file: this.subject.file,
        openAlerts: data.openAlerts,
        driftShareThreshold: report?.driftShareThreshold ?? null,
        history: data.history.map(driftHistoryPoint),
        feedback: endpoint && feedback ? { endpoint: endpoint.name, count: feedback.count, ratedCount: feedback.ratedCount, meanRating: feedback.meanRating, labels: Object.entries(feedback.labels).sort((a, b) => b[1] - a[1]) } : null,
      },
      report: data.newest ? driftReportView(data.newest.report, data.newest.id) : null,
    };
  }

  /** For a monitor of an endpoint's traffic: which endpoint, and the spec's hours (feedback over all time without). */
  private async watchedEndpoint(): Promise<{ name: string; sinceHours?: number } | undefined> {
    const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
    const spec = await loadMonitorSpec(this.monitor().file).catch(() => undefined);
    if (spec?.current.kind !== 'endpoint') return undefined;
    const hours = spec.current.window.hours;
    return { name: spec.current.endpoint, ...(hours === undefined ? {} : { sinceHours: hours }) };
  }

  private async report(id: number): Promise<DriftReportView> {
    const monitor = this.monitor();
    const engine = await this.engine();
    const report = engine ? await engine.call('monitoring.report', { id, monitor: monitor.name }) : null;
    if (!report) throw new Error(`Report #${id} is not a report of monitor ${monitor.name}.`);
    return driftReportView(report, id);
  }
}
