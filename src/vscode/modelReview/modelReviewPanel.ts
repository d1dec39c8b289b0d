import * as vscode from 'vscode';
import type { ModelRegistry } from '../../core/registry/modelRegistry';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { MODEL_REVIEW_VIEW_TYPE, type ModelReviewContract, type ModelReviewState, type VersionFile } from '../../protocol/modelReview/modelReviewContract';
import { modelReviewValidators } from '../../protocol/modelReview/modelReviewValidators';
import type { ModelsNode } from '../models/modelsTreeProvider';
import { openRegistry } from '../models/modelsTreeProvider';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import type { StoreService } from '../store/storeService';
import { modelReviewState } from './modelReviewState';

export interface ModelReviewPanelDependencies {
  readonly extensionUri: vscode.Uri;
  readonly storeService: StoreService;
  readonly log: vscode.LogOutputChannel;
}

/** What a panel shows, as saved in the webview state for a restart. */
export interface ModelReviewSubject {
  readonly name: string;
  readonly versions: readonly number[];
}

export function subjectOfState(state: unknown): ModelReviewSubject | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const { name, versions } = state as Record<string, unknown>;
  if (typeof name !== 'string' || name === '' || !Array.isArray(versions) || versions.length === 0) return undefined;
  if (!versions.every((v): v is number => Number.isInteger(v) && (v as number) >= 1)) return undefined;
  return { name, versions };
}

export function titleOf(subject: ModelReviewSubject): string {
  return subject.versions.length === 1 ? `${subject.name} v${subject.versions[0]}` : `Review ${subject.name} ${subject.versions.map((v) => `v${v}`).join(' ↔ ')}`;
}

const keyOf = (subject: ModelReviewSubject): string => `${subject.name}/${subject.versions.join(',')}`;

type VersionNode = Extract<ModelsNode, { kind: 'version' }>;

/**
 * A model card (one version) or a review (two or more side by side). Actions that change the
 * registry run the Models view's own commands, so the panel and the view share one code path
 * for promotions, reviews and their audit entries.
 */
export class ModelReviewPanel extends PanelHost<ModelReviewContract> {
  private static readonly open = new Map<string, ModelReviewPanel>();
  private subject: ModelReviewSubject;

  static show(subject: ModelReviewSubject, deps: ModelReviewPanelDependencies): ModelReviewPanel {
    const existing = ModelReviewPanel.open.get(keyOf(subject));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(MODEL_REVIEW_VIEW_TYPE, titleOf(subject), vscode.ViewColumn.Active);
    return ModelReviewPanel.attach(panel, subject, deps);
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: ModelReviewPanelDependencies): void {
    const subject = subjectOfState(state);
    if (!subject) {
      panel.dispose();
      return;
    }
    ModelReviewPanel.open.get(keyOf(subject))?.dispose();
    ModelReviewPanel.attach(panel, subject, deps);
  }

