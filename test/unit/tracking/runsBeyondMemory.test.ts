import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { Run } from '../../../src/core/tracking/trackingTypes';
import { tempStoreDir } from '../store/testSupport';

// The store keeps only the runs in use in memory (runCacheEntries bounds them); SQLite answers the
// rest. A store whose memory holds two runs must answer exactly as one that holds them all.

const RUNS = 24;

function describeRuns(runs: readonly Run[]): string[] {
  return runs.map((r) => {
    const metrics = r.data.metrics.map((m) => `${m.key}=${m.value}[${m.min},${m.max}]×${m.count}`).sort();
    const params = r.data.params.map((p) => `${p.key}=${p.value}`).sort();
    return `${r.info.runName} ${r.info.status} ${r.info.lifecycleStage} ${params.join(',')} ${metrics.join(',')}`;
  });
}

const QUERIES: { filter?: string; orderBy?: string[] }[] = [
  {},
  { filter: 'metrics.acc > 0.5' },
  { filter: 'metrics.acc != 0.25' },
  { filter: "params.model = 'tree' AND metrics.loss < 3" },
  { filter: "params.note ILIKE 'étÉ%'" },
  { filter: "params.note LIKE 'été_'" },
  { orderBy: ['metrics.acc DESC'] },
  { orderBy: ['params.model ASC', 'metrics.loss DESC'] },
  { orderBy: ['attributes.end_time ASC'] },
];

test('a store whose memory holds a run or two answers searches, reads and writes exactly as one that holds them all', async () => {
  const temp = tempStoreDir();
  try {
    let experimentId = '';
    {
      const store = await openWorkspaceStore({ dir: temp.dir, writerName: 'beyond memory test' });
      experimentId = await store.tracking.createExperiment('many');
      for (let i = 0; i < RUNS; i++) {
        const run = await store.tracking.createRun({ experimentId, runName: `run-${String(i).padStart(2, '0')}`, startTime: 1_000 + i });
        await store.tracking.logBatch({
          runId: run.info.runId,
          params: [
            { key: 'model', value: i % 3 === 0 ? 'tree' : 'net' },
            { key: 'note', value: i % 4 === 0 ? 'ÉTÉ1' : i % 4 === 1 ? 'été2' : 'summer' },
          ],
          metrics: [
            { key: 'acc', value: i === 5 ? NaN : (i % 5) / 4, step: 0 },
            ...(i % 2 === 0 ? [{ key: 'loss', value: i / 4, step: 0 }] : []),
          ],
        });
        if (i % 6 === 0) await store.tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: 5_000 - i });
      }
      await store.close();
    }
    const full = await openWorkspaceStore({ dir: temp.dir, writerName: 'beyond memory test' });
    const expected: string[][] = [];
    for (const query of QUERIES) expected.push(describeRuns((await full.tracking.searchRuns({ experimentIds: [experimentId], ...query })).runs));
    const firstId = (await full.tracking.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.start_time ASC'], maxResults: 1 })).runs[0]?.info.runId as string;
    await full.close();
    assert.ok(expected[1]?.length && expected[4]?.length && expected[5]?.length, 'the queries match something');
    // LIKE and ILIKE are MLflow's: "_" is one character (é is two bytes), ILIKE folds É and é.
    assert.deepEqual(expected[4]?.map((line) => line.split(' ')[0]).sort(), ['run-00', 'run-01', 'run-04', 'run-05', 'run-08', 'run-09', 'run-12', 'run-13', 'run-16', 'run-17', 'run-20', 'run-21']);
    assert.deepEqual(expected[5]?.map((line) => line.split(' ')[0]).sort(), ['run-01', 'run-05', 'run-09', 'run-13', 'run-17', 'run-21']);

    const small = await openWorkspaceStore({ dir: temp.dir, writerName: 'beyond memory test', runCacheEntries: 10 });
    try {
      for (const [i, query] of QUERIES.entries()) {
        assert.deepEqual(describeRuns((await small.tracking.searchRuns({ experimentIds: [experimentId], ...query })).runs), expected[i], `same answer for ${JSON.stringify(query)}`);
      }
      assert.deepEqual((await small.tracking.searchRuns({ filter: `attributes.run_id IN ('${firstId}', 'nope')` })).runs.map((r) => r.info.runName), ['run-00']);
      // Pages walk every run exactly once although each page evicts the one before.
      const seen: string[] = [];
      let pageToken: string | undefined;
      do {
        const page = await small.tracking.searchRuns({ experimentIds: [experimentId], maxResults: 5, ...(pageToken ? { pageToken } : {}) });
        seen.push(...page.runs.map((r) => r.info.runName));
        pageToken = page.nextPageToken;
      } while (pageToken);
      assert.equal(new Set(seen).size, RUNS);

      // A write to a run no longer in memory continues its series and keeps what it had.
      await small.tracking.logMetric(firstId, { key: 'loss', value: -1, step: 1 });
      await small.tracking.logParam(firstId, 'extra', 'yes');
      await small.tracking.searchRuns({ experimentIds: [experimentId] });
      const first = await small.tracking.getRun(firstId);
      const loss = first.data.metrics.find((m) => m.key === 'loss');
      assert.deepEqual(loss && { value: loss.value, min: loss.min, max: loss.max, count: loss.count }, { value: -1, min: -1, max: 0, count: 2 });
      assert.deepEqual((await small.tracking.getMetricHistory(firstId, 'loss')).points.map((p) => p.value), [0, -1]);
      assert.deepEqual(first.data.params.map((p) => p.key).sort(), ['extra', 'model', 'note']);
      await assert.rejects(small.tracking.logParam(firstId, 'model', 'other'), /model/, 'a logged param still cannot change');

      // Deleting the experiment deletes every run, in memory or not.
      await small.tracking.deleteExperiment(experimentId);
      assert.equal((await small.tracking.searchRuns({ experimentIds: [experimentId] })).runs.length, 0);
      const deleted = await small.tracking.searchRuns({ experimentIds: [experimentId], viewType: 'DELETED_ONLY' });
      assert.equal(deleted.runs.length, RUNS);
      assert.ok(deleted.runs.every((r) => r.info.lifecycleStage === 'deleted'));
      await small.tracking.restoreExperiment(experimentId);
      const stats = await small.tracking.stats();
      assert.equal(stats.runs, RUNS);
      assert.equal(stats.activeRuns, RUNS - 4);
      assert.equal(stats.metricPoints, RUNS + RUNS / 2 + 1);
    } finally {
      await small.close();
    }
  } finally {
    temp.cleanup();
  }
});
