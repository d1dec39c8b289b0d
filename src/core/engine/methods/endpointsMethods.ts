import { parseModelUri } from '../../registry/modelUri';
import { modelRegistryFor } from '../../registry/registryAccess';
import type { EndpointInfo } from '../../serving/endpointManager';
import { endpointManagerFor, existingEndpointManager, stoppedEndpoints, type StoppedEndpoint } from '../../serving/endpointManagers';
import type { EndpointLimits, OnlineFeaturesChoice } from '../../serving/endpointTypes';
import { requestLogFor } from '../../serving/requestLog';
import type { RequestLogRetention } from '../../serving/requestLogFiles';
import { versionSampleRequest } from '../../serving/versionSampleRequest';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import { isProcessAlive } from '../../store/processLiveness';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** What the Endpoints view shows: the endpoints the holder runs, then the ones recorded as stopped. */
export interface EndpointsState {
  readonly running: readonly EndpointInfo[];
  readonly stopped: readonly StoppedEndpoint[];
}

/** A registered model and the versions of it that can be served (for a model picker). */
export interface ServableModel {
  readonly name: string;
  /** newest first */
  readonly versions: readonly { readonly version: number; readonly aliases: readonly string[]; readonly description: string }[];
}

/** `endpoints.start`: what `mlops serve` and Serve Model… take. */
export interface StartEndpointParams {
  /** models:/name@alias (follows the alias), models:/name/3, models:/name/latest */
  readonly uri: string;
  /** 0 or omitted: any free port */
  readonly port?: number;
  readonly name?: string;
  readonly limits?: Partial<EndpointLimits>;
  /** omitted: the views the version was trained from; false: no lookups */
  readonly features?: OnlineFeaturesChoice | false;
  /** the client's request-log retention setting, applied to the store's log before the start */
  readonly requestLog?: RequestLogRetention;
  /**
   * A process on this machine the endpoint belongs to (`mlops serve` in a terminal): when it is
   * gone, even killed without a word, the endpoint stops too. Omitted: the engine's to keep.
   */
  readonly ownerPid?: number;
}

/** How often the engine looks whether an endpoint's owner process is still there. */
const OWNER_CHECK_MS = 1_000;

/** Stops the endpoint once its owner process is gone (or once the endpoint is gone by other means). */
function stopWithOwner(store: EngineContext['store'], name: string, ownerPid: number): void {
  const timer = setInterval(() => {
    const manager = existingEndpointManager(store);
    if (!manager?.list().some((e) => e.name === name)) {
      clearInterval(timer);
      return;
    }
    if (isProcessAlive(ownerPid)) return;
    clearInterval(timer);
    void manager.stop(name).catch(() => undefined);
  }, OWNER_CHECK_MS);
  timer.unref();
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw new InvalidArgumentError(`${what} must be a non-empty string, got ${JSON.stringify(value)}.`);
  return value;
}

function endpointName(params: { name?: unknown }): string {
  return text(params.name, 'The endpoint name');
}

function checkPort(port: unknown): number {
  if (port === undefined) return 0;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) throw new InvalidArgumentError(`The port must be a whole number from 0 (any free one) to 65535, got ${JSON.stringify(port)}.`);
  return port;
}

const LIMIT_RANGES: Record<keyof EndpointLimits, (n: number) => boolean> = {
  maxBodyBytes: (n) => Number.isInteger(n) && n > 0,
  requestTimeoutMs: (n) => Number.isInteger(n) && n > 0,
  logSampleRate: (n) => n >= 0 && n <= 1,
  maxLogPerSecond: (n) => n >= 0,
};

function checkLimits(limits: unknown): Partial<EndpointLimits> | undefined {
  if (limits === undefined) return undefined;
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) throw new InvalidArgumentError('The endpoint limits must be an object.');
  for (const [key, value] of Object.entries(limits)) {
    const inRange = LIMIT_RANGES[key as keyof EndpointLimits] as ((n: number) => boolean) | undefined;
    if (!inRange) throw new InvalidArgumentError(`Unknown endpoint limit "${key}" (known: ${Object.keys(LIMIT_RANGES).join(', ')}).`);
    if (typeof value !== 'number' || !Number.isFinite(value) || !inRange(value)) throw new InvalidArgumentError(`The endpoint limit ${key} is out of range: ${JSON.stringify(value)}.`);
  }
  return limits as Partial<EndpointLimits>;
}

function checkFeatures(features: unknown): OnlineFeaturesChoice | false | undefined {
  if (features === undefined || features === false) return features;
  const choice = features as { file?: unknown; views?: unknown } | null;
  if (typeof choice !== 'object' || choice === null || typeof choice.file !== 'string' || !Array.isArray(choice.views) || !choice.views.every((v) => typeof v === 'string' && v !== '')) {
    throw new InvalidArgumentError('Online features must be false or { file: "<features.yaml>", views: ["<view>", …] }.');
  }
  return { file: choice.file, views: choice.views as string[] };
}

