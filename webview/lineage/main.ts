import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-toolbar-button/index.js';
import { render } from 'lit';
import type { LineageContract, LineageNodeRefView, LineageNodeView } from '../../src/protocol/lineage/lineageContract';
import { startPanel } from '../shared/panelBootstrap';
import { layoutLineage, MAX_LABELLED_EDGES, type GraphLayout, type LayoutDirection } from './lineageLayout';
import { LINEAGE_STYLES } from './lineageStyles';
import { renderLineage, type LineageViewActions, type LineageViewModel } from './lineageView';
import { fitViewport, panIntoView, zoomAt, type Viewport } from './lineageViewport';

/** Saved with setState: the serializer revives the panel on this root; Back walks `back`. */
interface LineageState {
  root?: LineageNodeRefView;
  back?: LineageNodeRefView[];
}

/** A second click within this time makes a double click (re-root) instead of opening the node. */
const DOUBLE_CLICK_MS = 250;

const { api, host, root } = startPanel<LineageContract, LineageState>(LINEAGE_STYLES);

let state: LineageState = api.getState() ?? {};
let model: LineageViewModel = { loading: true, viewport: { x: 0, y: 0, k: 1 }, canGoBack: (state.back?.length ?? 0) > 0, panning: false };
/** Until the user zooms or pans, the graph keeps fitting the panel as it resizes. */
let autoFit = true;
let clickTimer: ReturnType<typeof setTimeout> | undefined;
let loadSeq = 0;
/** the current graph laid out each way (DOWN only for graphs small enough to lay out twice) */
let layouts: Partial<Record<LayoutDirection, GraphLayout>> = {};

const message = (error: unknown): string => (error instanceof Error ? error.message : String(error));
const refOf = (n: LineageNodeRefView): LineageNodeRefView => ({ kind: n.kind, id: n.id });

function update(patch: Partial<LineageViewModel>): void {
  model = { ...model, ...patch };
  root.setAttribute('aria-busy', String(model.loading));
  render(renderLineage(model, actions), root);
}

function graphArea(): HTMLElement | null {
  return root.querySelector<HTMLElement>('[data-testid=graph-area]');
}

function viewSize(): { width: number; height: number } {
  const rect = graphArea()?.getBoundingClientRect();
  return { width: rect?.width ?? window.innerWidth, height: rect?.height ?? window.innerHeight };
}

let canvas: CanvasRenderingContext2D | null | undefined;
/** Label widths in the panel's own font, so ELK sizes boxes and leaves room for edge labels. */
function measure(text: string, role: 'node' | 'detail' | 'edge'): number {
  canvas ??= document.createElement('canvas').getContext('2d');
  const body = getComputedStyle(document.body);
  const size = parseFloat(body.fontSize) || 13;
  if (!canvas) return text.length * (role === 'node' ? size * 0.62 : role === 'detail' ? size * 0.5 : 6.5);
  const family = body.fontFamily || 'sans-serif';
  canvas.font = role === 'node' ? `600 ${size}px ${family}` : role === 'detail' ? `${size * 0.85}px ${family}` : `11px ${family}`;
  return canvas.measureText(text).width;
}

/** Reads the graph (of `next`, re-rooting the panel, or of the current root) and lays it out. */
async function load(next?: LineageNodeRefView, options: { keepView?: boolean } = {}): Promise<void> {
  const seq = ++loadSeq;
  update({ loading: true, error: undefined, menu: undefined });
  try {
    const graph = await host.request('getGraph', next ? { root: next } : state.root ? { root: state.root } : {});
    // Both ways, so fitting can pick the one that suits the panel's shape; a large graph only
    // flows right (its unlabelled edges get their labels placed on horizontal runs).
    const [across, down] = await Promise.all([layoutLineage(graph, measure, 'RIGHT'), graph.edges.length <= MAX_LABELLED_EDGES ? layoutLineage(graph, measure, 'DOWN') : undefined]);
    if (seq !== loadSeq) return; // a newer load started meanwhile
    layouts = { RIGHT: across, ...(down ? { DOWN: down } : {}) };
    const layout = layouts[model.layout?.direction ?? 'RIGHT'] ?? across;
    const rootNode = graph.nodes.find((n) => n.key === graph.root);
    if (rootNode) save({ ...state, root: refOf(rootNode) });
    const selected = model.selected && graph.nodes.some((n) => n.key === model.selected) ? model.selected : undefined;
    update({ graph, layout, loading: false, selected });
    if (!options.keepView || autoFit) fit();
  } catch (error) {
    if (seq === loadSeq) update({ loading: false, error: message(error) });
  }
}

function save(next: LineageState): void {
  state = next;
  api.setState(state);
  model = { ...model, canGoBack: (state.back?.length ?? 0) > 0 };
}

/**
 * A chain of boxes flowing right in a wide, short panel, or down a tall one, shrinks its text
 * until it cannot be read: fitting takes the direction that draws the graph larger, keeping left
 * to right unless flowing down is clearly better.
 */
const DOWN_PREFERRED_BY = 1.15;

