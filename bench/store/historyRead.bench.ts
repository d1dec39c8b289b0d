// p50/p95 of reading a 100,000-step metric history: as point objects, as columns, and downsampled
// for a chart (LTTB and min/max buckets to 2,000 points). Target: <= 20 ms.
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { percentile, round, saveResults, tempStore } from './benchSupport';

const STEPS = 100_000;
const ITERATIONS = 50;

async function main(): Promise<void> {
  const { dir, cleanup } = tempStore('bench-history-');
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'bench' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    // Logged the way a trainer does: batches of 100 steps, so the file is built by many appends.
    for (let from = 0; from < STEPS; from += 100) {
      await store.tracking.logBatch({ runId: info.runId, metrics: Array.from({ length: 100 }, (_, i) => ({ key: 'loss', value: Math.exp(-(from + i) / 20_000) + Math.random() * 0.05, step: from + i, timestamp: 1_700_000_000_000 + from + i })) });
    }
    await store.close();
    const reopened = await openWorkspaceStore({ dir, writerName: 'bench' });
    const t = reopened.tracking;
    const modes: Record<string, () => Promise<number>> = {
      objects: async () => (await t.getMetricHistory(info.runId, 'loss')).points.length,
      columns: async () => (await t.getMetricColumns(info.runId, 'loss')).steps.length,
      lttb2000: async () => (await t.getMetricHistory(info.runId, 'loss', { maxPoints: 2000, method: 'lttb' })).points.length,
      minmax2000: async () => (await t.getMetricHistory(info.runId, 'loss', { maxPoints: 2000, method: 'minmax' })).points.length,
    };
    const results: Record<string, { p50Ms: number; p95Ms: number; points: number }> = {};
    for (const [name, read] of Object.entries(modes)) {
      await read(); // warm-up
      const samples: number[] = [];
      let points = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const started = performance.now();
        points = await read();
        samples.push(performance.now() - started);
      }
      results[name] = { p50Ms: round(percentile(samples, 50)), p95Ms: round(percentile(samples, 95)), points };
    }
    await reopened.close();
    saveResults('store-history-read', { steps: STEPS, iterations: ITERATIONS, reads: results, targetMs: 20 });
  } finally {
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
