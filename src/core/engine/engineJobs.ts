import { randomUUID } from 'node:crypto';
import type { WorkspaceStore } from '../store/workspaceStore';
import type { SpecIssue } from '../training/specErrors';
import { EngineJobLog, FORGET_AFTER_MS } from './engineJobLog';

/*
 * The jobs the engine runs for windows and commands — trainings, tuning studies, model searches:
 * started by a client, followed by any client with long polls, cancelled by a client, and kept
 * running whoever stops listening (a window reload, a closed terminal). Each kind is one
 * EngineJobs; the engine keeps itself up while any runs and cancels them when it stops.
 */

/** How a job ended badly, as plain data (clients turn it back into the error the runner threw). */
export type EngineJobFailure =
  | { readonly kind: 'spec'; readonly file: string; readonly issues: readonly SpecIssue[] }
  | { readonly kind: 'input'; readonly message: string }
  | { readonly kind: 'failed'; readonly message: string; readonly runId: string; readonly stderrTail: string }
  | { readonly kind: 'cancelled'; readonly runId?: string }
  | { readonly kind: 'error'; readonly message: string }
  /** this engine never ran it: the one that did stopped (killed, or the machine restarted) */
  | { readonly kind: 'gone'; readonly message: string };

/** The kinds of job, as their engine methods are named (`training.status`, `tuning.cancel`, …). */
export type EngineJobKind = 'training' | 'tuning' | 'search';

/** A job running in the engine, as a window lists it (one it did not start, e.g. after a reload). */
export interface EngineJobInfo {
  readonly kind: EngineJobKind;
  readonly jobId: string;
  /** what it works on, e.g. the spec's file name */
  readonly label: string;
  /** when it started (ms since the epoch, this machine's clock) */
  readonly startedAt: number;
  /** its last progress, in words */
  readonly latest?: string;
}

export interface EngineJobStatus<E, R> {
  /** what the job reported after `from` */
  readonly progress: readonly E[];
  /** the last progress, in words (for a status bar that shows any kind of job) */
  readonly latest?: string;
  /** pass as `from` next time */
  readonly next: number;
  readonly done: boolean;
  readonly result?: R;
  readonly failure?: EngineJobFailure;
}

interface Job<E, R> {
  readonly log: EngineJobLog<E>;
  readonly label: string;
  readonly startedAt: number;
  last?: E;
  /** settles when the job has ended, however */
  ended: Promise<void>;
  result?: R;
  failure?: EngineJobFailure;
}

const everyKind: EngineJobs<unknown, unknown>[] = [];

export class EngineJobs<E, R> {
  private readonly jobs = new Map<string, Job<E, R>>();

  constructor(
    readonly kind: EngineJobKind,
    /** "training", "tuning study", …: how keep-alive reasons and messages name a job */
    private readonly what: string,
    /** the failure a runner's error is (its error classes are the kind's own) */
    private readonly describe: (error: unknown) => Promise<EngineJobFailure>,
    /** one event in words ("epoch 3/60 · loss 0.12") */
    private readonly describeEvent: (event: E) => string,
  ) {
    everyKind.push(this as EngineJobs<unknown, unknown>);
  }

  private key(store: WorkspaceStore, jobId: string): string {
    return `${store.dir}\n${jobId}`;
  }

  /** Starts `run` here and answers with the job's id at once; `label` says what it works on. */
  start(store: WorkspaceStore, label: string, run: (signal: AbortSignal, report: (event: E) => void) => Promise<R>): { jobId: string } {
    const jobId = randomUUID();
    const key = this.key(store, jobId);
    const job: Job<E, R> = { log: new EngineJobLog<E>(), label, startedAt: Date.now(), ended: Promise.resolve() };
    this.jobs.set(key, job);
    const forget = (): void => {
      if (this.jobs.get(key) === job) this.jobs.delete(key);
    };
    const report = (event: E): void => {
      job.last = event;
      job.log.report(event);
    };
    job.ended = run(job.log.controller.signal, report).then(
      (result) => {
        job.result = result;
        job.log.settle(undefined, forget);
      },
      async (error: unknown) => {
        job.failure = await this.describe(error).catch(() => ({ kind: 'error' as const, message: error instanceof Error ? error.message : String(error) }));
        job.log.settle(job.failure.kind === 'error' ? job.failure.message : undefined, forget);
      },
    );
    return { jobId };
  }

