import type { LineageStore } from './lineageStore';
import type { LineageNode, LineageNodeRef } from './lineageTypes';

/** One edge of a lineage walk drawn as a tree: the node it reaches and what hangs below it. */
export interface LineageTreeStep {
  readonly relation: string;
  readonly node: LineageNode;
  /** met before on this walk: named, not expanded again */
  readonly again: boolean;
  readonly steps: readonly LineageTreeStep[];
}

/**
 * The walk from `root` one way (parents or children) as a tree, for `mlops lineage`'s indented
 * drawing. Built where the store is, so a client draws it from one answer.
 */
export function lineageTree(lineage: Pick<LineageStore, 'parents' | 'children' | 'describe'>, root: LineageNodeRef, direction: 'up' | 'down'): LineageTreeStep[] {
  const expanded = new Set<string>();
  const visit = (node: LineageNodeRef, path: ReadonlySet<string>): LineageTreeStep[] =>
    (direction === 'up' ? lineage.parents(node) : lineage.children(node)).map((step) => {
      const described = lineage.describe(step.node);
      const again = expanded.has(described.key) || path.has(described.key);
      if (!again) expanded.add(described.key);
      return { relation: step.relation, node: described, again, steps: again ? [] : visit(step.node, new Set([...path, described.key])) };
    });
  return visit(root, new Set([`${root.kind}:${root.id}`]));
}
