import type { ModelRegistry, RegisterVersionOptions } from './modelRegistry';
import type { ActorOption, AliasReview, ModelVersion, RegisteredModel, RegistryChange } from './registryTypes';

/**
 * A model registry as views and commands use it, whether it is the workspace store's (with
 * reviews and an audit log) or a team's MLflow server (what MLflow keeps: models, versions,
 * aliases, tags, stages). Every call is async because a remote one goes over the network.
 */
export interface RegistryBackend {
  readonly kind: 'local' | 'remote';
  /** where the registry lives, for messages: "the workspace store …" or "the MLflow server at …" */
  readonly location: string;
  listModels(): Promise<RegisteredModel[]>;
  findModel(name: string): Promise<RegisteredModel | undefined>;
  getModel(name: string): Promise<RegisteredModel>;
  /** newest first */
  listVersions(name: string): Promise<ModelVersion[]>;
  getVersion(name: string, version: number | string): Promise<ModelVersion>;
  resolveUri(uri: string): Promise<ModelVersion>;
  registerVersion(runId: string, name: string, options?: RegisterVersionOptions): Promise<ModelVersion>;
  setAlias(name: string, alias: string, version: number | string, options?: ActorOption): Promise<ModelVersion>;
  deleteAlias(name: string, alias: string, options?: ActorOption): Promise<void>;
  setModelDescription(name: string, description: string, options?: ActorOption): Promise<void>;
  setVersionDescription(name: string, version: number | string, description: string, options?: ActorOption): Promise<void>;
  setModelTag(name: string, key: string, value: string, options?: ActorOption): Promise<void>;
  setVersionTag(name: string, version: number | string, key: string, value: string, options?: ActorOption): Promise<void>;
  transitionStage(name: string, version: number | string, stage: string, options?: ActorOption & { archiveExistingVersions?: boolean }): Promise<ModelVersion>;
  renameModel(name: string, newName: string, options?: ActorOption): Promise<RegisteredModel>;
  deleteModel(name: string, options?: ActorOption): Promise<void>;
  deleteVersion(name: string, version: number | string, options?: ActorOption): Promise<void>;
  /** pending alias reviews; MLflow has none, so a remote registry has none either */
  pendingReviews(name?: string): Promise<AliasReview[]>;
  /** asks for a review of an alias move (local only: MLflow keeps no reviews) */
  requestReview(name: string, alias: string, version: number | string, comment: string, options?: ActorOption): Promise<AliasReview>;
  onDidChange(listener: (change: RegistryChange) => void): { dispose(): void };
}

/** The workspace store's registry behind the shared interface. */
export function localRegistryBackend(registry: ModelRegistry, location: string): RegistryBackend {
  return {
    kind: 'local',
    location,
    listModels: async () => registry.listModels(),
    findModel: async (name) => registry.findModel(name),
    getModel: async (name) => registry.getModel(name),
    listVersions: async (name) => registry.listVersions(name),
    getVersion: async (name, version) => registry.getVersion(name, version),
    resolveUri: async (uri) => registry.resolveUri(uri),
    registerVersion: (runId, name, options) => registry.registerVersion(runId, name, options),
    setAlias: (name, alias, version, options) => registry.setAlias(name, alias, version, options),
    deleteAlias: (name, alias, options) => registry.deleteAlias(name, alias, options),
    setModelDescription: (name, description, options) => registry.setModelDescription(name, description, options),
    setVersionDescription: (name, version, description, options) => registry.setVersionDescription(name, version, description, options),
    setModelTag: (name, key, value, options) => registry.setModelTag(name, key, value, options),
    setVersionTag: (name, version, key, value, options) => registry.setVersionTag(name, version, key, value, options),
    transitionStage: (name, version, stage, options) => registry.transitionStage(name, version, stage, options),
    renameModel: (name, newName, options) => registry.renameModel(name, newName, options),
    deleteModel: (name, options) => registry.deleteModel(name, options),
    deleteVersion: (name, version, options) => registry.deleteVersion(name, version, options),
    pendingReviews: async (name) => registry.listReviews({ ...(name === undefined ? {} : { name }), status: 'PENDING' }),
    requestReview: (name, alias, version, comment, options) => registry.requestReview(name, alias, version, comment, options),
    onDidChange: (listener) => registry.onDidChange(listener),
  };
}
