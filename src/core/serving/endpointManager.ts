import { parseModelUri } from '../registry/modelUri';
import { lineageFor, modelRegistryFor } from '../registry/registryAccess';
import { modelVersionNode } from '../lineage/lineageNodes';
import type { WorkspaceStore } from '../store/workspaceStore';
import { ModelFeedbackStore } from '../feedback/modelFeedbackStore';
import { FeedbackError } from '../feedback/feedbackTypes';
import { dirname } from 'node:path';
import type { ModelVersion } from '../registry/registryTypes';
import { DEFAULT_LIMITS, type EndpointLimits, type FeedbackMessage, type OnlineFeaturesChoice, type OnlineLookupSpec, type ServedModel } from './endpointTypes';
import { EndpointSupervisor, type EndpointStatus } from './endpointSupervisor';
import type { EndpointStats } from './latencyStats';
import { requestLogFor, type RequestLog } from './requestLog';
import type { RequestLogRetention } from './requestLogFiles';

export interface StartEndpointOptions {
  /** models:/name@alias (follows the alias), models:/name/3, models:/name/latest */
  readonly uri: string;
  /** 0 or omitted = any free port */
  readonly port?: number;
  /** default: "<model>-<alias or version>" */
  readonly name?: string;
  readonly limits?: Partial<EndpointLimits>;
  /**
   * Feature views to look up by entity key before predicting. Omitted: the views the version's
   * training data was built from (lineage), from features.yaml at the workspace root, when
   * materialized. false: none.
   */
  readonly features?: OnlineFeaturesChoice | false;
}

/** The online features an endpoint looks up, and whether the user chose them or lineage did. */
export interface EndpointFeatures extends OnlineFeaturesChoice {
  readonly source: 'option' | 'lineage';
}

/** What the Endpoints view and the CLI show of one endpoint. */
export interface EndpointInfo {
  readonly name: string;
  readonly uri: string;
  readonly modelName: string;
  readonly version: number;
  readonly url: string;
  readonly port: number;
  readonly status: EndpointStatus;
  readonly followsAlias: boolean;
  readonly restarts: number;
  readonly stats: EndpointStats;
  readonly detail?: string;
  readonly features?: EndpointFeatures;
}

interface Running {
  readonly name: string;
  readonly uri: string;
  readonly features?: EndpointFeatures;
  readonly supervisor: EndpointSupervisor;
  readonly follows: boolean;
  stats: EndpointStats;
  detail?: string;
  unsubscribe: () => void;
}

const EMPTY_STATS: EndpointStats = { requests: 0, errors: 0, p50Ms: 0, p99Ms: 0 };

/**
 * The endpoints of one workspace store: starts and supervises them, moves alias-following ones to
 * the new version when the alias moves, stores their request log and state, and records lineage
 * (model version → endpoint).
 */
export class EndpointManager {
  private readonly running = new Map<string, Running>();
  private readonly listeners = new Set<() => void>();
  private writes: Promise<void> = Promise.resolve();
  private readonly requestLog: RequestLog;

  constructor(
    private readonly store: WorkspaceStore,
    private readonly options: { entry?: string; requestLog?: RequestLogRetention } = {},
  ) {
    this.requestLog = requestLogFor(store);
    if (options.requestLog) this.requestLog.setRetention(options.requestLog);
  }

  /** How much of each endpoint's request log is kept (a setting; applies to the running ones at once). */
  setRequestLogRetention(retention: RequestLogRetention): void {
    this.requestLog.setRetention(retention);
  }

