import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BatchingTrackingStore } from '../../../src/core/remote/batchingTrackingStore';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import type { LogBatchRequest, RunInfo, UpdateRunOptions } from '../../../src/core/tracking/trackingTypes';

// What `mlops train` against a team server relies on: a training run's metric reports travel in a
// few requests, none is lost, and none arrives after the run has ended.

function recording(failBatches = 0): { store: TrackingStore; calls: string[] } {
  const calls: string[] = [];
  let failures = failBatches;
  const store = {
    logBatch: async (request: LogBatchRequest): Promise<void> => {
      if (failures > 0) {
        failures--;
        throw new Error('Cannot reach the MLflow server at http://team:5000');
      }
      calls.push(`logBatch ${request.runId} ${(request.metrics ?? []).map((m) => `${m.key}@${m.step ?? 0}`).join(',')}`);
    },
    updateRun: async (runId: string, update: UpdateRunOptions): Promise<RunInfo> => {
      calls.push(`updateRun ${runId} ${update.status ?? ''}`);
      return {} as RunInfo;
    },
  } as unknown as TrackingStore;
  return { store, calls };
}

test('metric reports are sent together, before the run ends', async () => {
  const { store, calls } = recording();
  const batching = new BatchingTrackingStore(store, { flushMs: 60_000 });
  for (let step = 1; step <= 3; step++) await batching.logBatch({ runId: 'r1', metrics: [{ key: 'loss', value: 1 / step, step }] });
  await batching.logMetricColumns('r1', 'batch_loss', { steps: Float64Array.from([1, 2]), values: Float64Array.from([0.5, 0.4]), timestamps: Float64Array.from([10, 20]) });
  assert.deepEqual(calls, [], 'nothing sent yet: the reports wait for company');
  await batching.updateRun('r1', { status: 'FINISHED' });
  assert.deepEqual(calls, ['logBatch r1 loss@1,loss@2,loss@3,batch_loss@1,batch_loss@2', 'updateRun r1 FINISHED'], 'one request for every point, and the end after it');
});

test('a full batch goes at once, without waiting', async () => {
  const { store, calls } = recording();
  const batching = new BatchingTrackingStore(store, { flushMs: 60_000, maxPoints: 2 });
  await batching.logBatch({ runId: 'r1', metrics: [{ key: 'a', value: 1 }, { key: 'b', value: 2 }] });
  await batching.flush();
  assert.deepEqual(calls, ['logBatch r1 a@0,b@0']);
});

test('a send that failed is reported by the next call, not lost silently', async () => {
  const { store, calls } = recording(1);
  const batching = new BatchingTrackingStore(store, { flushMs: 60_000 });
  await batching.logBatch({ runId: 'r1', metrics: [{ key: 'loss', value: 1 }] });
  await assert.rejects(batching.updateRun('r1', { status: 'FINISHED' }), /Cannot reach the MLflow server at http:\/\/team:5000/);
  assert.deepEqual(calls, [], 'the run was not ended over missing points');
  await batching.updateRun('r1', { status: 'FAILED' });
  assert.deepEqual(calls, ['updateRun r1 FAILED']);
});