function checkRetention(retention: unknown): RequestLogRetention {
  const r = retention as { maxRows?: unknown; maxDays?: unknown } | null;
  if (typeof r !== 'object' || r === null || typeof r.maxRows !== 'number' || !Number.isInteger(r.maxRows) || r.maxRows < 1 || typeof r.maxDays !== 'number' || !(r.maxDays > 0)) {
    throw new InvalidArgumentError(`The request log retention must be { maxRows: a whole number ≥ 1, maxDays: a number > 0 }, got ${JSON.stringify(retention)}.`);
  }
  return { maxRows: r.maxRows, maxDays: r.maxDays };
}

/**
 * Endpoints run in the process that holds the store, so they outlive the window or command that
 * started them; every client lists, starts, stops and restarts them here.
 */
export const endpointsMethods = {
  'endpoints.list': ({ store }: EngineContext, _params: Record<string, never>): EndpointsState => ({
    running: existingEndpointManager(store)?.list() ?? [],
    stopped: stoppedEndpoints(store),
  }),
  /** Registered models and their versions (aliases first in a picker: they follow promotions). */
  'endpoints.servable': ({ store }: EngineContext, _params: Record<string, never>): ServableModel[] => {
    const registry = modelRegistryFor(store);
    return registry.listModels().map((model) => ({
      name: model.name,
      versions: registry
        .listVersions(model.name)
        .filter((v) => !v.external)
        .map((v) => ({ version: v.version, aliases: [...v.aliases], description: v.description })),
    }));
  },
  'endpoints.start': async ({ store }: EngineContext, params: StartEndpointParams): Promise<EndpointInfo> => {
    const uri = text(params.uri, 'The model URI');
    parseModelUri(uri);
    const port = checkPort(params.port);
    const limits = checkLimits(params.limits);
    const features = checkFeatures(params.features);
    if (params.ownerPid !== undefined && !(Number.isInteger(params.ownerPid) && params.ownerPid > 0)) throw new InvalidArgumentError(`ownerPid must be a process id, got ${String(params.ownerPid)}`);
    if (params.requestLog !== undefined) requestLogFor(store).setRetention(checkRetention(params.requestLog));
    const info = await endpointManagerFor(store).start({
      uri,
      port,
      ...(params.name === undefined ? {} : { name: endpointName(params) }),
      ...(limits ? { limits } : {}),
      ...(features === undefined ? {} : { features }),
    });
    if (params.ownerPid !== undefined) stopWithOwner(store, info.name, params.ownerPid);
    return info;
  },
  'endpoints.stop': async ({ store }: EngineContext, params: { name: string }): Promise<void> => {
    const name = endpointName(params);
    const manager = existingEndpointManager(store);
    if (!manager?.list().some((e) => e.name === name)) throw new Error(`No running endpoint named "${name}" (running: ${manager?.list().map((e) => e.name).join(', ') || 'none'}).`);
    await manager.stop(name);
  },
  /**
   * A running endpoint: a fresh endpoint process (the port stays answered meanwhile). A stopped
   * one: started again with the model URI, port and online features it had.
   */
  'endpoints.restart': async ({ store }: EngineContext, params: { name: string }): Promise<EndpointInfo> => {
    const name = endpointName(params);
    const manager = endpointManagerFor(store);
    if (!manager.list().some((e) => e.name === name)) return manager.startRecorded(name);
    await manager.restart(name);
    return manager.get(name);
  },
  /** Where to send a sample request to a running endpoint, and a body its model accepts. */
  'endpoints.sampleRequest': async ({ store }: EngineContext, params: { name: string; rows?: number }): Promise<{ url: string; body: { dataframe_records: Record<string, unknown>[] } }> => {
    const name = endpointName(params);
    if (params.rows !== undefined && !(Number.isInteger(params.rows) && params.rows >= 1 && params.rows <= 100)) throw new Error(`rows must be a whole number from 1 to 100, got ${String(params.rows)}`);
    const manager = existingEndpointManager(store);
    const endpoint = manager?.list().find((e) => e.name === name);
    if (!endpoint) throw new Error(`No running endpoint named "${name}" (running: ${manager?.list().map((e) => e.name).join(', ') || 'none'}).`);
    return { url: `${endpoint.url}/invocations`, body: await versionSampleRequest(store, `models:/${endpoint.modelName}/${endpoint.version}`, ...(params.rows === undefined ? [] : [params.rows])) };
  },
  /** The model package a URI resolves to, for scoring a file with it on this machine. */
  'endpoints.modelPackage': ({ store }: EngineContext, params: { uri: string }): { name: string; version: number; packageDir: string } => {
    const version = modelRegistryFor(store).resolveUri(text(params.uri, 'The model URI'));
    if (version.external || !version.packageDir) throw new InvalidArgumentError(`${version.name} version ${version.version} was registered from ${version.source}, not from a model package of this workspace: it cannot be scored here.`);
    return { name: version.name, version: version.version, packageDir: version.packageDir };
  },
  /** The request log keeps this much of every endpoint's traffic from now on (a client's setting). */
  'endpoints.setRequestLogRetention': ({ store }: EngineContext, params: { retention: RequestLogRetention }): void => {
    requestLogFor(store).setRetention(checkRetention(params.retention));
  },
} satisfies EngineMethodTable;
