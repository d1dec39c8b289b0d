import * as vscode from 'vscode';
import { isStarred, noteOf, runLabel } from '../../core/tracking/runAnnotations';
import type { Experiment, Run, RunStatus } from '../../core/tracking/trackingTypes';
import { trackingOf, type StoreService } from '../store/storeService';
import { runContextValue } from './runContextValue';

/** Most recent runs listed under an experiment; the runs panel pages through the rest. */
const RUNS_PER_EXPERIMENT = 200;
/** The metric shown beside a run: the first of these it has. */
/** MLflow's "Default" experiment always exists with this id. */
const DEFAULT_EXPERIMENT_ID = '0';
const KEY_METRICS = ['test_accuracy', 'val_accuracy', 'accuracy', 'test_rmse', 'val_rmse', 'rmse', 'test_r2', 'val_loss', 'loss'];

export type ExperimentsNode =
  | { kind: 'experiment'; experiment: Experiment; expanded: boolean }
  | { kind: 'run'; run: Run }
  /** an experiment's deleted runs, kept apart so they can be restored without cluttering the list */
  | { kind: 'deletedRuns'; experiment: Experiment; runs: readonly Run[] };


const STATUS_ICONS: Record<RunStatus, vscode.ThemeIcon> = {
  RUNNING: new vscode.ThemeIcon('sync~spin', new vscode.ThemeColor('charts.blue')),
  SCHEDULED: new vscode.ThemeIcon('clock'),
  FINISHED: new vscode.ThemeIcon('pass', new vscode.ThemeColor('testing.iconPassed')),
  FAILED: new vscode.ThemeIcon('error', new vscode.ThemeColor('testing.iconFailed')),
  KILLED: new vscode.ThemeIcon('circle-slash', new vscode.ThemeColor('disabledForeground')),
};