  onDidChange(listener: () => void): { dispose(): void } {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private changed(): void {
    for (const listener of this.listeners) {
      try {
        listener();
      } catch {
        // a broken view must not break serving
      }
    }
  }

  async start(options: StartEndpointOptions): Promise<EndpointInfo> {
    const ref = parseModelUri(options.uri);
    const registry = modelRegistryFor(this.store);
    const version = registry.resolveUri(options.uri);
    const name = options.name ?? `${ref.name}-${ref.kind === 'alias' ? ref.alias : ref.kind === 'version' ? `v${ref.version}` : ref.kind === 'stage' ? ref.stage.toLowerCase() : 'latest'}`;
    if (this.running.has(name)) throw new Error(`An endpoint named "${name}" is already running (${this.running.get(name)?.supervisor.url}); stop it first or choose another name.`);
    const served: ServedModel = { name: ref.name, version: version.version, uri: options.uri, packageDir: version.packageDir };
    const limits: EndpointLimits = { ...DEFAULT_LIMITS, ...options.limits };
    const online = await this.onlineFeatures(options.features, version);
    const entry: Running = {
      name,
      uri: options.uri,
      ...(online.features ? { features: online.features } : {}),
      ...(online.note ? { detail: online.note } : {}),
      follows: ref.kind !== 'version',
      stats: EMPTY_STATS,
      unsubscribe: () => undefined,
      supervisor: new EndpointSupervisor({
        model: served,
        port: options.port ?? 0,
        limits,
        ...(this.options.entry ? { entry: this.options.entry } : {}),
        ...(online.spec ? { features: online.spec } : {}),
        onLog: (frames, stats) => {
          entry.stats = stats;
          this.writeLog(name, frames);
          this.changed();
        },
        onStatus: (status, detail) => {
          if (detail !== undefined) entry.detail = detail;
          if (this.running.get(name) === entry) this.persist(entry, status);
          this.changed();
        },
        onFeedback: (message) => this.recordFeedback(name, message),
      }),
    };
    this.running.set(name, entry);
    try {
      await entry.supervisor.start();
    } catch (error) {
      this.running.delete(name);
      await entry.supervisor.stop().catch(() => undefined);
      throw error;
    }
    if (entry.follows) {
      const subscription = registry.onDidChange((change) => {
        if (change.name === ref.name) void this.follow(entry);
      });
      entry.unsubscribe = () => subscription.dispose();
    }
    this.persist(entry, 'running');
    const endpointNode = { kind: 'endpoint', id: name };
    this.enqueue(() => lineageFor(this.store).record([{ from: modelVersionNode(ref.name, version.version), to: endpointNode, relation: 'served' }], { [`endpoint:${name}`]: `${name} (${entry.supervisor.url})` }));
    this.changed();
    return this.info(entry);
  }

  /**
   * Starts a recorded endpoint again (one stopped in this session or an earlier one) with the
   * model URI, port and online features it had; a port taken meanwhile falls back to a free one.
   */
  async startRecorded(name: string): Promise<EndpointInfo> {
    const [row] = this.store.database.rows('SELECT model_uri, port, online_features FROM serving_endpoints WHERE name = ?', [name]);
    if (!row) throw new Error(`No endpoint named "${name}" was ever started in this workspace.`);
    const features: OnlineFeaturesChoice | false = row[2] === null || row[2] === undefined ? false : (JSON.parse(String(row[2])) as OnlineFeaturesChoice);
    const options = { uri: String(row[0]), name, features };
    try {
      return await this.start({ ...options, port: Number(row[1]) });
    } catch (error) {
      if (!/already in use/.test((error as Error).message)) throw error;
      return this.start({ ...options, port: 0 });
    }
  }

  /** The lookup an endpoint runs, from the user's choice or the version's lineage; a note says why lineage's was not used. */
  private async onlineFeatures(requested: OnlineFeaturesChoice | false | undefined, version: ModelVersion): Promise<{ features?: EndpointFeatures; spec?: OnlineLookupSpec; note?: string }> {
    if (requested === false) return {};
    const choiceModule = await import('./onlineFeatureChoice');
    let choice: OnlineFeaturesChoice;
    let source: EndpointFeatures['source'];
    if (requested) {
      if (!version.signature) throw new Error(`${version.name} version ${version.version} has no input signature, so no model input can be looked up as a feature.`);
      choice = requested;
      source = 'option';
    } else {
      const views = choiceModule.featureViewsInLineage(lineageFor(this.store), version.name, version.version);
      if (views.length === 0 || !version.signature) return {};
      const file = choiceModule.defaultFeaturesFile(dirname(this.store.dir));
      if (!file) return { note: `trained on feature views ${views.join(', ')}, but there is no features.yaml at the workspace root: no online lookups` };
      choice = { file, views };
      source = 'lineage';
    }
    const { loadFeatureRepo } = await import('../features/featureSpecParser');
    try {
      const repo = await loadFeatureRepo(choice.file);
      if (source === 'lineage') {
        const matching = new Set(choiceModule.matchFeatureViews(repo, version.signature, this.store.dir).map((m) => m.view.name));
        choice = { file: choice.file, views: choice.views.filter((v) => matching.has(v)) };
        if (choice.views.length === 0) return {};
      }
      const spec = choiceModule.resolveOnlineLookup(repo, choice, version.signature, this.store.dir);
      return { features: { file: choice.file, views: spec.views.map((v) => v.name), source }, spec };
    } catch (error) {
      // What lineage suggests is a convenience: serving still starts, and says why it does not look up.
      if (source === 'lineage') return { note: `trained on feature views ${choice.views.join(', ')}, but they cannot be looked up: ${(error as Error).message}` };
      throw error;
    }
  }

  /** Moves an alias-following endpoint to the version its URI points at now. */
  private async follow(entry: Running): Promise<void> {
    let target;
    try {
      target = modelRegistryFor(this.store).resolveUri(entry.uri);
    } catch (error) {
      entry.detail = `${entry.uri} no longer resolves (${(error as Error).message}); still serving version ${entry.supervisor.served.version}`;
      this.changed();
      return;
    }
    if (target.version === entry.supervisor.served.version) return;
    try {
      await entry.supervisor.swap({ ...entry.supervisor.served, version: target.version, packageDir: target.packageDir });
      entry.detail = `moved to version ${target.version}`;
      this.persist(entry, entry.supervisor.status);
      const ref = parseModelUri(entry.uri);
      this.enqueue(() => lineageFor(this.store).record([{ from: modelVersionNode(ref.name, target.version), to: { kind: 'endpoint', id: entry.name }, relation: 'served' }]));
    } catch (error) {
      entry.detail = (error as Error).message;
    }
    this.changed();
  }

  list(): EndpointInfo[] {
    return [...this.running.values()].map((e) => this.info(e));
  }

  get(name: string): EndpointInfo {
    return this.info(this.entry(name));
  }

  /** Endpoints recorded in the store (including ones of earlier sessions, now stopped). */
  recorded(): { name: string; uri: string; version: number; port: number; status: string; updatedAt: number; features?: OnlineFeaturesChoice }[] {
    return this.store.database.rows('SELECT name, model_uri, version, port, status, updated_at, online_features FROM serving_endpoints ORDER BY name').map(([name, uri, version, port, status, updatedAt, features]) => ({
      name: String(name),
      uri: String(uri),
      version: Number(version),
      port: Number(port),
      status: this.running.has(String(name)) ? String(status) : 'stopped',
      updatedAt: Number(updatedAt),
      ...(features === null || features === undefined ? {} : { features: JSON.parse(String(features)) as OnlineFeaturesChoice }),
    }));
  }

  async stop(name: string): Promise<void> {
    const entry = this.entry(name);
    entry.unsubscribe();
    await entry.supervisor.stop();
    this.running.delete(name);
    this.persist(entry, 'stopped');
    this.changed();
    await Promise.all([this.writes, this.requestLog.closeEndpoint(name)]);
  }

  async restart(name: string): Promise<void> {
    await this.entry(name).supervisor.restart();
    this.changed();
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running.keys()].map((name) => this.stop(name).catch(() => undefined)));
    await Promise.all([this.writes, this.requestLog.flushed()]);
  }

  /** Waits until the request log and endpoint states received so far are durable (tests, shutdown). */
  async flushed(): Promise<void> {
    await Promise.all([this.writes, this.requestLog.flushed()]);
  }

  private entry(name: string): Running {
    const entry = this.running.get(name);
    if (!entry) throw new Error(`No running endpoint named "${name}" (running: ${[...this.running.keys()].join(', ') || 'none'}).`);
    return entry;
  }

  private info(entry: Running): EndpointInfo {
    const s = entry.supervisor;
    return {
      name: entry.name,
      uri: entry.uri,
      modelName: s.served.name,
      version: s.served.version,
      url: s.url,
      port: s.port,
      status: s.status,
      followsAlias: entry.follows,
      restarts: s.restartCount,
      stats: entry.stats,
      ...(entry.detail ? { detail: entry.detail } : {}),
      ...(entry.features ? { features: entry.features } : {}),
    };
  }

  private enqueue(write: () => Promise<void>): void {
    // Serving must outlive a store hiccup: a failed write is dropped, the next one still runs.
    this.writes = this.writes.then(write).catch(() => undefined);
  }

  private persist(entry: Running, status: EndpointStatus): void {
    const s = entry.supervisor;
    const now = Date.now();
    this.enqueue(() =>
      this.store.database.commit({
        statements: [
          {
            sql: `INSERT INTO serving_endpoints (name, model_uri, model_name, version, port, status, started_at, updated_at, online_features) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                  ON CONFLICT(name) DO UPDATE SET model_uri = excluded.model_uri, model_name = excluded.model_name, version = excluded.version, port = excluded.port, status = excluded.status, updated_at = excluded.updated_at, online_features = excluded.online_features`,
            params: [entry.name, entry.uri, s.served.name, s.served.version, s.port, status, now, now, entry.features ? JSON.stringify({ file: entry.features.file, views: entry.features.views }) : null],
          },
        ],
      }),
    );
  }

  /** The request log goes to its segment files, in batches, never through the database. */
  private writeLog(name: string, frames: Buffer): void {
    if (frames.length === 0) return;
    this.requestLog.appendFrames(name, frames);
  }

  /**
   * POST /feedback on endpoint `name`: finds the version that answered the request (the process
   * remembers its recent ids; older ones are looked up in the request log) and keeps the feedback
   * against that version. Writes go through the same queue as the request log.
   */
  private async recordFeedback(name: string, message: FeedbackMessage): Promise<{ status: number; body: Readonly<Record<string, unknown>> }> {
    await Promise.all([this.writes, this.requestLog.flushed(name)]);
    const { feedback } = message;
    const feedbackStore = new ModelFeedbackStore(this.store.database);
    const previous = feedbackStore.get(feedback.requestId);
    let target: { modelName: string; version: number; time: number | null } | undefined;
    if (previous && previous.endpoint === name) target = { modelName: previous.modelName, version: previous.version, time: previous.requestTime };
    else if (message.served) target = { modelName: this.running.get(name)?.supervisor.served.name ?? name, version: message.served.version, time: message.served.time };
    else {
      const logged = this.requestLog.findAnswered(name, feedback.requestId);
      if (logged) target = { modelName: logged.modelName, version: logged.version, time: logged.time };
    }
    if (!target) {
      return {
        status: 404,
        body: {
          error_code: 'RESOURCE_DOES_NOT_EXIST',
          message: `Unknown request_id ${JSON.stringify(feedback.requestId)}: endpoint "${name}" answered no prediction with that X-Request-Id (it remembers the ids of its last 50,000 predictions since it started, and those kept in its request log).`,
        },
      };
    }
    const known = target;
    const saving = this.writes.then(() =>
      feedbackStore.save({
        requestId: feedback.requestId,
        endpoint: name,
        modelName: known.modelName,
        version: known.version,
        requestTime: known.time,
        ...(feedback.rating !== undefined ? { rating: feedback.rating } : {}),
        ...(feedback.label !== undefined ? { label: feedback.label } : {}),
        ...(feedback.comment !== undefined ? { comment: feedback.comment } : {}),
      }),
    );
    this.writes = saving.then(
      () => undefined,
      () => undefined,
    );
    try {
      const saved = await saving;
      this.changed();
      return {
        status: 200,
        body: {
          request_id: saved.requestId,
          model: `models:/${saved.modelName}/${saved.version}`,
          version: saved.version,
          rating: saved.rating,
          label: saved.label,
          comment: saved.comment,
          created_at: saved.createdAt,
          updated_at: saved.updatedAt,
        },
      };
    } catch (error) {
      if (error instanceof FeedbackError) return { status: 400, body: { error_code: 'BAD_REQUEST', message: error.message } };
      throw error;
    }
  }
}
