import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import { PRODUCT_VERSION } from '../product/productInfo';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { TrackingStore } from '../tracking/trackingStore';
import { deleteArtifact, downloadArtifact, listArtifacts, uploadArtifact } from './artifactHandlers';
import type { ArtifactReply } from './artifactHandlers';
import { checkBearerToken, generateToken } from './bearerAuth';
import { foreignHostMessage, isLoopbackHost } from './loopbackHost';
import { redactServerPaths, serverPlaceholders } from './errorRedaction';
import { errorReply, MlflowHttpError } from './mlflowHttpError';
import { checkJsonContentType, parseJsonBody, readBody } from './requestBody';
import { parseQueryString } from './requestParams';
import type { RequestParams } from './requestParams';
import type { ServerInfo } from './serverInfoFile';
import { removeServerInfo, writeServerInfo } from './serverInfoFile';
import type { HttpMethod, RawJson } from './trackingHandlers';
import { TRACKING_ROUTES } from './trackingHandlers';
import { REGISTRY_ROUTES } from './registryHandlers';
import type { ModelRegistry } from '../registry/modelRegistry';
import { modelRegistryFor } from '../registry/registryAccess';
import { dispatchEngineCall } from '../engine/engineDispatch';
import { ENGINE_CALL_PATH, ENGINE_EVENTS_PATH } from '../engine/engineWire';
import { EngineEventHub } from '../engine/engineEvents';

/** The MLflow version whose REST behaviour we follow (answered by GET /version). */
export const MLFLOW_COMPATIBLE_VERSION = '2.12.2';
/** Loopback only: the server exposes the workspace's data to whoever can reach it. */
export const SERVER_HOST = '127.0.0.1';

export interface RequestEvent {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** from the request's headers being parsed to the response being handed to the socket */
  readonly durationMs: number;
}

export interface StartTrackingServerOptions {
  /** a WorkspaceStore also gets `.mlops/server.json`; a bare TrackingStore does not */
  readonly store: WorkspaceStore | TrackingStore;
  /** 0 (default) picks a free port */
  readonly port?: number;
  /** the bearer token clients must send; default: a fresh random one */
  readonly token?: string;
  /** accept requests without a token — for tests and `mlops server --no-token` only */
  readonly insecureNoToken?: boolean;
  /** JSON bodies (default 16 MiB; a full log-batch is ~100 KB) */
  readonly maxJsonBodyBytes?: number;
  /** one artifact upload, held in memory while it is written (default 256 MiB) */
  readonly maxArtifactBytes?: number;
  /** a client must send its headers within this (default 10 s) */
  readonly headersTimeoutMs?: number;
  /** ... and its whole request within this (default 120 s) */
  readonly requestTimeoutMs?: number;
  /** a connection silent for this long is closed (default 30 s) */
  readonly idleTimeoutMs?: number;
  /** called after each response, e.g. for a log or a benchmark */
  readonly onRequest?: (event: RequestEvent) => void;
}

export interface RunningTrackingServer {
  /** http://127.0.0.1:<port> — what MLFLOW_TRACKING_URI should be */
  readonly url: string;
  readonly port: number;
  /** null when started with `insecureNoToken` */
  readonly token: string | null;
  /** MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN for child processes */
  readonly env: Readonly<Record<string, string>>;
  /** clients listening to the store's change events now (0 for a bare TrackingStore) */
  readonly eventClients: () => number;
  /** stops listening, lets requests in flight finish (at most 2 s), removes server.json */
  close(): Promise<void>;
}

const API_PREFIXES = ['/api/2.0/mlflow/', '/ajax-api/2.0/mlflow/'];
const ARTIFACT_PREFIXES = ['/api/2.0/mlflow-artifacts/artifacts', '/ajax-api/2.0/mlflow-artifacts/artifacts'];
const NOT_YET_PREFIXES = ['traces', 'logged-models'];
const CLOSE_GRACE_MS = 2_000;

function checkHost(req: IncomingMessage): void {
  if (!isLoopbackHost(req.headers.host)) throw new MlflowHttpError(403, 'PERMISSION_DENIED', foreignHostMessage(req.headers.host, `MLFLOW_TRACKING_URI=http://127.0.0.1:${req.socket.localPort ?? '<port>'}`));
}

function isWorkspaceStore(store: WorkspaceStore | TrackingStore): store is WorkspaceStore {
  return 'tracking' in store && 'dir' in store;
}

function stripPrefix(path: string, prefixes: readonly string[]): string | undefined {
  for (const prefix of prefixes) if (path.startsWith(prefix)) return path.slice(prefix.length);
  return undefined;
}

interface Reply {
  readonly status: number;
  readonly contentType: string;
  readonly body: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
}

