/** The "materialize features" worker job: loads features.yaml, materializes, and computes each view's statistics. */
import { materializeRepo, type MaterializeProgress } from './featureMaterializer';
import { loadFeatureRepo } from './featureSpecParser';
import { writeFeatureViewStats } from './featureStats';
import type { FeatureViewMeta } from './featureStoreFiles';

export interface MaterializeJobInput {
  /** absolute path of features.yaml */
  file: string;
  storeDir: string;
  /** view names; all views when empty or absent */
  views?: string[];
}

export type MaterializeJobEvent = MaterializeProgress & { phase: 'materialize' | 'statistics' };

export async function runMaterializeJob(input: MaterializeJobInput, emit: (event: MaterializeJobEvent) => void): Promise<FeatureViewMeta[]> {
  const repo = await loadFeatureRepo(input.file);
  const metas = await materializeRepo(repo, input.storeDir, { views: input.views ?? [], onProgress: (p) => emit({ ...p, phase: 'materialize' }) });
  for (const [index, meta] of metas.entries()) {
    emit({ view: meta.view, index, total: metas.length, phase: 'statistics' });
    await writeFeatureViewStats(input.storeDir, meta.view, meta.materializedAt);
  }
  return metas;
}
