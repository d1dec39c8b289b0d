import { MODEL_DIR, PACKAGE_FILES } from '../modelPackage/modelPackageFormat';
import type { RegisterVersionOptions } from '../registry/modelRegistry';
import { parseModelUri } from '../registry/modelUri';
import type { RegistryBackend } from '../registry/registryBackend';
import { MODEL_STAGES, type AliasReview, type ModelStage, type ModelVersion, type ModelVersionStatus, type RegisteredModel, type RegistryChange } from '../registry/registryTypes';
import { ChangeListeners } from '../tracking/changeListeners';
import { InvalidArgumentError, NotFoundError, TrackingError } from '../tracking/trackingErrors';
import type { TrackingStore } from '../tracking/trackingStore';
import type { MlflowHttpOptions } from './mlflowHttp';
import { MlflowRegistryClient, type RemoteModelVersion, type RemoteRegisteredModel } from './mlflowRegistryClient';
import { MlflowRestClient } from './mlflowRestClient';

/** MLflow's own model manifest (YAML, no extension): a model logged by MLflow itself. */
const MLFLOW_MANIFEST = 'MLmodel';

const STATUSES: readonly ModelVersionStatus[] = ['PENDING_REGISTRATION', 'READY', 'FAILED_REGISTRATION'];

function stageOf(stage: string): ModelStage {
  return MODEL_STAGES.find((s) => s.toLowerCase() === stage.toLowerCase()) ?? 'None';
}

