import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { LoadedModel } from '../modelPackage/modelPackageLoader';
import { PRODUCT_VERSION } from '../product/productInfo';
import { refuseForeignHost } from '../server/loopbackHost';
import type { EndpointLimits, FeedbackMessage, ServedModel } from './endpointTypes';
import { MAX_FEEDBACK_BODY_BYTES, parseFeedbackBody } from './feedbackRequest';
import { UsageMeter } from './endpointUsage';
import { LatencyStats } from './latencyStats';
import { MicroBatcher } from './microBatcher';
import { FEATURE_FRESHNESS_HEADER, type OnlineFeatureLookup } from './onlineFeatureLookup';
import { RecentRequests } from './recentRequests';
import { ScoringRequestError } from './scoringErrors';
import type { PendingLogEntry } from './pendingLogEntry';
import type { FrameOutputs } from './requestLogFormat';
import { predictionsJson } from './predictionJson';
import { encodeScoringInput } from './scoringEncoder';
import { parseScoringInput, scoringRecords, scoringRowCount, type ScoringInput } from './scoringInput';

export interface EndpointHttpOptions {
  readonly limits: EndpointLimits;
  readonly restarts: number;
  readonly lastExit?: string;
  /** sampled requests to log, encoded later in a batch (off the request path) */
  readonly onLog: (entry: PendingLogEntry) => void;
  readonly random?: () => number;
  /** POST /feedback: the host checks the request id and stores the feedback; without it the route answers 503 */
  readonly onFeedback?: (message: FeedbackMessage) => Promise<FeedbackAnswer>;
  /** fills inputs the request left out from the online feature store, before checking and predicting */
  readonly features?: OnlineFeatureLookup;
}

/** What /feedback answers, decided by the host. */
export interface FeedbackAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The response header that carries each scoring request's id (the body keeps MLflow's exact shape). */
export const REQUEST_ID_HEADER = 'X-Request-Id';

/** The model an endpoint currently serves; replaced as a whole on an alias move. */
export interface ActiveModel {
  readonly served: ServedModel;
  readonly model: LoadedModel;
}

export interface EndpointHttp {
  readonly server: Server;
  readonly stats: LatencyStats;
  swap(next: ActiveModel): void;
  active(): ActiveModel;
}

