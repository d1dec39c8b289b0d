import { lineageFor } from '../../registry/registryAccess';
import { checkNode } from '../../lineage/lineageNodes';
import type { LineageGraph, LineageNode, LineageNodeRef } from '../../lineage/lineageTypes';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** The lineage graph: what the Lineage panel, its root picker and the CLI's `lineage` read. */
export const lineageMethods = {
  'lineage.graph': ({ store }: EngineContext, params: { root: LineageNodeRef; maxNodes?: number }): LineageGraph =>
    lineageFor(store).lineageGraph(checkNode(params.root), params.maxNodes === undefined ? {} : { maxNodes: params.maxNodes }),
  'lineage.describe': ({ store }: EngineContext, params: { node: LineageNodeRef }): LineageNode => lineageFor(store).describe(checkNode(params.node)),
} satisfies EngineMethodTable;
