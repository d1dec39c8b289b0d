import * as vscode from 'vscode';
import type { AliasReview, ModelVersion, RegisteredModel } from '../../core/registry/registryTypes';
import type { RegistryBackend } from '../../core/registry/registryBackend';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { MetricSummary } from '../../core/tracking/trackingTypes';
import type { StoreService } from '../store/storeService';
import type { WorkspaceRegistry } from '../../core/engine/engineRegistryBackend';
import { openWorkspaceRegistry } from './workspaceRegistry';
import { CoalescedRefresh } from '../panels/coalescedRefresh';
import { SteadyTreeChildren } from '../views/steadyTreeChildren';

export type ModelsNode =
  /** `server`: the MLflow server the model is registered on (mlops.tracking.uri); absent for the workspace registry */
  | { kind: 'model'; model: RegisteredModel; pendingReviews: number; server?: string }
  | { kind: 'review'; review: AliasReview }
  | { kind: 'version'; version: ModelVersion; metrics: readonly MetricSummary[]; requireReview: boolean; server?: string };

/** The metrics shown in a version's description and tooltip, most telling first. */
const KEY_METRICS = ['test_accuracy', 'test_f1_macro', 'test_roc_auc', 'test_rmse', 'test_r2', 'test_mae', 'val_accuracy', 'val_loss'];
/** Aliases every team uses; pickers list them first. */
export const WELL_KNOWN_ALIASES = ['champion', 'challenger'];

/** What the Models view lists: the workspace registry, or the team server's (mlops.tracking.uri). */
type ShownRegistry =
  | { readonly kind: 'workspace'; readonly registry: WorkspaceRegistry }
  /** a team's MLflow server: what MLflow keeps, and its runs' metrics through its tracking API */
  | { readonly kind: 'server'; readonly registry: RegistryBackend; readonly tracking: TrackingStore; readonly server: string };

const remoteRegistries = new Map<string, RegistryBackend>();

/** The registry the Models view shows, or why there is none (no folder, no store yet, locked). */
export async function openShownRegistry(storeService: StoreService): Promise<ShownRegistry | { message: string | undefined }> {
  const access = await storeService.access();
  if (access.state === 'client' && access.origin === 'remote') {
    // One client per server and token, so a refresh does not build a new one.
    const key = `${access.url}\n${access.token ?? ''}`;
    let registry = remoteRegistries.get(key);
    if (!registry) {
      const { MlflowRegistryBackend } = await import('../../core/remote/mlflowRegistryBackend');
      registry = new MlflowRegistryBackend({ url: access.url, token: access.token, tracking: access.tracking });
      remoteRegistries.set(key, registry);
    }
    return { kind: 'server', registry, tracking: access.tracking, server: access.url };
  }
  const opened = await openWorkspaceRegistry(storeService);
  return 'registry' in opened ? { kind: 'workspace', registry: opened.registry } : opened;
}

