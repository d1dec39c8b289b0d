import { html, nothing, svg, type SVGTemplateResult, type TemplateResult } from 'lit';
import type { LineageGraphView, LineageNodeView } from '../../src/protocol/lineage/lineageContract';
import { KNOWN_KINDS, kindStyle } from './lineageKinds';
import type { GraphLayout, PlacedEdge, PlacedNode, Point } from './lineageLayout';
import type { Viewport } from './lineageViewport';

export interface LineageViewModel {
  loading: boolean;
  graph?: LineageGraphView;
  layout?: GraphLayout;
  viewport: Viewport;
  error?: string;
  /** key of the node the details line describes (clicked or focused) */
  selected?: string;
  /** a right-click menu for a node, at a position inside the graph area */
  menu?: { key: string; x: number; y: number };
  canGoBack: boolean;
  panning: boolean;
}

/** What the view can ask for; main.ts wires these to the host and the viewport. */
export interface LineageViewActions {
  open(node: LineageNodeView): void;
  reroot(node: LineageNodeView): void;
  /** a click: selects now, opens unless a double click follows */
  click(node: LineageNodeView): void;
  dblclick(node: LineageNodeView): void;
  focusNode(node: LineageNodeView): void;
  contextMenu(node: LineageNodeView, event: MouseEvent): void;
  closeMenu(): void;
  zoomBy(factor: number): void;
  fit(): void;
  back(): void;
  refresh(): void;
  wheel(event: WheelEvent): void;
  pointerDown(event: PointerEvent): void;
}

const STRIPE = 4;

/** The whole panel for one state; pure, so tests can render it without a host. */
export function renderLineage(model: LineageViewModel, actions: LineageViewActions): TemplateResult {
  const { graph } = model;
  const root = graph?.nodes.find((n) => n.key === graph.root);
  const empty = graph !== undefined && graph.edges.length === 0;
  return html`
    <header class="panel-header lineage-header">
      <div>
        <h1>Lineage</h1>
        <p class="subtle" data-testid="summary">${summary(model, root)}</p>
      </div>
      <div class="toolbar" role="toolbar" aria-label="Graph">
        <vscode-toolbar-button icon="arrow-left" label="Back to the previous root" title="Back to the previous root" ?disabled=${!model.canGoBack} @click=${actions.back}></vscode-toolbar-button>
        <vscode-toolbar-button icon="refresh" label="Refresh" title="Refresh" @click=${actions.refresh}></vscode-toolbar-button>
        <vscode-toolbar-button icon="zoom-out" label="Zoom out" title="Zoom out (-)" ?disabled=${!model.layout || empty} @click=${() => actions.zoomBy(1 / 1.25)}></vscode-toolbar-button>
        <vscode-toolbar-button icon="zoom-in" label="Zoom in" title="Zoom in (+)" ?disabled=${!model.layout || empty} @click=${() => actions.zoomBy(1.25)}></vscode-toolbar-button>
        <vscode-toolbar-button icon="screen-full" label="Fit to panel" title="Fit to panel (0)" ?disabled=${!model.layout || empty} @click=${actions.fit}></vscode-toolbar-button>
      </div>
    </header>
    ${model.error
      ? html`<section class="banner banner-error" role="alert"><span class="codicon codicon-error" aria-hidden="true"></span><div>${model.error}</div><vscode-button secondary @click=${actions.refresh}>Try again</vscode-button></section>`
      : nothing}
    ${graph?.truncated
      ? html`<p class="note" role="status" data-testid="truncated"><span class="codicon codicon-warning" aria-hidden="true"></span>
          <span>Truncated: showing the first ${graph.nodes.length} nodes of a larger lineage. Show the lineage of a node nearer what you are looking for to see the rest.</span></p>`
      : nothing}
    ${empty && root ? renderEmpty(root) : graph && model.layout ? renderGraph(model, model.layout, graph, actions) : nothing}
  `;
}

function summary(model: LineageViewModel, root: LineageNodeView | undefined): TemplateResult | string {
  if (model.loading && !root) return 'Reading the lineage…';
  if (!root || !model.graph) return model.error ? 'The lineage could not be read.' : '';
  const { nodes, edges } = model.graph;
  return html`${kindStyle(root.kind).name} <strong>${root.label}</strong>${root.missing ? ' (deleted)' : ''} · ${nodes.length} ${nodes.length === 1 ? 'node' : 'nodes'}, ${edges.length} ${edges.length === 1 ? 'link' : 'links'}${model.loading ? ' · updating…' : ''}`;
}

function renderEmpty(root: LineageNodeView): TemplateResult {
  return html`<section class="empty-state card" data-testid="empty-state">
    <span class="codicon codicon-type-hierarchy-sub empty-icon" aria-hidden="true"></span>
    <h2>No lineage recorded for <span class="root-name">${root.label}</span> yet</h2>
    <p>Lineage is recorded as things happen, so it starts with the next step you take:</p>
    <ul>
      <li><strong>training</strong> links a run to the dataset it read (by digest);</li>
      <li><strong>registering</strong> a run's model links the model version to its run;</li>
      <li><strong>serving</strong> a version links the endpoint to it;</li>
      <li><strong>monitoring</strong> a model version (a monitor whose reference is the version) links the monitor to it;</li>
      <li>materializing <strong>features</strong> links datasets and feature sets.</li>
    </ul>
  </section>`;
}

