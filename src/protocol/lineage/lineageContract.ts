/** The lineage panel's contract: one root node, its upstream and downstream as a graph to lay out. */

export const LINEAGE_VIEW_TYPE = 'mlops.lineage';

/** A node by identity: dataset by digest, run by id, model version as "NAME/VERSION", endpoint by name. */
export interface LineageNodeRefView {
  kind: string;
  id: string;
}

export interface LineageNodeView extends LineageNodeRefView {
  /** "kind:id", unique in a graph */
  key: string;
  label: string;
  /** a second line: source path, status, models:/ URI */
  detail?: string;
  /** where a click leads: models:/NAME/VERSION, runs:/RUN_ID, a dataset's source path */
  target?: string;
  /** the thing itself was deleted; the history still names it */
  missing?: boolean;
}

export interface LineageEdgeView {
  from: string;
  to: string;
  /** read from → to: "trained", "registered", "served", "monitored", … */
  relation: string;
}

export interface LineageGraphView {
  /** key of the root node (always among `nodes`) */
  root: string;
  nodes: LineageNodeView[];
  edges: LineageEdgeView[];
  /** true when the walk stopped at `maxNodes` */
  truncated: boolean;
  maxNodes: number;
}

export interface LineageContract {
  requests: {
    /** the graph around `root`, or around the panel's current root when omitted; a new root re-roots the panel */
    getGraph: { params: { root?: LineageNodeRefView }; result: LineageGraphView };
  };
  viewNotifications: {
    /** click-through: open the thing a node stands for (model card, run, data file, endpoint) */
    openNode: LineageNodeRefView;
  };
  hostNotifications: {
    /** something was recorded or renamed: the view asks for its graph again */
    storeChanged: Record<string, never>;
  };
}
