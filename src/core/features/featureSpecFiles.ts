import { findSpecFiles } from '../workspace/specFileFinder';

/** features.yaml, features.yml, or NAME.features.yaml: the files the Features view lists. */
export function isFeatureSpecFile(name: string): boolean {
  return /^(.+\.)?features\.ya?ml$/i.test(name);
}

/** Feature definition files under `folder` (hidden folders and node_modules skipped), sorted. */
export function findFeatureSpecs(folder: string, depth = 4): Promise<string[]> {
  return findSpecFiles(folder, isFeatureSpecFile, depth);
}