  /** A job's events after `from` (waiting up to `waitMs` for news) and, once it ended, how. */
  async status(store: WorkspaceStore, jobId: string, from: number, waitMs: number): Promise<EngineJobStatus<E, R>> {
    const job = this.jobs.get(this.key(store, jobId));
    if (!job) {
      return {
        progress: [],
        next: from,
        done: true,
        failure: { kind: 'gone', message: `the MLOps engine running this ${this.what} stopped before it ended (or it ended over ${FORGET_AFTER_MS / 60_000} minutes ago); what it logged until then is kept` },
      };
    }
    await job.log.waitForNews(from, waitMs);
    return {
      progress: job.log.linesFrom(from),
      ...(job.last !== undefined ? { latest: this.describeEvent(job.last) } : {}),
      next: job.log.next,
      done: job.log.settled,
      ...(job.result !== undefined ? { result: job.result } : {}),
      ...(job.failure ? { failure: job.failure } : {}),
    };
  }

  /** Cancels a job running here; false when none is (it ended, or another engine ran it). */
  cancel(store: WorkspaceStore, jobId: string): boolean {
    const job = this.jobs.get(this.key(store, jobId));
    if (!job || job.log.settled) return false;
    job.log.controller.abort();
    return true;
  }

  private runningEntries(store: WorkspaceStore): [string, Job<E, R>][] {
    const prefix = `${store.dir}\n`;
    return [...this.jobs.entries()].filter(([k, job]) => k.startsWith(prefix) && !job.log.settled).map(([k, job]) => [k.slice(prefix.length), job]);
  }

  private running(store: WorkspaceStore): Job<E, R>[] {
    return this.runningEntries(store).map(([, job]) => job);
  }

  /** The jobs of this kind running for the store. */
  list(store: WorkspaceStore): EngineJobInfo[] {
    return this.runningEntries(store).map(([jobId, job]) => ({ kind: this.kind, jobId, label: job.label, startedAt: job.startedAt, ...(job.last !== undefined ? { latest: this.describeEvent(job.last) } : {}) }));
  }

  /** Why the engine must stay up for this kind, if it must. */
  keepAlive(store: WorkspaceStore): string | undefined {
    const n = this.running(store).length;
    return n === 0 ? undefined : `${n} ${this.what}${n === 1 ? '' : 's'} running`;
  }

  /** Cancels every job of this kind for the store and waits until each has ended. */
  async cancelAll(store: WorkspaceStore): Promise<void> {
    const running = this.running(store);
    for (const job of running) job.log.controller.abort();
    await Promise.all(running.map((job) => job.ended));
  }
}

/** Every job running here for the store, oldest first. */
export function runningEngineJobs(store: WorkspaceStore): EngineJobInfo[] {
  return everyKind.flatMap((kind) => kind.list(store)).sort((a, b) => a.startedAt - b.startedAt);
}

/** While any job runs here the engine stays up (see engineHost). */
export function engineJobsKeepAlive(store: WorkspaceStore): string | undefined {
  for (const kind of everyKind) {
    const reason = kind.keepAlive(store);
    if (reason !== undefined) return reason;
  }
  return undefined;
}

/** The engine is stopping: every job ends (cancelled: their runs end KILLED) before the store closes. */
export async function cancelEngineJobsOf(store: WorkspaceStore): Promise<void> {
  await Promise.all(everyKind.map((kind) => kind.cancelAll(store)));
}
