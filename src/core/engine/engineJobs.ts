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

export interface EngineJobStatus<E, R> {
  /** what the job reported after `from` */
  readonly progress: readonly E[];
  /** pass as `from` next time */
  readonly next: number;
  readonly done: boolean;
  readonly result?: R;
  readonly failure?: EngineJobFailure;
}

interface Job<E, R> {
  readonly log: EngineJobLog<E>;
  /** settles when the job has ended, however */
  ended: Promise<void>;
  result?: R;
  failure?: EngineJobFailure;
}

const everyKind: EngineJobs<unknown, unknown>[] = [];

export class EngineJobs<E, R> {
  private readonly jobs = new Map<string, Job<E, R>>();

  constructor(
    /** "training", "tuning study", …: how keep-alive reasons and messages name a job */
    private readonly what: string,
    /** the failure a runner's error is (its error classes are the kind's own) */
    private readonly describe: (error: unknown) => Promise<EngineJobFailure>,
  ) {
    everyKind.push(this as EngineJobs<unknown, unknown>);
  }

  private key(store: WorkspaceStore, jobId: string): string {
    return `${store.dir}\n${jobId}`;
  }

  /** Starts `run` here and answers with the job's id at once. */
  start(store: WorkspaceStore, run: (signal: AbortSignal, report: (event: E) => void) => Promise<R>): { jobId: string } {
    const jobId = randomUUID();
    const key = this.key(store, jobId);
    const job: Job<E, R> = { log: new EngineJobLog<E>(), ended: Promise.resolve() };
    this.jobs.set(key, job);
    const forget = (): void => {
      if (this.jobs.get(key) === job) this.jobs.delete(key);
    };
    job.ended = run(job.log.controller.signal, (event) => job.log.report(event)).then(
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

  private running(store: WorkspaceStore): Job<E, R>[] {
    const prefix = `${store.dir}\n`;
    return [...this.jobs.entries()].filter(([k, job]) => k.startsWith(prefix) && !job.log.settled).map(([, job]) => job);
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
