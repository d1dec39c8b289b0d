/** How feature sets enter lineage (source dataset → featureSet → training set → run → model version), and what reads it back. */
import { datasetNode } from '../lineage/lineageNodes';
import type { LineageEdge } from '../lineage/lineageTypes';
import type { LineageStore } from '../lineage/lineageStore';
import type { FeatureViewMeta } from './featureStoreFiles';

export function featureSetNode(view: string): { kind: 'featureSet'; id: string } {
  return { kind: 'featureSet', id: view };
}

/** Edges and labels recording that each view was materialized from its source file. */
export function materializationLineage(metas: readonly FeatureViewMeta[]): { edges: LineageEdge[]; labels: Record<string, string> } {
  const labels: Record<string, string> = {};
  const edges = metas.map((m) => {
    labels[`featureSet:${m.view}`] = `features ${m.view}`;
    labels[`dataset:${m.sourceDigest}`] = m.sourcePath;
    return { from: datasetNode(m.sourceDigest), to: featureSetNode(m.view), relation: 'materialized' };
  });
  return { edges, labels };
}

export interface FeatureModelUse {
  name: string;
  version: number;
  /** the version or its run was deleted; lineage still names it */
  missing: boolean;
}

/** Registered model versions trained (through training sets and runs) on a feature view, newest version first per model. */
export function modelsUsingFeatureSet(lineage: LineageStore, view: string): FeatureModelUse[] {
  const out: FeatureModelUse[] = [];
  for (const hit of lineage.downstream(featureSetNode(view), { maxDepth: 6 })) {
    if (hit.node.kind !== 'modelVersion') continue;
    const slash = hit.node.id.lastIndexOf('/');
    const version = Number(hit.node.id.slice(slash + 1));
    if (slash <= 0 || !Number.isInteger(version)) continue;
    out.push({ name: hit.node.id.slice(0, slash), version, missing: hit.node.missing === true });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : b.version - a.version));
}
