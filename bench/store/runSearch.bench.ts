// Search over 10,000 runs × 20 metrics (plus 5 params and 3 tags each) with MLflow filters and
// order_by. Target: <= 50 ms.
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import type { SearchRunsOptions } from '../../src/core/tracking/trackingTypes';
import { percentile, round, saveResults, tempStore } from './benchSupport';

const RUNS = 10_000;
const METRICS = 20;
const ITERATIONS = 30;

async function main(): Promise<void> {
  const { dir, cleanup } = tempStore('bench-search-');
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'bench' });
    const t = store.tracking;
    const experimentId = await t.createExperiment('search-bench');
    const setupStarted = performance.now();
    for (let from = 0; from < RUNS; from += 200) {
      await Promise.all(
        Array.from({ length: 200 }, async (_, k) => {
          const i = from + k;
          const run = await t.createRun({ experimentId, runName: `run-${i}`, startTime: 1_700_000_000_000 + i * 1000 });
          await t.logBatch({
            runId: run.info.runId,
            metrics: Array.from({ length: METRICS }, (_, m) => ({ key: `m${m}`, value: Math.random(), step: 0 })),
            params: Array.from({ length: 5 }, (_, p) => ({ key: `p${p}`, value: `v${(i * (p + 1)) % 7}` })),
            tags: [{ key: 'team', value: i % 2 ? 'vision' : 'nlp' }, { key: 'stage', value: 'dev' }, { key: 'seed', value: String(i % 10) }],
          });
          if (i % 3 === 0) await t.updateRun(run.info.runId, { status: 'FINISHED' });
        }),
      );
    }
    const setupMs = performance.now() - setupStarted;
    await store.close();
    const reopenStarted = performance.now();
    const reopened = await openWorkspaceStore({ dir, writerName: 'bench' });
    const reopenMs = performance.now() - reopenStarted;
    const queries: Record<string, SearchRunsOptions> = {
      metricFilterDefaultPage1000: { experimentIds: [experimentId], filter: 'metrics.m0 > 0.5' },
      metricAndParamOrderByMetric100: { experimentIds: [experimentId], filter: "metrics.m0 > 0.5 AND params.p1 = 'v3'", orderBy: ['metrics.m5 DESC'], maxResults: 100 },
      statusAndMetricOrderByStart100: { experimentIds: [experimentId], filter: "attributes.status = 'FINISHED' AND metrics.m3 < 0.2 AND tags.team LIKE 'vis%'", orderBy: ['attributes.start_time'], maxResults: 100 },
      allRunsOrderByMetricPage1000: { experimentIds: [experimentId], orderBy: ['metrics.m1 DESC'], maxResults: 1000 },
    };
    const results: Record<string, { p50Ms: number; p95Ms: number; returned: number }> = {};
    for (const [name, options] of Object.entries(queries)) {
      await reopened.tracking.searchRuns(options);
      const samples: number[] = [];
      let returned = 0;
      for (let i = 0; i < ITERATIONS; i++) {
        const started = performance.now();
        returned = (await reopened.tracking.searchRuns(options)).runs.length;
        samples.push(performance.now() - started);
      }
      results[name] = { p50Ms: round(percentile(samples, 50)), p95Ms: round(percentile(samples, 95)), returned };
    }
    await reopened.close();
    saveResults('store-run-search', { runs: RUNS, metricsPerRun: METRICS, setupMs: round(setupMs), reopenMs: round(reopenMs), queries: results, targetMs: 50 });
  } finally {
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
