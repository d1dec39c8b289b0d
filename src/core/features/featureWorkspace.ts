/** Every features.yaml of a workspace, parsed (or its problems), with the freshness of each materialized view. */
import { SpecError, type SpecIssue } from '../training/specErrors';
import type { FeatureRepo } from './featureSpec';
import { parseFeatureRepo } from './featureSpecParser';
import { findFeatureSpecs } from './featureSpecFiles';
import { readFeatureViewMeta, type FeatureViewMeta } from './featureStoreFiles';
import { readSpecText } from '../training/specFileText';

export interface FeatureSpecFile {
  file: string;
  text: string;
  repo?: FeatureRepo;
  issues?: readonly SpecIssue[];
  metas: Map<string, FeatureViewMeta>;
}

export async function loadFeatureSpecFile(file: string, storeDir: string | undefined): Promise<FeatureSpecFile> {
  let text: string;
  try {
    text = await readSpecText(file, 'the feature definitions');
  } catch (error) {
    if (!(error instanceof SpecError)) throw error;
    return { file, text: '', issues: error.issues, metas: new Map() };
  }
  let repo: FeatureRepo;
  try {
    repo = parseFeatureRepo(text, file);
  } catch (error) {
    if (error instanceof SpecError) return { file, text, issues: error.issues, metas: new Map() };
    throw error;
  }
  const metas = new Map<string, FeatureViewMeta>();
  if (storeDir) {
    for (const view of repo.views) {
      const meta = await readFeatureViewMeta(storeDir, view.name).catch(() => undefined);
      if (meta) metas.set(view.name, meta);
    }
  }
  return { file, text, repo, metas };
}

export async function loadFeatureWorkspace(folders: readonly string[], storeDir: string | undefined): Promise<FeatureSpecFile[]> {
  const files = (await Promise.all(folders.map((f) => findFeatureSpecs(f)))).flat();
  return Promise.all(files.map((f) => loadFeatureSpecFile(f, storeDir)));
}