function renderGraph(model: LineageViewModel, layout: GraphLayout, graph: LineageGraphView, actions: LineageViewActions): TemplateResult {
  const { x, y, k } = model.viewport;
  const hot = model.selected;
  const selected = hot ? layout.nodes.find((p) => p.node.key === hot)?.node : undefined;
  return html`
    <div class="graph-area" data-testid="graph-area" data-direction=${layout.direction} data-zoom=${k.toFixed(3)}>
      <svg class="graph ${model.panning ? 'panning' : ''}" role="group" aria-label="Lineage graph: Tab moves through the nodes, Enter opens one, Shift+Enter shows its lineage"
        @wheel=${{ handleEvent: actions.wheel, passive: false }} @pointerdown=${actions.pointerDown}>
        <defs>
          <marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto"><path class="arrow-head" d="M0,0 L10,5 L0,10 z"></path></marker>
          <marker id="arrow-hot" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="9" markerHeight="9" markerUnits="userSpaceOnUse" orient="auto"><path class="arrow-head hot" d="M0,0 L10,5 L0,10 z"></path></marker>
        </defs>
        <g class="viewport" transform="translate(${x} ${y}) scale(${k})">
          <g class="edges">${layout.edges.map((e) => renderEdge(e, hot !== undefined && (e.edge.from === hot || e.edge.to === hot)))}</g>
          <g class="nodes">${layout.nodes.map((p, i) => renderNode(p, i, graph.root, hot, actions))}</g>
        </g>
      </svg>
      ${renderLegend(graph)}
      ${model.menu ? renderMenu(model.menu, layout, graph.root, actions) : nothing}
    </div>
    ${renderDetails(selected, graph.root, actions)}
  `;
}

