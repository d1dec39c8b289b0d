/**
 * Node kinds the product records today. The kind is an open set: a new capability records its
 * own kind (a lowerCamelCase word) without a schema change.
 */
export const KNOWN_NODE_KINDS = ['dataset', 'featureSet', 'run', 'modelVersion', 'endpoint', 'monitor'] as const;
export type KnownNodeKind = (typeof KNOWN_NODE_KINDS)[number];

/** A node by identity: dataset by digest, run by id, model version as "name/version", … */
export interface LineageNodeRef {
  readonly kind: string;
  readonly id: string;
}

export interface LineageNode extends LineageNodeRef {
  /** "kind:id", unique in a graph */
  readonly key: string;
  /** short display name, e.g. "penguins.csv", "run bright-owl-42", "churn v3" */
  readonly label: string;
  /** one more line for tooltips: source path, status, aliases */
  readonly detail?: string;
  /** where a click leads: models:/NAME/VERSION, runs:/RUN_ID, a dataset's source path or URL */
  readonly target?: string;
  /** the thing itself is gone (deleted run or version); the history still names it */
  readonly missing?: boolean;
}

export interface LineageEdge {
  readonly from: LineageNodeRef;
  readonly to: LineageNodeRef;
  /** what the edge means, read from → to: "trained", "registered", "served", "monitored", … */
  readonly relation: string;
}

/** A node reached by a walk, with how many edges away from the start it is. */
export interface LineageHit {
  readonly node: LineageNode;
  readonly distance: number;
}

/** What a graph view draws: nodes and edges by node key. */
export interface LineageGraph {
  readonly root: string;
  readonly nodes: readonly LineageNode[];
  readonly edges: readonly { readonly from: string; readonly to: string; readonly relation: string }[];
  /** true when maxNodes cut the walk short */
  readonly truncated: boolean;
}
