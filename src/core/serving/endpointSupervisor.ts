import { fork, type ChildProcess } from 'node:child_process';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { refuseForeignHost } from '../server/loopbackHost';
import { resolveEndpointEntry } from './endpointEntry';
import type { EndpointLimits, EndpointToHost, FeedbackMessage, HostToEndpoint, OnlineLookupSpec, ServedModel } from './endpointTypes';
import type { EndpointStats } from './latencyStats';

export type EndpointStatus = 'starting' | 'running' | 'restarting' | 'stopped' | 'failed';

export interface SupervisorOptions {
  readonly model: ServedModel;
  /** 0 = any free port */
  readonly port: number;
  readonly limits: EndpointLimits;
  readonly entry?: string;
  /** feature views to look up before predicting; every (re)started process gets them */
  readonly features?: OnlineLookupSpec;
  /** request log frames the process encoded (appended as they are), and its latest stats */
  readonly onLog?: (frames: Buffer, stats: EndpointStats) => void;
  readonly onStatus?: (status: EndpointStatus, detail?: string) => void;
  /** POST /feedback arrived at the process: check it against the request log and keep it */
  readonly onFeedback?: (message: FeedbackMessage) => Promise<{ status: number; body: Readonly<Record<string, unknown>> }>;
  /** give up after this many crashes in a row without a successful start (default 5) */
  readonly maxRestarts?: number;
}

const STDERR_TAIL = 2048;
/** a client that connects to the host's stand-in and sends nothing is dropped after this long */
const FALLBACK_IDLE_MS = 10_000;

/**
 * Runs one endpoint process and keeps it alive. The host owns the listening socket: it binds
 * 127.0.0.1:port, hands the socket to the process once that has loaded its model, and while no
 * process serves (starting, or restarting after a crash) answers every request itself with 503
 * and a /health that says so.
 */
export class EndpointSupervisor {
  private child: ChildProcess | undefined;
  private fallback: { listener: Server; sockets: Set<Socket> } | undefined;
  private statusValue: EndpointStatus = 'starting';
  private restarts = 0;
  private crashesInARow = 0;
  private lastExit: string | undefined;
  private stopping = false;
  private portValue = 0;
  /** what the running process serves (what /health says) */
  private model: ServedModel;
  /** what the next process loads: the last version asked for */
  private wanted: ServedModel;
  /** what the process being started loads */
  private starting: ServedModel | undefined;
  private stderr = '';
  private readyWaiters: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private swapWaiters = new Map<number, { model: ServedModel; resolve: () => void; reject: (error: Error) => void }>();
  private restartTimer: NodeJS.Timeout | undefined;
  private everReady = false;

  constructor(private readonly options: SupervisorOptions) {
    this.model = options.model;
    this.wanted = options.model;
  }

  get status(): EndpointStatus {
    return this.statusValue;
  }
  get port(): number {
    return this.portValue;
  }
  get url(): string {
    return `http://127.0.0.1:${this.portValue}`;
  }
  get served(): ServedModel {
    return this.model;
  }
  get restartCount(): number {
    return this.restarts;
  }
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Binds the port and starts the process; resolves once it serves (rejects if it cannot start). */
  async start(): Promise<void> {
    await this.bindFallback(this.options.port);
    const ready = this.waitReady();
    this.spawn();
    await ready;
  }

