import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { readServerInfo } from '../server/serverInfoFile';
import { isProcessAlive } from '../store/processLiveness';
import { readWriterLock } from '../store/writerLock';
import { ENGINE_EXIT_LOCKED, ENGINE_WRITER_NAME } from './engineHost';

/** The engine's log, beside its store: what it did and why it stopped. */
export const ENGINE_LOG_FILE = 'engine.log';
/** How long a start may take before the launcher gives up (opening a big store takes seconds). */
const START_TIMEOUT_MS = 120_000;
/** How often the launcher looks for the engine's server.json while it starts. */
const START_POLL_MS = 50;

export interface EngineAddress {
  readonly url: string;
  readonly token: string | null;
  readonly pid: number;
  /** true when this call started it */
  readonly started: boolean;
}

export interface EnsureEngineOptions {
  /** stop after this long idle (default: $MLOPS_ENGINE_IDLE_MINUTES, else the engine's own 10 minutes) */
  readonly idleMs?: number;
  /** the port of its server (MLflow clients use it); 0 or absent: a free one */
  readonly port?: number;
  /** the engine entry; default dist/engine.js beside this bundle, or the TypeScript source in development */
  readonly entry?: string;
  /** progress for a slow start ("opening the store…") */
  readonly onProgress?: (message: string) => void;
  readonly signal?: AbortSignal;
}

/** dist/engine.js beside the bundle, or engineMain.ts through tsx in development and tests. */
function engineEntry(entry: string | undefined): { path: string; execArgv: string[] } {
  const path = entry ?? (existsSync(join(__dirname, 'engine.js')) ? join(__dirname, 'engine.js') : join(__dirname, 'engineMain.ts'));
  return { path, execArgv: path.endsWith('.ts') ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [] };
}

/** `MLOPS_ENGINE_IDLE_MINUTES`: how long engines started from this environment wait idle (scripts and tests shorten it). */
function idleFromEnvironment(): number | undefined {
  const text = process.env.MLOPS_ENGINE_IDLE_MINUTES?.trim();
  if (!text) return undefined;
  const minutes = Number(text);
  return Number.isFinite(minutes) && minutes >= 0 ? minutes * 60_000 : undefined;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) })).ok;
  } catch {
    return false;
  }
}

/** The engine (or other holder with a server) that runs for the store in `dir` and answers, if any. */
export async function runningEngine(dir: string): Promise<EngineAddress | undefined> {
  const info = readServerInfo(dir);
  if (!info || !(await answers(info.url))) return undefined;
  return { url: info.url, token: info.token, pid: info.pid, started: false };
}

function logTail(dir: string, from: number): string {
  try {
    const text = readFileSync(join(dir, ENGINE_LOG_FILE), 'utf8');
    // The stack stays in the log; the message is what the user acts on.
    return text
      .slice(from)
      .trim()
      .split('\n')
      .filter((line) => !/^\s+at /.test(line))
      .slice(-6)
      .join('\n');
  } catch {
    return '';
  }
}

/**
 * The engine of the store in `dir`: the running one, or a new one started detached (it outlives
 * whoever started it and stops by itself when idle). Two callers at once end up with the same
 * engine: the second engine finds the store locked and exits, and both wait for the first one's
 * server.json.
 */