  private static attach(panel: vscode.WebviewPanel, subject: ModelReviewSubject, deps: ModelReviewPanelDependencies): ModelReviewPanel {
    const host = new ModelReviewPanel(panel, subject, deps);
    ModelReviewPanel.open.set(keyOf(subject), host);
    host.onDidDispose(() => {
      const key = keyOf(host.subject);
      if (ModelReviewPanel.open.get(key) === host) ModelReviewPanel.open.delete(key);
    });
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<ModelReviewContract> = {
    getState: () => this.state(),
  };

  protected readonly notificationHandlers: NotificationHandlers<ModelReviewContract> = {
    promote: async ({ version }) => {
      const registry = await this.registry();
      const node: VersionNode = { kind: 'version', version: registry.getVersion(this.subject.name, version), metrics: [], requireReview: registry.getModel(this.subject.name).requireReview };
      await vscode.commands.executeCommand('mlops.setAlias', node);
    },
    decideReview: async ({ reviewId, decision }) => {
      const registry = await this.registry();
      const review = registry.getReview(reviewId);
      if (review.name !== this.subject.name) throw new Error(`Review #${reviewId} belongs to ${review.name}, not ${this.subject.name}.`);
      await vscode.commands.executeCommand(decision === 'approve' ? 'mlops.approveReview' : 'mlops.rejectReview', { kind: 'review', review } satisfies ModelsNode);
    },
    addVersion: () => this.addVersion(),
    removeVersion: ({ version }) => {
      const versions = this.subject.versions.filter((v) => v !== version);
      if (versions.length > 0 && versions.length !== this.subject.versions.length) this.retarget({ ...this.subject, versions });
    },
    openFile: ({ version, file }) => this.openFile(version, file),
    // Its experiment's Runs panel with the run's details open, as a click in the Experiments view (not a "Compare 1 runs" tab).
    openRun: async ({ runId }) => {
      await vscode.commands.executeCommand('mlops.openRun', { runId });
    },
    showLineage: async ({ version }) => {
      const registry = await this.registry();
      const node: VersionNode = { kind: 'version', version: registry.getVersion(this.subject.name, version), metrics: [], requireReview: false };
      await vscode.commands.executeCommand('mlops.showLineage', node);
    },
    openCostSettings: async () => {
      await vscode.commands.executeCommand('workbench.action.openSettings', 'mlops.cost');
    },
  };

  private constructor(
    panel: vscode.WebviewPanel,
    subject: ModelReviewSubject,
    private readonly deps: ModelReviewPanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      { viewType: MODEL_REVIEW_VIEW_TYPE, title: titleOf(subject), bundle: 'modelReview', validators: modelReviewValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') },
      deps.log,
    );
    this.subject = subject;
    void this.watchRegistry();
  }

  /** The registry and the store under it, or why this window has none. */
  private async opened(): Promise<{ registry: ModelRegistry; store: WorkspaceStore }> {
    const opened = await openRegistry(this.deps.storeService);
    if (!('registry' in opened)) {
      throw new Error(opened.message ?? 'The model registry lives in the workspace store, which is not open in this window (another window may hold it: review from that window).');
    }
    return opened;
  }

  private async registry(): Promise<ModelRegistry> {
    return (await this.opened()).registry;
  }

  private async tracking(): Promise<TrackingStore> {
    return (await this.opened()).store.tracking;
  }

  /** Re-renders on every registry change of this model: an alias moved elsewhere shows here at once. */
  private async watchRegistry(): Promise<void> {
    try {
      const registry = await this.registry();
      this.track(registry.onDidChange((change) => {
        if (change.name === this.subject.name) this.notify('changed', {});
      }));
    } catch {
      // no registry yet: getState reports why, and a reopened panel tries again
    }
  }

  private async state(): Promise<ModelReviewState> {
    const { registry, store } = await this.opened();
    const model = registry.findModel(this.subject.name);
    if (!model) throw new Error(`The model "${this.subject.name}" no longer exists (it was deleted or renamed).`);
    const existing = new Set(registry.listVersions(this.subject.name).map((v) => v.version));
    const gone = this.subject.versions.filter((v) => !existing.has(v));
    if (gone.length === this.subject.versions.length) throw new Error(`${this.subject.name} ${gone.map((v) => `v${v}`).join(', ')} ${gone.length === 1 ? 'was' : 'were'} deleted.`);
    if (gone.length > 0) this.retarget({ ...this.subject, versions: this.subject.versions.filter((v) => existing.has(v)) }, false);
    return modelReviewState(registry, store.tracking, this.subject.name, this.subject.versions, { database: store.database });
  }

  private retarget(subject: ModelReviewSubject, refresh = true): void {
    const before = keyOf(this.subject);
    if (ModelReviewPanel.open.get(before) === this) ModelReviewPanel.open.delete(before);
    this.subject = subject;
    ModelReviewPanel.open.set(keyOf(subject), this);
    this.panel.title = titleOf(subject);
    if (refresh) this.notify('changed', {});
  }

  private async addVersion(): Promise<void> {
    const registry = await this.registry();
    const candidates = registry.listVersions(this.subject.name).filter((v) => !this.subject.versions.includes(v.version)).sort((a, b) => b.version - a.version);
    if (candidates.length === 0) {
      void vscode.window.showInformationMessage(`MLOps: every version of ${this.subject.name} is already in this panel.`);
      return;
    }
    const picked = await vscode.window.showQuickPick(
      candidates.map((v) => ({
        label: `v${v.version}`,
        description: v.aliases.map((a) => `@${a}`).join(' '),
        detail: `registered ${new Date(v.creationTime).toLocaleString()} by ${v.createdBy}${v.description ? ` · ${v.description.split('\n')[0]}` : ''}`,
        version: v.version,
      })),
      { title: `Compare ${this.subject.name} with…`, placeHolder: 'Versions of the same model; pick one or more', canPickMany: true },
    );
    if (!picked || picked.length === 0) return;
    this.retarget({ ...this.subject, versions: [...this.subject.versions, ...picked.map((p) => p.version)] });
  }

  private async openFile(version: number, file: VersionFile): Promise<void> {
    const { registry, store } = await this.opened();
    const { modelCard } = await import('../../core/registry/modelCard');
    const card = await modelCard(registry, store.tracking, this.subject.name, version);
    if (file === 'packageFolder') {
      await vscode.commands.executeCommand('revealFileInOS', vscode.Uri.file(card.files.packageDir));
      return;
    }
    const path = file === 'spec' ? card.files.spec : card.files.evaluationReport;
    if (!path) throw new Error(`${this.subject.name} v${version} has no ${file === 'spec' ? 'training spec' : 'evaluation report'} in its package.`);
    const document = await vscode.workspace.openTextDocument(vscode.Uri.file(path));
    await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
    // A registered version is immutable: a read-only editor keeps anyone from editing its frozen files by accident.
    await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  }
}