/** The Models view: registered models → pending reviews and versions with alias badges, updated live. */
export class ModelsTreeProvider implements vscode.TreeDataProvider<ModelsNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<ModelsNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  /** the rows shown stay (and keep answering their menus) while the engine reads the new ones */
  private readonly rows = new SteadyTreeChildren<ModelsNode>((parent) => this.read(parent), childrenKey, () => this.changeEmitter.fire(undefined));
  /** tracking writes (a training run logging) can change a version's metrics: coalesced */
  private readonly storeChanged = new CoalescedRefresh(500, () => void this.reload());
  private readonly subscription: vscode.Disposable;
  private registrySubscription: { dispose(): void } | undefined;
  /** set by the view so the provider can show why the tree is empty */
  view: vscode.TreeView<ModelsNode> | undefined;

  constructor(private readonly storeService: StoreService) {
    this.subscription = storeService.onDidChange(() => this.storeChanged.request());
  }

  /** Re-reads the tree now; resolves once the view has what the registry has. */
  refresh(): Promise<void> {
    this.storeChanged.dispose();
    return this.reload();
  }

  private reload(): Promise<void> {
    // A hidden view reads nothing ahead: VS Code asks again when it is shown.
    if (this.view && !this.view.visible) {
      this.rows.invalidate();
      return Promise.resolve();
    }
    return this.rows.reload();
  }

  getTreeItem(node: ModelsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'model': {
        const item = modelItem(node.model, node.pendingReviews);
        // no click command: a click on a model expands it
        if (node.server) remoteItem(item, node.server, 'mlops.remoteModel');
        return item;
      }
      case 'review': {
        const item = reviewItem(node.review);
        // A click shows what the review would change: the alias's version beside the proposed one.
        item.command = { command: 'mlops.compareModelVersions', title: 'Compare Versions', arguments: [node] };
        return item;
      }
      case 'version': {
        const item = versionItem(node.version, node.metrics, node.requireReview);
        if (node.server) remoteItem(item, node.server, 'mlops.remoteModelVersion', `#/models/${encodeURIComponent(node.version.name)}/versions/${node.version.version}`);
        else item.command = { command: 'mlops.openModelCard', title: 'Open Model Card', arguments: [node] };
        return item;
      }
    }
  }

  getChildren(node?: ModelsNode): Promise<ModelsNode[]> {
    // reviews and versions have no children: nothing to read
    if (node !== undefined && node.kind !== 'model') return Promise.resolve([]);
    return this.rows.children(node);
  }

  /** The models (root) or a model's reviews and versions, as the registry has them now. */
  private async read(node: ModelsNode | undefined): Promise<ModelsNode[]> {
    let shown: Awaited<ReturnType<typeof openShownRegistry>>;
    try {
      shown = await openShownRegistry(this.storeService);
      if (!('registry' in shown)) {
        this.setMessage(shown.message);
        return [];
      }
      return await this.childrenOf(shown, node);
    } catch (error) {
      // A team server that cannot be reached or refuses the token: say so where the models would be.
      this.setMessage(error instanceof Error ? error.message : String(error));
      return [];
    }
  }

  private async childrenOf(shown: ShownRegistry, node: ModelsNode | undefined): Promise<ModelsNode[]> {
    if (shown.kind === 'workspace') {
      this.setMessage(undefined);
      this.watch(shown.registry);
      return workspaceChildren(shown.registry, node);
    }
    const { registry, tracking, server } = shown;
    this.setMessage(`Models registered on the MLflow server ${server} (mlops.tracking.uri). Reviews, the audit log and model cards are kept only in a workspace store.`);
    if (!node) {
      const [models, pending] = await Promise.all([registry.listModels(), registry.pendingReviews()]);
      return models.map((model) => ({ kind: 'model' as const, model, pendingReviews: pending.filter((r) => r.name === model.name).length, server }));
    }
    if (node.kind !== 'model') return [];
    const model = await registry.findModel(node.model.name);
    if (!model) return [];
    const versions = await registry.listVersions(model.name);
    const metrics = await Promise.all(versions.map((v) => runMetrics(tracking, v.runId)));
    return versions.map((version, i) => ({ kind: 'version' as const, version, metrics: metrics[i] ?? [], requireReview: model.requireReview, server }));
  }

  /**
   * Changes made in this window show at once; everyone else's (the CLI, another window, a
   * training's registration) arrive through the store service's change event, like tracking's.
   */
  private watch(registry: WorkspaceRegistry): void {
    this.registrySubscription ??= registry.onDidChange(() => this.storeChanged.now());
  }

  private setMessage(message: string | undefined): void {
    if (this.view && this.view.message !== message) this.view.message = message;
  }

  dispose(): void {
    this.storeChanged.dispose();
    this.subscription.dispose();
    this.registrySubscription?.dispose();
    this.changeEmitter.dispose();
  }
}

/** Which read a parent's children come from: the root's models, or one model's versions. */
function childrenKey(node: ModelsNode | undefined): string {
  return node?.kind === 'model' ? `model:${node.server ?? ''}|${node.model.name}` : 'root';
}

/** The workspace registry's nodes: one round trip for the top level, one per expanded model. */
async function workspaceChildren(registry: WorkspaceRegistry, node: ModelsNode | undefined): Promise<ModelsNode[]> {
  if (!node) {
    const { models, pendingReviews } = await registry.overview();
    return models.map((model) => ({ kind: 'model' as const, model, pendingReviews: pendingReviews.filter((r) => r.name === model.name).length }));
  }
  if (node.kind !== 'model') return [];
  const detail = await registry.modelDetail(node.model.name);
  const model = detail.model;
  if (!model) return [];
  return [
    ...detail.pendingReviews.map((review) => ({ kind: 'review' as const, review })),
    ...detail.versions.map((version) => ({ kind: 'version' as const, version, metrics: detail.metrics[version.runId] ?? [], requireReview: model.requireReview })),
  ];
}

async function runMetrics(tracking: TrackingStore, runId: string): Promise<readonly MetricSummary[]> {
  if (runId === '') return [];
  try {
    return (await tracking.getRun(runId)).data.metrics;
  } catch {
    return []; // the run was deleted; the version still stands on its own
  }
}

