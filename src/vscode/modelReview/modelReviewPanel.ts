import * as vscode from 'vscode';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import { MODEL_REVIEW_VIEW_TYPE, type ModelReviewContract, type ModelReviewState, type VersionFile } from '../../protocol/modelReview/modelReviewContract';
import { modelReviewValidators } from '../../protocol/modelReview/modelReviewValidators';
import type { ModelsNode } from '../models/modelsTreeProvider';
import { openWorkspaceRegistry } from '../models/workspaceRegistry';
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
      const [v, model] = await Promise.all([registry.getVersion(this.subject.name, version), registry.getModel(this.subject.name)]);
      const node: VersionNode = { kind: 'version', version: v, metrics: [], requireReview: model.requireReview };
      await vscode.commands.executeCommand('mlops.setAlias', node);
    },
    decideReview: async ({ reviewId, decision }) => {
      const registry = await this.registry();
      const review = await registry.getReview(reviewId);
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
      const node: VersionNode = { kind: 'version', version: await registry.getVersion(this.subject.name, version), metrics: [], requireReview: false };
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
    this.watchStore();
  }

  /** The workspace registry (this window's store or the holder's), or why this window has none. */
  private async registry(): Promise<WorkspaceRegistry> {
    const opened = await openWorkspaceRegistry(this.deps.storeService);
    if (!('registry' in opened)) throw new Error(opened.message ?? 'The model registry lives in the workspace store, and this folder has none yet.');
    return opened.registry;
  }

  /**
   * Re-renders when the store changes (an alias moved, a review decided, feedback posted — by
   * this window, the CLI or another one), once a burst of changes settles.
   */
  private watchStore(): void {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const soon = (delayMs: number): void => {
      // Already due: a burst of commits (a training logs many a second) reads the cards once a second at most.
      if (timer !== undefined && delayMs > 50) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        timer = undefined;
        this.notify('changed', {});
      }, delayMs);
    };
    this.track(this.deps.storeService.onDidChange(() => soon(1000)));
    void this.registry().then(
      // This window's own changes show without waiting for the store's event.
      (registry) => this.track(registry.onDidChange((change) => change.name === this.subject.name && soon(50))),
      () => undefined, // no registry yet: getState says why
    );
    this.track({ dispose: () => clearTimeout(timer) });
  }

  private async state(): Promise<ModelReviewState> {
    const registry = await this.registry();
    const model = await registry.findModel(this.subject.name);
    if (!model) throw new Error(`The model "${this.subject.name}" no longer exists (it was deleted or renamed).`);
    const existing = new Set((await registry.listVersions(this.subject.name)).map((v) => v.version));
    const gone = this.subject.versions.filter((v) => !existing.has(v));
    if (gone.length === this.subject.versions.length) throw new Error(`${this.subject.name} ${gone.map((v) => `v${v}`).join(', ')} ${gone.length === 1 ? 'was' : 'were'} deleted.`);
    if (gone.length > 0) this.retarget({ ...this.subject, versions: this.subject.versions.filter((v) => existing.has(v)) }, false);
    return modelReviewState(await registry.modelCards(this.subject.name, this.subject.versions));
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
    const candidates = (await registry.listVersions(this.subject.name)).filter((v) => !this.subject.versions.includes(v.version)).sort((a, b) => b.version - a.version);
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
    const registry = await this.registry();
    const card = (await registry.modelCards(this.subject.name, [version])).cards[0];
    if (!card) throw new Error(`${this.subject.name} v${version}: no model card.`);
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
