import type { EngineJobFailure, EngineJobStatus } from './engineJobs';

/** How long each status request may wait in the engine for news. */
const WAIT_MS = 20_000;
/** Polls no faster than this: a training reports every batch, a client needs a few lines a second. */
const MIN_POLL_MS = 200;

export interface EngineJobCalls<E, R> {
  status(from: number, waitMs: number): Promise<EngineJobStatus<E, R>>;
  cancel(): Promise<unknown>;
}

export interface FollowOptions<E> {
  readonly onEvent?: (event: E) => void;
  /** aborting cancels the job in the engine (it then ends as cancelled) */
  readonly signal?: AbortSignal;
  /** the error to throw for a failure (the runner's own classes); `gone` also lets the caller tidy up */
  readonly asError: (failure: EngineJobFailure) => Promise<Error>;
}

/**
 * Follows a job running in the engine until it ends: its events as they come, the signal passed
 * on as a cancel. Resolves with the result; rejects with `asError` of its failure.
 */
export async function followEngineJob<E, R>(calls: EngineJobCalls<E, R>, options: FollowOptions<E>): Promise<R> {
  const cancel = (): void => void calls.cancel().catch(() => undefined);
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (options.signal?.aborted) cancel();
    let from = 0;
    for (;;) {
      const asked = Date.now();
      const status = await calls.status(from, WAIT_MS);
      for (const event of status.progress) options.onEvent?.(event);
      from = status.next;
      if (status.failure) throw await options.asError(status.failure);
      if (status.done) {
        if (status.result === undefined) throw new Error('the job ended without a result');
        return status.result;
      }
      const early = MIN_POLL_MS - (Date.now() - asked);
      if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}
