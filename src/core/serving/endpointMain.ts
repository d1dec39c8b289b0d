/**
 * Entry of an endpoint process (dist/endpoint.js): serves one model over HTTP on a listening
 * socket the host created and passed in (so the host keeps the port across a crash and answers
 * /health itself while this process restarts), or scores one file in batch. Request log entries
 * go to the host in batches.
 */
import type { Server } from 'node:net';
import { exitWithParent } from '../process/exitWithParent';
import { loadModelPackage } from '../modelPackage/modelPackageLoader';
import { scoreFileInProcess } from './batchScoring';
import { createEndpointHttp, type EndpointHttp, type FeedbackAnswer } from './endpointHttp';
import type { EndpointToHost, FeedbackMessage, HostToEndpoint } from './endpointTypes';
import { OnlineFeatureLookup } from './onlineFeatureLookup';
import { encodeLogEntry, type PendingLogEntry } from './pendingLogEntry';

const LOG_FLUSH_MS = 500;
/** encoded frames are handed over once they reach this size (or every LOG_FLUSH_MS) */
const LOG_BATCH_BYTES = 256 * 1024;
/** the host answers feedback from memory and one store write; past this the client gets a 503 */
const FEEDBACK_TIMEOUT_MS = 10_000;

function send(message: EndpointToHost): void {
  process.send?.(message);
}

let endpoint: EndpointHttp | undefined;
/** sampled requests not encoded yet: encoded a few at a time, after their responses went out */
let unencoded: PendingLogEntry[] = [];
let encodeScheduled = false;
let encoded: Buffer[] = [];
let encodedBytes = 0;
let statsDirty = false;
let feedbackSeq = 0;
const feedbackWaiters = new Map<number, (answer: FeedbackAnswer) => void>();

/** The host owns the store: feedback goes there and its answer comes back to the client. */
function forwardFeedback(message: FeedbackMessage): Promise<FeedbackAnswer> {
  // Log entries first, so the host can find a sampled request that it has not been sent yet.
  flushLog();
  const seq = ++feedbackSeq;
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      feedbackWaiters.delete(seq);
      resolve({ status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'The store did not answer in time; the feedback was not recorded. Retry shortly.' } });
    }, FEEDBACK_TIMEOUT_MS);
    feedbackWaiters.set(seq, (answer) => {
      clearTimeout(timer);
      resolve(answer);
    });
    send({ type: 'feedback', seq, ...message });
  });
}

/**
 * Request log entries are encoded here, once, as segment frames, in the turn after their
 * responses were written (a little at a time rather than a burst per batch); the process holding
 * the store only appends the bytes.
 */
function logLater(entry: PendingLogEntry): void {
  statsDirty = true;
  unencoded.push(entry);
  if (encodeScheduled) return;
  encodeScheduled = true;
  setImmediate(() => {
    encodeScheduled = false;
    encodePending();
    if (encodedBytes >= LOG_BATCH_BYTES) flushLog();
  });
}

function encodePending(): void {
  const entries = unencoded;
  unencoded = [];
  for (const entry of entries) {
    const frame = encodeLogEntry(entry);
    encoded.push(frame);
    encodedBytes += frame.length;
  }
}

function flushLog(): void {
  encodePending();
  if (!endpoint || (!statsDirty && encoded.length === 0)) return;
  const frames = Buffer.concat(encoded, encodedBytes);
  encoded = [];
  encodedBytes = 0;
  statsDirty = false;
  send({ type: 'log', frames, stats: endpoint.stats.snapshot() });
}

async function serve(message: Extract<HostToEndpoint, { type: 'serve' }>): Promise<void> {
  const model = await loadModelPackage(message.model.packageDir);
  const features = message.features ? await OnlineFeatureLookup.load(message.features) : undefined;
  // A store that cannot be re-read keeps serving its last good copy; stderr says why (the host keeps the tail).
  features?.watch((text) => process.stderr.write(`online features: ${text}\n`));
  endpoint = createEndpointHttp(
    { served: message.model, model },
    {
      limits: message.limits,
      restarts: message.restarts,
      ...(message.lastExit ? { lastExit: message.lastExit } : {}),
      onLog: logLater,
      onFeedback: forwardFeedback,
      ...(features ? { features } : {}),
    },
  );
  endpoint.server.on('request', () => (statsDirty = true));
  setInterval(flushLog, LOG_FLUSH_MS).unref();
  send({ type: 'loaded' });
}

/**
 * Takes over the host's listening socket. Called in the same turn as the message arrives: Node
 * listens on a passed socket as soon as it arrives, through a server of its own with nobody to
 * answer, and a connection accepted there would hang; the first accept can only come in a later turn.
 */
function listen(handle: Server | undefined): void {
  if (!endpoint || !handle) throw new Error(endpoint ? 'the host sent no listening socket' : 'the host sent the socket before the model was loaded');
  const server = endpoint.server;
  server.once('error', (error) => fail(error));
  server.listen(handle, () => send({ type: 'ready' }));
}

function fail(error: unknown): void {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  setTimeout(() => process.exit(1), 50);
}

async function swap(message: Extract<HostToEndpoint, { type: 'swap' }>): Promise<void> {
  try {
    const model = await loadModelPackage(message.model.packageDir);
    // In-flight requests finish on the model they started with; the next batch uses the new one.
    endpoint?.swap({ served: message.model, model });
    send({ type: 'swapped', version: message.model.version });
  } catch (error) {
    send({ type: 'swapFailed', version: message.model.version, message: (error as Error).message });
  }
}

async function score(message: Extract<HostToEndpoint, { type: 'score' }>): Promise<void> {
  const model = await loadModelPackage(message.packageDir);
  let lastSent = 0;
  const result = await scoreFileInProcess(model, message.input, message.output, {
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastSent < 200) return;
      lastSent = now;
      send({ type: 'progress', ...p });
    },
  });
  send({ type: 'scored', rows: result.rows, output: result.output, ms: result.ms });
  process.disconnect?.();
}

if (!process.send) {
  process.stderr.write('endpoint.js is started by MLOps Studio as a child process; it is not a command.\n');
  process.exitCode = 2;
} else {
  exitWithParent();
  process.on('message', (message: HostToEndpoint, handle: unknown) => {
    switch (message.type) {
      case 'serve':
        serve(message).catch(fail);
        break;
      case 'listen':
        try {
          listen(handle as Server | undefined);
        } catch (error) {
          fail(error);
        }
        break;
      case 'swap':
        void swap(message);
        break;
      case 'score':
        score(message).catch(fail);
        break;
      case 'feedbackResult': {
        const waiter = feedbackWaiters.get(message.seq);
        feedbackWaiters.delete(message.seq);
        waiter?.({ status: message.status, body: message.body });
        break;
      }
      case 'stop':
        flushLog();
        endpoint?.server.close();
        endpoint?.server.closeAllConnections();
        setTimeout(() => process.exit(0), 20);
        break;
    }
  });
}
