import type { MonitorSpec } from '../monitoring/monitorSpec';
import type { CostPrices } from '../process/runCost';
import type { BackendPreference } from '../process/workerProtocol';
import type { WorkspaceStore } from '../store/workspaceStore';
import { EngineJobLog } from '../engine/engineJobLog';
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

const jobs = new Map<string, EngineJobLog<RetrainProgress>>();

function key(store: WorkspaceStore, attemptId: number): string {
  return `${store.dir}\n${attemptId}`;
}

/**
 * Starts a monitor's retraining policy in this process (the holder) and answers as soon as the
 * attempt is recorded, or with why none started (one in flight, the cool-down).
 */
export async function startRetrainJob(store: WorkspaceStore, spec: MonitorSpec, options: RetrainJobOptions = {}): Promise<RetrainStart> {
  const job = new EngineJobLog<RetrainProgress>();
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
    onProgress: (p) => job.report(p),
  });
  const first = await Promise.race([whenStarted.then((attemptId) => ({ attemptId })), run.then((outcome: RetrainOutcome) => ({ outcome }))]);
  if ('outcome' in first) {
    if (first.outcome.kind === 'skipped') return first.outcome;
    throw new Error(`retraining ${spec.name} ended without starting an attempt (${first.outcome.kind})`);
  }
  const attemptId = first.attemptId;
  const settle = (error?: string): void =>
    job.settle(error, () => {
      if (jobs.get(key(store, attemptId)) === job) jobs.delete(key(store, attemptId));
    });
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
  await job?.waitForNews(from, waitMs);
  const attempt = retrainAttempt(store, attemptId);
  if (!attempt) throw new Error(`no retraining attempt #${attemptId} in this store`);
  // Not run here (another process ran it, or it ended long ago): its row is all there is to hear.
  if (!job) return { attempt, progress: [], next: from, done: true };
  return {
    attempt,
    progress: job.linesFrom(from),
    next: job.next,
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