  /**
   * Serves another version from now on; requests in flight finish on the old one. `served` says
   * the new version once the process has loaded it and answers with it, not before.
   */
  swap(model: ServedModel): Promise<void> {
    this.wanted = model;
    if (!this.child || this.statusValue !== 'running') {
      this.model = model; // the next start loads it
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const earlier = this.swapWaiters.get(model.version);
      this.swapWaiters.set(model.version, {
        model,
        resolve: () => (earlier?.resolve(), resolve()),
        reject: (error) => (earlier?.reject(error), reject(error)),
      });
      if (!earlier) this.sendToChild({ type: 'swap', model });
    });
  }

  /** Kills the process (as a crash would) and starts a fresh one; resolves when it serves again. */
  async restart(): Promise<void> {
    this.crashesInARow = 0;
    if (this.statusValue === 'stopped' || this.statusValue === 'failed') {
      this.stopping = false;
      return this.start();
    }
    const ready = this.waitReady();
    this.child?.kill('SIGKILL');
    return ready;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      this.sendToChild({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    }
    await this.closeFallback('drop');
    this.setStatus('stopped');
    for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error(`endpoint ${this.model.uri} was stopped`));
  }

  private waitReady(): Promise<void> {
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private setStatus(status: EndpointStatus, detail?: string): void {
    this.statusValue = status;
    this.options.onStatus?.(status, detail);
  }

  private sendToChild(message: HostToEndpoint, handle?: Server): void {
    try {
      if (handle) this.child?.send(message, handle);
      else this.child?.send(message);
    } catch {
      // the process is exiting; its exit handler restarts it
    }
  }

  /**
   * The host's stand-in on the port while no process serves. Every answer closes its connection,
   * so no kept-alive connection outlives the stand-in: a client's next request opens a new one,
   * which the process accepts once it serves (closing a connection the client is about to reuse
   * would fail that request with "other side closed").
   */
  private bindFallback(port: number): Promise<void> {
    const http = createHttpServer((req, res) => {
      if (refuseForeignHost(req, res)) return;
      const restarting = this.statusValue === 'restarting';
      const body = JSON.stringify({
        status: restarting ? 'restarting' : this.statusValue,
        error_code: 'TEMPORARILY_UNAVAILABLE',
        message: restarting ? `The endpoint process is restarting after it ${this.lastExit ?? 'stopped'} (restart ${this.restarts}); retry shortly.` : `The endpoint is ${this.statusValue}; retry shortly.`,
        model: this.model.uri,
        restarts: this.restarts,
        ...(this.lastExit ? { lastExit: this.lastExit } : {}),
      });
      req.resume();
      res.writeHead(503, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), 'Retry-After': '1', Connection: 'close' }).end(body);
    });
    http.timeout = FALLBACK_IDLE_MS;
    const sockets = new Set<Socket>();
    // A plain TCP listener that hands connections to the HTTP parser: closing it only stops
    // accepting (http.Server#close would also drop connections that have not sent their request yet).
    const listener = createNetServer((socket) => {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      http.emit('connection', socket);
    });
    return new Promise((resolve, reject) => {
      listener.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(error.code === 'EADDRINUSE' ? `Port ${port} on 127.0.0.1 is already in use: choose another port (or 0 for any free one).` : `Cannot listen on 127.0.0.1:${port}: ${error.message}`)),
      );
      listener.listen(port, '127.0.0.1', () => {
        this.fallback = { listener, sockets };
        const address = listener.address();
        this.portValue = typeof address === 'object' && address ? address.port : port;
        resolve();
      });
    });
  }

  /**
   * Stops the stand-in. `handover`: the process accepts on the same socket now, so only stop
   * accepting here; requests the stand-in has already taken get their answer. Otherwise (stop,
   * gave up) drop its connections too.
   */
  private closeFallback(how: 'handover' | 'drop'): Promise<void> {
    const fallback = this.fallback;
    this.fallback = undefined;
    if (!fallback) return Promise.resolve();
    return new Promise((resolve) => {
      fallback.listener.close(() => resolve());
      if (how === 'drop') for (const socket of fallback.sockets) socket.destroy();
    });
  }

  private spawn(): void {
    const entry = resolveEndpointEntry(this.options.entry);
    this.setStatus(this.restarts === 0 ? 'starting' : 'restarting', this.lastExit);
    this.stderr = '';
    // 'advanced': request log frames cross as bytes (no base64, no JSON line to scan on either side)
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    this.child = child;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => (this.stderr = (this.stderr + chunk).slice(-STDERR_TAIL)));
    child.on('message', (message: EndpointToHost) => this.onMessage(message));
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    this.starting = this.wanted;
    this.sendToChild({ type: 'serve', model: this.starting, limits: this.options.limits, restarts: this.restarts, ...(this.lastExit ? { lastExit: this.lastExit } : {}), ...(this.options.features ? { features: this.options.features } : {}) });
  }

  private onMessage(message: EndpointToHost): void {
    switch (message.type) {
      case 'loaded':
        // the process can answer now: from here on it accepts on the port as well
        if (this.fallback) this.sendToChild({ type: 'listen' }, this.fallback.listener);
        break;
      case 'ready':
        this.crashesInARow = 0;
        this.everReady = true;
        if (this.starting) this.model = this.starting;
        // The process accepts on the socket now; the host's copy stops answering.
        void this.closeFallback('handover');
        this.setStatus('running');
        for (const waiter of this.readyWaiters.splice(0)) waiter.resolve();
        break;
      case 'log':
        this.options.onLog?.(Buffer.from(message.frames.buffer, message.frames.byteOffset, message.frames.byteLength), message.stats);
        break;
      case 'swapped': {
        const waiter = this.swapWaiters.get(message.version);
        this.swapWaiters.delete(message.version);
        if (waiter) this.model = waiter.model;
        waiter?.resolve();
        break;
      }
      case 'swapFailed':
        this.swapWaiters.get(message.version)?.reject(new Error(`endpoint ${this.model.name}: cannot load version ${message.version}: ${message.message}`));
        this.swapWaiters.delete(message.version);
        break;
      case 'failed':
        this.lastExit = `failed: ${message.message}`;
        break;
      case 'feedback':
        void this.answerFeedback(message);
        break;
      default:
        break;
    }
  }

  private async answerFeedback(message: Extract<EndpointToHost, { type: 'feedback' }>): Promise<void> {
    const child = this.child;
    let answer: { status: number; body: Readonly<Record<string, unknown>> };
    try {
      answer = this.options.onFeedback
        ? await this.options.onFeedback({ feedback: message.feedback, ...(message.served ? { served: message.served } : {}) })
        : { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message: 'This endpoint runs without a store to keep feedback in.' } };
    } catch (error) {
      answer = { status: 500, body: { error_code: 'INTERNAL_ERROR', message: `Feedback could not be recorded: ${error instanceof Error ? error.message : String(error)}` } };
    }
    // the process that asked may have been restarted meanwhile; its client then sees a closed connection
    if (child === this.child) this.sendToChild({ type: 'feedbackResult', seq: message.seq, status: answer.status, body: answer.body });
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (this.stopping) return;
    const tail = this.stderr.trim().split('\n').slice(-3).join(' | ');
    this.lastExit = this.lastExit?.startsWith('failed:') ? this.lastExit : `${signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`}${tail ? ` (${tail})` : ''}`;
    this.restarts++;
    this.crashesInARow++;
    for (const [version, waiter] of this.swapWaiters) waiter.reject(new Error(`endpoint process exited while loading version ${version}`));
    this.swapWaiters.clear();
    const max = this.options.maxRestarts ?? 5;
    if (this.crashesInARow > max || !this.everReady) {
      const message = this.everReady ? `endpoint ${this.model.uri} gave up after ${max} failed restarts; last: ${this.lastExit}` : `endpoint ${this.model.uri} could not start: ${this.lastExit?.replace(/^failed: /, '') ?? 'the process exited'}`;
      this.setStatus('failed', message);
      void this.closeFallback('drop');
      for (const waiter of this.readyWaiters.splice(0)) waiter.reject(new Error(message));
      return;
    }
    this.setStatus('restarting', this.lastExit);
    const delay = Math.min(5000, 100 * 2 ** (this.crashesInARow - 1));
    void this.bindFallback(this.portValue).then(
      () => {
        this.lastExit = this.lastExit?.replace(/^failed: /, '');
        this.restartTimer = setTimeout(() => {
          if (!this.stopping) this.spawn();
        }, delay);
      },
      (error: Error) => {
        this.setStatus('failed', error.message);
        for (const waiter of this.readyWaiters.splice(0)) waiter.reject(error);
      },
    );
  }
}
