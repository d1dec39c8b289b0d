import type { MonitorSpec } from '../monitoring/monitorSpec';
import type { CostPrices } from '../process/runCost';
import type { BackendPreference } from '../process/workerProtocol';
import type { WorkspaceStore } from '../store/workspaceStore';
import { retrainAttempt, type RetrainAttempt, type RetrainTrigger } from './retrainAttempts';
import { runRetrain, type RetrainOutcome, type RetrainProgress } from './retrainRunner';

/*
 * Retraining attempts run where the store is held: the attempt writes the registry, the audit log
 * and the lineage graph as it goes, and it must outlive the window or command that asked for it
 * only as long as the holder lives (an attempt left RUNNING by a holder that died is marked
 * interrupted by the next one). A client starts an attempt, then follows it here.
 */

/** What starting an attempt did: nothing (why), or the attempt now running in the holder. */
export type RetrainStart = { readonly kind: 'skipped'; readonly monitor: string; readonly reason: string } | { readonly kind: 'started'; readonly monitor: string; readonly attemptId: number };

export interface RetrainJobOptions {
  readonly trigger?: RetrainTrigger;
  readonly ignoreCooldown?: boolean;
  readonly backend?: BackendPreference;
  readonly prices?: CostPrices;
  /** worker entry override (tests) */
  readonly workerEntry?: string;
}

/** How far an attempt got: its row, the progress lines from `from` on, and whether it ended. */
export interface RetrainStatus {
  readonly attempt: RetrainAttempt;
  readonly progress: readonly RetrainProgress[];
  /** pass as `from` next time */
  readonly next: number;
  /** the attempt ended (its row has its outcome) */
  readonly done: boolean;
  /** an error the attempt could not even record (rare: the store closed under it) */
  readonly error?: string;
}

/** Progress lines kept per attempt (a long training reports every epoch). */
const KEPT_LINES = 500;
/** A finished job is forgotten this long after it ended; its row stays in the store. */
const FORGET_AFTER_MS = 10 * 60_000;
/** The longest a status request waits for news. */
export const MAX_STATUS_WAIT_MS = 25_000;

interface RetrainJob {
  readonly controller: AbortController;
  readonly lines: RetrainProgress[];
  /** lines dropped from the front (KEPT_LINES) */
  dropped: number;
  settled: boolean;
  error?: string;
  /** resolved and replaced whenever something happens, for waiting status requests */
  changed: Promise<void>;
  notify: () => void;
}

const jobs = new Map<string, RetrainJob>();

function key(store: WorkspaceStore, attemptId: number): string {
  return `${store.dir}\n${attemptId}`;
}

function newJob(): RetrainJob {
  const job: RetrainJob = { controller: new AbortController(), lines: [], dropped: 0, settled: false, changed: Promise.resolve(), notify: () => undefined };
  const arm = (): void => {
    job.changed = new Promise<void>((resolve) => {
      job.notify = () => {
        arm();
        resolve();
      };
    });
  };
  arm();
  return job;
}

/**
 * Starts a monitor's retraining policy in this process (the holder) and answers as soon as the
 * attempt is recorded, or with why none started (one in flight, the cool-down).
 */
export async function startRetrainJob(store: WorkspaceStore, spec: MonitorSpec, options: RetrainJobOptions = {}): Promise<RetrainStart> {
  const job = newJob();
  let started: (attemptId: number) => void = () => undefined;
  const whenStarted = new Promise<number>((resolve) => (started = resolve));
  const run = runRetrain(spec, {
    store,
    ...(options.trigger ? { trigger: options.trigger } : {}),
    ...(options.ignoreCooldown ? { ignoreCooldown: true } : {}),
    ...(options.backend ? { backend: options.backend } : {}),
    ...(options.prices ? { prices: options.prices } : {}),
    ...(options.workerEntry ? { workerEntry: options.workerEntry } : {}),
    signal: job.controller.signal,
    onStarted: (attemptId) => {
      jobs.set(key(store, attemptId), job);
      started(attemptId);
    },
    onProgress: (p) => {
      job.lines.push(p);
      if (job.lines.length > KEPT_LINES) {
        job.lines.splice(0, job.lines.length - KEPT_LINES);
        job.dropped++;
      }
      job.notify();
    },
  });
  const first = await Promise.race([whenStarted.then((attemptId) => ({ attemptId })), run.then((outcome: RetrainOutcome) => ({ outcome }))]);
  if ('outcome' in first) {
    if (first.outcome.kind === 'skipped') return first.outcome;
    throw new Error(`retraining ${spec.name} ended without starting an attempt (${first.outcome.kind})`);
  }
  const attemptId = first.attemptId;
  const settle = (error?: string): void => {
    job.settled = true;
    if (error !== undefined) job.error = error;
    job.notify();
    setTimeout(() => {
      if (jobs.get(key(store, attemptId)) === job) jobs.delete(key(store, attemptId));
    }, FORGET_AFTER_MS).unref();
  };
  run.then(
    () => settle(),
    (error: unknown) => settle(error instanceof Error ? error.message : String(error)),
  );
  return { kind: 'started', monitor: spec.name, attemptId };
}

/**
 * An attempt's state. With `waitMs`, waits (at most that long) until there is a progress line
 * past `from` or the attempt ends: a client follows an attempt without polling in a tight loop.
 */
export async function retrainStatus(store: WorkspaceStore, attemptId: number, from = 0, waitMs = 0): Promise<RetrainStatus> {
  const job = jobs.get(key(store, attemptId));
  if (job && !job.settled && job.dropped + job.lines.length <= from && waitMs > 0) {
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([job.changed, new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.min(waitMs, MAX_STATUS_WAIT_MS))))]);
    clearTimeout(timer);
  }
  const attempt = retrainAttempt(store, attemptId);
  if (!attempt) throw new Error(`no retraining attempt #${attemptId} in this store`);
  // Not run here (another process ran it, or it ended long ago): its row is all there is to hear.
  if (!job) return { attempt, progress: [], next: from, done: true };
  const start = Math.max(0, from - job.dropped);
  return {
    attempt,
    progress: job.lines.slice(start),
    next: job.dropped + job.lines.length,
    done: job.settled,
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

/** While an attempt runs here the engine stays up, whether or not a client follows it (see engineHost). */
export function retrainJobsKeepAlive(store: WorkspaceStore): string | undefined {
  const prefix = `${store.dir}\n`;
  const running = [...jobs.entries()].filter(([k, job]) => k.startsWith(prefix) && !job.settled).map(([k]) => `#${k.slice(prefix.length)}`);
  return running.length === 0 ? undefined : `retraining attempt${running.length === 1 ? '' : 's'} ${running.join(', ')} running`;
}

/** Cancels an attempt running in this process; false when none is (it ended, or another process ran it). */
export function cancelRetrainJob(store: WorkspaceStore, attemptId: number): boolean {
  const job = jobs.get(key(store, attemptId));
  if (!job || job.settled) return false;
  job.controller.abort();
  return true;
}
