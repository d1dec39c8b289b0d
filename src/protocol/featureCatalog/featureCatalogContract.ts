/**
 * The feature catalog panel's contract: every feature of the workspace's features.yaml files with
 * its freshness, and for the selected one its statistics, distribution and the models that use it.
 */

export const FEATURE_CATALOG_VIEW_TYPE = 'mlops.featureCatalog';

export interface FeatureCatalogEntry {
  /** "VIEW:FEATURE", the reference training sets use */
  id: string;
  view: string;
  name: string;
  type: 'float' | 'integer' | 'string' | 'boolean';
  owner: string | null;
  /** the view's tags, then the feature's own */
  tags: string[];
  description: string | null;
  viewDescription: string | null;
  entities: string[];
  /** "TTL 30d" or "no TTL" */
  ttl: string;
  /** workspace-relative path of its features.yaml */
  file: string;
  line: number;
  materializedAt: string | null;
  rows: number | null;
  latestEventTime: string | null;
}

export interface FeatureSpecProblem {
  file: string;
  line: number;
  column: number;
  field: string;
  message: string;
}

export interface FeatureCatalogState {
  /** how many features.yaml files the workspace has (0: the empty state offers to create one) */
  specFiles: number;
  problems: FeatureSpecProblem[];
  features: FeatureCatalogEntry[];
  /** epoch ms on the host, for "3 h ago" */
  now: number;
}

export type FeatureDistributionView =
  | { kind: 'numeric'; edges: number[]; counts: number[] }
  | { kind: 'categorical'; labels: string[]; counts: number[]; otherCount: number };

export interface FeatureStatsView {
  count: number;
  missing: number;
  missingShare: number;
  min: number | null;
  max: number | null;
  mean: number | null;
  std: number | null;
  distinct: number;
  distribution: FeatureDistributionView;
}

export interface FeatureModelView {
  name: string;
  version: number;
  missing: boolean;
}

export interface FeatureDetails {
  id: string;
  /** null when the view was never materialized */
  stats: FeatureStatsView | null;
  /** why there are no statistics (never materialized, or stale and too big to compute here); null when there are */
  statsNote: string | null;
  models: FeatureModelView[];
  /** why models could not be listed (e.g. the store is held by another window); null when they were */
  modelsNote: string | null;
}

export interface FeatureCatalogContract {
  requests: {
    getCatalog: { params: Record<string, never>; result: FeatureCatalogState };
    getFeature: { params: { view: string; name: string }; result: FeatureDetails };
  };
  viewNotifications: {
    /** materialize one view, or every view of every spec when view is null */
    materialize: { view: string | null };
    openModelCard: { name: string; version: number };
    /** opens a features.yaml of the catalog at a line */
    openSpec: { file: string; line: number };
    createSpec: Record<string, never>;
  };
  hostNotifications: {
    /** specs or materializations changed: fetch the catalog again */
    changed: Record<string, never>;
  };
}
