import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode } from 'elkjs/lib/elk-api';
import type { LineageEdgeView, LineageGraphView, LineageNodeView } from '../../src/protocol/lineage/lineageContract';
import { KNOWN_KINDS } from './lineageKinds';

/** Boxes grow with their label between these widths; a longer label is cut with an ellipsis. */
export const MIN_NODE_WIDTH = 170;
export const MAX_NODE_WIDTH = 360;
/** Flowing down, a layer is one row across the panel's width: boxes can take a long path whole. */
export const MAX_NODE_WIDTH_DOWN = 480;
/** icon, gaps and padding around the label inside a box */
const NODE_CHROME = 50;
export const NODE_HEIGHT = 56;
export const EDGE_LABEL_HEIGHT = 16;

export interface Point {
  x: number;
  y: number;
}

export interface PlacedNode {
  node: LineageNodeView;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedEdge {
  edge: LineageEdgeView;
  /** start, bends, end: an orthogonal route ending at the target's border */
  points: Point[];
  label?: Point & { width: number; height: number };
  /** the label was not given room by the layout (a large graph): draw it only on a highlighted edge */
  labelOnHighlight?: boolean;
}

/** Which way the edges flow: across a wide panel, down a tall or narrow one. */
export type LayoutDirection = 'RIGHT' | 'DOWN';

export interface GraphLayout {
  direction: LayoutDirection;
  /** nodes in reading order (along the flow, then across it): the Tab order */
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

/**
 * ELK gives relation labels a layer of their own, which makes it several times slower (300 nodes:
 * about 2.5 s instead of 0.7 s; 100 edges: twice as slow). Above this many edges the labels are
 * left out of the layout.
 */
export const MAX_LABELLED_EDGES = 60;

const LAYOUT_OPTIONS: Record<string, string> = {
  'elk.algorithm': 'layered',
  'elk.direction': 'RIGHT',
  'elk.edgeRouting': 'ORTHOGONAL',
  // Relation labels get a layer of their own between node layers; this is the room either side.
  'elk.layered.spacing.nodeNodeBetweenLayers': '22',
  'elk.layered.spacing.edgeNodeBetweenLayers': '10',
  'elk.spacing.nodeNode': '22',
  'elk.spacing.edgeNode': '14',
  'elk.spacing.edgeEdge': '10',
  'elk.spacing.edgeLabel': '4',
  'elk.edgeLabels.placement': 'CENTER',
  // Straighter edges: a chain dataset → run → version draws as one line.
  'elk.layered.nodePlacement.strategy': 'NETWORK_SIMPLEX',
  // Keeps the order we give (kind, then label) within a layer, so a redraw does not shuffle boxes.
  'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
  'elk.padding': '[top=12,left=12,bottom=12,right=12]',
};

const KIND_ORDER = new Map(KNOWN_KINDS.map((k, i) => [k.kind, i]));
const kindRank = (kind: string): number => KIND_ORDER.get(kind) ?? KNOWN_KINDS.length;

let elk: InstanceType<typeof ELK> | undefined;

/** What the view measures in its own font: a node's label (bold), its detail line (smaller) or an edge's relation (small). */
export type MeasureText = (text: string, role: 'node' | 'detail' | 'edge') => number;

/** Wide enough for the label and the detail line below it, within the bounds (a longer one ends in an ellipsis). */
export function nodeWidth(node: LineageNodeView, measure: MeasureText, max = MAX_NODE_WIDTH): number {
  const label = `${node.label}${node.missing ? ' (deleted)' : ''}`;
  const wanted = Math.max(measure(label, 'node'), node.detail ? measure(node.detail, 'detail') : 0);
  return Math.round(Math.min(max, Math.max(MIN_NODE_WIDTH, wanted + NODE_CHROME)));
}

/**
 * Lays the graph out left to right with ELK's layered algorithm. Sizes come from `measure`, so
 * ELK leaves room for every label as the panel will draw it.
 */
export async function layoutLineage(graph: LineageGraphView, measure: MeasureText, direction: LayoutDirection = 'RIGHT'): Promise<GraphLayout> {
  elk ??= new ELK();
  const ordered = [...graph.nodes].sort((a, b) => kindRank(a.kind) - kindRank(b.kind) || a.label.localeCompare(b.label) || a.key.localeCompare(b.key));
  const byKey = new Map(ordered.map((n) => [n.key, n]));
  const edges = graph.edges.filter((e) => byKey.has(e.from) && byKey.has(e.to));
  const labelled = edges.length <= MAX_LABELLED_EDGES;
  const elkGraph: ElkNode = {
    id: '__root',
    // Without label layers the edges need the room between layers themselves.
    // Flowing down, layers stack in the panel's scarcer dimension: keep just room for the relation label.
    layoutOptions: { ...LAYOUT_OPTIONS, 'elk.direction': direction, ...(direction === 'DOWN' ? { 'elk.layered.spacing.nodeNodeBetweenLayers': '12' } : {}), ...(labelled ? {} : { 'elk.layered.spacing.nodeNodeBetweenLayers': '48' }) },
    // Boxes of one layer share their left edge (they differ in width), so a column reads as a column.
    children: ordered.map((n) => ({ id: n.key, width: nodeWidth(n, measure, direction === 'DOWN' ? MAX_NODE_WIDTH_DOWN : MAX_NODE_WIDTH), height: NODE_HEIGHT, layoutOptions: { 'elk.alignment': 'LEFT' } })),
    edges: edges.map((e, i): ElkExtendedEdge => ({
      id: `e${i}`,
      sources: [e.from],
      targets: [e.to],
      ...(e.relation && labelled ? { labels: [{ id: `e${i}-label`, text: e.relation, width: Math.ceil(measure(e.relation, 'edge')) + 8, height: EDGE_LABEL_HEIGHT }] } : {}),
    })),
  };
  const laid = await elk.layout(elkGraph);
  const nodes = (laid.children ?? []).map((c): PlacedNode => ({ node: byKey.get(c.id) as LineageNodeView, x: c.x ?? 0, y: c.y ?? 0, width: c.width ?? MIN_NODE_WIDTH, height: c.height ?? NODE_HEIGHT }));
  nodes.sort(direction === 'RIGHT' ? (a, b) => a.x - b.x || a.y - b.y : (a, b) => a.y - b.y || a.x - b.x);
  const placedEdges = ((laid.edges ?? []) as ElkExtendedEdge[]).map((e, i): PlacedEdge => {
    const points = (e.sections ?? []).flatMap((s, j) => [...(j === 0 ? [s.startPoint] : []), ...(s.bendPoints ?? []), s.endPoint]);
    const edge = edges[i] as LineageEdgeView;
    const label = e.labels?.[0];
    if (label && label.x !== undefined && label.y !== undefined) return { edge, points, label: { x: label.x, y: label.y, width: label.width ?? 0, height: label.height ?? EDGE_LABEL_HEIGHT } };
    if (!edge.relation) return { edge, points };
    return { edge, points, label: onLongestRun(points, Math.ceil(measure(edge.relation, 'edge')) + 8), labelOnHighlight: true };
  });
  return { direction, nodes, edges: placedEdges, width: laid.width ?? 0, height: laid.height ?? 0 };
}

/** A label box centred on the longest horizontal stretch of a route (for labels the layout skipped). */
export function onLongestRun(points: readonly Point[], width: number, height = EDGE_LABEL_HEIGHT): Point & { width: number; height: number } {
  let best: [Point, Point] | undefined;
  for (let i = 1; i < points.length; i++) {
    const a = points[i - 1] as Point;
    const b = points[i] as Point;
    if (Math.abs(a.y - b.y) < 0.5 && (!best || Math.abs(b.x - a.x) > Math.abs(best[1].x - best[0].x))) best = [a, b];
  }
  const [a, b] = best ?? [points[0] ?? { x: 0, y: 0 }, points[points.length - 1] ?? { x: 0, y: 0 }];
  return { x: (a.x + b.x) / 2 - width / 2, y: (a.y + b.y) / 2 - height / 2, width, height };
}
