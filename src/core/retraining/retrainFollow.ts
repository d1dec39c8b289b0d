import type { EngineClient } from '../engine/engineClient';
import type { RetrainAttempt } from './retrainAttempts';
import type { RetrainProgress } from './retrainRunner';

/** How long each status request may wait in the holder for news. */
const WAIT_MS = 20_000;

/**
 * Follows an attempt running in the store's holder until it ends: progress lines as they come,
 * and a cancel (the signal) passed on to the holder. Resolves with the attempt as it ended.
 */
export async function followRetrain(engine: EngineClient, attemptId: number, options: { onProgress?: (progress: RetrainProgress) => void; signal?: AbortSignal } = {}): Promise<RetrainAttempt> {
  const cancel = (): void => void engine.call('monitoring.cancelRetrain', { attemptId }).catch(() => undefined);
  options.signal?.addEventListener('abort', cancel, { once: true });
  try {
    if (options.signal?.aborted) cancel();
    let from = 0;
    for (;;) {
      const status = await engine.call('monitoring.retrainStatus', { attemptId, from, waitMs: WAIT_MS });
      for (const line of status.progress) options.onProgress?.(line);
      from = status.next;
      if (status.error !== undefined) throw new Error(`retraining attempt #${attemptId}: ${status.error}`);
      if (status.done) return status.attempt;
    }
  } finally {
    options.signal?.removeEventListener('abort', cancel);
  }
}
