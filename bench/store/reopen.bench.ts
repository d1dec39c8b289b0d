// Reopen time after 1,000,000 metric points sit in the journal (a crash right after the last
// acknowledged write: no snapshot since). Target: <= 2 s.
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { round, saveResults, tempStore } from './benchSupport';

const POINTS = 1_000_000;

async function reopenAfter(batch: number): Promise<{ batch: number; journalRecords: number; writeMs: number; reopenMs: number; points: number }> {
  const { dir, cleanup } = tempStore('bench-reopen-');
  try {
    // Thresholds high enough that nothing is checkpointed: all 1M points are replayed.
    const store = await openWorkspaceStore({ dir, writerName: 'bench', checkpointBytes: 1 << 30, checkpointRecords: 1e9 });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    await store.checkpoint();
    const started = performance.now();
    const pending: Promise<void>[] = [];
    for (let step = 0; step < POINTS; step += batch) {
      pending.push(store.tracking.logBatch({ runId: info.runId, metrics: Array.from({ length: batch }, (_, i) => ({ key: `metric_${i % 10}`, value: Math.random(), step: step + i, timestamp: 1 })) }));
      if (pending.length >= 64) await Promise.all(pending.splice(0));
    }
    await Promise.all(pending);
    const writeMs = performance.now() - started;
    await store.close({ snapshot: false });
    const reopenStarted = performance.now();
    const reopened = await openWorkspaceStore({ dir, writerName: 'bench' });
    const reopenMs = performance.now() - reopenStarted;
    const points = (await reopened.tracking.stats()).metricPoints;
    await reopened.close({ snapshot: false });
    return { batch, journalRecords: POINTS / batch, writeMs: round(writeMs), reopenMs: round(reopenMs), points };
  } finally {
    cleanup();
  }
}

async function main(): Promise<void> {
  await reopenAfter(10_000); // warm-up
  const results = [await reopenAfter(10_000), await reopenAfter(1_000), await reopenAfter(100)];
  saveResults('store-reopen', { journaledPoints: POINTS, reopen: results, targetMs: 2000 });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
