import type { TrackingStore } from '../tracking/trackingStore';
import type { MetricInput, Param, RunStatus, Tag } from '../tracking/trackingTypes';
import { runCost, type CostPrices } from './runCost';
import { sampleMetrics, startSystemMetrics, usageMetrics, type SystemMetricsSampler, type SystemSample, type SystemUsage } from './systemMetrics';
import { ensureExperiment } from '../tracking/ensureExperiment';

/*
 * Jobs that are not trainings (materializing features, …) used the machine too: they are measured
 * while they run and recorded afterwards as a finished run with the system metrics, CPU-seconds,
 * peak memory and cost, so the store is not held for the length of the job.
 */

/** What a job used, measured while it ran. */
export interface JobMeasurement {
  readonly startTime: number;
  /** measure this process tree (the job's child process) from now on; before any call, this process is measured */
  measure(pid: number): void;
  stop(reported?: { cpuSeconds?: number; peakRssBytes?: number }): Promise<MeasuredJob>;
}

export interface MeasuredJob {
  readonly startTime: number;
  readonly endTime: number;
  readonly usage: SystemUsage;
  readonly samples: readonly SystemSample[];
}

/** Starts measuring a job; `pid` (default: this process) is the root of the tree measured. */
export function measureJob(options: { pid?: number; intervalMs?: number; procDir?: string } = {}): JobMeasurement {
  const startTime = Date.now();
  const samples: SystemSample[] = [];
  const start = (pid: number | undefined): SystemMetricsSampler =>
    startSystemMetrics({
      ...(pid !== undefined ? { pid } : {}),
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(options.procDir !== undefined ? { procDir: options.procDir } : {}),
      onSample: (sample) => samples.push(sample),
    });
  let sampler = start(options.pid);
  return {
    startTime,
    measure: (pid) => {
      void sampler.stop();
      samples.length = 0;
      sampler = start(pid);
    },
    stop: async (reported) => {
      const usage = await sampler.stop(reported);
      return { startTime, endTime: Date.now(), usage, samples };
    },
  };
}

export interface JobRunRecord {
  /** the experiment the run goes into (created if missing) */
  readonly experiment: string;
  readonly runName: string;
  /** the `mlops.kind` tag: what sort of job it was */
  readonly kind: string;
  readonly status: Extract<RunStatus, 'FINISHED' | 'FAILED' | 'KILLED'>;
  readonly measured: MeasuredJob;
  readonly params?: readonly Param[];
  readonly tags?: readonly Tag[];
  /** the job's own results (rows written, …), logged at step 0 */
  readonly metrics?: Readonly<Record<string, number>>;
  /** why it failed, for FAILED runs */
  readonly error?: string;
  readonly prices?: CostPrices;
}

/** Records a finished job as a run; resolves with its id. */
export async function recordJobRun(tracking: TrackingStore, record: JobRunRecord): Promise<string> {
  const experimentId = await ensureExperiment(tracking, record.experiment);
  const { measured } = record;
  const run = await tracking.createRun({
    experimentId,
    runName: record.runName,
    startTime: measured.startTime,
    tags: [{ key: 'mlops.kind', value: record.kind }, ...(record.tags ?? [])],
    ownerPid: null,
  });
  const runId = run.info.runId;
  const timestamp = measured.endTime;
  const results: MetricInput[] = Object.entries(record.metrics ?? {})
    .filter(([, value]) => Number.isFinite(value))
    .map(([key, value]) => ({ key, value, step: 0, timestamp }));
  const metrics = [...measured.samples.flatMap(sampleMetrics), ...usageMetrics(measured.usage, runCost(measured.usage, record.prices), timestamp), ...results];
  // MLflow's log-batch limit is 1,000 metrics; a long job has many samples
  for (let i = 0; i < metrics.length || i === 0; i += 1000) {
    await tracking.logBatch({
      runId,
      metrics: metrics.slice(i, i + 1000),
      ...(i === 0 ? { params: record.params ?? [], tags: record.error ? [{ key: 'mlops.error', value: record.error.slice(0, 5000) }] : [] } : {}),
    });
  }
  await tracking.updateRun(runId, { status: record.status, endTime: measured.endTime });
  return runId;
}
