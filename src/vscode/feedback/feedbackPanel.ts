import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import type { EvaluatedRow } from '../../core/feedback/evaluatedRows';
import type { FeedbackStore } from '../../core/feedback/feedbackStore';
import type { FeedbackEntry } from '../../core/feedback/feedbackTypes';
import {
  FEEDBACK_VIEW_TYPE,
  type FeedbackContract,
  type FeedbackExportFormat,
  type FeedbackRow,
  type FeedbackSession,
  type MyFeedback,
  type SaveFeedbackParams,
} from '../../protocol/feedback/feedbackContract';
import { feedbackValidators } from '../../protocol/feedback/feedbackValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import type { StoreService } from '../store/storeService';

export interface FeedbackPanelDependencies {
  extensionUri: vscode.Uri;
  storeService: StoreService;
  log: vscode.LogOutputChannel;
}

interface Loaded {
  readonly feedback: FeedbackStore;
  readonly rows: readonly EvaluatedRow[];
  readonly runName: string;
  readonly reviewer: string;
}

function mine(entry: FeedbackEntry | undefined): MyFeedback | null {
  return entry ? { rating: entry.rating, thumb: entry.thumb, label: entry.label, comment: entry.comment } : null;
}

const isRated = (e: FeedbackEntry): boolean => e.rating !== null || e.thumb !== null;

/** The run a restored panel showed, from the webview state it saved. */
export function runIdOfState(state: unknown): string | undefined {
  if (typeof state !== 'object' || state === null) return undefined;
  const runId = (state as Record<string, unknown>).runId;
  return typeof runId === 'string' && /^[0-9a-f]{32}$/.test(runId) ? runId : undefined;
}

/** "Review Text Evaluation": one panel per run, rows one at a time, feedback saved on every change. */
export class FeedbackPanel extends PanelHost<FeedbackContract> {
  private static readonly open = new Map<string, FeedbackPanel>();
  private loaded: Promise<Loaded> | undefined;

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
    getSession: () => this.session(),
    getRow: ({ index }) => this.row(index),
    saveFeedback: (params) => this.save(params),
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

  private load(): Promise<Loaded> {
    this.loaded ??= (async (): Promise<Loaded> => {
      const access = await this.deps.storeService.access();
      if (access.state !== 'open') {
        throw new Error(access.state === 'client' || access.state === 'locked'
          ? 'Feedback is saved in the workspace store, which another window or process holds: review from that window.'
          : 'message' in access ? access.message : 'Open the folder that holds the evaluation run.');
      }
      const { FeedbackStore: Store } = await import('../../core/feedback/feedbackStore');
      const { readEvaluatedRows } = await import('../../core/feedback/evaluatedRows');
      const { resolveActor } = await import('../../core/registry/registryActor');
      const run = await access.store.tracking.getRun(this.runId);
      const rows = await readEvaluatedRows(access.store.tracking, this.runId);
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
      return { feedback: new Store(access.store.database, access.store.tracking), rows, runName: run.info.runName, reviewer: await resolveActor(folder) };
    })();
    this.loaded.catch(() => {
      this.loaded = undefined; // a later request tries again (the store may have been opened meanwhile)
    });
    return this.loaded;
  }

  private myEntries(l: Loaded): Map<number, FeedbackEntry> {
    return new Map(l.feedback.list(this.runId).filter((e) => e.reviewer === l.reviewer).map((e) => [e.rowIndex, e]));
  }

  private async session(): Promise<FeedbackSession> {
    const l = await this.load();
    const entries = this.myEntries(l);
    const rated = [...entries.values()].filter(isRated);
    const firstUnrated = l.rows.findIndex((r) => !(entries.get(r.index) && isRated(entries.get(r.index) as FeedbackEntry)));
    const labelCounts = l.feedback.summary(this.runId).labels;
    return {
      runId: this.runId,
      runName: l.runName,
      reviewer: l.reviewer,
      total: l.rows.length,
      ratedByMe: rated.length,
      firstUnrated: Math.max(0, firstUnrated),
      labels: Object.entries(labelCounts).sort((a, b) => b[1] - a[1]).map(([label]) => label),
    };
  }

  private async row(index: number): Promise<FeedbackRow> {
    const l = await this.load();
    const row = l.rows[index];
    if (!row) throw new Error(`Row ${index} does not exist: run ${this.runId} has ${l.rows.length} rows`);
    return { ...row, references: [...row.references], mine: mine(l.feedback.get(this.runId, index, l.reviewer)) };
  }

  private async save(params: SaveFeedbackParams): Promise<{ ratedByMe: number; total: number; mine: MyFeedback }> {
    const l = await this.load();
    if (!l.rows[params.index]) throw new Error(`Row ${params.index} does not exist: run ${this.runId} has ${l.rows.length} rows`);
    const entry = await l.feedback.save({ runId: this.runId, rowIndex: params.index, reviewer: l.reviewer, ...params });
    const ratedByMe = [...this.myEntries(l).values()].filter(isRated).length;
    return { ratedByMe, total: l.rows.length, mine: mine(entry) as MyFeedback };
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
    const entries = l.feedback.list(this.runId);
    await writeFile(target.fsPath, format === 'csv' ? feedbackToCsv(entries) : feedbackToJsonl(entries), 'utf8');
    void vscode.window.showInformationMessage(`MLOps: exported ${entries.length} feedback rows to ${vscode.workspace.asRelativePath(target)}`);
  }
}
