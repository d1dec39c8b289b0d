/**
 * Stores for the Runs panel benchmarks, logged through the store's API the way trainers log:
 * the curves set (runs × metrics × steps, in batches of steps) and the wide table set (one
 * summary point per metric, with params and tags).
 */
import type { TrackingStore } from '../../src/core/tracking/trackingStore';
import type { Run } from '../../src/core/tracking/trackingTypes';

export const CURVE_KEYS = ['loss', 'val_loss', 'accuracy', 'val_accuracy', 'm_000', 'm_001', 'm_002', 'm_003', 'm_004', 'm_005'];

/** `runs` runs × `keys` × `steps` steps in a new experiment `name`. */
export async function logCurveRuns(tracking: TrackingStore, name: string, keys: readonly string[], runs: number, steps: number): Promise<{ runIds: string[]; experimentId: string }> {
  const experimentId = await tracking.createExperiment(name);
  const runIds: string[] = [];
  const BATCH_STEPS = 100;
  for (let r = 0; r < runs; r++) {
    const { info } = await tracking.createRun({ experimentId, runName: `run-${r}`, startTime: 1_700_000_000_000 + r * 3_600_000 });
    runIds.push(info.runId);
    const rate = 0.5 + (r % 17) / 17;
    for (let from = 0; from < steps; from += BATCH_STEPS) {
      const metrics = [];
      for (let step = from; step < Math.min(steps, from + BATCH_STEPS); step++) {
        const decay = Math.exp((-rate * 5 * step) / steps);
        for (let k = 0; k < keys.length; k++) {
          const noise = 0.02 * Math.sin(step * 0.7 + r + k);
          metrics.push({ key: keys[k]!, value: keys[k]!.includes('loss') ? 0.1 + 2 * decay + noise : 0.95 - 0.8 * decay + noise, step, timestamp: 1_700_000_000_000 + r * 3_600_000 + step * 1000 });
        }
      }
      await tracking.logBatch({ runId: info.runId, metrics });
    }
    await tracking.updateRun(info.runId, { status: 'FINISHED', endTime: 1_700_000_000_000 + r * 3_600_000 + steps * 1000 });
  }
  return { runIds, experimentId };
}

/** The synthetic runs (params, one point per metric, user tags) in a new experiment `name`. */
export async function logTableRuns(tracking: TrackingStore, name: string, runs: readonly Run[]): Promise<string> {
  const experimentId = await tracking.createExperiment(name);
  for (const run of runs) {
    const { info } = await tracking.createRun({ experimentId, runName: run.info.runName, startTime: run.info.startTime });
    await tracking.logBatch({
      runId: info.runId,
      params: run.data.params,
      metrics: run.data.metrics.map((m) => ({ key: m.key, value: m.value, step: m.step, timestamp: m.timestamp })),
      tags: run.data.tags.filter((t) => !t.key.startsWith('mlflow.')),
    });
    if (run.info.status !== 'RUNNING') await tracking.updateRun(info.runId, { status: run.info.status, endTime: run.info.endTime ?? run.info.startTime });
  }
  return experimentId;
}
