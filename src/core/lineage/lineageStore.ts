import type { DurableDatabase } from '../store/durableDatabase';
import type { SqlStatement } from '../store/mutationCodec';
import { describeNode } from './lineageLabels';
import { checkNode, nodeKey } from './lineageNodes';
import type { LineageEdge, LineageGraph, LineageHit, LineageNode, LineageNodeRef } from './lineageTypes';

interface Step {
  readonly node: LineageNodeRef;
  readonly relation: string;
}

/** SQL that records an edge (again recording the same edge changes nothing). */
export function edgeStatements(edge: LineageEdge, now: number, labels: { from?: string; to?: string } = {}): SqlStatement[] {
  const from = checkNode(edge.from);
  const to = checkNode(edge.to);
  const out: SqlStatement[] = [
    {
      sql: 'INSERT INTO lineage_edges (src_kind, src_id, dst_kind, dst_id, relation, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING',
      params: [from.kind, from.id, to.kind, to.id, edge.relation, now],
    },
  ];
  for (const [node, label] of [[from, labels.from], [to, labels.to]] as const) {
    if (label !== undefined && label !== '') {
      out.push({ sql: 'INSERT INTO lineage_nodes (kind, id, label) VALUES (?, ?, ?) ON CONFLICT(kind, id) DO UPDATE SET label = excluded.label', params: [node.kind, node.id, label] });
    }
  }
  return out;
}

/**
 * The lineage graph of a workspace store. Edges are recorded as things happen (registering a model
 * version, serving it, monitoring it); a run's dataset inputs are edges too, read from tracking.
 */
export class LineageStore {
  constructor(private readonly db: DurableDatabase) {}

  /** Records edges durably; `labels` names nodes for display (keyed by "kind:id"). */
  async record(edges: readonly LineageEdge[], labels: Readonly<Record<string, string>> = {}): Promise<void> {
    const now = Date.now();
    const statements = edges.flatMap((edge) => edgeStatements(edge, now, { from: labels[nodeKey(edge.from)], to: labels[nodeKey(edge.to)] }));
    if (statements.length > 0) await this.db.commit({ statements });
  }

  /** Direct parents: what `node` was made from. */
  parents(node: LineageNodeRef): Step[] {
    const steps = this.db.rows('SELECT src_kind, src_id, relation FROM lineage_edges WHERE dst_kind = ? AND dst_id = ? ORDER BY created_at, src_kind, src_id', [node.kind, node.id]).map(([kind, id, relation]) => ({
      node: { kind: String(kind), id: String(id) },
      relation: String(relation),
    }));
    if (node.kind === 'run') {
      for (const [digest] of this.db.rows('SELECT DISTINCT digest FROM run_inputs WHERE run_id = ?', [node.id])) steps.push({ node: { kind: 'dataset', id: String(digest) }, relation: 'trained' });
    }
    return dedupe(steps);
  }

  /** Direct children: what was made from `node`. */
  children(node: LineageNodeRef): Step[] {
    const steps = this.db.rows('SELECT dst_kind, dst_id, relation FROM lineage_edges WHERE src_kind = ? AND src_id = ? ORDER BY created_at, dst_kind, dst_id', [node.kind, node.id]).map(([kind, id, relation]) => ({
      node: { kind: String(kind), id: String(id) },
      relation: String(relation),
    }));
    if (node.kind === 'dataset') {
      for (const [runId] of this.db.rows('SELECT DISTINCT run_id FROM run_inputs WHERE digest = ?', [node.id])) steps.push({ node: { kind: 'run', id: String(runId) }, relation: 'trained' });
    }
    return dedupe(steps);
  }

  /** Everything `node` came from, nearest first (transitive; cycles are walked once). */
  upstream(node: LineageNodeRef, options: { maxDepth?: number } = {}): LineageHit[] {
    return this.walk(node, (n) => this.parents(n), options.maxDepth);
  }

  /** Everything made from `node`, nearest first (transitive; cycles are walked once). */
  downstream(node: LineageNodeRef, options: { maxDepth?: number } = {}): LineageHit[] {
    return this.walk(node, (n) => this.children(n), options.maxDepth);
  }

  /**
   * Nodes of one kind that appear in any recorded edge, most recently linked first: what a picker
   * offers for kinds that have no table of their own (endpoints, monitors, feature sets).
   */
  nodesOfKind(kind: string, limit = 100): LineageNode[] {
    const rows = this.db.rows(
      `SELECT id, MAX(at) AS last FROM (
         SELECT src_id AS id, created_at AS at FROM lineage_edges WHERE src_kind = ?
         UNION ALL SELECT dst_id AS id, created_at AS at FROM lineage_edges WHERE dst_kind = ?)
       GROUP BY id ORDER BY last DESC, id LIMIT ?`,
      [kind, kind, limit],
    );
    return rows.map(([id]) => this.describe({ kind, id: String(id) }));
  }

  describe(node: LineageNodeRef): LineageNode {
    return describeNode(this.db, node);
  }

  private walk(start: LineageNodeRef, next: (node: LineageNodeRef) => Step[], maxDepth = Number.POSITIVE_INFINITY): LineageHit[] {
    const seen = new Set([nodeKey(start)]);
    const hits: LineageHit[] = [];
    let frontier = [start];
    for (let distance = 1; frontier.length > 0 && distance <= maxDepth; distance++) {
      const following: LineageNodeRef[] = [];
      for (const node of frontier) {
        for (const step of next(node)) {
          const key = nodeKey(step.node);
          if (seen.has(key)) continue;
          seen.add(key);
          hits.push({ node: this.describe(step.node), distance });
          following.push(step.node);
        }
      }
      frontier = following;
    }
    return hits;
  }

  /**
   * The root, all its ancestors and all its descendants with the edges between them, for a
   * layered drawing (left to right: dataset → … → monitor).
   */
  lineageGraph(root: LineageNodeRef, options: { maxNodes?: number } = {}): LineageGraph {
    const maxNodes = options.maxNodes ?? 500;
    const nodes = new Map<string, LineageNode>([[nodeKey(root), this.describe(root)]]);
    const edges = new Map<string, { from: string; to: string; relation: string }>();
    let truncated = false;
    const explore = (direction: 'up' | 'down'): void => {
      const seen = new Set([nodeKey(root)]);
      let frontier: LineageNodeRef[] = [root];
      while (frontier.length > 0) {
        const following: LineageNodeRef[] = [];
        for (const node of frontier) {
          for (const step of direction === 'up' ? this.parents(node) : this.children(node)) {
            const key = nodeKey(step.node);
            if (!nodes.has(key)) {
              if (nodes.size >= maxNodes) {
                truncated = true;
                continue;
              }
              nodes.set(key, this.describe(step.node));
            }
            const [from, to] = direction === 'up' ? [key, nodeKey(node)] : [nodeKey(node), key];
            edges.set(`${from}→${to}`, { from, to, relation: step.relation });
            if (!seen.has(key)) {
              seen.add(key);
              following.push(step.node);
            }
          }
        }
        frontier = following;
      }
    };
    explore('up');
    explore('down');
    return { root: nodeKey(root), nodes: [...nodes.values()], edges: [...edges.values()], truncated };
  }
}

function dedupe(steps: Step[]): Step[] {
  const seen = new Set<string>();
  return steps.filter((s) => {
    const key = nodeKey(s.node);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