function fit(): void {
  autoFit = true;
  if (!model.layout) return;
  // The legend sits over the bottom of the graph area: fit above it.
  const legend = root.querySelector<HTMLElement>('[data-testid=legend]')?.offsetHeight ?? 0;
  const insets = { top: 12, right: 12, bottom: legend + 16, left: 12 };
  const size = viewSize();
  const across = layouts.RIGHT ?? model.layout;
  let layout = across;
  let viewport = fitViewport(across, size, insets);
  if (layouts.DOWN) {
    const down = fitViewport(layouts.DOWN, size, insets);
    if (down.k > viewport.k * DOWN_PREFERRED_BY) {
      layout = layouts.DOWN;
      viewport = down;
    }
  }
  update({ layout, viewport });
}

function setViewport(viewport: Viewport): void {
  autoFit = false;
  update({ viewport });
}

function nodeOf(key: string): LineageNodeView | undefined {
  return model.graph?.nodes.find((n) => n.key === key);
}

const actions: LineageViewActions = {
  open(node) {
    clearTimeout(clickTimer);
    update({ selected: node.key });
    host.notify('openNode', refOf(node));
  },
  reroot(node) {
    clearTimeout(clickTimer);
    const graph = model.graph;
    if (!graph || node.key === graph.root) return;
    const current = nodeOf(graph.root);
    save({ ...state, back: [...(state.back ?? []), ...(current ? [refOf(current)] : [])].slice(-50) });
    autoFit = true;
    update({ selected: undefined });
    void load(refOf(node));
  },
  click(node) {
    clearTimeout(clickTimer);
    update({ selected: node.key, menu: undefined });
    clickTimer = setTimeout(() => actions.open(node), DOUBLE_CLICK_MS);
  },
  dblclick(node) {
    clearTimeout(clickTimer);
    actions.reroot(node);
  },
  focusNode(node) {
    const placed = model.layout?.nodes.find((p) => p.node.key === node.key);
    const viewport = placed ? panIntoView(model.viewport, placed, viewSize()) : model.viewport;
    if (viewport !== model.viewport) autoFit = false;
    update({ selected: node.key, viewport });
  },
  contextMenu(node, event) {
    event.preventDefault();
    clearTimeout(clickTimer);
    const area = graphArea()?.getBoundingClientRect();
    const x = Math.min(event.clientX - (area?.left ?? 0), (area?.width ?? 400) - 220);
    const y = Math.min(event.clientY - (area?.top ?? 0), (area?.height ?? 300) - 70);
    update({ selected: node.key, menu: { key: node.key, x: Math.max(4, x), y: Math.max(4, y) } });
    root.querySelector<HTMLButtonElement>('.context-menu button')?.focus();
  },
  closeMenu() {
    if (model.menu) update({ menu: undefined });
  },
  zoomBy(factor) {
    const { width, height } = viewSize();
    setViewport(zoomAt(model.viewport, factor, width / 2, height / 2));
  },
  fit,
  back() {
    const back = [...(state.back ?? [])];
    const previous = back.pop();
    if (!previous) return;
    save({ ...state, back });
    autoFit = true;
    void load(previous);
  },
  refresh() {
    void load(undefined, { keepView: true });
  },
  wheel(event) {
    event.preventDefault();
    const area = graphArea()?.getBoundingClientRect();
    // Trackpads send small deltas many times; a mouse wheel notch is about 100.
    const factor = Math.exp(-event.deltaY * (event.deltaMode === 1 ? 0.05 : 0.0015));
    setViewport(zoomAt(model.viewport, factor, event.clientX - (area?.left ?? 0), event.clientY - (area?.top ?? 0)));
  },
  pointerDown(event) {
    if (event.button !== 0 || (event.target as Element).closest('.node')) return;
    actions.closeMenu();
    const svgElement = event.currentTarget as SVGSVGElement;
    svgElement.setPointerCapture(event.pointerId);
    const start = { x: event.clientX, y: event.clientY, view: model.viewport };
    update({ panning: true });
    const move = (e: PointerEvent): void => setViewport({ ...start.view, x: start.view.x + e.clientX - start.x, y: start.view.y + e.clientY - start.y });
    const end = (): void => {
      svgElement.removeEventListener('pointermove', move);
      svgElement.removeEventListener('pointerup', end);
      svgElement.removeEventListener('pointercancel', end);
      update({ panning: false });
    };
    svgElement.addEventListener('pointermove', move);
    svgElement.addEventListener('pointerup', end);
    svgElement.addEventListener('pointercancel', end);
  },
};

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') {
    actions.closeMenu();
    return;
  }
  const target = event.target as HTMLElement | null;
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) return;
  if (event.ctrlKey || event.metaKey || event.altKey || !model.layout) return;
  if (event.key === '+' || event.key === '=') actions.zoomBy(1.25);
  else if (event.key === '-') actions.zoomBy(1 / 1.25);
  else if (event.key === '0') fit();
  else return;
  event.preventDefault();
});

document.addEventListener('pointerdown', (event) => {
  if (model.menu && !(event.target as Element).closest('.context-menu')) actions.closeMenu();
});

new ResizeObserver(() => {
  if (autoFit && model.layout) fit();
}).observe(document.body);

host.onNotification('storeChanged', () => void load(undefined, { keepView: true }));

void load();
