import type { ModelRegistry } from '../registry/modelRegistry';
import { InvalidArgumentError } from '../tracking/trackingErrors';
import { modelVersionNode, parseNodeKey, runNode } from './lineageNodes';
import type { LineageNodeRef } from './lineageTypes';

const RUN_ID = /^[0-9a-f]{32}$/;

/**
 * The node a user named, for `mlops lineage` and "MLOps: Show Lineage" alike: a models:/ URI
 * (NAME/VERSION, NAME@ALIAS, NAME/latest, NAME/STAGE), runs:/RUN_ID, a bare run id, or KIND:ID.
 * Aliases resolve to the version they point at now, so the graph is that version's lineage.
 */
export function resolveLineageRoot(registry: Pick<ModelRegistry, 'resolveUri'>, target: string): LineageNodeRef {
  const text = target.trim();
  if (text === '') throw new InvalidArgumentError('Name what to show the lineage of: models:/NAME@ALIAS, models:/NAME/VERSION, runs:/RUN_ID, dataset:DIGEST or KIND:ID.');
  if (text.startsWith('models:/')) {
    const version = registry.resolveUri(text);
    return modelVersionNode(version.name, version.version);
  }
  const runUri = /^runs:\/([0-9a-f]{32})(\/.*)?$/.exec(text);
  if (runUri) return runNode(runUri[1] as string);
  if (RUN_ID.test(text)) return runNode(text);
  return parseNodeKey(text);
}