function jsonReply(status: number, value: object | RawJson): Reply {
  const body = 'rawJson' in value && (typeof value.rawJson === 'string' || Buffer.isBuffer(value.rawJson)) ? value.rawJson : JSON.stringify(value);
  return { status, contentType: 'application/json', body };
}

class RequestHandler {
  constructor(
    private readonly store: TrackingStore,
    private readonly token: string | null,
    private readonly maxJsonBodyBytes: number,
    private readonly maxArtifactBytes: number,
    private readonly registry: ModelRegistry | undefined,
    private readonly workspace: WorkspaceStore | undefined,
  ) {}

  async handle(req: IncomingMessage, path: string, query: string): Promise<Reply> {
    const method = req.method ?? 'GET';
    checkHost(req);
    if (path === '/health' && method === 'GET') return { status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' };
    if (path === '/version' && method === 'GET') return { status: 200, contentType: 'text/plain; charset=utf-8', body: MLFLOW_COMPATIBLE_VERSION };
    if (this.token !== null) checkBearerToken(req, this.token);
    const where = `${method} ${path}`;

    if (path === ENGINE_CALL_PATH) {
      if (!this.workspace) throw new MlflowHttpError(404, 'ENDPOINT_NOT_FOUND', `${where}: this server serves a tracking store only, not a workspace store's engine.`);
      if (method !== 'POST') throw new MlflowHttpError(405, 'ENDPOINT_NOT_FOUND', `${where} is not allowed: engine calls are POSTed.`);
      checkJsonContentType(req);
      const body: unknown = JSON.parse((await readBody(req, this.maxJsonBodyBytes, where)).toString('utf8'));
      const reply = await dispatchEngineCall(this.workspace, body);
      return { status: 'error' in reply ? 400 : 200, contentType: 'application/json', body: JSON.stringify(reply) };
    }

    const artifactPath = stripPrefix(path, ARTIFACT_PREFIXES);
    if (artifactPath !== undefined && (artifactPath === '' || artifactPath.startsWith('/'))) {
      return this.handleArtifacts(req, method, artifactPath.slice(1), query, where);
    }

    const endpoint = stripPrefix(path, API_PREFIXES);
    if (endpoint === undefined) throw new MlflowHttpError(404, 'ENDPOINT_NOT_FOUND', `No such endpoint: ${where}. This server speaks MLflow's REST API 2.0 under /api/2.0/mlflow/.`);
    const route = TRACKING_ROUTES.get(endpoint) ?? REGISTRY_ROUTES.get(endpoint);
    if (!route) {
      if (NOT_YET_PREFIXES.some((p) => endpoint.startsWith(p))) {
        throw new MlflowHttpError(501, 'NOT_IMPLEMENTED', `${where} is not available: the MLOps Studio server does not implement MLflow's traces or logged models yet (tracking, artifacts and the model registry only).`);
      }
      throw new MlflowHttpError(404, 'ENDPOINT_NOT_FOUND', `No such endpoint: ${where}.`);
    }
    if (!route.methods.includes(method as HttpMethod)) {
      return {
        ...jsonReply(405, { error_code: 'ENDPOINT_NOT_FOUND', message: `${where} is not allowed: use ${route.methods.join(' or ')}.` }),
        headers: { Allow: route.methods.join(', ') },
      };
    }
    let params: RequestParams;
    if (method === 'GET') {
      params = parseQueryString(query);
    } else {
      checkJsonContentType(req);
      params = parseJsonBody(await readBody(req, this.maxJsonBodyBytes, where), where);
    }
    return jsonReply(200, await route.handler({ method: method as HttpMethod, params, store: this.store, registry: this.registry }));
  }

  private async handleArtifacts(req: IncomingMessage, method: string, rawPath: string, query: string, where: string): Promise<Reply> {
    let reply: ArtifactReply;
    if (rawPath === '') {
      if (method !== 'GET') throw new MlflowHttpError(405, 'ENDPOINT_NOT_FOUND', `${where} is not allowed: list artifacts with GET ?path=.`);
      const listPath = parseQueryString(query).path;
      reply = await listArtifacts(this.store, typeof listPath === 'string' ? listPath : '');
    } else if (method === 'PUT') {
      const body = await readBody(req, this.maxArtifactBytes, where);
      reply = await uploadArtifact(this.store, rawPath, body);
    } else if (method === 'GET') {
      reply = await downloadArtifact(this.store, rawPath);
    } else if (method === 'DELETE') {
      reply = await deleteArtifact(this.store, rawPath);
    } else {
      throw new MlflowHttpError(405, 'ENDPOINT_NOT_FOUND', `${where} is not allowed: artifacts take GET, PUT and DELETE.`);
    }
    return { status: 200, contentType: reply.contentType, body: reply.body };
  }
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (error.code === 'EADDRINUSE') reject(new Error(`Port ${port} on ${SERVER_HOST} is already in use; choose another port for the MLflow-compatible server (0 picks a free one).`));
      else reject(new Error(`The MLflow-compatible server could not listen on ${SERVER_HOST}:${port}: ${error.message}`));
    };
    const onListening = (): void => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, SERVER_HOST);
  });
}

