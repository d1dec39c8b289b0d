import * as vscode from 'vscode';
import type { ExperimentsNode } from '../experiments/experimentsTreeProvider';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import {
  DEFAULT_RUNS_QUERY,
  RUNS_VIEW_TYPE,
  type ColumnLayout,
  type RunsContract,
  type RunsExportResult,
  type RunsFocus,
  type RunsPanelInit,
  type RunsQuery,
} from '../../protocol/runs/runsContract';
import { runsValidators } from '../../protocol/runs/runsValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import { engineOf, trackingOf, type StoreService } from '../store/storeService';
import { RunsQueryEngine } from '../../core/tracking/runsTable/runsQueryEngine';
import { localRunsTable, type RunsTable } from '../../core/tracking/runsTable/runsTablePages';
import type { EngineClient } from '../../core/engine/engineClient';
import { createRunsDataHandlers, type RunsDataHandlers } from './runsRequests';
import { renameRun, setStarred } from '../../core/tracking/runAnnotations';
import { deleteRuns } from '../../core/tracking/runLifecycle';
import { confirmDeleteRuns, openRunNote, promptRunName } from './runPrompts';
import { CoalescedRefresh } from '../panels/coalescedRefresh';

export interface RunsPanelDependencies {
  extensionUri: vscode.Uri;
  storeService: StoreService;
  workspaceState: vscode.Memento;
  log: vscode.LogOutputChannel;
}

/** What one Runs tab shows; saved in the webview state so the serializer can restore the tab. */
export interface RunsScope {
  title: string;
  experimentIds: string[];
  compareRunIds: string[];
}

/** Live updates wait this long after the last store change: training writes many times a second. */
const REFRESH_DELAY_MS = 500;

/** One editor tab per experiment set (or compared selection); opening the same scope again reveals it. */
export class RunsPanel extends PanelHost<RunsContract> {
  private static readonly open = new Map<string, RunsPanel>();
  /** the table of this panel's runs: in the engine (workspace store) or here (a team's MLflow server) */
  private runsTable: { source: EngineClient | TrackingStore; table: RunsTable } | undefined;
  private revision = 0;
  private readonly data: RunsDataHandlers;
  private readonly storeChanged = new CoalescedRefresh(REFRESH_DELAY_MS, () => this.notify('storeChanged', { revision: this.revision }));
  /** the view answered getInit and has not been unloaded since (a hidden webview is discarded) */
  private viewLoaded = false;
  private pendingFocus: RunsFocus | undefined;

  /**
   * Opens (or reveals) the tab of `scope`; `focus` opens a run's details or sets a filter and sort
   * in it. With `preserveFocus` the keyboard stays where it was (a click in the Experiments view).
   */
  static show(scope: RunsScope, deps: RunsPanelDependencies, focus?: RunsFocus, preserveFocus = false): RunsPanel {
    const key = scopeKey(scope);
    const existing = RunsPanel.open.get(key);
    if (existing) {
      existing.panel.reveal(undefined, preserveFocus);
      if (focus) existing.focus(focus);
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(RUNS_VIEW_TYPE, scope.title, { viewColumn: vscode.ViewColumn.Active, preserveFocus });
    const host = RunsPanel.attach(panel, scope, deps);
    if (focus) host.focus(focus);
    // A focus query replaces the default one: the view asks for it once it has read getInit.
    if (!focus?.query) void host.table().then((table) => table.warm(DEFAULT_RUNS_QUERY), () => undefined);
    return host;
  }

  /** A loaded view is told now; one still loading (or reloading after being hidden) reads it from getInit. */
  private focus(focus: RunsFocus): void {
    if (this.viewLoaded) this.notify('focus', focus);
    else this.pendingFocus = focus;
  }

  /** Called by the serializer with the state the webview saved; an unreadable state gets the all-experiments scope. */
  static revive(panel: vscode.WebviewPanel, state: unknown, deps: RunsPanelDependencies): RunsPanel {
    return RunsPanel.attach(panel, readScope(state) ?? { title: 'Runs', experimentIds: [], compareRunIds: [] }, deps);
  }

  private static attach(panel: vscode.WebviewPanel, scope: RunsScope, deps: RunsPanelDependencies): RunsPanel {
    const key = scopeKey(scope);
    RunsPanel.open.get(key)?.dispose();
    const host = new RunsPanel(panel, scope, deps);
    RunsPanel.open.set(key, host);
    host.onDidDispose(() => {
      if (RunsPanel.open.get(key) === host) RunsPanel.open.delete(key);
    });
    return host;
  }

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly scope: RunsScope,
    private readonly deps: RunsPanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      { viewType: RUNS_VIEW_TYPE, title: scope.title, bundle: 'runs', validators: runsValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') },
      deps.log,
    );
    panel.title = scope.title;
    this.data = createRunsDataHandlers(
      () => this.table(),
      () => this.tracking(),
      async () => {
        // The workspace store's curves are downsampled in the engine, next to the series files.
        const engine = engineOf(await this.deps.storeService.access());
        return engine ? (params) => engine.call('runs.series', params) : undefined;
      },
    );
    this.track(deps.storeService.onDidChange(() => this.scheduleRefresh()));
    this.track(this.storeChanged);
    this.track(
      panel.onDidChangeViewState(() => {
        if (!panel.visible) this.viewLoaded = false;
      }),
    );
  }