function renderNode(p: PlacedNode, index: number, rootKey: string, selected: string | undefined, actions: LineageViewActions): SVGTemplateResult {
  const { node } = p;
  const style = kindStyle(node.kind);
  const isRoot = node.key === rootKey;
  const classes = ['node', isRoot ? 'root' : '', node.missing ? 'missing' : '', node.key === selected ? 'selected' : ''].filter(Boolean).join(' ');
  const name = `${node.label}${node.missing ? ' (deleted)' : ''}`;
  const tooltip = [`${style.name}: ${name}`, node.detail, isRoot ? 'The root of this graph' : 'Click to open · double-click to show its lineage'].filter(Boolean).join('\n');
  const onKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Enter' && event.key !== ' ') return;
    event.preventDefault();
    if (event.shiftKey) actions.reroot(node);
    else actions.open(node);
  };
  return svg`<g class=${classes} data-key=${node.key} data-kind=${node.kind} transform="translate(${p.x} ${p.y})" style="--kind-color: ${style.color}"
      tabindex="0" role="button" aria-current=${isRoot ? 'true' : nothing}
      aria-label=${`${style.name} ${name}${isRoot ? ', root' : ''}${node.detail ? `. ${node.detail}` : ''}`}
      @click=${() => actions.click(node)} @dblclick=${() => actions.dblclick(node)} @keydown=${onKey} @focus=${() => actions.focusNode(node)}
      @contextmenu=${(event: MouseEvent) => actions.contextMenu(node, event)}>
    <title>${tooltip}</title>
    <rect class="focus-ring" x="-4" y="-4" width=${p.width + 8} height=${p.height + 8} rx="9"></rect>
    <clipPath id=${`node-clip-${index}`}><rect width=${p.width} height=${p.height} rx="6"></rect></clipPath>
    <rect class="node-box" width=${p.width} height=${p.height} rx="6"></rect>
    <rect class="node-stripe" width=${STRIPE} height=${p.height} clip-path=${`url(#node-clip-${index})`}></rect>
    <foreignObject x=${STRIPE + 6} y="0" width=${p.width - STRIPE - 6} height=${p.height}>${html`<div class="node-body" xmlns="http://www.w3.org/1999/xhtml">
      <div class="node-line"><span class="codicon codicon-${style.icon}" aria-hidden="true"></span><span class="node-label">${node.label}${node.missing ? html` <span class="node-deleted">(deleted)</span>` : nothing}</span></div>
      ${node.detail ? html`<div class="node-detail">${node.detail}</div>` : html`<div class="node-detail">${style.name}</div>`}
    </div>`}</foreignObject>
  </g>`;
}

function renderEdge(p: PlacedEdge, hot: boolean): SVGTemplateResult {
  const label = p.labelOnHighlight && !hot ? undefined : p.label;
  return svg`<g class="edge ${hot ? 'hot' : ''}" data-from=${p.edge.from} data-to=${p.edge.to}>
    <title>${p.edge.relation}</title>
    <path d=${roundedPath(p.points)} marker-end=${hot ? 'url(#arrow-hot)' : 'url(#arrow)'}></path>
    ${label
      ? svg`<rect class="edge-label-bg" x=${label.x} y=${label.y} width=${label.width} height=${label.height} rx="3"></rect>
        <text class="edge-label" x=${label.x + label.width / 2} y=${label.y + label.height / 2} text-anchor="middle" dominant-baseline="central">${p.edge.relation}</text>`
      : nothing}
  </g>`;
}

/** An orthogonal route with softened corners (radius shrinks on short segments). */
export function roundedPath(points: readonly Point[], radius = 6): string {
  const [first, ...rest] = points;
  if (!first || rest.length === 0) return '';
  let d = `M${first.x},${first.y}`;
  for (let i = 1; i < points.length - 1; i++) {
    const prev = points[i - 1] as Point;
    const cur = points[i] as Point;
    const next = points[i + 1] as Point;
    const inLen = Math.hypot(cur.x - prev.x, cur.y - prev.y);
    const outLen = Math.hypot(next.x - cur.x, next.y - cur.y);
    const r = Math.min(radius, inLen / 2, outLen / 2);
    if (r <= 0.5) {
      d += ` L${cur.x},${cur.y}`;
      continue;
    }
    const a = { x: cur.x - ((cur.x - prev.x) / inLen) * r, y: cur.y - ((cur.y - prev.y) / inLen) * r };
    const b = { x: cur.x + ((next.x - cur.x) / outLen) * r, y: cur.y + ((next.y - cur.y) / outLen) * r };
    d += ` L${a.x},${a.y} Q${cur.x},${cur.y} ${b.x},${b.y}`;
  }
  const last = points[points.length - 1] as Point;
  return `${d} L${last.x},${last.y}`;
}

function renderLegend(graph: LineageGraphView): TemplateResult {
  const present = new Set(graph.nodes.map((n) => n.kind));
  const extra = [...present].filter((k) => !KNOWN_KINDS.some((known) => known.kind === k));
  const kinds = [...KNOWN_KINDS.map((k) => k.kind), ...extra];
  return html`<div class="legend" data-testid="legend" aria-label="Legend">
    ${kinds.map((kind) => {
      const style = kindStyle(kind);
      return html`<span class="legend-item ${present.has(kind) ? 'present' : ''}" style="--kind-color: ${style.color}"><span class="codicon codicon-${style.icon}" aria-hidden="true"></span>${style.name}</span>`;
    })}
    <span class="legend-item present"><span class="legend-swatch root" aria-hidden="true"></span>root</span>
    <span class="legend-item present"><span class="legend-swatch deleted" aria-hidden="true"></span>deleted</span>
  </div>`;
}

function renderMenu(menu: NonNullable<LineageViewModel['menu']>, layout: GraphLayout, rootKey: string, actions: LineageViewActions): TemplateResult | typeof nothing {
  const node = layout.nodes.find((p) => p.node.key === menu.key)?.node;
  if (!node) return nothing;
  const run = (action: (n: LineageNodeView) => void) => (): void => {
    actions.closeMenu();
    action(node);
  };
  return html`<div class="context-menu" role="menu" style="left: ${menu.x}px; top: ${menu.y}px" @keydown=${(e: KeyboardEvent) => e.key === 'Escape' && actions.closeMenu()}>
    <button role="menuitem" data-testid="menu-open" @click=${run(actions.open)}><span class="codicon codicon-go-to-file" aria-hidden="true"></span>Open</button>
    <button role="menuitem" data-testid="menu-reroot" ?disabled=${node.key === rootKey} @click=${run(actions.reroot)}><span class="codicon codicon-type-hierarchy-sub" aria-hidden="true"></span>Show lineage of this node</button>
  </div>`;
}

function renderDetails(node: LineageNodeView | undefined, rootKey: string, actions: LineageViewActions): TemplateResult {
  if (!node) {
    return html`<footer class="details subtle" data-testid="details">
      <span>Click a box to open it, double-click it (or <kbd>Shift</kbd>+<kbd>Enter</kbd>) to show its own lineage. <kbd>Tab</kbd> moves between boxes; the wheel zooms, dragging pans.</span>
    </footer>`;
  }
  const style = kindStyle(node.kind);
  return html`<footer class="details" data-testid="details" style="--kind-color: ${style.color}" aria-live="polite">
    <span class="codicon codicon-${style.icon}" aria-hidden="true"></span>
    <div class="details-text"><strong>${style.name}: ${node.label}</strong>${node.missing ? ' (deleted)' : ''}${node.detail ? html`<div class="subtle">${node.detail}</div>` : nothing}</div>
    <vscode-button @click=${() => actions.open(node)}>Open</vscode-button>
    <vscode-button secondary ?disabled=${node.key === rootKey} @click=${() => actions.reroot(node)}>Show lineage of this node</vscode-button>
  </footer>`;
}