/** The HTTP side of an endpoint process: MLflow's scoring protocol over one model. */
export function createEndpointHttp(initial: ActiveModel, options: EndpointHttpOptions): EndpointHttp {
  let current = initial;
  // measured from here: loading the model is not serving's cost
  const stats = new LatencyStats(new UsageMeter());
  const random = options.random ?? Math.random;
  const recent = new RecentRequests();
  // Rows are encoded for one model's preprocessing: each model (a swap brings a new one) batches its own.
  const batchers = new WeakMap<LoadedModel, MicroBatcher>();
  const batcherFor = (model: LoadedModel): MicroBatcher => {
    let batcher = batchers.get(model);
    if (!batcher) batchers.set(model, (batcher = new MicroBatcher(model.predictEncoded, model.preprocessing.width)));
    return batcher;
  };
  const { limits } = options;
  let logSecond = 0;
  let loggedThisSecond = 0;
  const server = createServer(
    { requestTimeout: limits.requestTimeoutMs, headersTimeout: Math.min(limits.requestTimeoutMs, 60_000), connectionsCheckingInterval: Math.min(1000, Math.max(50, limits.requestTimeoutMs / 4)), keepAliveTimeout: 5000 },
    (req, res) => void handle(req, res),
  );

  const send = (res: ServerResponse, status: number, body: unknown, close = false, headers: Readonly<Record<string, string>> = {}): void => sendText(res, status, JSON.stringify(body), close, headers);
  const sendText = (res: ServerResponse, status: number, text: string, close = false, headers: Readonly<Record<string, string>> = {}): void => {
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers, ...(close ? { Connection: 'close' } : {}) });
    res.end(text);
  };
  const sendError = (res: ServerResponse, error: ScoringRequestError, close = false, headers: Readonly<Record<string, string>> = {}): void =>
    send(res, error.status, { error_code: error.errorCode, message: error.message }, close, headers);

  const metadata = (): unknown => ({ name: current.served.name, version: current.served.version, uri: current.served.uri, task: current.model.signature.output.task, signature: current.model.signature });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Before anything else, so a rebound page's request never reaches the model or the request log.
    if (refuseForeignHost(req, res)) return;
    const path = (req.url ?? '/').split('?')[0];
    if (req.method === 'GET' || req.method === 'HEAD') {
      switch (path) {
        case '/ping':
          res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': 1 }).end('\n');
          return;
        case '/health':
          return send(res, 200, { status: 'ok', model: current.served.uri, version: current.served.version, restarts: options.restarts, ...(options.lastExit ? { lastExit: options.lastExit } : {}), ...stats.snapshot() });
        case '/version':
          return send(res, 200, { version: PRODUCT_VERSION, model_version: current.served.version });
        case '/metadata':
          return send(res, 200, metadata());
        case '/feedback':
          return handleFeedback(req, res);
        default:
          return sendError(res, new ScoringRequestError(404, `No route GET ${path}: this endpoint answers POST /invocations, POST /feedback and GET /ping, /health, /version, /metadata.`));
      }
    }
    if (path === '/feedback') return handleFeedback(req, res);
    if (path !== '/invocations') return sendError(res, new ScoringRequestError(404, `No route ${req.method ?? '?'} ${path}: score with POST /invocations, rate a response with POST /feedback.`));
    if (req.method !== 'POST') return sendError(res, new ScoringRequestError(405, `${req.method ?? '?'} /invocations: use POST with a JSON or CSV body.`));
    const started = performance.now();
    let input: ScoringInput | null = null;
    // The whole request is answered by the model it started with, even if a swap lands meanwhile.
    const { served, model } = current;
    // Every answer names its request, so a client can report on it later (POST /feedback) or quote it.
    const requestId = randomUUID();
    const idHeader = { [REQUEST_ID_HEADER]: requestId };
    try {
      const body = await readBody(req, limits.maxBodyBytes);
      const { signature } = model;
      input = parseScoringInput(req.headers['content-type'], body, signature);
      let freshness: string | undefined;
      if (options.features) {
        const records = scoringRecords(input);
        input = { kind: 'records', records };
        // Filled in place, so the request log holds the inputs the model actually used.
        freshness = options.features.fill(records, signature).freshness;
      }
      const rows = scoringRowCount(input);
      // one pass from the parsed JSON into the model's input matrix; 400s name the row and column
      const x = encodeScoringInput(input, model);
      const out = await batcherFor(model).submit(x, rows);
      const predictions = predictionsJson(out, rows, signature);
      recent.remember(requestId, { version: served.version, time: Date.now() });
      sendText(res, 200, `{"predictions":${predictions}}`, false, freshness ? { ...idHeader, [FEATURE_FRESHNESS_HEADER]: freshness } : idHeader);
      finish(200, input, { raw: out, classes: signature.output.task === 'classification' ? signature.output.classes : null }, rows);
    } catch (error) {
      const refused = error instanceof ScoringRequestError ? error : new ScoringRequestError(400, error instanceof Error ? error.message : String(error));
      // A body too large even to drain is not read to its end: close the connection after answering.
      sendError(res, refused, refused.closeConnection, idHeader);
      if (refused.closeConnection) req.resume();
      finish(refused.status, input, null, 0, refused.message);
    }

    function finish(status: number, inputs: ScoringInput | null, outputs: FrameOutputs, answered: number, message?: string): void {
      const latencyMs = performance.now() - started;
      stats.record(latencyMs, status < 400, answered);
      const second = Math.floor(Date.now() / 1000);
      if (second !== logSecond) {
        logSecond = second;
        loggedThisSecond = 0;
      }
      if ((limits.logSampleRate >= 1 || random() < limits.logSampleRate) && loggedThisSecond++ < limits.maxLogPerSecond) {
        options.onLog({ requestId, time: Date.now(), modelName: served.name, version: served.version, status, latencyMs, rows: inputs ? scoringRowCount(inputs) : 0, input: inputs, outputs, ...(message ? { error: message } : {}) });
      }
    }
  }

  async function handleFeedback(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST') return sendError(res, new ScoringRequestError(405, `${req.method ?? '?'} /feedback: use POST with a JSON body {"request_id": "…", "rating": 1–5, "label": "…", "comment": "…"}.`));
    try {
      const feedback = parseFeedbackBody(req.headers['content-type'], await readBody(req, MAX_FEEDBACK_BODY_BYTES));
      if (!options.onFeedback) throw new ScoringRequestError(503, 'This endpoint runs without a store to keep feedback in.');
      const served = recent.get(feedback.requestId);
      const answer = await options.onFeedback({ feedback, ...(served ? { served } : {}) });
      send(res, answer.status, answer.body);
    } catch (error) {
      let refused = error instanceof ScoringRequestError ? error : new ScoringRequestError(500, `Feedback could not be recorded: ${error instanceof Error ? error.message : String(error)}`);
      if (refused.status === 413) {
        const close = refused.closeConnection;
        refused = new ScoringRequestError(413, `The /feedback body is larger than ${MAX_FEEDBACK_BODY_BYTES} bytes: feedback is a request id, a rating, a label and a comment of at most 10,000 characters.`);
        refused.closeConnection = close;
      }
      sendError(res, refused, refused.closeConnection);
      if (refused.closeConnection) req.resume();
    }
  }

  return {
    server,
    stats,
    swap: (next) => {
      current = next;
    },
    active: () => current,
  };
}

/** Oversized bodies up to this size are read to their end and dropped, so the client can read the 413. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

function tooLarge(size: string, maxBytes: number, close: boolean): ScoringRequestError {
  const error = new ScoringRequestError(413, `The body ${size}; this endpoint takes at most ${maxBytes} bytes per request (split the rows into several requests).`);
  error.closeConnection = close;
  return error;
}

function readBody(req: IncomingMessage, maxBytes: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > DRAIN_LIMIT_BYTES) return Promise.reject(tooLarge(`is ${declared} bytes`, maxBytes, true));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = declared > maxBytes;
    let settled = false;
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > DRAIN_LIMIT_BYTES) {
        settled = true;
        reject(tooLarge(`exceeds ${maxBytes} bytes`, maxBytes, true));
        return;
      }
      if (size > maxBytes) over = true;
      if (!over) chunks.push(chunk);
    });
    req.on('end', () => {
      if (settled) return;
      settled = true;
      if (over) reject(tooLarge(Number.isFinite(declared) ? `is ${declared} bytes` : `exceeds ${maxBytes} bytes`, maxBytes, false));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (error) => {
      if (settled) return;
      settled = true;
      reject(new ScoringRequestError(400, `The request body could not be read: ${error.message}.`));
    });
  });
}
