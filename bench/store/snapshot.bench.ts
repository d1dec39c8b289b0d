// Time to snapshot a 100 MB store (export, checksum, write temp, fsync, rename, fsync folder,
// truncate the journal), and the memory it takes: sql.js export needs a second full copy.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SNAPSHOT_FILE } from '../../src/core/store/durableDatabase';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { percentile, round, saveResults, settledRss, tempStore } from './benchSupport';

const TARGET_BYTES = 100 * 1024 * 1024;

async function main(): Promise<void> {
  const { dir, cleanup } = tempStore('bench-snapshot-');
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'bench', checkpointBytes: 1 << 30, checkpointRecords: 1e9 });
    // Realistic rows (runs with params and tags), written through the journal in batches.
    const experimentId = await store.tracking.createExperiment('snapshot-bench');
    let runs = 0;
    const padding = 'x'.repeat(180);
    for (;;) {
      await Promise.all(
        Array.from({ length: 200 }, async () => {
          const run = await store.tracking.createRun({ experimentId });
          await store.tracking.logBatch({
            runId: run.info.runId,
            params: Array.from({ length: 30 }, (_, p) => ({ key: `param_${p}`, value: `${p}-${padding}` })),
            tags: Array.from({ length: 10 }, (_, t) => ({ key: `tag_${t}`, value: `${t}-${padding}` })),
            metrics: Array.from({ length: 10 }, (_, m) => ({ key: `metric_${m}`, value: Math.random() })),
          });
        }),
      );
      runs += 200;
      if (runs % 2000 === 0) {
        await store.checkpoint();
        if (statSync(join(dir, SNAPSHOT_FILE)).size >= TARGET_BYTES) break;
      }
    }
    const samples: number[] = [];
    const rssBefore = settledRss();
    let peakRss = rssBefore;
    for (let i = 0; i < 5; i++) {
      await store.tracking.setTag((await store.tracking.searchRuns({ maxResults: 1 })).runs[0]?.info.runId ?? '', 'touch', String(i));
      const started = performance.now();
      await store.checkpoint();
      samples.push(performance.now() - started);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    const snapshotBytes = statSync(join(dir, SNAPSHOT_FILE)).size;
    await store.close();
    const reopenStarted = performance.now();
    const reopened = await openWorkspaceStore({ dir, writerName: 'bench' });
    const reopenMs = performance.now() - reopenStarted;
    const stats = await reopened.tracking.stats();
    await reopened.close();
    readFileSync(join(dir, SNAPSHOT_FILE)); // keep the page cache honest between runs of the bench
    saveResults('store-snapshot', {
      snapshotMB: round(snapshotBytes / 1048576),
      runs: stats.runs,
      checkpointMs: { p50: round(percentile(samples, 50)), max: round(Math.max(...samples)), samples: samples.map((s) => round(s)) },
      rssMB: { beforeCheckpoints: round(rssBefore / 1048576), peakSampledAfterCheckpoint: round(peakRss / 1048576), maxRssOfProcess: round(process.resourceUsage().maxRSS / 1024) },
      reopenMs: round(reopenMs),
    });
  } finally {
    cleanup();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