function modelItem(model: RegisteredModel, pendingReviews: number): vscode.TreeItem {
  const item = new vscode.TreeItem(model.name, vscode.TreeItemCollapsibleState.Collapsed);
  item.id = `model:${model.modelId}`;
  item.iconPath = new vscode.ThemeIcon('package');
  item.contextValue = 'mlops.model';
  const aliases = Object.entries(model.aliases)
    .sort(([a], [b]) => aliasOrder(a) - aliasOrder(b) || (a < b ? -1 : 1))
    .map(([alias, version]) => `@${alias} v${version}`);
  item.description = [
    `${model.versionCount} version${model.versionCount === 1 ? '' : 's'}`,
    ...aliases.slice(0, 2),
    pendingReviews > 0 ? `${pendingReviews} review${pendingReviews === 1 ? '' : 's'} pending` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(model.name)}** — ${model.versionCount} version${model.versionCount === 1 ? '' : 's'}`);
  if (aliases.length > 0) tooltip.appendMarkdown(`\n\n${aliases.map(escapeMarkdown).join('  \n')}`);
  tooltip.appendMarkdown(`\n\n${model.requireReview ? '$(shield) Alias moves need an approved review' : 'Alias moves need no review'}`);
  if (model.description) tooltip.appendMarkdown(`\n\n---\n\n${model.description.slice(0, 1000)}`);
  item.tooltip = tooltip;
  return item;
}

function reviewItem(review: AliasReview): vscode.TreeItem {
  const item = new vscode.TreeItem(`Review #${review.reviewId}: @${review.alias} → v${review.version}`, vscode.TreeItemCollapsibleState.None);
  item.id = `review:${review.reviewId}`;
  item.iconPath = new vscode.ThemeIcon('git-pull-request', new vscode.ThemeColor('charts.yellow'));
  item.contextValue = 'mlops.review';
  item.description = `${review.requestedBy} · ${review.previousVersion === null ? 'new alias' : `now v${review.previousVersion}`}`;
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(review.name)}**: move @${escapeMarkdown(review.alias)} ${review.previousVersion === null ? '' : `from v${review.previousVersion} `}to v${review.version}\n\n`);
  tooltip.appendMarkdown(`Requested by ${escapeMarkdown(review.requestedBy)}, ${new Date(review.requestedAt).toLocaleString()}`);
  if (review.comment) tooltip.appendMarkdown(`\n\n> ${escapeMarkdown(review.comment)}`);
  item.tooltip = tooltip;
  return item;
}

function versionItem(version: ModelVersion, metrics: readonly MetricSummary[], requireReview: boolean): vscode.TreeItem {
  const item = new vscode.TreeItem(`v${version.version}`, vscode.TreeItemCollapsibleState.None);
  item.id = `modelVersion:${version.name}/${version.version}`;
  const aliases = [...version.aliases].sort((a, b) => aliasOrder(a) - aliasOrder(b) || (a < b ? -1 : 1));
  item.iconPath = aliases.includes('champion') ? new vscode.ThemeIcon('star-full', new vscode.ThemeColor('charts.yellow')) : new vscode.ThemeIcon(aliases.length > 0 ? 'tag' : 'versions');
  item.contextValue = requireReview ? 'mlops.modelVersion.reviewed' : 'mlops.modelVersion';
  const key = KEY_METRICS.map((k) => metrics.find((m) => m.key === k)).find((m) => m !== undefined);
  item.description = [aliases.map((a) => `@${a}`).join(' ') || undefined, version.currentStage !== 'None' ? version.currentStage : undefined, key ? `${key.key} ${formatValue(key.value)}` : undefined]
    .filter(Boolean)
    .join(' · ');
  const tooltip = new vscode.MarkdownString(undefined, true);
  tooltip.appendMarkdown(`**${escapeMarkdown(version.name)} v${version.version}**${aliases.length ? ` — ${aliases.map((a) => `@${escapeMarkdown(a)}`).join(' ')}` : ''}\n\n`);
  tooltip.appendMarkdown(`\`models:/${version.name}/${version.version}\`  \nRegistered ${new Date(version.creationTime).toLocaleString()} by ${escapeMarkdown(version.createdBy)}  \nRun \`${version.runId}\``);
  if (version.currentStage !== 'None') tooltip.appendMarkdown(`  \nStage: ${version.currentStage}`);
  const shown = metrics.filter((m) => KEY_METRICS.includes(m.key) || m.key === 'loss');
  if (shown.length > 0) tooltip.appendMarkdown(`\n\n${shown.map((m) => `\`${m.key}\` ${formatValue(m.value)}`).join('  \n')}`);
  if (version.signature) {
    const output = version.signature.output;
    tooltip.appendMarkdown(`\n\n${version.signature.inputs.length} inputs → ${escapeMarkdown(output.target)}${output.task === 'classification' ? ` (${output.classes.length} classes)` : ''}`);
  }
  if (version.description) tooltip.appendMarkdown(`\n\n---\n\n${version.description.slice(0, 1000)}`);
  item.tooltip = tooltip;
  return item;
}

/**
 * A model or version on a team's MLflow server: its own context value (the workspace registry's
 * actions — card, review, serve — do not apply), a click on a version opens it in the server's web
 * UI, and the tooltip says what MLflow does not keep.
 */
function remoteItem(item: vscode.TreeItem, server: string, contextValue: string, uiPath?: string): void {
  item.id = `${server}|${item.id ?? ''}`;
  item.contextValue = contextValue;
  if (uiPath !== undefined) item.command = { command: 'vscode.open', title: 'Open in MLflow', arguments: [vscode.Uri.parse(`${server}/${uiPath}`)] };
  if (item.tooltip instanceof vscode.MarkdownString) item.tooltip.appendMarkdown(`\n\n---\n\nOn the MLflow server ${escapeMarkdown(server)}${uiPath !== undefined ? '; a click opens it there' : ''}. MLflow keeps no reviews, audit log or model card for it.`);
}

/** champion, challenger, then the rest. */
export function aliasOrder(alias: string): number {
  const index = WELL_KNOWN_ALIASES.indexOf(alias);
  return index === -1 ? WELL_KNOWN_ALIASES.length : index;
}

function formatValue(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1000 ? value.toFixed(0) : Number(value.toPrecision(4)).toString();
}

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}