/**
 * Starts the local MLflow-compatible tracking server on 127.0.0.1: the stock `mlflow` client logs
 * into the store through it (MLFLOW_TRACKING_URI + MLFLOW_TRACKING_TOKEN), and so do a second
 * window or the CLI while this process holds the store's writer lock.
 */
export async function startTrackingServer(options: StartTrackingServerOptions): Promise<RunningTrackingServer> {
  const tracking = isWorkspaceStore(options.store) ? options.store.tracking : options.store;
  const token = options.insecureNoToken ? null : (options.token ?? generateToken());
  if (token !== null && token.length < 16) throw new Error('The server token must be at least 16 characters long; omit it to get a random one.');
  // The registry shared with the views and commands of this store, so changes reach them all.
  const registry = isWorkspaceStore(options.store) ? modelRegistryFor(options.store) : undefined;
  const workspace = isWorkspaceStore(options.store) ? options.store : undefined;
  const handler = new RequestHandler(tracking, token, options.maxJsonBodyBytes ?? 16 * 1024 * 1024, options.maxArtifactBytes ?? 256 * 1024 * 1024, registry, workspace);
  const events = workspace ? new EngineEventHub(workspace) : undefined;
  const onRequest = options.onRequest;
  const placeholders = serverPlaceholders(isWorkspaceStore(options.store) ? { storeDir: options.store.dir } : {});
  let inFlight = 0;
  let idle: (() => void) | undefined;

  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const server = createServer({
    headersTimeout,
    requestTimeout: options.requestTimeoutMs ?? 120_000,
    keepAliveTimeout: 5_000,
    // Node checks the two timeouts above on this interval (default 30 s: too coarse for them).
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(headersTimeout / 4))),
  });
  // Without a 'timeout' listener Node destroys sockets that stay silent this long.
  server.setTimeout(options.idleTimeoutMs ?? 30_000);

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const started = performance.now();
    inFlight++;
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    if (path === ENGINE_EVENTS_PATH && events && req.method === 'GET') {
      inFlight--;
      try {
        checkHost(req);
        if (token !== null) checkBearerToken(req, token);
      } catch (error) {
        const { status, body } = errorReply(error);
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        return;
      }
      events.attach(res);
      return;
    }
    let bodyRead = req.method === 'GET' || req.method === 'HEAD';
    req.once('end', () => {
      bodyRead = true;
    });
    const send = (reply: Reply): void => {
      if (res.headersSent) return;
      const headers: Record<string, string | number> = { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(reply.body), ...reply.headers };
      // A body we did not read (refused early or too large) must not be parsed as the next request.
      if (!bodyRead && !req.complete) headers.Connection = 'close';
      res.writeHead(reply.status, headers);
      res.end(reply.body);
      if (onRequest) onRequest({ method: req.method ?? '', path, status: reply.status, durationMs: performance.now() - started });
    };
    handler
      .handle(req, path, query)
      .then(send, (error: unknown) => {
        const { status, body } = errorReply(error);
        const redacted = { ...body, message: redactServerPaths(body.message, placeholders) };
        send({ status, contentType: 'application/json', body: JSON.stringify(redacted), ...(status === 401 ? { headers: { 'WWW-Authenticate': 'Bearer realm="mlops"' } } : {}) });
      })
      .finally(() => {
        inFlight--;
        if (inFlight === 0 && idle) idle();
      });
  });

  const port = await listen(server, options.port ?? 0);
  const url = `http://${SERVER_HOST}:${port}`;
  const env: Record<string, string> = { MLFLOW_TRACKING_URI: url };
  if (token !== null) env.MLFLOW_TRACKING_TOKEN = token;

  const infoDir = isWorkspaceStore(options.store) ? options.store.dir : undefined;
  const info: ServerInfo = { url, port, token, pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), version: PRODUCT_VERSION };
  if (infoDir !== undefined) {
    try {
      writeServerInfo(infoDir, info);
    } catch (error) {
      server.close();
      throw new Error(`The MLflow-compatible server could not write ${infoDir}/server.json: ${(error as Error).message}`, { cause: error });
    }
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (infoDir !== undefined) removeServerInfo(infoDir, info);
      events?.close();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        await Promise.race([
          new Promise<void>((resolve) => {
            idle = resolve;
          }),
          new Promise<void>((resolve) => setTimeout(resolve, CLOSE_GRACE_MS).unref()),
        ]);
      }
      server.closeAllConnections();
      await closed;
    })();
    return closing;
  };

  return { url, port, token, env, eventClients: () => events?.clientCount ?? 0, close };
}