/** MLflow's filter strings quote with single quotes; a quote inside a name is escaped. */
function nameFilter(name: string): string {
  return `name = '${name.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The run artifact folder a version's source names (`mlflow-artifacts:/exp/run/artifacts/<path>` or `runs:/run/<path>`). */
export function artifactPathOfSource(source: string): string | undefined {
  const runs = /^runs:\/[^/]+\/?(.*)$/.exec(source);
  if (runs) return runs[1] ?? '';
  const proxied = /^mlflow-artifacts:(?:\/\/[^/]*)?\/[^/]+\/[^/]+\/artifacts\/?(.*)$/.exec(source);
  return proxied ? (proxied[1] ?? '') : undefined;
}

function versionOf(remote: RemoteModelVersion, aliases: Readonly<Record<string, number>>): ModelVersion {
  return {
    name: remote.name,
    version: remote.version,
    source: remote.source,
    runId: remote.runId,
    status: STATUSES.find((s) => s === remote.status) ?? 'READY',
    currentStage: stageOf(remote.currentStage),
    description: remote.description,
    tags: remote.tags,
    // model-versions/search leaves aliases out; the model's alias map has them all
    aliases: Object.entries(aliases).filter(([, v]) => v === remote.version).map(([a]) => a).sort(),
    creationTime: remote.creationTime,
    lastUpdatedTime: remote.lastUpdatedTime,
    createdBy: remote.userId || 'unknown',
    signature: null,
    sizeBytes: 0,
    // no frozen copy here: the files stay on the server, at the source
    storageDir: remote.source,
    packageDir: '',
    external: true,
  };
}

function modelOf(remote: RemoteRegisteredModel, versions: readonly number[]): RegisteredModel {
  return {
    name: remote.name,
    modelId: `mlflow:${remote.name}`,
    description: remote.description,
    tags: remote.tags,
    requireReview: false,
    creationTime: remote.creationTime,
    lastUpdatedTime: remote.lastUpdatedTime,
    createdBy: '',
    aliases: remote.aliases,
    latestVersion: versions.length === 0 ? null : Math.max(...versions),
    versionCount: versions.length,
  };
}

export interface MlflowRegistryBackendOptions extends MlflowHttpOptions {
  /** the tracking client of the same server (for runs and artifacts); default a new one */
  readonly tracking?: TrackingStore;
}

/**
 * A team's MLflow model registry behind the same interface as the workspace registry. What MLflow
 * does not keep (reviews, the audit log, who registered on a server without auth, the frozen copy)
 * is absent, and asking for it says so instead of pretending.
 */
export class MlflowRegistryBackend implements RegistryBackend {
  readonly kind = 'remote' as const;
  readonly location: string;
  private readonly client: MlflowRegistryClient;
  private readonly tracking: TrackingStore;
  private readonly changes = new ChangeListeners<RegistryChange>();

  constructor(options: MlflowRegistryBackendOptions) {
    this.client = new MlflowRegistryClient(options);
    this.tracking = options.tracking ?? new MlflowRestClient(options);
    this.location = `the MLflow server at ${options.url.replace(/\/+$/, '')}`;
  }

  onDidChange(listener: (change: RegistryChange) => void): { dispose(): void } {
    return this.changes.add(listener);
  }

  private async versionNumbers(name?: string): Promise<Map<string, number[]>> {
    const byModel = new Map<string, number[]>();
    for (const v of await this.client.searchVersions(name === undefined ? undefined : nameFilter(name))) {
      byModel.set(v.name, [...(byModel.get(v.name) ?? []), v.version]);
    }
    return byModel;
  }

  async listModels(): Promise<RegisteredModel[]> {
    const [models, versions] = await Promise.all([this.client.searchModels(), this.versionNumbers()]);
    return models.map((m) => modelOf(m, versions.get(m.name) ?? [])).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async findModel(name: string): Promise<RegisteredModel | undefined> {
    const model = await this.client.getModel(name);
    if (!model) return undefined;
    return modelOf(model, (await this.versionNumbers(name)).get(name) ?? []);
  }

  async getModel(name: string): Promise<RegisteredModel> {
    const model = await this.findModel(name);
    if (!model) throw new NotFoundError(`No registered model "${name}" on ${this.location}.`);
    return model;
  }

  async listVersions(name: string): Promise<ModelVersion[]> {
    const model = await this.client.getModel(name);
    if (!model) throw new NotFoundError(`No registered model "${name}" on ${this.location}.`);
    const versions = await this.client.searchVersions(nameFilter(name));
    return versions.map((v) => versionOf(v, model.aliases)).sort((a, b) => b.version - a.version);
  }

  /** One version, with its signature read from the package on the server when it has one. */
  private async complete(remote: RemoteModelVersion): Promise<ModelVersion> {
    const model = await this.client.getModel(remote.name);
    const version = versionOf(remote, model?.aliases ?? {});
    const path = artifactPathOfSource(remote.source);
    if (path === undefined || remote.runId === '') return version;
    try {
      const text = (await this.tracking.readArtifact(remote.runId, `${path === '' ? '' : `${path}/`}${PACKAGE_FILES.signature}`)).toString('utf8');
      return { ...version, signature: JSON.parse(text) as ModelVersion['signature'] };
    } catch {
      return version; // not one of our packages (a model MLflow logged), or the run is gone
    }
  }

  async getVersion(name: string, version: number | string): Promise<ModelVersion> {
    const number = Number(String(version).replace(/^v/, ''));
    if (!Number.isInteger(number) || number < 1) throw new InvalidArgumentError(`"${version}" is not a version number (1, 2, …).`);
    try {
      return await this.complete(await this.client.getVersion(name, number));
    } catch (error) {
      if (error instanceof NotFoundError) throw new NotFoundError(`Model "${name}" has no version ${number} on ${this.location}.`);
      throw error;
    }
  }

  async resolveUri(uri: string): Promise<ModelVersion> {
    const ref = parseModelUri(uri);
    const model = await this.client.getModel(ref.name);
    if (!model) throw new NotFoundError(`${uri}: no registered model "${ref.name}" on ${this.location}.`);
    switch (ref.kind) {
      case 'version':
        return this.getVersion(ref.name, ref.version);
      case 'alias': {
        const version = model.aliases[ref.alias];
        const known = Object.entries(model.aliases).sort(([a], [b]) => (a < b ? -1 : 1)).map(([a, v]) => `@${a} → v${v}`).join(', ');
        if (version === undefined) throw new NotFoundError(`${uri}: model "${ref.name}" has no alias "${ref.alias}" on ${this.location} (${known === '' ? 'it has no aliases' : known}).`);
        return this.getVersion(ref.name, version);
      }
      case 'latest': {
        const newest = (await this.listVersions(ref.name))[0];
        if (!newest) throw new NotFoundError(`${uri}: model "${ref.name}" has no versions yet.`);
        return this.complete(await this.client.getVersion(ref.name, newest.version));
      }
      case 'stage': {
        const [found] = await this.client.latestVersions(ref.name, [ref.stage]);
        if (!found) throw new NotFoundError(`${uri}: no version of model "${ref.name}" is in stage ${ref.stage}.`);
        return this.complete(found);
      }
    }
  }

  /**
   * What `mlflow.register_model("runs:/RUN/model", NAME)` does (create the model unless it exists,
   * then a version whose source is the run's artifact folder), after checking that the folder
   * holds a model package: a version over nothing would only fail later, when it is served.
   */
  async registerVersion(runId: string, name: string, options: RegisterVersionOptions = {}): Promise<ModelVersion> {
    const artifactPath = (options.artifactPath ?? MODEL_DIR).replace(/^\/+|\/+$/g, '');
    const run = await this.tracking.getRun(runId);
    const files = await this.tracking.listArtifacts(runId, artifactPath).catch(() => []);
    const names = new Set(files.map((f) => f.path.split('/').pop()));
    if (!names.has(PACKAGE_FILES.manifest) && !names.has(MLFLOW_MANIFEST)) {
      throw new InvalidArgumentError(`Run ${runId} (${run.info.runName}) has no model package at ${artifactPath}/ on ${this.location} (no ${PACKAGE_FILES.manifest} or ${MLFLOW_MANIFEST}); only runs that trained a model can be registered.`);
    }
    if (options.createModel === false) await this.getModel(name);
    else await this.client.ensureModel(name);
    const created = await this.client.createVersion(name, {
      source: `${run.info.artifactUri.replace(/\/+$/, '')}/${artifactPath}`,
      runId,
      ...(options.description ? { description: options.description } : {}),
      ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
    });
    this.changes.emit({ kind: 'version', name, version: created.version });
    return this.complete(created);
  }

  async setAlias(name: string, alias: string, version: number | string): Promise<ModelVersion> {
    await this.client.setAlias(name, alias, version);
    this.changes.emit({ kind: 'alias', name, version: Number(version) });
    return this.getVersion(name, version);
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    const model = await this.getModel(name);
    if (model.aliases[alias] === undefined) throw new NotFoundError(`Model "${name}" has no alias "${alias}" on ${this.location}.`);
    await this.client.deleteAlias(name, alias);
    this.changes.emit({ kind: 'alias', name });
  }

  async setModelDescription(name: string, description: string): Promise<void> {
    await this.client.updateModel(name, description);
    this.changes.emit({ kind: 'model', name });
  }

  async setVersionDescription(name: string, version: number | string, description: string): Promise<void> {
    await this.client.updateVersion(name, version, description);
    this.changes.emit({ kind: 'version', name, version: Number(version) });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.client.setModelTag(name, key, value);
    this.changes.emit({ kind: 'model', name });
  }

  async setVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    await this.client.setVersionTag(name, version, key, value);
    this.changes.emit({ kind: 'version', name, version: Number(version) });
  }

  async transitionStage(name: string, version: number | string, stage: string, options: { archiveExistingVersions?: boolean } = {}): Promise<ModelVersion> {
    const moved = await this.client.transitionStage(name, version, stage, options.archiveExistingVersions === true);
    this.changes.emit({ kind: 'version', name, version: moved.version });
    return this.complete(moved);
  }

  async renameModel(name: string, newName: string): Promise<RegisteredModel> {
    await this.client.renameModel(name, newName);
    this.changes.emit({ kind: 'model', name: newName });
    return this.getModel(newName);
  }

  async deleteModel(name: string): Promise<void> {
    await this.client.deleteModel(name);
    this.changes.emit({ kind: 'model', name });
  }

  async deleteVersion(name: string, version: number | string): Promise<void> {
    await this.client.deleteVersion(name, version);
    this.changes.emit({ kind: 'version', name, version: Number(version) });
  }

  async pendingReviews(): Promise<AliasReview[]> {
    return [];
  }

  async requestReview(name: string): Promise<AliasReview> {
    throw new TrackingError(`Reviews of alias moves are kept in the workspace store; MLflow's registry (${this.location}) has none, so "${name}" cannot require one there.`, 'INVALID_STATE');
  }
}
