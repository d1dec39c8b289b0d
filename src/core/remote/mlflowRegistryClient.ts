import { NotFoundError, TrackingError } from '../tracking/trackingErrors';
import type { Json, MlflowHttpOptions } from './mlflowHttp';
import { MlflowHttp } from './mlflowHttp';
import { tagsFromJson } from './mlflowRestMapping';

/** A registered model as an MLflow server describes it. */
export interface RemoteRegisteredModel {
  readonly name: string;
  readonly description: string;
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  readonly tags: readonly { key: string; value: string }[];
  /** alias → version */
  readonly aliases: Readonly<Record<string, number>>;
  /** newest version per stage */
  readonly latestVersions: readonly RemoteModelVersion[];
}

/** A model version as an MLflow server describes it. */
export interface RemoteModelVersion {
  readonly name: string;
  readonly version: number;
  /** where its files are, e.g. mlflow-artifacts:/1/<run>/artifacts/model */
  readonly source: string;
  readonly runId: string;
  readonly status: string;
  readonly currentStage: string;
  readonly description: string;
  readonly tags: readonly { key: string; value: string }[];
  readonly aliases: readonly string[];
  readonly creationTime: number;
  readonly lastUpdatedTime: number;
  /** who registered it, when the server knows (empty on a server without auth) */
  readonly userId: string;
}

const SEARCH_MODELS_PAGE = 100;
const SEARCH_VERSIONS_PAGE = 10_000;

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0);
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function versionFromJson(json: Json): RemoteModelVersion {
  return {
    name: str(json.name),
    version: num(json.version),
    source: str(json.source),
    runId: str(json.run_id),
    status: str(json.status) || 'READY',
    currentStage: str(json.current_stage) || 'None',
    description: str(json.description),
    tags: tagsFromJson(json.tags),
    aliases: Array.isArray(json.aliases) ? json.aliases.map(String) : [],
    creationTime: num(json.creation_timestamp),
    lastUpdatedTime: num(json.last_updated_timestamp),
    userId: str(json.user_id),
  };
}

function modelFromJson(json: Json): RemoteRegisteredModel {
  const aliases: Record<string, number> = {};
  for (const a of Array.isArray(json.aliases) ? (json.aliases as Json[]) : []) aliases[str(a.alias)] = num(a.version);
  return {
    name: str(json.name),
    description: str(json.description),
    creationTime: num(json.creation_timestamp),
    lastUpdatedTime: num(json.last_updated_timestamp),
    tags: tagsFromJson(json.tags),
    aliases,
    latestVersions: Array.isArray(json.latest_versions) ? (json.latest_versions as Json[]).map(versionFromJson) : [],
  };
}

/**
 * MLflow's model registry over REST (our own server or a team's MLflow server), for the remote
 * backend and for copying model versions between stores. Errors are the engine's: NotFoundError,
 * InvalidArgumentError, TrackingError with MLflow's code, or RemoteServerError.
 */
export class MlflowRegistryClient {
  private readonly http: MlflowHttp;

  constructor(options: MlflowHttpOptions) {
    this.http = new MlflowHttp(options);
  }

  async createModel(name: string, options: { description?: string; tags?: readonly { key: string; value: string }[] } = {}): Promise<RemoteRegisteredModel> {
    const out = await this.http.call('POST', 'registered-models/create', {
      name,
      ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
      ...(options.description ? { description: options.description } : {}),
    });
    return modelFromJson(out.registered_model as Json);
  }

  /** Creates the model unless it exists (what `mlflow.register_model` does). */
  async ensureModel(name: string, options: { description?: string; tags?: readonly { key: string; value: string }[] } = {}): Promise<void> {
    try {
      await this.createModel(name, options);
    } catch (error) {
      if (!(error instanceof TrackingError && error.code === 'RESOURCE_ALREADY_EXISTS')) throw error;
    }
  }

