import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import {
  FEEDBACK_VIEW_TYPE,
  type FeedbackContract,
  type FeedbackExportFormat,
} from '../../protocol/feedback/feedbackContract';
import { feedbackValidators } from '../../protocol/feedback/feedbackValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import { engineOf, type StoreService } from '../store/storeService';
import { createFeedbackHandlers, loadFeedbackSource, type FeedbackSource } from './feedbackRequests';

export interface FeedbackPanelDependencies {
  extensionUri: vscode.Uri;
  storeService: StoreService;
  log: vscode.LogOutputChannel;
}

/** The run a restored panel showed, from the webview state it saved. */
export function runIdOfState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const runId = (state as Record<string, unknown>).runId;
  return typeof runId === 'string' && /^[0-9a-f]{32}$/.test(runId) ? runId : undefined;
}

/** "Review Text Evaluation": one panel per run, rows one at a time, feedback saved on every change. */
export class FeedbackPanel extends PanelHost<FeedbackContract> {
  private static readonly open = new Map<string, FeedbackPanel>();
  private loaded: Promise<FeedbackSource> | undefined;
  private readonly handlers = createFeedbackHandlers(() => this.load());

  static show(runId: string, deps: FeedbackPanelDependencies): FeedbackPanel {
    const existing = FeedbackPanel.open.get(runId);
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(FEEDBACK_VIEW_TYPE, `Review ${runId.slice(0, 8)}`, vscode.ViewColumn.Active);
    return FeedbackPanel.attach(panel, runId, deps);
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: FeedbackPanelDependencies): void {
    const runId = runIdOfState(state);
    if (!runId) {
      panel.dispose();
      return;
    }
    FeedbackPanel.open.get(runId)?.dispose();
    FeedbackPanel.attach(panel, runId, deps);
  }

  private static attach(panel: vscode.WebviewPanel, runId: string, deps: FeedbackPanelDependencies): FeedbackPanel {
    const host = new FeedbackPanel(panel, runId, deps);
    FeedbackPanel.open.set(runId, host);
    host.onDidDispose(() => {
      if (FeedbackPanel.open.get(runId) === host) FeedbackPanel.open.delete(runId);
    });
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<FeedbackContract> = {
    getSession: () => this.handlers.getSession(),
    getRow: (params) => this.handlers.getRow(params),
    saveFeedback: (params) => this.handlers.saveFeedback(params),
  };

  protected readonly notificationHandlers: NotificationHandlers<FeedbackContract> = {
    exportFeedback: ({ format }) => this.export(format),
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private readonly runId: string,
    private readonly deps: FeedbackPanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      {
        viewType: FEEDBACK_VIEW_TYPE,
        title: `Review ${runId.slice(0, 8)}`,
        bundle: 'feedback',
        validators: feedbackValidators,
        iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg'),
      },
      deps.log,
    );
  }

  private load(): Promise<FeedbackSource> {
    this.loaded ??= (async (): Promise<FeedbackSource> => {
      const access = await this.deps.storeService.access();
      // Feedback is saved by whichever process holds the store: this window, or another one.
      const engine = engineOf(access);
      if (!engine) {
        throw new Error(access.state === 'client'
          ? 'Feedback is saved in the workspace store; the MLflow server this window tracks to (mlops.tracking.uri) keeps none.'
          : 'message' in access ? access.message : 'Open the folder that holds the evaluation run.');
      }
      const { resolveActor } = await import('../../core/registry/registryActor');
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      const source = await loadFeedbackSource(engine, this.runId, await resolveActor(folder));
      // the tab says what the header says once the run's name is known
      this.panel.title = `Review ${source.runName}`;
      return source;
    })();
    this.loaded.catch(() => {
      this.loaded = undefined; // a later request tries again (the store may have been opened meanwhile)
    });
    return this.loaded;
  }

  private async export(format: FeedbackExportFormat): Promise<void> {
    const l = await this.load();
    const { feedbackToCsv, feedbackToJsonl } = await import('../../core/feedback/feedbackExport');
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: 'Export feedback',
      filters: format === 'csv' ? { CSV: ['csv'] } : { 'JSON Lines': ['jsonl'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `feedback-${this.runId.slice(0, 8)}.${format}`) } : {}),
    });
    if (!target) return;
    const { entries } = await l.engine.call('feedback.run', { runId: this.runId });
    await writeFile(target.fsPath, format === 'csv' ? feedbackToCsv(entries) : feedbackToJsonl(entries), 'utf8');
    void vscode.window.showInformationMessage(`MLOps: exported ${entries.length} feedback rows to ${vscode.workspace.asRelativePath(target)}`);
  }
}
