import { lineageFor, modelRegistryFor } from '../../registry/registryAccess';
import { checkNode, nodeKey } from '../../lineage/lineageNodes';
import { resolveLineageRoot } from '../../lineage/lineageRoot';
import { lineageRootSources, type LineageRootSources } from '../../lineage/lineageRootSources';
import { lineageTree, type LineageTreeStep } from '../../lineage/lineageTree';
import type { LineageEdge, LineageGraph, LineageHit, LineageNode, LineageNodeRef } from '../../lineage/lineageTypes';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** What `mlops lineage` prints, in one answer: the root, its walks both ways, and the graph. */
export interface LineageReport {
  readonly root: LineageNode;
  readonly upstream?: readonly LineageHit[];
  readonly downstream?: readonly LineageHit[];
  readonly upTree?: readonly LineageTreeStep[];
  readonly downTree?: readonly LineageTreeStep[];
  readonly graph: LineageGraph;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A node as another process sent it: an object with a valid kind and a non-empty id. */
function nodeParam(value: unknown, what: string): LineageNodeRef {
  if (!isRecord(value) || typeof value.kind !== 'string' || typeof value.id !== 'string') throw new InvalidArgumentError(`${what} must be a lineage node { "kind": …, "id": … }.`);
  return checkNode({ kind: value.kind, id: value.id });
}

function textParam(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(`${what} must be a non-empty string.`);
  return value;
}

function countParam(value: unknown, what: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) throw new InvalidArgumentError(`${what} must be a whole number of at least 1.`);
  return value;
}

/** Edges a client records (feature materialization, training sets …): every node checked, every relation named. */
function edgesParam(edges: unknown, labels: unknown): { edges: LineageEdge[]; labels: Record<string, string> } {
  if (!Array.isArray(edges)) throw new InvalidArgumentError('edges must be a list of { "from", "to", "relation" }.');
  const checked = edges.map((edge: unknown, i): LineageEdge => {
    if (!isRecord(edge)) throw new InvalidArgumentError(`edges[${i}] must be an object { "from", "to", "relation" }.`);
    return { from: nodeParam(edge.from, `edges[${i}].from`), to: nodeParam(edge.to, `edges[${i}].to`), relation: textParam(edge.relation, `edges[${i}].relation`) };
  });
  if (labels !== undefined && !isRecord(labels)) throw new InvalidArgumentError('labels must be an object of "kind:id" → label.');
  const named = new Set(checked.flatMap((e) => [nodeKey(e.from), nodeKey(e.to)]));
  const out: Record<string, string> = {};
  for (const [key, label] of Object.entries(labels ?? {})) {
    if (typeof label !== 'string') throw new InvalidArgumentError(`The label of ${key} must be a string.`);
    if (!named.has(key)) throw new InvalidArgumentError(`The label of ${key} names no node of these edges.`);
    out[key] = label;
  }
  return { edges: checked, labels: out };
}

/** The lineage graph: what the Lineage panel, its root picker, feature materialization and the CLI's `lineage` read and write. */
export const lineageMethods = {
  'lineage.graph': ({ store }: EngineContext, params: { root: LineageNodeRef; maxNodes?: number }): LineageGraph =>
    lineageFor(store).lineageGraph(nodeParam(params.root, 'root'), params.maxNodes === undefined ? {} : { maxNodes: countParam(params.maxNodes, 'maxNodes') }),
  'lineage.describe': ({ store }: EngineContext, params: { node: LineageNodeRef }): LineageNode => lineageFor(store).describe(nodeParam(params.node, 'node')),
  /** A node a user named (models:/NAME@ALIAS, runs:/ID, KIND:ID …), aliases resolved in the registry now, described. */
  'lineage.resolve': ({ store }: EngineContext, params: { target: string }): LineageNode =>
    lineageFor(store).describe(resolveLineageRoot(modelRegistryFor(store), textParam(params.target, 'target'))),
  /** Everything "Show Lineage" offers to start from. */
  'lineage.rootChoices': ({ store }: EngineContext, _params: Record<string, never>): Promise<LineageRootSources> =>
    lineageRootSources(modelRegistryFor(store), store.tracking, lineageFor(store)),
  /** Records edges (again recording one changes nothing); `labels` names nodes by "kind:id". */
  'lineage.record': async ({ store }: EngineContext, params: { edges: readonly LineageEdge[]; labels?: Readonly<Record<string, string>> }): Promise<{ edges: number }> => {
    const { edges, labels } = edgesParam(params.edges, params.labels);
    await lineageFor(store).record(edges, labels);
    return { edges: edges.length };
  },
  /** `mlops lineage TARGET [--up|--down]`: the named node, what it came from and what was made from it. */
  'lineage.report': ({ store }: EngineContext, params: { target: string; up: boolean; down: boolean }): LineageReport => {
    const lineage = lineageFor(store);
    const root = resolveLineageRoot(modelRegistryFor(store), textParam(params.target, 'target'));
    const up = params.up === true;
    const down = params.down === true;
    return {
      root: lineage.describe(root),
      ...(up ? { upstream: lineage.upstream(root), upTree: lineageTree(lineage, root, 'up') } : {}),
      ...(down ? { downstream: lineage.downstream(root), downTree: lineageTree(lineage, root, 'down') } : {}),
      graph: lineage.lineageGraph(root),
    };
  },
} satisfies EngineMethodTable;
