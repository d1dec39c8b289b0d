import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ProcessCpu } from './processCpu';
import type { HostToWorker, WorkerJobKind, WorkerJobs, WorkerToHost } from './workerProtocol';

/** Keep this much of a worker's stderr to explain a crash. */
const STDERR_TAIL_BYTES = 4096;

export interface ChildJobOptions {
  onEvent?: (payload: unknown) => void;
  /** the worker process exists (its pid roots the tree whose system metrics the run gets) */
  onSpawn?: (pid: number | undefined) => void;
  /** the worker's own CPU time and its children's, as it reported them with its result (and now and then where there is no /proc) */
  onCpu?: (cpu: ProcessCpu) => void;
  signal?: AbortSignal;
  /** Path of the worker entry; defaults to dist/worker.js beside this bundle, or the TS source in development. */
  workerEntry?: string;
}

export class JobCancelledError extends Error {
  constructor(kind: string) {
    super(`The ${kind} job was cancelled.`);
    this.name = 'JobCancelledError';
  }
}

/** A worker that died or reported a failure; `stderrTail` is what it printed last. */
export class ChildJobError extends Error {
  constructor(
    message: string,
    readonly stderrTail: string,
  ) {
    super(message);
    this.name = 'ChildJobError';
  }
}

/** dist/worker.js beside the bundle, or the TypeScript source through tsx in development and tests. */
export function resolveWorkerEntry(): { path: string; execArgv: string[] } {
  const bundled = join(__dirname, 'worker.js');
  if (existsSync(bundled)) return { path: bundled, execArgv: [] };
  // Development and tests run the TypeScript source through tsx (by absolute URL: a bare
  // specifier would resolve from the working directory, which may be any folder).
  return { path: join(__dirname, 'workerMain.ts'), execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href] };
}

/** Runs one job in a fresh child process and resolves with its result. Cancel kills the child. */
export function runChildJob<K extends WorkerJobKind>(kind: K, input: WorkerJobs[K]['input'], options: ChildJobOptions = {}): Promise<WorkerJobs[K]['result']> {
  const entry = options.workerEntry ? { path: options.workerEntry, execArgv: options.workerEntry.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [] } : resolveWorkerEntry();
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) return reject(new JobCancelledError(kind));
    const child = fork(entry.path, [], { execArgv: entry.execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    options.onSpawn?.(child.pid);
    let stderr = '';
    let settled = false;
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_BYTES);
    });
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      child.kill('SIGKILL');
      settle(() => reject(new JobCancelledError(kind)));
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.on('message', (message: WorkerToHost) => {
      if (message.type !== 'event' && message.cpu) options.onCpu?.(message.cpu);
      if (message.type === 'usage') return;
      if (message.type === 'event') options.onEvent?.(message.payload);
      else if (message.type === 'done') settle(() => resolve(message.result as WorkerJobs[K]['result']));
      else if (message.type === 'failed') settle(() => reject(new ChildJobError(message.message, stderr)));
    });
    child.on('error', (error) => settle(() => reject(new ChildJobError(`Could not start the worker process: ${error.message}`, stderr))));
    child.on('exit', (code, signal) => {
      const how = signal ? `was killed by ${signal}` : `exited with code ${code ?? '?'}`;
      const tail = stderr.trim().split('\n').slice(-5).join('\n');
      settle(() => reject(new ChildJobError(`The ${kind} worker ${how} before finishing${tail ? `:\n${tail}` : ''}`, stderr)));
    });
    const start: HostToWorker = { type: 'start', kind, input };
    child.send(start);
  });
}