export async function ensureEngine(dir: string, options: EnsureEngineOptions = {}): Promise<EngineAddress> {
  const running = await runningEngine(dir);
  if (running) return running;
  mkdirSync(dir, { recursive: true });
  const logPath = join(dir, ENGINE_LOG_FILE);
  const logStart = existsSync(logPath) ? statSync(logPath).size : 0;
  const entry = engineEntry(options.entry);
  const idleMs = options.idleMs ?? idleFromEnvironment();
  const out = openSync(logPath, 'a', 0o600);
  let exit: { code: number | null; signal: string | null } | undefined;
  try {
    // --expose-gc: after opening, the engine returns the snapshot's bytes (as big as the store, copied
    // into sql.js) to the system at once instead of holding both copies until memory runs short.
    const child = spawn(process.execPath, ['--expose-gc', ...entry.execArgv, entry.path, '--dir', dir, ...(idleMs === undefined ? [] : ['--idle-ms', String(idleMs)]), ...(options.port ? ['--port', String(options.port)] : [])], {
      detached: true,
      stdio: ['ignore', out, out],
      // In VS Code the host is Electron: this makes it run the script as plain Node.
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    child.on('exit', (code, signal) => (exit = { code, signal }));
    child.on('error', (error) => (exit = { code: null, signal: error.message }));
    child.unref();
  } finally {
    closeSync(out);
  }
  options.onProgress?.('starting the MLOps engine');
  const deadline = Date.now() + START_TIMEOUT_MS;
  let lockedSince: number | undefined;
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new Error('Cancelled while the MLOps engine was starting (it goes on starting, and stops by itself when idle).');
    const info = readServerInfo(dir);
    if (info && (await answers(info.url))) return { url: info.url, token: info.token, pid: info.pid, started: exit === undefined };
    if (exit !== undefined) {
      if (exit.code !== ENGINE_EXIT_LOCKED) {
        const tail = logTail(dir, logStart);
        throw new Error(`The MLOps engine for ${dir} stopped while starting (${exit.code === null ? `signal ${exit.signal ?? '?'}` : `exit code ${exit.code}`}).${tail ? `\n${tail}` : ''}\nIts log: ${logPath}`);
      }
      // Another process holds the store: an engine starting at the same moment (its server.json
      // comes soon), or a process that serves nothing (a CLI command: it lets go when done).
      lockedSince ??= Date.now();
      const holder = readWriterLock(dir);
      if (holder && !holder.name.startsWith(ENGINE_WRITER_NAME) && readServerInfo(dir) === undefined && Date.now() - lockedSince > 1_000) {
        options.onProgress?.(`waiting for ${holder.name} (pid ${holder.pid}) to release the store`);
        return ensureEngineAfterRelease(dir, options, deadline);
      }
    }
    await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  }
  throw new Error(`The MLOps engine for ${dir} did not start within ${START_TIMEOUT_MS / 1000} s. Its log: ${logPath}`);
}

/** Waits (until the deadline) for a holder without a server to let go, then starts the engine. */
async function ensureEngineAfterRelease(dir: string, options: EnsureEngineOptions, deadline: number): Promise<EngineAddress> {
  while (Date.now() < deadline) {
    if (options.signal?.aborted) throw new Error('Cancelled while waiting for the workspace store.');
    const holder = readWriterLock(dir);
    if (!holder || readServerInfo(dir)) return ensureEngine(dir, options);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const holder = readWriterLock(dir);
  throw new Error(`The workspace store ${dir} stays in use by ${holder?.name ?? 'another process'} (pid ${holder?.pid ?? '?'}), which serves no API the MLOps engine could use. Wait for it to finish, or stop it.`);
}

/**
 * Asks the engine of `dir` to stop (SIGTERM); resolves once the process has exited. Only an
 * engine: a VS Code window or `mlops server` holding the store is left alone (undefined).
 */
export async function stopEngine(dir: string): Promise<{ pid: number } | undefined> {
  const info = readServerInfo(dir);
  const holder = readWriterLock(dir);
  if (!info || !holder || holder.pid !== info.pid || !holder.name.startsWith(ENGINE_WRITER_NAME)) return undefined;
  try {
    process.kill(info.pid, 'SIGTERM');
  } catch {
    return undefined;
  }
  const deadline = Date.now() + 15_000;
  // Gone means gone: its server.json first, then the process once it has closed the store.
  while (Date.now() < deadline && isProcessAlive(info.pid)) await new Promise((resolve) => setTimeout(resolve, START_POLL_MS));
  return { pid: info.pid };
}