  protected readonly requestHandlers: RequestHandlers<RunsContract> = {
    getInit: (): RunsPanelInit => {
      const focus = this.pendingFocus;
      this.pendingFocus = undefined;
      this.viewLoaded = true;
      return {
        title: this.scope.title,
        experimentIds: this.scope.experimentIds,
        compareRunIds: this.scope.compareRunIds,
        layout: this.deps.workspaceState.get<ColumnLayout>(this.layoutKey()),
        ...(focus ? { focus } : {}),
      };
    },
    // Delegates rather than a spread: field initializers run before the constructor sets `data`.
    getColumns: (p) => this.data.getColumns(p),
    getRows: (p) => this.data.getRows(p),
    getGroups: (p) => this.data.getGroups(p),
    getMatrix: (p) => this.data.getMatrix(p),
    getSeries: (p) => this.data.getSeries(p),
    getRunDetails: (p) => this.data.getRunDetails(p),
    getArtifactPreview: (p) => this.data.getArtifactPreview(p),
    exportCsv: ({ query, columnIds }) => this.exportCsv(query, columnIds),
  };

  protected readonly notificationHandlers: NotificationHandlers<RunsContract> = {
    setStarred: async ({ runIds, starred }) => {
      await setStarred(await this.tracking(), runIds, starred);
    },
    renameRun: async ({ runId }) => {
      const tracking = await this.tracking();
      const run = await tracking.getRun(runId);
      const name = await promptRunName(run);
      if (name !== undefined) await renameRun(tracking, run.info, name);
    },
    editNote: async ({ runId }) => {
      await openRunNote(await (await this.tracking()).getRun(runId));
    },
    registerModel: async ({ runId }) => {
      const run = await (await this.tracking()).getRun(runId);
      await vscode.commands.executeCommand('mlops.registerModel', { kind: 'run', run } satisfies ExperimentsNode);
    },
    openCostSettings: async () => {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.cost');
    },
    compareRunCode: async ({ runIds }) => {
      const tracking = await this.tracking();
      const runs = await Promise.all(runIds.map((runId) => tracking.getRun(runId)));
      await vscode.commands.executeCommand('mlops.compareRunCode', undefined, runs.map((run) => ({ kind: 'run', run }) satisfies ExperimentsNode));
    },
    deleteRuns: async ({ runIds }) => {
      const tracking = await this.tracking();
      const runs = await Promise.all(runIds.map((runId) => tracking.getRun(runId)));
      if (await confirmDeleteRuns(runs)) await deleteRuns(tracking, runIds);
    },
    saveLayout: async ({ layout }) => {
      await this.deps.workspaceState.update(this.layoutKey(), layout);
    },
  };

  private layoutKey(): string {
    return `mlops.runs.layout:${[...this.scope.experimentIds].sort().join(',') || '*'}`;
  }

  private async tracking(): Promise<TrackingStore> {
    const access = await this.deps.storeService.access();
    const tracking = trackingOf(access);
    if (tracking) return tracking;
    if (access.state === 'noFolder') throw new Error('No folder is open: the Runs panel reads the workspace store of the open folder.');
    if (access.state === 'absent') throw new Error(`There is no workspace store at ${access.dir} yet: it is created when the first run is logged.`);
    if (access.state === 'error') throw new Error(`The workspace store at ${access.dir} cannot be read: ${access.message}`);
    throw new Error('The workspace store cannot be read.');
  }

  /** The workspace store's table is computed in the engine; a team server's here, over its REST API. */
  private async table(): Promise<RunsTable> {
    const access = await this.deps.storeService.access();
    const engine = engineOf(access);
    const source = engine ?? (await this.tracking());
    if (this.runsTable?.source !== source) {
      const table = engine
        ? (await import('../../core/engine/engineRunsTable')).engineRunsTable(engine, this.scope.experimentIds)
        : localRunsTable(new RunsQueryEngine(() => this.tracking(), this.scope.experimentIds));
      this.runsTable = { source, table };
    }
    return this.runsTable.table;
  }

  private scheduleRefresh(): void {
    this.runsTable?.table.invalidate();
    this.revision++;
    this.storeChanged.request();
  }

  private async exportCsv(query: RunsQuery, columnIds: string[]): Promise<RunsExportResult> {
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const fileName = `${this.scope.title.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '') || 'runs'}.csv`;
    const target = await vscode.window.showSaveDialog({
      title: 'Export Runs as CSV',
      filters: { CSV: ['csv'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
    });
    if (!target) return { saved: false };
    const { csv, rows } = await (await this.table()).csv(query, columnIds);
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(csv));
    this.deps.log.info(`Exported ${rows} runs to ${target.fsPath}`);
    return { saved: true, path: target.fsPath, rows };
  }
}

function scopeKey(scope: RunsScope): string {
  return JSON.stringify([[...scope.experimentIds].sort(), [...scope.compareRunIds].sort()]);
}

function readScope(state: unknown): RunsScope | undefined {
  if (typeof state !== 'object' || state === null || !('scope' in state)) return undefined;
  const scope = (state as { scope: unknown }).scope;
  if (typeof scope !== 'object' || scope === null) return undefined;
  const s = scope as Record<string, unknown>;
  const strings = (v: unknown): string[] | undefined => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : undefined);
  const experimentIds = strings(s.experimentIds);
  const compareRunIds = strings(s.compareRunIds);
  if (!experimentIds || !compareRunIds || typeof s.title !== 'string') return undefined;
  return { title: s.title, experimentIds, compareRunIds };
}
