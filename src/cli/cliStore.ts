import { existsSync } from 'node:fs';
import type { RegistryBackend } from '../core/registry/registryBackend';
import type { WorkspaceStore } from '../core/store/workspaceStore';
import type { TrackingStore } from '../core/tracking/trackingStore';
import type { EngineClient } from '../core/engine/engineClient';
import type { Reconnect, ServerAddress } from '../core/remote/mlflowHttp';
import type { Disposable } from '../core/tracking/trackingTypes';
import { CliError, resolveStoreDir, type CliGlobalOptions } from './cliContext';

/*
 * The one place where a CLI command learns which store it works on: the workspace store
 * (`.mlops/`) or a team's MLflow server (`--tracking-uri URL`, else $MLFLOW_TRACKING_URI; `--local`
 * overrides both). Tracking and registry commands get a CliStore and never ask again; commands that
 * only make sense on this machine's store say so here, with their reason, in one table.
 */

/** Exit code when another process holds the store (distinct from usage errors, 2). */
export const EXIT_STORE_LOCKED = 3;

export interface RemoteCredentials {
  readonly token: string | null;
  readonly username: string | null;
  readonly password: string | null;
}

export type TrackingTarget =
  | { readonly kind: 'local'; readonly dir: string }
  | {
      readonly kind: 'remote';
      readonly url: string;
      /** what chose it, for messages; "holder": the server of the process that holds the workspace store */
      readonly via: '--tracking-uri' | 'MLFLOW_TRACKING_URI' | 'holder';
      readonly credentials: RemoteCredentials;
    };

const HTTP = /^https?:\/\/[^/\s]+/i;

/** Where this invocation's tracking goes; refuses a tracking URI mlops cannot reach (file:, databricks, …) with what to do. */
export function trackingTarget(globals: CliGlobalOptions, env: NodeJS.ProcessEnv = process.env): TrackingTarget {
  const local = { kind: 'local' as const, dir: resolveStoreDir(globals) };
  if (globals.local) {
    if (globals.trackingUri !== undefined) throw new CliError('--local and --tracking-uri say different things: choose one.');
    return local;
  }
  const typed = globals.trackingUri?.trim();
  const fromEnv = env.MLFLOW_TRACKING_URI?.trim();
  const uri = typed || fromEnv;
  if (!uri) return local;
  const via = typed ? '--tracking-uri' : 'MLFLOW_TRACKING_URI';
  if (!HTTP.test(uri)) {
    throw new CliError(
      `${via}=${uri} is not an MLflow server's http(s) address: mlops reaches MLflow over its REST API only (e.g. http://mlflow.example.com:5000). ${via === 'MLFLOW_TRACKING_URI' ? 'Unset MLFLOW_TRACKING_URI, or pass --local' : 'Pass --local'} to use the workspace store instead.`,
      2,
    );
  }
  const text = (value: string | undefined): string | null => (value === undefined || value === '' ? null : value);
  return { kind: 'remote', url: uri.replace(/\/+$/, ''), via, credentials: { token: text(env.MLFLOW_TRACKING_TOKEN), username: text(env.MLFLOW_TRACKING_USERNAME), password: text(env.MLFLOW_TRACKING_PASSWORD) } };
}

