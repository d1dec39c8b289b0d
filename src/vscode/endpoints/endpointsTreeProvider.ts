import * as vscode from 'vscode';
import type { EndpointInfo } from '../../core/serving/endpointManager';
import { costPer1000Predictions, describeCpuPerRequest, formatCost } from '../../core/serving/endpointUsage';
import { readSettings } from '../settings/settings';
import type { EndpointsService } from './endpointsService';

export type EndpointNode = { kind: 'running'; endpoint: EndpointInfo } | { kind: 'stopped'; name: string; uri: string; version: number; port: number };

function latency(ms: number): string {
  return ms < 1 ? `${Math.round(ms * 1000)} µs` : `${ms.toFixed(1)} ms`;
}

/**
 * The Endpoints view: the endpoints the store's holder runs (this window, another one or the
 * engine), with version, traffic and latency; earlier ones as stopped.
 */
export class EndpointsTreeProvider implements vscode.TreeDataProvider<EndpointNode>, vscode.Disposable {
  private readonly changeEmitter = new vscode.EventEmitter<EndpointNode | undefined>();
  readonly onDidChangeTreeData = this.changeEmitter.event;
  private readonly subscription: vscode.Disposable;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly service: EndpointsService) {
    // Log batches arrive every 0.5 s under traffic: redraw at most twice a second.
    this.subscription = service.onDidChange(() => {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.changeEmitter.fire(undefined);
      }, 500);
    });
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
  }

  getTreeItem(node: EndpointNode): vscode.TreeItem {
    if (node.kind === 'stopped') {
      const item = new vscode.TreeItem(node.name, vscode.TreeItemCollapsibleState.None);
      item.description = `stopped · v${node.version} · ${node.uri}`;
      item.iconPath = new vscode.ThemeIcon('debug-stop');
      item.contextValue = 'endpoint.stopped';
      return item;
    }
    const e = node.endpoint;
    const item = new vscode.TreeItem(e.name, vscode.TreeItemCollapsibleState.None);
    const s = e.stats;
    item.description = `${e.status === 'running' ? '' : `${e.status} · `}v${e.version} · ${s.requests} req · p50 ${latency(s.p50Ms)} · p99 ${latency(s.p99Ms)}${s.errors ? ` · ${s.errors} errors` : ''}`;
    const tooltip = new vscode.MarkdownString(
      [
        `**${e.name}** — ${e.status}`,
        '',
        `- URL: \`${e.url}/invocations\``,
        `- model: \`${e.uri}\` → version ${e.version}${e.followsAlias ? ' (follows the alias)' : ''}`,
        `- requests: ${s.requests}, errors: ${s.errors}, p50 ${latency(s.p50Ms)}, p99 ${latency(s.p99Ms)}`,
        ...costLines(e),
        `- restarts: ${e.restarts}`,
        ...(e.features ? [`- looks up online features: ${e.features.views.join(', ')} (\`${vscode.workspace.asRelativePath(e.features.file)}\`${e.features.source === 'lineage' ? ', the views it was trained from' : ''})`] : []),
        ...(e.detail ? [`- ${e.detail}`] : []),
      ].join('\n'),
    );
    // only the settings link runs a command
    tooltip.isTrusted = { enabledCommands: ['workbench.action.openSettings'] };
    item.tooltip = tooltip;
    item.iconPath = new vscode.ThemeIcon(e.status === 'running' ? 'radio-tower' : e.status === 'failed' ? 'error' : 'sync~spin');
    item.contextValue = 'endpoint.running';
    return item;
  }

  async getChildren(node?: EndpointNode): Promise<EndpointNode[]> {
    if (node) return [];
    await this.service.loadOnce();
    const running = this.service.running();
    const names = new Set(running.map((e) => e.name));
    const stopped = this.service
      .stopped()
      .filter((r) => !names.has(r.name))
      .map((r) => ({ kind: 'stopped' as const, name: r.name, uri: r.uri, version: r.version, port: r.port }));
    return [...running.map((endpoint) => ({ kind: 'running' as const, endpoint })), ...stopped];
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.subscription.dispose();
    this.changeEmitter.dispose();
  }
}

const PRICES_LINK = `[prices](command:workbench.action.openSettings?${encodeURIComponent(JSON.stringify(['mlops.cost']))} "The mlops.cost.* settings")`;

/** What serving costs, from the CPU and memory the endpoint process used over its last minutes of traffic. */
function costLines(e: EndpointInfo): string[] {
  const usage = e.stats.usage;
  const cpu = describeCpuPerRequest(usage);
  if (!cpu) return [];
  const cost = costPer1000Predictions(usage, readSettings().costPrices);
  return [
    `- ${cpu}`,
    cost === undefined
      ? `- cost per 1,000 predictions: set a CPU-hour or GB-hour price (${PRICES_LINK})`
      : `- cost per 1,000 predictions: **${formatCost(cost)}** (${usage?.predictions ?? 0} predictions in the window, at the ${PRICES_LINK})`,
  ];
}
