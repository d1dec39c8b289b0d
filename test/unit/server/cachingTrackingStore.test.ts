import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CachingTrackingStore } from '../../../src/core/remote/cachingTrackingStore';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import { startFixture } from './serverTestSupport';

/** Counts the calls that reach the inner store (here: requests to the server). */
function counting(inner: TrackingStore): { store: TrackingStore; calls: Map<string, number> } {
  const calls = new Map<string, number>();
  const store = new Proxy(inner, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.set(String(property), (calls.get(String(property)) ?? 0) + 1);
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

test('the caching store shares identical reads, drops what its own writes change, and keeps finished histories longer', async () => {
  const fx = await startFixture();
  let now = 1_000_000;
  try {
    const { store: inner, calls } = counting(new MlflowRestClient({ url: fx.server.url }));
    const cache = new CachingTrackingStore(inner, { ttlMs: 2_000, finishedTtlMs: 60_000, now: () => now });
    const experimentId = await cache.createExperiment('cached');
    const run = await cache.createRun({ experimentId, runName: 'r' });
    const runId = run.info.runId;

    await Promise.all([cache.getRun(runId), cache.getRun(runId), cache.getRun(runId)]);
    assert.equal(calls.get('getRun'), 1, 'concurrent identical reads share one request');
    const search = { experimentIds: [experimentId] };
    await cache.searchRuns(search);
    await cache.searchRuns(search);
    assert.equal(calls.get('searchRuns'), 1);

    await cache.logMetric(runId, { key: 'loss', value: 0.5, step: 1, timestamp: 1 });
    assert.equal((await cache.getRun(runId)).data.metrics[0]?.value, 0.5, 'a write through the cache is seen at once');
    assert.equal((await cache.searchRuns(search)).runs[0]?.data.metrics[0]?.value, 0.5);
    assert.equal(calls.get('getRun'), 2);

    // A write by someone else shows up after the TTL.
    await fx.store.tracking.setTag(runId, 'by', 'other');
    assert.equal((await cache.getRun(runId)).data.tags.some((t) => t.key === 'by'), false);
    now += 2_001;
    assert.equal((await cache.getRun(runId)).data.tags.some((t) => t.key === 'by'), true);

    // Running: the history is re-read after the TTL; finished: kept.
    await cache.getMetricColumns(runId, 'loss');
    now += 2_001;
    await cache.getMetricColumns(runId, 'loss');
    assert.equal(calls.get('getMetricColumns'), 2);
    await cache.updateRun(runId, { status: 'FINISHED' });
    await cache.getMetricColumns(runId, 'loss');
    now += 30_000;
    assert.deepEqual([...(await cache.getMetricColumns(runId, 'loss')).values], [0.5]);
    assert.equal(calls.get('getMetricColumns'), 3);

    // Failures are not kept.
    const before = calls.get('getRun') ?? 0;
    await assert.rejects(cache.getRun('f'.repeat(32)));
    await assert.rejects(cache.getRun('f'.repeat(32)));
    assert.equal(calls.get('getRun'), before + 2);
  } finally {
    await fx.close();
  }
});
