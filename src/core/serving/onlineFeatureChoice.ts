/**
 * Which feature views an endpoint looks up before predicting: the user's choice (`mlops serve
 * --features features.yaml[:view,…]`, the "Serve Model…" quick pick) or, without one, the feature
 * sets the model version's training data was built from (lineage), resolved against features.yaml
 * into what the endpoint process needs.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { FeatureRepo, FeatureViewDef } from '../features/featureSpec';
import { featureViewDir } from '../features/featureStoreFiles';
import { modelVersionNode } from '../lineage/lineageNodes';
import type { LineageStore } from '../lineage/lineageStore';
import type { ModelSignature } from '../modelPackage/modelPackageFormat';
import type { OnlineFeaturesChoice, OnlineLookupSpec } from './endpointTypes';

/** "features.yaml", "features.yaml:view1,view2" → the file (absolute) and the views (empty = every view that fills a model input). */
export function parseFeaturesOption(text: string, workspace: string): OnlineFeaturesChoice {
  const m = /^(.+?\.ya?ml)(?::(.*))?$/i.exec(text.trim());
  if (!m) throw new Error(`--features "${text}": expected FEATURES.yaml or FEATURES.yaml:VIEW,VIEW (a features.yaml file, then the feature views to look up)`);
  const file = m[1] as string;
  const views = (m[2] ?? '').split(',').map((v) => v.trim()).filter((v) => v !== '');
  const bad = views.find((v) => !/^[A-Za-z_][A-Za-z0-9_]*$/.test(v));
  if (bad !== undefined) throw new Error(`--features "${text}": "${bad}" is not a feature view name`);
  return { file: isAbsolute(file) ? file : resolve(workspace, file), views };
}

/** A feature view and the model inputs it can fill. */
export interface FeatureViewMatch {
  readonly view: FeatureViewDef;
  /** signature input names it fills */
  readonly inputs: readonly string[];
  readonly materialized: boolean;
}

/** The views of `repo` with at least one feature that is a model input (by name, or as VIEW__FEATURE). */
export function matchFeatureViews(repo: FeatureRepo, signature: ModelSignature, storeDir: string): FeatureViewMatch[] {
  const names = new Set(signature.inputs.map((i) => i.name));
  return repo.views.flatMap((view) => {
    const inputs = view.features.flatMap((f) => (names.has(f.name) ? [f.name] : names.has(`${view.name}__${f.name}`) ? [`${view.name}__${f.name}`] : []));
    return inputs.length > 0 ? [{ view, inputs, materialized: existsSync(join(featureViewDir(storeDir, view.name), 'online.json')) }] : [];
  });
}

/** Feature views (featureSet lineage nodes) upstream of a model version: what its training data was built from. */
export function featureViewsInLineage(lineage: LineageStore, modelName: string, version: number): string[] {
  return lineage
    .upstream(modelVersionNode(modelName, version), { maxDepth: 6 })
    .filter((hit) => hit.node.kind === 'featureSet')
    .map((hit) => hit.node.id);
}

/** features.yaml (or .yml) at the workspace root, where `mlops features` looks by default. */
export function defaultFeaturesFile(workspace: string): string | undefined {
  return ['features.yaml', 'features.yml'].map((name) => join(workspace, name)).find((path) => existsSync(path));
}

/**
 * The lookup the endpoint process runs for `choice`: every named view must exist, fill at least
 * one model input and be materialized; no views named = every view that fills a model input.
 */
export function resolveOnlineLookup(repo: FeatureRepo, choice: OnlineFeaturesChoice, signature: ModelSignature, storeDir: string): OnlineLookupSpec {
  const matches = matchFeatureViews(repo, signature, storeDir);
  const inputs = signature.inputs.map((i) => i.name).join(', ');
  let chosen: FeatureViewMatch[];
  if (choice.views.length === 0) {
    if (matches.length === 0) throw new Error(`No feature view in ${repo.file} has a feature the model takes (its inputs: ${inputs}).`);
    chosen = matches;
  } else {
    chosen = choice.views.map((name) => {
      const view = repo.views.find((v) => v.name === name);
      if (!view) throw new Error(`${repo.file} has no feature view "${name}"; it has: ${repo.views.map((v) => v.name).join(', ')}`);
      const match = matches.find((m) => m.view.name === name);
      if (!match) throw new Error(`The feature view "${name}" (${view.features.map((f) => f.name).join(', ')}) fills none of the model's inputs (${inputs}).`);
      return match;
    });
  }
  const stale = chosen.find((m) => !m.materialized);
  if (stale) throw new Error(`The feature view "${stale.view.name}" has not been materialized yet (${join(featureViewDir(storeDir, stale.view.name), 'online.json')} is missing): run mlops features materialize`);
  return {
    views: chosen.map((m) => ({
      name: m.view.name,
      joinKeys: m.view.joinKeys,
      ttlMs: m.view.ttlMs,
      features: m.view.features.map((f) => f.name),
      onlineFile: join(featureViewDir(storeDir, m.view.name), 'online.json'),
    })),
  };
}
