import { LineageStore } from '../lineage/lineageStore';
import type { WorkspaceStore } from '../store/workspaceStore';
import { ModelRegistry, type ModelRegistryOptions } from './modelRegistry';

const registries = new WeakMap<WorkspaceStore, ModelRegistry>();
const lineages = new WeakMap<WorkspaceStore, LineageStore>();

/**
 * The one registry of an open workspace store (views, commands and the REST layer share it, so a
 * change made by one reaches every listener). Options only apply when it is first created.
 */
export function modelRegistryFor(store: WorkspaceStore, options: ModelRegistryOptions = {}): ModelRegistry {
  let registry = registries.get(store);
  if (!registry) {
    registry = new ModelRegistry(store, options);
    registries.set(store, registry);
  }
  return registry;
}

/** The lineage graph of an open workspace store. */
export function lineageFor(store: WorkspaceStore): LineageStore {
  let lineage = lineages.get(store);
  if (!lineage) {
    lineage = new LineageStore(store.database);
    lineages.set(store, lineage);
  }
  return lineage;
}
