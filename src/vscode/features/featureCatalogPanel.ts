import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { FeatureSpecFile } from '../../core/features/featureWorkspace';
import {
  FEATURE_CATALOG_VIEW_TYPE,
  type FeatureCatalogContract,
  type FeatureCatalogState,
  type FeatureDetails,
} from '../../protocol/featureCatalog/featureCatalogContract';
import { featureCatalogValidators } from '../../protocol/featureCatalog/featureCatalogValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import { resolveStoreDir } from '../settings/settings';
import { engineOf, type StoreService } from '../store/storeService';
import { catalogState, statsView } from './featureCatalogModel';
import { CoalescedRefresh } from '../panels/coalescedRefresh';

export interface FeatureCatalogPanelDependencies {
  readonly extensionUri: vscode.Uri;
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
}

/** Stale statistics are recomputed on this thread only for histories this small; bigger ones wait for the next materialization (in a worker). */
const HOST_STATS_LIMIT_BYTES = 32 * 1024 * 1024;

/** Store writes come in bursts (a training run logs many metrics): one look after they settle. */
const REFRESH_DELAY_MS = 400;

/** "Feature Catalog": search features by name, tag or owner; statistics, distribution, freshness and the models that use each. */
export class FeatureCatalogPanel extends PanelHost<FeatureCatalogContract> {
  private static current: FeatureCatalogPanel | undefined;
  private files: FeatureSpecFile[] = [];
  private readonly storeChanged = new CoalescedRefresh(REFRESH_DELAY_MS, () => void this.refreshIfChanged());
  /** what the view last saw of materializations and model usage; a store change that leaves it alone repaints nothing */
  private shown: string | undefined;

  static show(deps: FeatureCatalogPanelDependencies): FeatureCatalogPanel {
    if (FeatureCatalogPanel.current) {
      FeatureCatalogPanel.current.panel.reveal();
      FeatureCatalogPanel.current.notify('changed', {});
      return FeatureCatalogPanel.current;
    }
    const panel = vscode.window.createWebviewPanel(FEATURE_CATALOG_VIEW_TYPE, 'Feature Catalog', vscode.ViewColumn.Active);
    return FeatureCatalogPanel.attach(panel, deps);
  }

  static revive(panel: vscode.WebviewPanel, deps: FeatureCatalogPanelDependencies): void {
    FeatureCatalogPanel.current?.dispose();
    FeatureCatalogPanel.attach(panel, deps);
  }

  /** Specs changed or a view was materialized: an open catalog reloads. */
  static changed(): void {
    FeatureCatalogPanel.current?.notify('changed', {});
  }

  private static attach(panel: vscode.WebviewPanel, deps: FeatureCatalogPanelDependencies): FeatureCatalogPanel {
    const host = new FeatureCatalogPanel(panel, deps);
    FeatureCatalogPanel.current = host;
    host.onDidDispose(() => {
      if (FeatureCatalogPanel.current === host) FeatureCatalogPanel.current = undefined;
    });
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<FeatureCatalogContract> = {
    getCatalog: async () => {
      const state = await this.catalog();
      // what the view is about to show: later store changes are compared with it
      void this.fingerprint().then(
        (seen) => (this.shown = seen),
        () => (this.shown = undefined),
      );
      return state;
    },
    getFeature: ({ view, name }) => this.feature(view, name),
  };

  protected readonly notificationHandlers: NotificationHandlers<FeatureCatalogContract> = {
    materialize: async ({ view }) => {
      if (view === null) {
        for (const spec of this.files.filter((f) => f.repo)) await vscode.commands.executeCommand('mlops.materializeFeatures', { file: spec.file });
        return;
      }
      const spec = this.specOf(view);
      await vscode.commands.executeCommand('mlops.materializeFeatures', { file: spec.file, views: [view] });
    },
    openModelCard: async ({ name, version }) => {
      await vscode.commands.executeCommand('mlops.openModelCard', { name, version });
    },
    openSpec: async ({ file, line }) => {
      // only a spec this catalog listed: the path comes from the webview
      const spec = this.files.find((f) => vscode.workspace.asRelativePath(f.file) === file);
      if (!spec) throw new Error(`${file} is not a feature definition file of this workspace.`);
      const position = new vscode.Position(line - 1, 0);
      await vscode.window.showTextDocument(vscode.Uri.file(spec.file), { selection: new vscode.Range(position, position) });
    },
    createSpec: async () => {
      await vscode.commands.executeCommand('mlops.createFeatureSpec');
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly deps: FeatureCatalogPanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      { viewType: FEATURE_CATALOG_VIEW_TYPE, title: 'Feature Catalog', bundle: 'featureCatalog', validators: featureCatalogValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') },
      deps.log,
    );
    const watcher = vscode.workspace.createFileSystemWatcher('**/*features.{yaml,yml}');
    const changed = (): void => this.notify('changed', {});
    watcher.onDidChange(changed);
    watcher.onDidCreate(changed);
    watcher.onDidDelete(changed);
    this.track(watcher);
    // Registering a model (here, from the CLI or through the MLflow server) and training on a
    // training set change which models use a view; `mlops features materialize` in a terminal
    // rewrites a view's meta.json. The catalog follows all three without a click.
    this.track(deps.storeService.onDidChange(() => this.scheduleRefresh()));
    const storeDir = resolveStoreDir();
    if (storeDir) {
      const metas = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(storeDir), 'features/*/meta.json'));
      metas.onDidChange(() => this.scheduleRefresh());
      metas.onDidCreate(() => this.scheduleRefresh());
      metas.onDidDelete(() => this.scheduleRefresh());
      this.track(metas);
    }
    this.track(this.storeChanged);
  }