/** Commands that need the workspace store on this disk, and why (keyed by the command path, most specific first). */
const LOCAL_ONLY: Readonly<Record<string, string>> = {
  gc: 'it frees files of the workspace store on this disk; an MLflow server cleans up its own (mlflow gc)',
  server: 'it serves the workspace store to MLflow clients',
  engine: 'it holds the workspace store on this disk for VS Code windows, commands and scripts',
  'runs rerun': 'it trains again from the code and spec kept with the run in the workspace store',
  lineage: "MLflow keeps no lineage graph; the workspace store's links datasets, runs, versions and endpoints",
  'models history': 'MLflow keeps no audit log of a model; the workspace registry records every change',
  'models review': 'MLflow has no reviews of alias moves; they are kept in the workspace registry',
  'models require-review': 'MLflow has no reviews of alias moves; they are kept in the workspace registry',
  'models self-approval': 'MLflow has no reviews of alias moves; they are kept in the workspace registry',
  'models compare': 'it compares the model cards frozen with versions in the workspace registry',
  features: 'materialized feature views and their statistics live in the workspace store',
  feedback: 'feedback is recorded next to endpoints and runs in the workspace store',
  monitor: 'monitor reports and their references are kept in the workspace store',
  retrain: 'retraining decisions are recorded in the workspace registry and its audit log',
  'find-best-model': 'it trains and compares candidates in the workspace store',
  eval: 'text evaluations are recorded with their feedback in the workspace store',
  drift: 'drift reports are kept in the workspace store',
};

/** Commands that talk to a server of their own choosing (--to/--from): the tracking URI is not theirs. */
const OWN_SERVER = new Set(['copy']);

let commandPath = '';

/** Set once per invocation (main.ts, before the action runs): "models review list", "gc", … */
export function setCommandPath(path: string): void {
  commandPath = path;
}

