import { existsSync } from 'node:fs';
import { endpointsKeepAlive, stopEndpointsOf } from '../serving/endpointManagers';
import { retrainJobsKeepAlive } from '../retraining/retrainJobs';
import { cancelEngineJobsOf, engineJobsKeepAlive } from './engineJobs';
import { startTrackingServer } from '../server/trackingServer';
import type { RunningTrackingServer } from '../server/trackingServer';
import { openWorkspaceStore } from '../store/workspaceStore';
import type { WorkspaceStore } from '../store/workspaceStore';

/** How long an engine with nothing to do waits before it stops (mlops.engine.idleMinutes). */
export const DEFAULT_ENGINE_IDLE_MS = 10 * 60_000;

/** The engine's exit code when another process already holds the store (the launcher then uses that one). */
export const ENGINE_EXIT_LOCKED = 3;
/** The engine's name in the store's writer lock (what other processes' messages call it). */
export const ENGINE_WRITER_NAME = 'MLOps engine';

export interface EngineHostOptions {
  readonly dir: string;
  /** stop after this long with no request, no listening client and nothing running */
  readonly idleMs: number;
  readonly log: (line: string) => void;
  /** 0 (default): a free port */
  readonly port?: number;
  /** accept requests without a token (`mlops server --no-token`, trusted single-user machines only) */
  readonly insecureNoToken?: boolean;
}

/** Something running in the engine that keeps it alive while idle (an endpoint, a job). */
export type EngineKeepAlive = () => string | undefined;

export interface RunningEngine {
  readonly store: WorkspaceStore;
  readonly server: RunningTrackingServer;
  /** resolves with why the engine stopped */
  readonly stopped: Promise<string>;
  /** registers a reason to stay up; it is asked every check, returning a description while it holds */
  keepAliveWhile(reason: EngineKeepAlive): void;
  stop(why: string, options?: { snapshot?: boolean }): Promise<string>;
}

/** How often the engine fails RUNNING runs whose owning process is gone. */
const RECOVER_EVERY_MS = 30_000;

/**
 * The engine: the one process that holds a workspace store and answers every client (windows,
 * CLI commands, Python scripts through MLflow's REST API) through its server on 127.0.0.1. It is
 * found through `.mlops/server.json` and stops by itself once nobody has needed it for `idleMs`.
 */
export async function runEngine(options: EngineHostOptions): Promise<RunningEngine> {
  const started = Date.now();
  const store = await openWorkspaceStore({
    dir: options.dir,
    writerName: ENGINE_WRITER_NAME,
    dailyGc: { onReport: (report) => options.log(`garbage collection: ${report.removed.length} folder(s) removed, ${report.bytes} bytes freed`), onError: (error) => options.log(`garbage collection failed: ${error instanceof Error ? error.message : String(error)}`) },
  });
  for (const warning of store.warnings) options.log(`warning: ${warning}`);
  // The snapshot was read into a buffer and copied into sql.js: collect the first copy now (the
  // launcher starts engines with --expose-gc; `mlops server` in the foreground waits for V8).
  (globalThis as { gc?: () => void }).gc?.();
  let lastActivity = Date.now();
  let server: RunningTrackingServer;
  try {
    server = await startTrackingServer({
      store,
      ...(options.port === undefined ? {} : { port: options.port }),
      ...(options.insecureNoToken ? { insecureNoToken: true } : {}),
      onRequest: () => {
        lastActivity = Date.now();
      },
    });
  } catch (error) {
    await store.close({ snapshot: false });
    throw error;
  }
  options.log(`engine for ${options.dir} listening on ${server.url} (pid ${process.pid}, opened in ${Date.now() - started} ms, ${Math.round(process.memoryUsage().rss / 1_048_576)} MB, ${Number.isFinite(options.idleMs) ? `stops after ${Math.round(options.idleMs / 1000)} s idle` : 'runs until stopped'})`);

  const keepAlives: EngineKeepAlive[] = [() => endpointsKeepAlive(store), () => retrainJobsKeepAlive(store), () => engineJobsKeepAlive(store)];
  let resolveStopped: (why: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve));
  let stopping: Promise<string> | undefined;
  const stop = (why: string, stopOptions: { snapshot?: boolean } = {}): Promise<string> => {
    stopping ??= (async () => {
      clearInterval(idleCheck);
      options.log(`stopping: ${why}`);
      // Jobs running here (trainings, studies, searches) end cancelled, their runs KILLED, rather than writing to a closed store.
      await cancelEngineJobsOf(store);
      await stopEndpointsOf(store);
      await server.close();
      await store.close(stopOptions);
      resolveStopped(why);
      return why;
    })();
    return stopping;
  };

  const busy = (): string | undefined => {
    if (server.eventClients() > 0) return `${server.eventClients()} client(s) listening`;
    for (const keepAlive of keepAlives) {
      const reason = keepAlive();
      if (reason !== undefined) return reason;
    }
    return undefined;
  };
  let lastRecovery = Date.now();
  const idleCheck = setInterval(
    () => {
      // A store folder deleted under the engine (a temp workspace removed) has nothing left to serve.
      if (!existsSync(options.dir)) {
        void stop('its store folder was deleted', { snapshot: false });
        return;
      }
      // Runs whose process died (a training in a window or an engine that was killed) end FAILED
      // with why, without waiting for the next engine to open the store.
      if (Date.now() - lastRecovery >= RECOVER_EVERY_MS) {
        lastRecovery = Date.now();
        store.localTracking.recoverAbandonedRuns().catch((error: unknown) => options.log(`could not fail abandoned runs: ${error instanceof Error ? error.message : String(error)}`));
      }
      if (busy() !== undefined) {
        lastActivity = Date.now();
        return;
      }
      // A snapshot on the way out: nobody waits for it now, and the next open is faster for it.
      if (Date.now() - lastActivity >= options.idleMs) void stop(`idle for ${Math.round((Date.now() - lastActivity) / 1000)} s`, { snapshot: true });
    },
    Math.max(50, Math.min(options.idleMs / 4, 15_000)),
  );

  return { store, server, stopped, keepAliveWhile: (reason) => keepAlives.push(reason), stop };
}