/** The Experiments view: experiments → runs with status, name and a key metric, updated live. */
export class ExperimentsTreeProvider implements vscode.TreeDataProvider<ExperimentsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ExperimentsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly subscription: vscode.Disposable;
  /** set by the view so the provider can show why the tree is empty */
  view: vscode.TreeView<ExperimentsNode> | undefined;

  constructor(private readonly storeService: StoreService) {
    // Coalesce: a training run writes many times per second.
    this.subscription = storeService.onDidChange(() => {
      clearTimeout(this.refreshTimer);
      this.refreshTimer = setTimeout(() => this.changeEmitter.fire(undefined), 500);
    });
  }

  /** Re-reads the tree now: after this window's own action the user waits for it. */
  refresh(): void {
    clearTimeout(this.refreshTimer);
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: ExperimentsNode): vscode.TreeItem {
    if (node.kind === 'deletedRuns') {
      const item = new vscode.TreeItem('Deleted runs', vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `deleted:${node.experiment.experimentId}`;
      item.iconPath = new vscode.ThemeIcon('trash');
      item.description = String(node.runs.length);
      item.contextValue = 'mlops.deletedRuns';
      item.tooltip = `${node.runs.length} deleted run${node.runs.length === 1 ? '' : 's'} of ${node.experiment.name}. Right-click one → Restore Run to bring it back.`;
      return item;
    }
    if (node.kind === 'experiment') {
      const item = new vscode.TreeItem(node.experiment.name, node.expanded ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed);
      item.id = `experiment:${node.experiment.experimentId}`;
      item.iconPath = new vscode.ThemeIcon('beaker');
      item.contextValue = 'mlops.experiment';
      item.tooltip = `Experiment ${node.experiment.name} (id ${node.experiment.experimentId})`;
      return item;
    }
    const { info, data } = node.run;
    const item = new vscode.TreeItem(runLabel(info), vscode.TreeItemCollapsibleState.None);
    item.id = `run:${info.runId}`;
    // A deleted run keeps its status shape, greyed out: it is there to be restored, not compared.
    item.iconPath = info.lifecycleStage === 'deleted' ? new vscode.ThemeIcon(STATUS_ICONS[info.status].id, new vscode.ThemeColor('disabledForeground')) : STATUS_ICONS[info.status];
    item.contextValue = runContextValue(node.run);
    const starred = isStarred(node.run);
    const note = noteOf(node.run).trim();
    const metric = KEY_METRICS.map((k) => data.metrics.find((m) => m.key === k)).find((m) => m !== undefined);
    // Compact: the sidebar is narrow and the star must survive truncation, so it comes first.
    const details = [metric ? `${metric.key} ${formatValue(metric.value)}` : undefined, info.status === 'RUNNING' ? 'running' : undefined, note ? '✎' : undefined].filter(Boolean).join(' · ');
    item.description = starred ? `★ ${details}`.trim() : details;
    // Screen readers would read ★ and ✎ as "black star" and "lower right pencil".
    const spoken = [runLabel(info), starred ? 'starred' : undefined, info.status.toLowerCase(), metric ? `${metric.key} ${formatValue(metric.value)}` : undefined, note ? 'has a note' : undefined];
    item.accessibilityInformation = { label: spoken.filter(Boolean).join(', ') };
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`${starred ? '$(star-full) ' : ''}**${escapeMarkdown(info.runName || info.runId)}** — ${info.status.toLowerCase()}${info.lifecycleStage === 'deleted' ? ', deleted' : ''}\n\n`);
    tooltip.appendMarkdown(`Run \`${info.runId}\`, started ${new Date(info.startTime).toLocaleString()}`);
    if (info.endTime !== null) tooltip.appendMarkdown(`, took ${formatDuration(info.endTime - info.startTime)}`);
    const metrics = data.metrics.filter((m) => !m.key.startsWith('test_confusion')).slice(0, 12);
    if (metrics.length > 0) tooltip.appendMarkdown(`\n\n${metrics.map((m) => `\`${m.key}\` ${formatValue(m.value)}`).join('  \n')}`);
    const error = data.tags.find((t) => t.key === 'mlops.error');
    if (error) tooltip.appendMarkdown(`\n\n$(error) ${escapeMarkdown(error.value.slice(0, 300))}`);
    if (note) tooltip.appendMarkdown(`\n\n---\n\n$(note) ${escapeMarkdown(note.length > 500 ? `${note.slice(0, 500)}…` : note)}`);
    item.tooltip = tooltip;
    return item;
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    const access = await this.storeService.access();
    const tracking = trackingOf(access);
    if (!tracking) {
      this.setMessage(access.state === 'locked' || access.state === 'error' ? access.message : undefined);
      return [];
    }
    this.setMessage(access.state === 'client' ? access.message : undefined);
    if (!node) {
      const { experiments } = await tracking.searchExperiments({ orderBy: ['attributes.last_update_time DESC'], maxResults: 1000 });
      // MLflow's built-in "Default" experiment is noise until something logs into it.
      const defaultIsEmpty = (await tracking.searchRuns({ experimentIds: [DEFAULT_EXPERIMENT_ID], maxResults: 1 })).runs.length === 0;
      return experiments
        .filter((e) => !(e.experimentId === DEFAULT_EXPERIMENT_ID && defaultIsEmpty))
        .map((experiment, index) => ({ kind: 'experiment' as const, experiment, expanded: index === 0 }));
    }
    if (node.kind === 'experiment') {
      const search = (viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY'): Promise<readonly Run[]> =>
        tracking.searchRuns({ experimentIds: [node.experiment.experimentId], orderBy: ['attributes.start_time DESC'], maxResults: RUNS_PER_EXPERIMENT, viewType }).then((r) => r.runs);
      const [runs, deleted] = await Promise.all([search('ACTIVE_ONLY'), search('DELETED_ONLY')]);
      const children: ExperimentsNode[] = runs.map((run) => ({ kind: 'run' as const, run }));
      if (deleted.length > 0) children.push({ kind: 'deletedRuns', experiment: node.experiment, runs: deleted });
      return children;
    }
    if (node.kind === 'deletedRuns') return node.runs.map((run) => ({ kind: 'run' as const, run }));
    return [];
  }

  private setMessage(message: string | undefined): void {
    if (this.view && this.view.message !== message) this.view.message = message;
  }

  dispose(): void {
    clearTimeout(this.refreshTimer);
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

function formatValue(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(4)).toString();
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