  async getModel(name: string): Promise<RemoteRegisteredModel | undefined> {
    try {
      return modelFromJson((await this.http.call('GET', 'registered-models/get', { name })).registered_model as Json);
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  async searchModels(filter?: string): Promise<RemoteRegisteredModel[]> {
    const models: RemoteRegisteredModel[] = [];
    let pageToken: string | undefined;
    do {
      const out = await this.http.call('GET', 'registered-models/search', { ...(filter ? { filter } : {}), max_results: SEARCH_MODELS_PAGE, ...(pageToken ? { page_token: pageToken } : {}) });
      models.push(...(Array.isArray(out.registered_models) ? (out.registered_models as Json[]).map(modelFromJson) : []));
      pageToken = typeof out.next_page_token === 'string' && out.next_page_token !== '' ? out.next_page_token : undefined;
    } while (pageToken);
    return models;
  }

  async renameModel(name: string, newName: string): Promise<RemoteRegisteredModel> {
    return modelFromJson((await this.http.call('POST', 'registered-models/rename', { name, new_name: newName })).registered_model as Json);
  }

  async updateModel(name: string, description: string): Promise<void> {
    await this.http.call('PATCH', 'registered-models/update', { name, description });
  }

  async deleteModel(name: string): Promise<void> {
    await this.http.call('DELETE', 'registered-models/delete', { name });
  }

  async setModelTag(name: string, key: string, value: string): Promise<void> {
    await this.http.call('POST', 'registered-models/set-tag', { name, key, value });
  }

  async deleteModelTag(name: string, key: string): Promise<void> {
    await this.http.call('DELETE', 'registered-models/delete-tag', { name, key });
  }

  async createVersion(name: string, options: { source: string; runId: string; description?: string; tags?: readonly { key: string; value: string }[] }): Promise<RemoteModelVersion> {
    const out = await this.http.call('POST', 'model-versions/create', {
      name,
      source: options.source,
      run_id: options.runId,
      ...(options.tags && options.tags.length > 0 ? { tags: options.tags } : {}),
      ...(options.description ? { description: options.description } : {}),
    });
    return versionFromJson(out.model_version as Json);
  }

  async getVersion(name: string, version: number | string): Promise<RemoteModelVersion> {
    return versionFromJson((await this.http.call('GET', 'model-versions/get', { name, version: String(version) })).model_version as Json);
  }

  async searchVersions(filter?: string): Promise<RemoteModelVersion[]> {
    const versions: RemoteModelVersion[] = [];
    let pageToken: string | undefined;
    do {
      const out = await this.http.call('GET', 'model-versions/search', { ...(filter ? { filter } : {}), max_results: SEARCH_VERSIONS_PAGE, ...(pageToken ? { page_token: pageToken } : {}) });
      versions.push(...(Array.isArray(out.model_versions) ? (out.model_versions as Json[]).map(versionFromJson) : []));
      pageToken = typeof out.next_page_token === 'string' && out.next_page_token !== '' ? out.next_page_token : undefined;
    } while (pageToken);
    return versions;
  }

  async updateVersion(name: string, version: number | string, description: string): Promise<void> {
    await this.http.call('PATCH', 'model-versions/update', { name, version: String(version), description });
  }

  async deleteVersion(name: string, version: number | string): Promise<void> {
    await this.http.call('DELETE', 'model-versions/delete', { name, version: String(version) });
  }

  async setVersionTag(name: string, version: number | string, key: string, value: string): Promise<void> {
    await this.http.call('POST', 'model-versions/set-tag', { name, version: String(version), key, value });
  }

  async deleteVersionTag(name: string, version: number | string, key: string): Promise<void> {
    await this.http.call('DELETE', 'model-versions/delete-tag', { name, version: String(version), key });
  }

  async transitionStage(name: string, version: number | string, stage: string, archiveExistingVersions = false): Promise<RemoteModelVersion> {
    const out = await this.http.call('POST', 'model-versions/transition-stage', { name, version: String(version), stage, archive_existing_versions: archiveExistingVersions });
    return versionFromJson(out.model_version as Json);
  }

  async setAlias(name: string, alias: string, version: number | string): Promise<void> {
    await this.http.call('POST', 'registered-models/alias', { name, alias, version: String(version) });
  }

  async deleteAlias(name: string, alias: string): Promise<void> {
    await this.http.call('DELETE', 'registered-models/alias', { name, alias });
  }

  async getVersionByAlias(name: string, alias: string): Promise<RemoteModelVersion> {
    return versionFromJson((await this.http.call('GET', 'registered-models/alias', { name, alias })).model_version as Json);
  }

  async latestVersions(name: string, stages: readonly string[] = []): Promise<RemoteModelVersion[]> {
    const out = await this.http.call('POST', 'registered-models/get-latest-versions', { name, ...(stages.length > 0 ? { stages } : {}) });
    return Array.isArray(out.model_versions) ? (out.model_versions as Json[]).map(versionFromJson) : [];
  }

  async downloadUri(name: string, version: number | string): Promise<string> {
    return str((await this.http.call('GET', 'model-versions/get-download-uri', { name, version: String(version) })).artifact_uri);
  }
}
