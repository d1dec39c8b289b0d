/**
 * Every child process MLOps Studio starts (training and job workers, endpoints, batch scoring)
 * belongs to the process that started it: when that parent dies, even by SIGKILL or a crash that
 * runs no cleanup, the child must not run on, burning CPU on a run nobody will record. Every child
 * entry calls `exitWithParent()` first thing.
 *
 * Two watches, because either alone can miss:
 * - the IPC channel's 'disconnect' (the kernel closes the parent's end when it dies): immediate,
 *   but only seen when the child's event loop gets a turn, and a training step or a big parse
 *   can hold it for seconds;
 * - a watchdog thread that polls the parent pid: it has its own event loop, so it notices while
 *   the main thread is busy, and it also covers a child started without an IPC channel.
 */
import { Worker } from 'node:worker_threads';

/** How often the watchdog thread looks at the parent pid. */
const WATCH_INTERVAL_MS = 500;

/**
 * Runs in the watchdog thread (plain JavaScript: it must not need tsx or the bundle). When the
 * parent dies this process is re-parented (to init or a subreaper), so `process.ppid` changes.
 * SIGKILL to itself ends the whole process whatever its main thread is doing.
 */
const WATCHDOG_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const alsoKill = new Set();
parentPort.on('message', (m) => (m.add !== undefined ? alsoKill.add(m.add) : alsoKill.delete(m.remove)));
setInterval(() => {
  if (process.ppid === workerData.parentPid) return;
  for (const pid of alsoKill) try { process.kill(pid, 'SIGKILL'); } catch {}
  process.kill(process.pid, 'SIGKILL');
}, workerData.intervalMs);
`;

let watching = false;
let watchdog: Worker | undefined;
/** processes (or, negative, process groups) this process started that must not outlive it either */
const alsoKill = new Set<number>();

function killDependents(): void {
  for (const pid of alsoKill) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * While registered, `pid` (negative: a process group) is killed too when this process's parent
 * dies: for a process this one starts that cannot watch for itself, such as a user's script.
 * Returns the function that unregisters it (call it once that process has exited).
 */
export function killWithParent(pid: number): () => void {
  alsoKill.add(pid);
  watchdog?.postMessage({ add: pid });
  return () => {
    alsoKill.delete(pid);
    watchdog?.postMessage({ remove: pid });
  };
}

/** Makes this (child) process exit as soon as its parent process is gone. Safe to call twice. */
export function exitWithParent(): void {
  if (watching) return;
  watching = true;
  if (process.send) {
    // A parent that died before this line ran left a closed channel behind and no event to come.
    if (!process.connected) process.exit(0);
    process.once('disconnect', () => {
      killDependents();
      process.exit(0);
    });
  }
  watchdog = new Worker(WATCHDOG_SOURCE, {
    eval: true,
    // not the parent's --import tsx: the watchdog is plain JavaScript and should start in milliseconds
    execArgv: [],
    workerData: { parentPid: process.ppid, intervalMs: WATCH_INTERVAL_MS },
    resourceLimits: { maxOldGenerationSizeMb: 16 },
  });
  // The watchdog never keeps the process alive: a child that finished its work exits as before.
  watchdog.unref();
  // A watchdog that cannot run (out of memory at start) leaves the IPC watch in place; no crash.
  watchdog.on('error', () => undefined);
}