function localOnlyReason(path: string): string | undefined {
  const words = path.split(' ');
  for (let n = words.length; n > 0; n--) {
    const reason = LOCAL_ONLY[words.slice(0, n).join(' ')];
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/**
 * Called by a command that works on the workspace store only, while a tracking URI is in force:
 * says on stderr that it uses the local store and why, or, when there is none, fails with that.
 */
export function noteLocalOnly(globals: CliGlobalOptions, dir: string, options: { create?: boolean } = {}): void {
  if (OWN_SERVER.has(commandPath.split(' ')[0] ?? '')) return;
  let target: TrackingTarget;
  try {
    target = trackingTarget(globals);
  } catch {
    return; // a tracking URI mlops cannot use does not concern a local command
  }
  if (target.kind === 'local') return;
  const command = commandPath ? `"mlops ${commandPath}"` : 'this command';
  const why = localOnlyReason(commandPath) ?? 'it needs data that an MLflow server does not keep';
  if (!options.create && !existsSync(dir)) {
    throw new CliError(`${command} works on the workspace store only (${why}), and there is none at ${dir}. ${target.via}=${target.url} is used by experiments, runs, log, run, train, tune, models, predict and serve.`, 1);
  }
  process.stderr.write(`mlops: ${command} works on the workspace store at ${dir}, not on ${target.url} (${target.via}): ${why}.\n`);
}

/** A store as a tracking or registry command sees it: the workspace store or an MLflow server. */
export interface CliStore {
  readonly kind: 'local' | 'remote';
  readonly target: TrackingTarget;
  /** "the workspace store at DIR" or "the MLflow server at URL", for messages */
  readonly where: string;
  readonly tracking: TrackingStore;
  /** the workspace store under it; undefined on a server */
  readonly workspace: WorkspaceStore | undefined;
  /** the server's address; undefined locally */
  readonly url: string | undefined;
  /**
   * Everything beyond MLflow's REST API (lineage, reviews, drift reports, endpoints …), answered by
   * whichever process holds the workspace store: this one, or the holder through its server.
   * Undefined on a team's MLflow server, which keeps none of it.
   */
  readonly engine: EngineClient | undefined;
  registry(): Promise<RegistryBackend>;
  close(): Promise<void>;
}

async function openRemote(target: Extract<TrackingTarget, { kind: 'remote' }>, where = `the MLflow server at ${target.url}`, engine?: EngineClient, reconnect?: Reconnect): Promise<CliStore> {
  const [{ MlflowRestClient }, { MlflowRegistryBackend }, { BatchingTrackingStore }] = await Promise.all([
    import('../core/remote/mlflowRestClient'),
    import('../core/remote/mlflowRegistryBackend'),
    import('../core/remote/batchingTrackingStore'),
  ]);
  const options = { url: target.url, ...target.credentials, ...(reconnect ? { reconnect } : {}) };
  // Metric points travel in batches: a training run's reports would otherwise be one request each.
  const tracking = new BatchingTrackingStore(new MlflowRestClient(options));
  let registry: RegistryBackend | undefined;
  return {
    kind: 'remote',
    target,
    where,
    tracking,
    workspace: undefined,
    url: target.url,
    engine,
    // Through the holder, the registry is the workspace's (reviews included), asked of its engine as this command's user.
    registry: async () => (registry ??= engine && target.via === 'holder' ? (await import('../core/engine/engineRegistryBackend')).engineRegistryBackend(engine, where) : new MlflowRegistryBackend({ ...options, tracking })),
    close: () => tracking.flush(),
  };
}

/** How a command opens its store; `throughHolder: false` for commands that need the workspace store on this disk itself. */
export interface OpenCliStoreOptions {
  readonly create?: boolean;
  readonly writerName?: string;
  readonly throughHolder?: boolean;
  /** a command that works for minutes: it goes through the engine, started if needed, instead of holding the store */
  readonly viaEngine?: boolean;
}

/** How long a command waits for another command that holds the store for a moment (one without a server); $MLOPS_LOCK_WAIT_SECONDS. */
function lockWaitMs(): number {
  const seconds = Number(process.env.MLOPS_LOCK_WAIT_SECONDS);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 60_000;
}

async function throughHolderServer(dir: string, holder: { url: string; token: string | null }, quiet: boolean): Promise<CliStore> {
  if (!quiet) process.stderr.write(`mlops: the store is in use by another process; going through its server at ${holder.url}\n`);
  const [{ httpEngine }, { subscribeEngineEvents }] = await Promise.all([import('../core/engine/engineClient'), import('../core/engine/engineEventStream')]);
  // Listening keeps the engine up while this command runs, as an open window does: a training
  // that logs nothing for longer than the idle time must not find the engine gone.
  const listen = (address: ServerAddress): Disposable => subscribeEngineEvents(address.url, address.token, { onEvent: () => undefined, onClosed: () => undefined });
  let listening = listen(holder);
  const reconnect = reconnectToEngine(dir, (address) => {
    listening.dispose();
    listening = listen(address);
  });
  const store = await openRemote(
    { kind: 'remote', url: holder.url, via: 'holder', credentials: { token: holder.token, username: null, password: null } },
    `the workspace store at ${dir} (through the server of the process holding it, ${holder.url})`,
    httpEngine(holder.url, holder.token, reconnect),
    reconnect,
  );
  return { ...store, close: () => store.close().finally(() => listening.dispose()) };
}

/**
 * How this command's clients carry on when the engine died or stopped under them: the engine found
 * now, or a new one started (what acknowledged writes the old one had are in the store). One
 * reconnection at a time, shared by every client of the command; none once the store folder is gone.
 */
function reconnectToEngine(dir: string, onReconnected: (address: ServerAddress) => void): Reconnect {
  let reconnecting: Promise<ServerAddress | undefined> | undefined;
  let latest: ServerAddress | undefined;
  return (unreachable) => {
    // Another client of this command already moved on: follow it (its address failing too brings us back here).
    if (latest && latest.url !== unreachable) return Promise.resolve(latest);
    reconnecting ??= (async (): Promise<ServerAddress | undefined> => {
      if (!existsSync(dir)) return undefined;
      const found = await holderServer(dir);
      let address: ServerAddress & { pid?: number; started?: boolean } | undefined = found && found.url !== unreachable ? found : undefined;
      if (!address) {
        const { ensureEngine } = await import('../core/engine/engineLauncher');
        address = await ensureEngine(dir);
      }
      process.stderr.write(`mlops: the MLOps engine at ${unreachable} stopped answering; carrying on with ${address.started ? 'a new engine' : 'the engine'} at ${address.url}${address.pid ? ` (pid ${address.pid})` : ''}\n`);
      onReconnected(address);
      latest = address;
      return address;
    })().finally(() => (reconnecting = undefined));
    return reconnecting;
  };
}

/**
 * The engine of this store, started if none runs: a command that works for minutes (training,
 * tuning …) is its client, so it never holds the store itself and windows and other commands go
 * on meanwhile, as they would with VS Code open.
 */
async function throughEngine(dir: string): Promise<CliStore> {
  const running = await holderServer(dir);
  if (running) return throughHolderServer(dir, running, running.isEngine);
  const { ensureEngine } = await import('../core/engine/engineLauncher');
  let address;
  try {
    address = await ensureEngine(dir);
  } catch (error) {
    throw new CliError((error as Error).message, 1);
  }
  if (address.started) process.stderr.write(`mlops: started the MLOps engine for ${dir} (pid ${address.pid}); it stops by itself when idle ("mlops engine stop" stops it now)\n`);
  return throughHolderServer(dir, address, true);
}

async function openLocal(dir: string, options: OpenCliStoreOptions): Promise<CliStore> {
  if (!options.create && !existsSync(dir)) {
    // Reading must not leave a .mlops folder behind in whatever directory the user happened to be.
    throw new CliError(`No workspace store at ${dir}: nothing has been tracked in this workspace yet (mlops log start creates it; -w chooses the workspace; --tracking-uri or MLFLOW_TRACKING_URI works on an MLflow server instead).`, 1);
  }
  if (options.viaEngine && options.throughHolder !== false) return throughEngine(dir);
  // Lazy: sql.js loads only for commands that touch the store.
  const { openWorkspaceStore, StoreLockedError } = await import('../core/store/workspaceStore');
  let store: WorkspaceStore | undefined;
  const waitMs = lockWaitMs();
  const deadline = Date.now() + waitMs;
  let saidWaiting = false;
  while (!store) {
    try {
      store = await openWorkspaceStore({ dir, writerName: options.writerName ?? 'mlops CLI' });
    } catch (error) {
      if (!(error instanceof StoreLockedError)) throw error;
      // The engine (or a VS Code window, mlops server) holds the store: work through its server,
      // so every command gives the same result whether or not VS Code is open.
      if (options.throughHolder === false) throw new CliError(`${error.message} This command needs the store itself (not its server): stop the engine ("mlops engine stop"; it stops its endpoints too) and run it again.`, EXIT_STORE_LOCKED);
      const holder = await holderServer(dir);
      if (holder) return throughHolderServer(dir, holder, holder.isEngine);
      // A holder without a server is another command busy with the store for a moment: wait.
      if (Date.now() > deadline) throw new CliError(`${error.message} It has kept the store for over ${waitMs / 1000} s and serves no API this command could use instead; wait for it to finish.`, EXIT_STORE_LOCKED);
      if (!saidWaiting) process.stderr.write(`mlops: waiting for ${error.holder.name} (pid ${error.holder.pid}) to finish with the store…\n`);
      saidWaiting = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  for (const warning of store.warnings) process.stderr.write(`mlops: warning: ${warning}\n`);
  const { inProcessEngine } = await import('../core/engine/engineInProcess');
  let registry: RegistryBackend | undefined;
  return {
    kind: 'local',
    target: { kind: 'local', dir },
    where: `the workspace store at ${dir}`,
    tracking: store.tracking,
    workspace: store,
    url: undefined,
    engine: inProcessEngine(store),
    registry: async () => {
      if (!registry) {
        const [{ modelRegistryFor }, { localRegistryBackend }] = await Promise.all([import('../core/registry/registryAccess'), import('../core/registry/registryBackend')]);
        registry = localRegistryBackend(modelRegistryFor(store), `the workspace store at ${dir}`);
      }
      return registry;
    },
    close: () => store.close(),
  };
}

/**
 * The server of the process holding the workspace store (`.mlops/server.json`), once it answers.
 * Patient: a holder in the middle of a checkpoint answers late, and is still there.
 */
async function holderServer(dir: string): Promise<{ url: string; token: string | null; isEngine: boolean } | undefined> {
  const [{ readServerInfo }, { readWriterLock }, { ENGINE_WRITER_NAME }] = await Promise.all([import('../core/server/serverInfoFile'), import('../core/store/writerLock'), import('../core/engine/engineHost')]);
  const info = readServerInfo(dir);
  if (!info) return undefined;
  const isEngine = readWriterLock(dir)?.name === ENGINE_WRITER_NAME;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      if ((await fetch(`${info.url}/health`, { signal: AbortSignal.timeout(5_000) })).ok) return { url: info.url, token: info.token, isEngine };
    } catch {
      // not answering (yet): try again, then give up
    }
  }
  return undefined;
}

/** Opens whichever store this invocation works on (see trackingTarget). */
export async function openCliStore(globals: CliGlobalOptions, options: OpenCliStoreOptions = {}): Promise<CliStore> {
  const target = trackingTarget(globals);
  return target.kind === 'remote' ? openRemote(target) : openLocal(target.dir, options);
}

/** The advice a server failure needs, by what failed. */
function remoteAdvice(status: number | null, target: Extract<TrackingTarget, { kind: 'remote' }> | undefined): string {
  if (target?.via === 'holder') {
    if (status === null) return 'Is the VS Code window (or mlops server) that holds the workspace store still running? Close it, or try again.';
    if (status >= 500) return "The holder's server failed; its log (MLOps Studio output in VS Code) says why. Try again.";
    return '';
  }
  const via = target ? target.via : 'its address';
  if (status === null) return `Is the server running, and is ${via} right?${target ? ' (--local works on the workspace store instead.)' : ''}`;
  if (status === 401 || status === 403) {
    const sent = target?.credentials.username && target.credentials.password ? 'MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD were sent and refused' : target?.credentials.token ? 'the MLFLOW_TRACKING_TOKEN sent was refused' : 'no credentials were sent';
    return `${status === 401 ? 'The server wants credentials' : 'The server does not allow this'} (${sent}): set MLFLOW_TRACKING_TOKEN, or MLFLOW_TRACKING_USERNAME and MLFLOW_TRACKING_PASSWORD, to credentials it accepts.`;
  }
  if (status === 404) return `Is ${via} the address of an MLflow tracking server (the part before /api/2.0/…)?`;
  if (status >= 500) return 'The server failed; its log says why. Try again, or ask whoever runs it.';
  return '';
}

/**
 * The engine's and the server's errors as one clear CliError: what failed, where (which server),
 * and what to do. Anything else is passed through.
 */
export async function asCliError(error: unknown, store?: Pick<CliStore, 'kind' | 'where' | 'target'>): Promise<unknown> {
  if (error instanceof CliError) return error;
  const [{ TrackingError }, { FilterSyntaxError }, { RemoteServerError }] = await Promise.all([
    import('../core/tracking/trackingErrors'),
    import('../core/tracking/searchFilter'),
    import('../core/remote/mlflowHttp'),
  ]);
  if (error instanceof RemoteServerError) {
    const target = store?.target.kind === 'remote' ? store.target : undefined;
    const advice = remoteAdvice(error.status, target);
    return new CliError(`${error.message.replace(/\s+$/, '')}${advice ? `\n  ${advice}` : ''}`, 1);
  }
  if (error instanceof TrackingError || error instanceof FilterSyntaxError) {
    const remote = store?.kind === 'remote' && !error.message.includes(store.where);
    return new CliError(remote ? `on ${store.where}: ${error.message}` : error.message);
  }
  return error;
}

/** Opens the store, runs `action` on it and always closes it; errors become CliErrors (see asCliError). */
export async function withCliStore<T>(globals: CliGlobalOptions, action: (store: CliStore) => Promise<T>, options: OpenCliStoreOptions = {}): Promise<T> {
  const store = await openCliStore(globals, options);
  try {
    return await action(store);
  } catch (error) {
    throw await asCliError(error, store);
  } finally {
    await store.close();
  }
}
