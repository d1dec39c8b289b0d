import * as vscode from 'vscode';
import { isStarred, noteOf, runLabel } from '../../core/tracking/runAnnotations';
import { TOOLTIP_METRICS, tooltipMetric } from '../../core/tracking/runListRows';
import type { Experiment, Run, RunStatus } from '../../core/tracking/trackingTypes';
import { CoalescedRefresh } from '../panels/coalescedRefresh';
import { engineOf, trackingOf, type StoreService } from '../store/storeService';
import { SteadyTreeChildren } from '../views/steadyTreeChildren';
import { formatMetricValue as formatValue, headlineMetric } from './runHeadline';
import { readExperimentRuns, readExperiments } from './experimentsTreeReads';
import { runContextValue } from './runContextValue';
import { bestTrialId, childLabel, nestRuns, objectiveValue, onParetoFront, prunedText, studyObjective, studyObjectives, type NestedRuns } from './studyTrials';


export type ExperimentsNode =
  | { kind: 'experiment'; experiment: Experiment; expanded: boolean }
  | {
      kind: 'run';
      run: Run;
      /** child runs (a study's trials), listed under it */
      children?: readonly ExperimentsNode[];
      /** the run this one is listed under */
      parent?: Run;
      /** the best trial of its study */
      best?: boolean;
      /** on the Pareto front of its study (a study with several objectives has a front, not one best) */
      front?: boolean;
      /** read as a list row (the engine's runs.list): the fields its row shows; its tooltip's metrics are read on hover */
      listed?: boolean;
    }
  /** an experiment's deleted runs, kept apart so they can be restored without cluttering the list */
  | { kind: 'deletedRuns'; experiment: Experiment; runs: readonly Run[]; listed?: boolean };


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
  /** the rows shown stay (and keep answering their menus) while the engine reads the new ones */
  private readonly rows = new SteadyTreeChildren<ExperimentsNode>((parent) => this.read(parent), childrenKey, () => this.changeEmitter.fire(undefined));
  /** a training run writes many times per second: one reload per burst */
  private readonly storeChanged = new CoalescedRefresh(500, () => void this.reload());
  private readonly subscription: vscode.Disposable;
  /** set by the view so the provider can show why the tree is empty */
  view: vscode.TreeView<ExperimentsNode> | undefined;

  constructor(private readonly storeService: StoreService) {
    this.subscription = storeService.onDidChange(() => this.storeChanged.request());
  }

  /** Re-reads the tree now: after this window's own action the user waits for it. Resolves once the view has what the store has. */
  refresh(): Promise<void> {
    this.storeChanged.dispose();
    return this.reload();
  }

  /**
   * The row of this run as the tree knows it now (or is about to show it): a command resolves the
   * row it was given by id, so it acts on the run as it is, not as it was when the menu opened.
   */
  runRow(runId: string): Extract<ExperimentsNode, { kind: 'run' }> | undefined {
    const find = (nodes: readonly ExperimentsNode[]): Extract<ExperimentsNode, { kind: 'run' }> | undefined => {
      for (const node of nodes) {
        if (node.kind === 'run') {
          if (node.run.info.runId === runId) return node;
          const child = find(node.children ?? []);
          if (child) return child;
        } else if (node.kind === 'deletedRuns') {
          const run = node.runs.find((r) => r.info.runId === runId);
          if (run) return { kind: 'run', run, ...(node.listed ? { listed: true } : {}) };
        }
      }
      return undefined;
    };
    return find(this.rows.known());
  }

  private reload(): Promise<void> {
    // A hidden view reads nothing ahead: VS Code asks again when it is shown.
    if (this.view && !this.view.visible) {
      this.rows.invalidate();
      return Promise.resolve();
    }
    return this.rows.reload();
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
    const item = runItem(node, node.run);
    // A list row's tooltip lists metrics it was not sent: VS Code asks for it on hover (resolveTreeItem).
    if (node.listed) item.tooltip = undefined;
    return item;
  }

  /** On hover over a list row: its tooltip, from the whole run (one run, read when someone looks). */
  async resolveTreeItem(item: vscode.TreeItem, node: ExperimentsNode): Promise<vscode.TreeItem> {
    if (node.kind !== 'run' || !node.listed) return item;
    const tracking = trackingOf(await this.storeService.access());
    const whole = await tracking?.getRun(node.run.info.runId).catch(() => undefined);
    item.tooltip = runItem(node, whole ?? node.run).tooltip;
    return item;
  }

  async getChildren(node?: ExperimentsNode): Promise<ExperimentsNode[]> {
    // A parent run's children and the deleted runs were read with the experiment's runs.
    if (node?.kind === 'run') return [...(node.children ?? [])];
    if (node?.kind === 'deletedRuns') return node.runs.map((run) => ({ kind: 'run' as const, run, ...(node.listed ? { listed: true } : {}) }));
    return this.rows.children(node);
  }

  /** The experiments (root) or an experiment's runs, as the store has them now. */
  private async read(node: ExperimentsNode | undefined): Promise<ExperimentsNode[]> {
    const access = await this.storeService.access();
    const tracking = trackingOf(access);
    if (!tracking) {
      this.setMessage(access.state === 'error' ? access.message : undefined);
      return [];
    }
    this.setMessage(access.state === 'client' && access.origin === 'remote' ? access.message : undefined);
    const source = { tracking, engine: engineOf(access) };
    if (!node) return (await readExperiments(source)).map((experiment, index) => ({ kind: 'experiment' as const, experiment, expanded: index === 0 }));
    if (node.kind !== 'experiment') return [];
    const { runs, deleted, listed } = await readExperimentRuns(source, node.experiment.experimentId);
    const children: ExperimentsNode[] = runNodes(runs, listed);
    if (deleted.length > 0) children.push({ kind: 'deletedRuns', experiment: node.experiment, runs: deleted, ...(listed ? { listed } : {}) });
    return children;
  }

  private setMessage(message: string | undefined): void {
    if (this.view && this.view.message !== message) this.view.message = message;
  }

  dispose(): void {
    this.storeChanged.dispose();
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

/**
 * A run's row: status icon, name, the metric that matters, star and note marks; a study's
 * objective, a trial's place in it. `whole`: the run with all its metrics, for the tooltip's list.
 */
function runItem(node: Extract<ExperimentsNode, { kind: 'run' }>, whole: Run): vscode.TreeItem {
  const { info, data } = node.run;
  const study = studyObjective(node.run);
  const parentStudy = node.parent ? studyObjective(node.parent) : undefined;
  const pruned = parentStudy || study === undefined ? prunedText(node.run) : undefined;
  const label = node.parent ? childLabel(node.run, node.parent) : runLabel(info);
  const hasChildren = (node.children?.length ?? 0) > 0;
  const item = new vscode.TreeItem(label, hasChildren ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = `run:${info.runId}`;
  // A deleted run keeps its status shape, greyed out: it is there to be restored, not compared.
  item.iconPath =
    info.lifecycleStage === 'deleted'
      ? new vscode.ThemeIcon(STATUS_ICONS[info.status].id, new vscode.ThemeColor('disabledForeground'))
      : node.best
        ? new vscode.ThemeIcon('verified-filled', new vscode.ThemeColor('charts.yellow'))
        : node.front
          ? new vscode.ThemeIcon('debug-breakpoint-log', new vscode.ThemeColor('charts.purple'))
          : STATUS_ICONS[info.status];
  item.contextValue = `${runContextValue(node.run)}${study && info.lifecycleStage === 'active' ? '.study' : ''}`;
  // A click opens the run in the Runs panel (a study: its trials, best first); a deleted run is only there to be restored.
  if (info.lifecycleStage === 'active') item.command = { command: 'mlops.openRun', title: 'Open Run', arguments: [node] };
  const starred = isStarred(node.run);
  const note = noteOf(node.run).trim();
  const trials = node.children?.length ?? 0;
  // A study shows its objective: the best value so far, and how many trials it took.
  const studyBest = study ? studyBestValue(node) : undefined;
  const objectives = studyObjectives(node.run);
  const frontSize = node.children?.filter((c) => c.kind === 'run' && c.front).length ?? 0;
  const metric = study ? undefined : headlineMetric(node.run, parentStudy?.metric);
  // a trial of a study with several objectives is judged by all of them: show each
  const parentObjectives = node.parent ? studyObjectives(node.parent) : undefined;
  const objectiveValues = parentObjectives?.flatMap((o) => {
    const value = objectiveValue(node.run, o);
    return value === undefined ? [] : [`${o.metric} ${formatValue(value)}`];
  });
  const metricText = objectiveValues?.length
    ? objectiveValues.join(' · ')
    : study
    ? objectives
      ? // several objectives: no single best, but a front of trials
        frontSize > 0 ? `Pareto front ${frontSize} of ${trials}` : `${objectives.map((o) => o.metric).join(' × ')} · ${trials} trial${trials === 1 ? '' : 's'}`
      : // short enough for a narrow sidebar: the objective's best value and how many trials it is the best of
      studyBest === undefined
      ? `${study.metric} · ${trials} trial${trials === 1 ? '' : 's'}`
      : `${study.metric} ${formatValue(studyBest)} best of ${trials}`
    : metric
      ? `${metric.key} ${metric.text}`
      : undefined;
  const status = info.status === 'RUNNING' ? 'running' : pruned ? 'pruned' : undefined;
  // Compact: the sidebar is narrow and the star must survive truncation, so it comes first.
  const details = [node.best ? 'best' : node.front ? 'front' : undefined, status, metricText, note ? '✎' : undefined].filter(Boolean).join(' · ');
  item.description = starred ? `★ ${details}`.trim() : details;
  // Screen readers would read ★ and ✎ as "black star" and "lower right pencil".
  const spoken = [label, starred ? 'starred' : undefined, node.best ? 'best trial' : node.front ? 'on the Pareto front' : undefined, pruned ?? info.status.toLowerCase(), metricText, note ? 'has a note' : undefined];
  item.accessibilityInformation = { label: spoken.filter(Boolean).join(', ') };
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`${starred ? '$(star-full) ' : ''}**${escapeMarkdown(info.runName || info.runId)}** — ${pruned ?? info.status.toLowerCase()}${info.lifecycleStage === 'deleted' ? ', deleted' : ''}${node.best ? ', the best trial of its study' : node.front ? ', on the Pareto front of its study: no other trial is better in every objective' : ''}\n\n`);
  if (objectives) {
    const hypervolume = data.metrics.find((m) => m.key === 'pareto_hypervolume')?.value;
    tooltip.appendMarkdown(`Hyperparameter study with ${objectives.length} objectives: ${objectives.map((o) => `${o.direction} \`${o.metric}\``).join(', ')} over ${trials} trial${trials === 1 ? '' : 's'}${frontSize > 0 ? `; its Pareto front has ${frontSize}${hypervolume === undefined ? '' : ` (hypervolume ${formatValue(hypervolume)})`}` : ''}. Click to see the trials; the Runs panel's Scatter tab draws the front.\n\n`);
  } else if (study) tooltip.appendMarkdown(`Hyperparameter study: ${study.direction} \`${study.metric}\` over ${trials} trial${trials === 1 ? '' : 's'}${studyBest === undefined ? '' : `, best ${formatValue(studyBest)}`}. Click to see the trials ranked.\n\n`);
  tooltip.appendMarkdown(`Run \`${info.runId}\`, started ${new Date(info.startTime).toLocaleString()}`);
  if (info.endTime !== null) tooltip.appendMarkdown(`, took ${formatDuration(info.endTime - info.startTime)}`);
  const metrics = whole.data.metrics.filter((m) => tooltipMetric(m.key)).slice(0, TOOLTIP_METRICS);
  if (metrics.length > 0) tooltip.appendMarkdown(`\n\n${metrics.map((m) => `\`${m.key}\` ${formatValue(m.value)}`).join('  \n')}`);
  const error = data.tags.find((t) => t.key === 'mlops.error');
  if (error) tooltip.appendMarkdown(`\n\n$(error) ${escapeMarkdown(error.value.slice(0, 300))}`);
  if (note) tooltip.appendMarkdown(`\n\n---\n\n$(note) ${escapeMarkdown(note.length > 500 ? `${note.slice(0, 500)}…` : note)}`);
  item.tooltip = tooltip;
  return item;
}

/** The study's objective at its best: the best trial's value, else what the study logged. */
function studyBestValue(node: Extract<ExperimentsNode, { kind: 'run' }>): number | undefined {
  const objective = studyObjective(node.run);
  if (!objective) return undefined;
  const best = node.children?.find((c) => c.kind === 'run' && c.best);
  const fromTrial = best?.kind === 'run' ? objectiveValue(best.run, objective) : undefined;
  return fromTrial ?? node.run.data.metrics.find((m) => m.key === `best_${objective.metric}`)?.value;
}

/** Which read a parent's children come from: the root's experiments, or one experiment's runs. */
function childrenKey(node: ExperimentsNode | undefined): string {
  return node?.kind === 'experiment' ? `experiment:${node.experiment.experimentId}` : 'root';
}

/** Run nodes with their children under them, and each study's best trial marked; `listed`: the runs are list rows (runs.list). */
export function runNodes(runs: readonly Run[], listed = false): ExperimentsNode[] {
  const nested = nestRuns(runs);
  return nested.top.map((run) => runNode(run, undefined, nested, new Set(), listed));
}

function runNode(run: Run, parent: Run | undefined, nested: NestedRuns, seen: Set<string>, listed: boolean): Extract<ExperimentsNode, { kind: 'run' }> {
  seen.add(run.info.runId);
  const children = (nested.children.get(run.info.runId) ?? []).filter((c) => !seen.has(c.info.runId));
  const several = studyObjectives(run) !== undefined;
  const best = children.length > 0 && studyObjective(run) && !several ? bestTrialId(run, children) : undefined;
  const childNodes = children.map((child) => ({ ...runNode(child, run, nested, seen, listed), ...(child.info.runId === best ? { best: true } : {}), ...(several && onParetoFront(child) ? { front: true } : {}) }));
  return { kind: 'run', run, ...(parent ? { parent } : {}), ...(childNodes.length > 0 ? { children: childNodes } : {}), ...(listed ? { listed } : {}) };
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
