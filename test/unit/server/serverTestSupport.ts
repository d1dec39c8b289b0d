import { request } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import type { RunningTrackingServer, StartTrackingServerOptions } from '../../../src/core/server/trackingServer';
import { tempStoreDir } from '../store/testSupport';
import type { StoreAccess } from '../../../src/vscode/store/storeService';

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  /** the body parsed as JSON, or undefined when it is not JSON */
  json: unknown;
}

/** A store in a temp folder with a server on it; `api` speaks to it the way the mlflow client does. */
export interface ServerFixture {
  store: WorkspaceStore;
  server: RunningTrackingServer;
  dir: string;
  /** a JSON request with Content-Type: application/json (POST) or the params in the query (GET) */
  api(method: string, endpoint: string, params?: Record<string, unknown> | string): Promise<RawResponse>;
  raw(method: string, path: string, options?: { body?: string | Buffer; headers?: OutgoingHttpHeaders }): Promise<RawResponse>;
  close(): Promise<void>;
}

export async function startFixture(options: Partial<StartTrackingServerOptions> = {}): Promise<ServerFixture> {
  const { dir, cleanup } = tempStoreDir('mlops-server-');
  const store = await openWorkspaceStore({ dir, writerName: 'server test' });
  const server = await startTrackingServer({ insecureNoToken: true, ...options, store });
  const auth: OutgoingHttpHeaders = server.token ? { Authorization: `Bearer ${server.token}` } : {};
  const raw = (method: string, path: string, opts: { body?: string | Buffer; headers?: OutgoingHttpHeaders } = {}): Promise<RawResponse> =>
    new Promise((resolve, reject) => {
      // `path` as an option is sent as is (a URL string would have its ../ resolved by the client).
      // Content-Length as python-requests sends it (Node would not frame a DELETE body by itself).
      const length = opts.body === undefined ? {} : { 'Content-Length': Buffer.byteLength(opts.body) };
      const req = request({ host: '127.0.0.1', port: server.port, path, method, headers: { ...auth, ...length, ...opts.headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
      });
      req.on('error', reject);
      if (opts.body !== undefined) req.end(opts.body);
      else req.end();
    });
  const api = (method: string, endpoint: string, params: Record<string, unknown> | string = {}): Promise<RawResponse> => {
    const path = endpoint.startsWith('/') ? endpoint : `/api/2.0/mlflow/${endpoint}`;
    if (method === 'GET') {
      const q = typeof params === 'string' ? params : new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => [k, String(x)]) : [[k, String(v)]]))).toString();
      return raw('GET', q === '' ? path : `${path}?${q}`);
    }
    return raw(method, path, { body: typeof params === 'string' ? params : JSON.stringify(params), headers: { 'Content-Type': 'application/json' } });
  };
  return {
    store,
    server,
    dir,
    api,
    raw,
    close: async () => {
      await server.close();
      await store.close();
      cleanup();
    },
  };
}

/** Creates an experiment and a run the way `mlflow.start_run` does; returns their ids. */
export async function createRun(fx: ServerFixture, experimentName = 'demo-exp'): Promise<{ experimentId: string; runId: string }> {
  const exp = await fx.api('POST', 'experiments/create', { name: experimentName });
  const experimentId = (exp.json as { experiment_id: string }).experiment_id;
  const run = await fx.api('POST', 'runs/create', {
    experiment_id: experimentId,
    user_id: 'root',
    run_name: 'demo-run',
    start_time: 1795793232759,
    tags: [
      { key: 'mlflow.user', value: 'root' },
      { key: 'mlflow.source.name', value: '/home/user/project/train.py' },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: 'mlflow.runName', value: 'demo-run' },
    ],
  });
  const runId = (run.json as { run: { info: { run_id: string } } }).run.info.run_id;
  return { experimentId, runId };
}

/**
 * A window's StoreAccess as the engine's client, through the fixture's server: what StoreService
 * returns once it has connected (tracking over MLflow's REST API, everything else engine calls).
 */
export async function engineClientAccess(fx: Pick<ServerFixture, 'dir' | 'server'>): Promise<Extract<StoreAccess, { origin: 'engine' }>> {
  const [{ CachingTrackingStore }, { MlflowRestClient }, { httpEngine }] = await Promise.all([
    import('../../../src/core/remote/cachingTrackingStore'),
    import('../../../src/core/remote/mlflowRestClient'),
    import('../../../src/core/engine/engineClient'),
  ]);
  const { url, token } = fx.server;
  return { state: 'client', origin: 'engine', dir: fx.dir, url, token, tracking: new CachingTrackingStore(new MlflowRestClient({ url, token })), engine: httpEngine(url, token), message: `The MLOps engine holds the store and answers at ${url}.` };
}
