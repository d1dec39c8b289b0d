import * as vscode from 'vscode';
import type { LineageNodeRef } from '../../core/lineage/lineageTypes';
import type { EngineClient } from '../../core/engine/engineClient';
import { LINEAGE_VIEW_TYPE, type LineageContract, type LineageGraphView, type LineageNodeRefView } from '../../protocol/lineage/lineageContract';
import { lineageValidators } from '../../protocol/lineage/lineageValidators';
import { PanelHost, type NotificationHandlers, type RequestHandlers } from '../panels/panelHost';
import type { RunsPanelDependencies } from '../runs/runsPanel';
import { lineageEngine, rootOfPanelState } from './lineageRootChoices';
import { CoalescedRefresh } from '../panels/coalescedRefresh';

/** Same needs as the Runs panel: a run box opens one. */
export type LineagePanelDependencies = RunsPanelDependencies;

/** Beyond this the drawing stops being readable; the view says it was cut. */
export const MAX_LINEAGE_NODES = 300;
/** Training writes many times a second; one redraw after the burst is enough. */
const REFRESH_DELAY_MS = 600;

const keyOf = (node: LineageNodeRef): string => `${node.kind}:${node.id}`;

/** "MLOps: Show Lineage": one panel per root; a box re-roots its panel in place. */
export class LineagePanel extends PanelHost<LineageContract> {
  private static readonly open = new Map<string, LineagePanel>();
  private readonly storeChanged = new CoalescedRefresh(REFRESH_DELAY_MS, () => this.notify('storeChanged', {}));

  static show(root: LineageNodeRef, title: string, deps: LineagePanelDependencies): LineagePanel {
    const existing = LineagePanel.open.get(keyOf(root));
    if (existing) {
      existing.panel.reveal();
      return existing;
    }
    const panel = vscode.window.createWebviewPanel(LINEAGE_VIEW_TYPE, `Lineage: ${title}`, vscode.ViewColumn.Active);
    return LineagePanel.attach(panel, root, deps);
  }

  static revive(panel: vscode.WebviewPanel, state: unknown, deps: LineagePanelDependencies): void {
    const root = rootOfPanelState(state);
    if (!root) {
      panel.dispose();
      return;
    }
    LineagePanel.open.get(keyOf(root))?.dispose();
    LineagePanel.attach(panel, root, deps);
  }

  private static attach(panel: vscode.WebviewPanel, root: LineageNodeRef, deps: LineagePanelDependencies): LineagePanel {
    const host = new LineagePanel(panel, root, deps);
    LineagePanel.open.set(keyOf(root), host);
    host.onDidDispose(() => {
      if (LineagePanel.open.get(keyOf(host.root)) === host) LineagePanel.open.delete(keyOf(host.root));
    });
    return host;
  }

  protected readonly requestHandlers: RequestHandlers<LineageContract> = {
    getGraph: ({ root }) => this.graph(root),
  };

  protected readonly notificationHandlers: NotificationHandlers<LineageContract> = {
    openNode: (node) => this.openNode(node),
  };

  private constructor(
    panel: vscode.WebviewPanel,
    private root: LineageNodeRef,
    private readonly deps: LineagePanelDependencies,
  ) {
    super(
      panel,
      deps.extensionUri,
      { viewType: LINEAGE_VIEW_TYPE, title: 'Lineage', bundle: 'lineage', validators: lineageValidators, iconPath: vscode.Uri.joinPath(deps.extensionUri, 'media', 'mlops.svg') },
      deps.log,
    );
    // every change in the store (registering, serving, monitoring …), whichever process holds it
    this.track(deps.storeService.onDidChange(() => this.scheduleRefresh()));
    this.track(this.storeChanged);
  }

  private async engine(): Promise<EngineClient> {
    const reached = lineageEngine(await this.deps.storeService.access());
    if ('why' in reached) throw new Error(reached.why);
    return reached.engine;
  }

  private async graph(next: LineageNodeRefView | undefined): Promise<LineageGraphView> {
    const engine = await this.engine();
    if (next && keyOf(next) !== keyOf(this.root)) this.reroot(next);
    const graph = await engine.call('lineage.graph', { root: this.root, maxNodes: MAX_LINEAGE_NODES });
    const root = graph.nodes.find((n) => n.key === graph.root);
    if (root) this.panel.title = `Lineage: ${root.label}`;
    return { root: graph.root, nodes: graph.nodes.map((n) => ({ ...n })), edges: graph.edges.map((e) => ({ ...e })), truncated: graph.truncated, maxNodes: MAX_LINEAGE_NODES };
  }

  /** The panel now stands for another root; "show lineage" of that root reveals this panel. */
  private reroot(next: LineageNodeRef): void {
    if (LineagePanel.open.get(keyOf(this.root)) === this) LineagePanel.open.delete(keyOf(this.root));
    this.root = { kind: next.kind, id: next.id };
    LineagePanel.open.set(keyOf(this.root), this);
  }

  private scheduleRefresh(): void {
    this.storeChanged.request();
  }

  private async openNode(ref: LineageNodeRefView): Promise<void> {
    const engine = await this.engine();
    const { openLineageNode } = await import('./lineageNodeOpener');
    await openLineageNode(await engine.call('lineage.describe', { node: { kind: ref.kind, id: ref.id } }), { storeService: this.deps.storeService, runs: this.deps, log: this.deps.log });
  }
}