  private scheduleRefresh(): void {
    this.storeChanged.request();
  }

  /** Tells the view to reload only when materializations or model usage differ from what it shows. */
  private async refreshIfChanged(): Promise<void> {
    try {
      const seen = await this.fingerprint();
      if (seen !== this.shown) this.notify('changed', {});
    } catch (error) {
      this.deps.log.warn(`Feature Catalog: could not check for changes: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Materializations of every view and the models using each, as one comparable string. */
  private async fingerprint(): Promise<string> {
    const state = await this.catalog();
    const views = [...new Set(state.features.map((f) => f.view))].sort();
    const usage = await this.modelsUsing(views);
    return JSON.stringify({ features: state.features.map((f) => [f.id, f.materializedAt, f.rows]), problems: state.problems.length, specFiles: state.specFiles, usage });
  }

  private specOf(view: string): FeatureSpecFile {
    const spec = this.files.find((f) => f.repo?.views.some((v) => v.name === view));
    if (!spec) throw new Error(`No features.yaml of this workspace defines the feature view "${view}".`);
    return spec;
  }

  private async catalog(): Promise<FeatureCatalogState> {
    const { loadFeatureWorkspace } = await import('../../core/features/featureWorkspace');
    const folders = (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath);
    this.files = await loadFeatureWorkspace(folders, resolveStoreDir());
    return catalogState(this.files, (file) => vscode.workspace.asRelativePath(file), Date.now());
  }

  private async feature(viewName: string, name: string): Promise<FeatureDetails> {
    if (this.files.length === 0) await this.catalog();
    const spec = this.specOf(viewName);
    const id = `${viewName}:${name}`;
    if (!spec.repo?.views.find((v) => v.name === viewName)?.features.some((f) => f.name === name)) throw new Error(`The feature view "${viewName}" has no feature "${name}".`);
    const storeDir = resolveStoreDir();
    const meta = spec.metas.get(viewName);
    let stats: FeatureDetails['stats'] = null;
    let statsNote: string | null = null;
    if (!meta || !storeDir) {
      statsNote = `"${viewName}" has not been materialized yet: materialize it to see statistics and the distribution.`;
    } else {
      const { readFeatureViewStats, writeFeatureViewStats } = await import('../../core/features/featureStats');
      let viewStats = await readFeatureViewStats(storeDir, viewName, meta.materializedAt);
      if (!viewStats) {
        const size = await stat(join(storeDir, 'features', viewName, 'offline.json')).then((s) => s.size, () => Infinity);
        if (size <= HOST_STATS_LIMIT_BYTES) viewStats = await writeFeatureViewStats(storeDir, viewName, meta.materializedAt);
        else statsNote = `Statistics of "${viewName}" are computed when it is materialized: materialize it again to see them.`;
      }
      const found = viewStats?.features.find((f) => f.name === name);
      if (found) stats = statsView(found);
      else if (viewStats) statsNote = `"${name}" is not in the materialized data of "${viewName}" (added since?): materialize it again.`;
    }
    const { models, modelsNote } = await this.models(viewName);
    return { id, stats, statsNote, models, modelsNote };
  }

  private async models(view: string): Promise<{ models: FeatureDetails['models']; modelsNote: string | null }> {
    const usage = await this.modelsUsing([view]);
    return usage.note === null ? { models: usage.byView[view] ?? [], modelsNote: null } : { models: [], modelsNote: usage.note };
  }

  /** The registered versions trained on each view, in one call to whichever process holds the store. */
  private async modelsUsing(views: readonly string[]): Promise<{ byView: Record<string, FeatureDetails['models']>; note: string | null }> {
    const access = await this.deps.storeService.access();
    if (access.state === 'absent' || access.state === 'noFolder') return { byView: {}, note: null };
    const engine = engineOf(access);
    if (!engine) {
      const why = access.state === 'client' ? `this window tracks on the MLflow server ${access.url} (mlops.tracking.uri), which keeps no lineage` : 'message' in access ? access.message : 'it is not open';
      return { byView: {}, note: `Which models use a feature set is read from lineage in the workspace store: ${why}.` };
    }
    if (views.length === 0) return { byView: {}, note: null };
    return { byView: await engine.call('features.modelsUsing', { views }), note: null };
  }
}
