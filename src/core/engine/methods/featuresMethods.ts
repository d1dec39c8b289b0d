import { modelsUsingFeatureSet, type FeatureModelUse } from '../../features/featureLineage';
import type { ModelSignature } from '../../modelPackage/modelPackageFormat';
import { lineageFor, modelRegistryFor } from '../../registry/registryAccess';
import { featureViewsInLineage } from '../../serving/onlineFeatureChoice';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** What "Serve Model…" needs to offer online feature lookups for a model URI. */
export interface FeatureServingContext {
  readonly name: string;
  readonly version: number;
  /** null: the version has no signature, so no input can be filled from a feature view */
  readonly signature: ModelSignature | null;
  /** feature views its training data was built from (lineage) */
  readonly trainedFrom: readonly string[];
  /** the store whose features/ folder holds the materialized views */
  readonly storeDir: string;
}

function viewNames(value: unknown): string[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) throw new InvalidArgumentError('views must be a list of feature view names.');
  return value as string[];
}

/** Feature store requests a client makes of the store's holder (see engineMethods.ts); materializing itself is file work its caller does. */
export const featuresMethods = {
  /** Registered model versions trained on each view (through training sets and runs), for the Feature Catalog. */
  'features.modelsUsing': ({ store }: EngineContext, params: { views: readonly string[] }): Record<string, FeatureModelUse[]> => {
    const lineage = lineageFor(store);
    return Object.fromEntries(viewNames(params.views).map((view) => [view, modelsUsingFeatureSet(lineage, view)]));
  },
  'features.servingContext': ({ store }: EngineContext, params: { uri: string }): FeatureServingContext => {
    if (typeof params.uri !== 'string' || params.uri.trim() === '') throw new InvalidArgumentError('uri must be a model URI such as models:/NAME@ALIAS.');
    const version = modelRegistryFor(store).resolveUri(params.uri);
    return {
      name: version.name,
      version: version.version,
      signature: version.signature,
      trainedFrom: featureViewsInLineage(lineageFor(store), version.name, version.version),
      storeDir: store.dir,
    };
  },
} satisfies EngineMethodTable;
