import { InvalidArgumentError, NotFoundError, TrackingError } from '../tracking/trackingErrors';

export interface MlflowHttpOptions {
  /** the tracking server, e.g. http://127.0.0.1:5000 or https://mlflow.example.com */
  readonly url: string;
  /** sent as `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN) */
  readonly token?: string | null;
  /** HTTP basic auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD), as MLflow's client sends it when no token is set */
  readonly username?: string | null;
  readonly password?: string | null;
  /** per request (default 30 s; Infinity: none, for calls that work as long as they need) */
  readonly timeoutMs?: number;
  /**
   * Where to go when the server cannot be connected to (refused, or the connection dropped): the
   * workspace engine's clients find or start the engine again, so a training or a window carries on
   * after the engine died. Undefined (a team's server): the error is the caller's.
   */
  readonly reconnect?: Reconnect;
}

/** A server's address and the bearer token it wants. */
export interface ServerAddress {
  readonly url: string;
  readonly token: string | null;
}

/** Given the address that stopped answering: the one to use now, or undefined when there is none. */
export type Reconnect = (unreachable: string) => Promise<ServerAddress | undefined>;

/** Reconnections tried for one request (each waits for an engine to be found or started). */
const RECONNECT_ATTEMPTS = 3;

/**
 * Whether a failed fetch never reached a live server: refused, reset or closed under it. A timeout
 * is not one: the server may still be working on the request, and is still there.
 */
export function isConnectionLost(error: unknown): boolean {
  const cause = (error as { cause?: { code?: string } }).cause;
  return ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED', 'ENOTFOUND'].includes(cause?.code ?? '');
}

/** The server could not be reached, refused the request, or failed (not an error of the data). */
export class RemoteServerError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly errorCode: string | null,
  ) {
    super(message);
    this.name = 'RemoteServerError';
  }
}

export type Json = Readonly<Record<string, unknown>>;
export type Params = Record<string, unknown>;

export function queryString(params: Params): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) for (const item of value) search.append(key, String(item));
    else search.append(key, String(value));
  }
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}

/** MLflow's client: basic auth when a username and password are set, else the bearer token. */
function authorizationHeader(options: MlflowHttpOptions): Record<string, string> {
  if (options.username && options.password) return { Authorization: `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}` };
  return options.token ? { Authorization: `Bearer ${options.token}` } : {};
}

/**
 * MLflow's REST transport: JSON bodies (or the query string for GET), the bearer token, timeouts,
 * and MLflow error bodies turned into the engine's errors so callers handle both backends alike.
 */
export class MlflowHttp {
  private baseUrl: string;
  private headers: Record<string, string>;
  private readonly timeoutMs: number;
  private readonly reconnect: Reconnect | undefined;

  constructor(options: MlflowHttpOptions) {
    this.baseUrl = options.url.replace(/\/+$/, '');
    this.headers = authorizationHeader(options);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.reconnect = options.reconnect;
  }

  /** the server's address (a reconnected engine's after a reconnection) */
  get base(): string {
    return this.baseUrl;
  }

  async send(method: string, path: string, body?: string | Uint8Array, contentType?: string): Promise<Response> {
    // A view, not a copy: artifact bodies can be large. Our buffers are never SharedArrayBuffers.
    const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { ...this.headers, ...(contentType ? { 'Content-Type': contentType } : {}) },
          ...(payload === undefined ? {} : { body: payload }),
          ...(Number.isFinite(this.timeoutMs) ? { signal: AbortSignal.timeout(this.timeoutMs) } : {}),
        });
      } catch (error) {
        // The engine died or stopped: the same request again, to the engine found or started now
        // (as MLflow's own client retries a POST whose connection failed).
        if (this.reconnect && attempt < RECONNECT_ATTEMPTS && isConnectionLost(error)) {
          const next = await this.reconnect(this.baseUrl).catch(() => undefined);
          if (next) {
            this.baseUrl = next.url.replace(/\/+$/, '');
            this.headers = authorizationHeader({ url: next.url, token: next.token });
            continue;
          }
        }
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const reason = cause?.code ?? cause?.message ?? (error as Error).message;
        throw new RemoteServerError(`Cannot reach the MLflow server at ${this.baseUrl} (${method} ${path}): ${reason}`, null, null);
      }
    }
  }

  async fail(response: Response, where: string): Promise<never> {
    const text = await response.text();
    let code: string | null = null;
    let message = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { error_code?: unknown; message?: unknown };
      if (typeof parsed.error_code === 'string') code = parsed.error_code;
      if (typeof parsed.message === 'string') message = parsed.message;
    } catch {
      // not JSON (e.g. a proxy's HTML page): its title, or its text without the markup
      if (/^\s*</.test(text)) {
        const title = /<title[^>]*>([^<]*)<\/title>/i.exec(text)?.[1];
        message = (title ?? text.replace(/<[^>]*>/g, ' ')).replace(/\s+/g, ' ').trim().slice(0, 300);
      }
    }
    if (code === 'RESOURCE_DOES_NOT_EXIST') throw new NotFoundError(message);
    if (code === 'INVALID_PARAMETER_VALUE') throw new InvalidArgumentError(message);
    if (code === 'RESOURCE_ALREADY_EXISTS' || code === 'INVALID_STATE') throw new TrackingError(message, code);
    const refused = response.status === 401 || response.status === 403;
    const what = refused ? 'refused the request (check the token)' : `answered ${response.status}`;
    throw new RemoteServerError(`The MLflow server at ${this.base} ${what} for ${where}${refused ? ` (HTTP ${response.status})` : ''}: ${code ? `${code}: ` : ''}${message}`, response.status, code);
  }

  /** One call of `/api/2.0/mlflow/<endpoint>`. */
  async call(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', endpoint: string, params: Params = {}): Promise<Json> {
    const path = `/api/2.0/mlflow/${endpoint}`;
    const response = method === 'GET'
      ? await this.send('GET', `${path}${queryString(params)}`)
      : await this.send(method, path, JSON.stringify(params), 'application/json');
    if (!response.ok) return this.fail(response, `${method} ${path}`);
    return (await response.json()) as Json;
  }
}
