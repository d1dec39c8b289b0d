import type { EndpointFeedbackBody } from './feedbackRequest';
import type { EndpointStats } from './latencyStats';

/** One logged scoring request (sampled), what drift monitoring reads back. */
export interface RequestLogEntry {
  /** the X-Request-Id the response carried (absent in entries logged before request ids existed) */
  readonly requestId?: string;
  readonly time: number;
  readonly version: number;
  readonly status: number;
  readonly latencyMs: number;
  readonly rows: number;
  /** the request's records (null when the request was refused before parsing) */
  readonly inputs: readonly Readonly<Record<string, unknown>>[] | null;
  readonly outputs: readonly unknown[] | null;
  readonly error?: string;
}

/** What the endpoint process needs to serve one model version. */
export interface ServedModel {
  readonly name: string;
  readonly version: number;
  readonly uri: string;
  readonly packageDir: string;
}

export interface EndpointLimits {
  /** bodies above this are refused with 413 (default 5 MiB) */
  readonly maxBodyBytes: number;
  /** a request (headers + body) must arrive within this long, else 408 (default 10 s) */
  readonly requestTimeoutMs: number;
  /** fraction of requests written to the request log, 0–1 (default 1) */
  readonly logSampleRate: number;
  /** at most this many log entries per second leave the process (bounds the host's store writes under load; default 1000) */
  readonly maxLogPerSecond: number;
}

export const DEFAULT_LIMITS: EndpointLimits = { maxBodyBytes: 5 * 1024 * 1024, requestTimeoutMs: 10_000, logSampleRate: 1, maxLogPerSecond: 1000 };

/** Which feature views an endpoint looks up before predicting, as the user chose it (kept with the endpoint). */
export interface OnlineFeaturesChoice {
  /** absolute path of the features.yaml */
  readonly file: string;
  readonly views: readonly string[];
}

/** One feature view as the endpoint process needs it: where its online store is and how to key and age it. */
export interface OnlineLookupView {
  readonly name: string;
  readonly joinKeys: readonly string[];
  readonly ttlMs: number | null;
  readonly features: readonly string[];
  /** <store>/features/<view>/online.json */
  readonly onlineFile: string;
}

/** What the endpoint process gets to fill inputs from the online store (resolved by the host from features.yaml). */
export interface OnlineLookupSpec {
  readonly views: readonly OnlineLookupView[];
}

/**
 * Starting an endpoint process: `serve` → the process loads the model → `loaded` → `listen`, with
 * the host's listening socket as its handle → `ready`. The socket goes over only once the process
 * can answer: Node accepts on a passed socket from the moment it arrives, and a connection
 * accepted before the server exists would wait for ever.
 */
export type HostToEndpoint =
  | { type: 'serve'; model: ServedModel; limits: EndpointLimits; restarts: number; lastExit?: string; features?: OnlineLookupSpec }
  | { type: 'listen' }
  | { type: 'swap'; model: ServedModel }
  | { type: 'stop' }
  | { type: 'score'; packageDir: string; input: string; output: string }
  | { type: 'feedbackResult'; seq: number; status: number; body: Readonly<Record<string, unknown>> };

/** A request this process answered recently, by request id: which version answered it, and when. */
export interface ServedRequest {
  readonly version: number;
  readonly time: number;
}

/** POST /feedback, passed to the host (the store's writer) to check and keep. */
export interface FeedbackMessage {
  readonly feedback: EndpointFeedbackBody;
  /** known when this process answered the request itself since it started */
  readonly served?: ServedRequest;
}

export type EndpointToHost =
  | { type: 'loaded' }
  | { type: 'ready' }
  | { type: 'swapped'; version: number }
  | { type: 'swapFailed'; version: number; message: string }
  /** request log frames encoded by the endpoint process, laid end to end (the channel is 'advanced': bytes cross as bytes) */
  | { type: 'log'; frames: Uint8Array; stats: EndpointStats }
  | { type: 'failed'; message: string }
  | { type: 'progress'; rows: number; bytes: number; totalBytes: number }
  | { type: 'scored'; rows: number; output: string; ms: number }
  | ({ type: 'feedback'; seq: number } & FeedbackMessage);
