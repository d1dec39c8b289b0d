import { InvalidArgumentError, NotFoundError, TrackingError } from '../tracking/trackingErrors';

export interface MlflowHttpOptions {
  /** the tracking server, e.g. http://127.0.0.1:5000 or https://mlflow.example.com */
  readonly url: string;
  /** sent as `Authorization: Bearer <token>` (MLFLOW_TRACKING_TOKEN) */
  readonly token?: string | null;
  /** HTTP basic auth (MLFLOW_TRACKING_USERNAME / MLFLOW_TRACKING_PASSWORD), as MLflow's client sends it when no token is set */
  readonly username?: string | null;
  readonly password?: string | null;
  /** per request (default 30 s) */
  readonly timeoutMs?: number;
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
  readonly base: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(options: MlflowHttpOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.headers = authorizationHeader(options);
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  async send(method: string, path: string, body?: string | Uint8Array, contentType?: string): Promise<Response> {
    const url = `${this.base}${path}`;
    // A view, not a copy: artifact bodies can be large. Our buffers are never SharedArrayBuffers.
    const payload = typeof body === 'string' || body === undefined ? body : new Uint8Array(body.buffer as ArrayBuffer, body.byteOffset, body.byteLength);
    try {
      return await fetch(url, {
        method,
        headers: { ...this.headers, ...(contentType ? { 'Content-Type': contentType } : {}) },
        ...(payload === undefined ? {} : { body: payload }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const reason = cause?.code ?? cause?.message ?? (error as Error).message;
      throw new RemoteServerError(`Cannot reach the MLflow server at ${this.base} (${method} ${path}): ${reason}`, null, null);
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
