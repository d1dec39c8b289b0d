// log-batch with 1,000 metrics per request (10 keys × 100 steps) from a separate client process,
// one request at a time like the mlflow client. Target: >= 150,000 metrics/s.
// (A real MLflow 2.12 server on this machine: 5–9k metrics/s.)
import { percentile, round, saveResults } from '../store/benchSupport';
import { mean, serverTimes, startBenchServer } from './serverBenchSupport';

const REQUESTS = 300;
const METRICS_PER_REQUEST = 1000;

async function main(): Promise<void> {
  const bench = await startBenchServer('bench-server-batch-');
  try {
    const { info } = await bench.store.tracking.createRun({ experimentId: '0', ownerPid: null });
    const client = await bench.runClient('log-batch', info.runId, REQUESTS);
    const server = serverTimes(bench.events, '/api/2.0/mlflow/runs/log-batch', REQUESTS);
    const stored = (await bench.store.tracking.getRun(info.runId)).data.metrics.reduce((n, m) => n + m.count, 0);
    if (stored !== (client.warmup + REQUESTS) * METRICS_PER_REQUEST) throw new Error(`stored ${stored} points, expected ${(client.warmup + REQUESTS) * METRICS_PER_REQUEST}`);
    const metricsPerSecond = (REQUESTS * METRICS_PER_REQUEST) / (client.totalMs / 1000);
    saveResults('server-log-batch', {
      requests: REQUESTS,
      metricsPerRequest: METRICS_PER_REQUEST,
      metricsPerSecond: Math.round(metricsPerSecond),
      clientMsPerRequest: { p50: round(percentile(client.samples, 50)), p95: round(percentile(client.samples, 95)), mean: round(mean(client.samples)) },
      serverMsPerRequest: { p50: round(percentile(server, 50)), p95: round(percentile(server, 95)), mean: round(mean(server)) },
      targetMetricsPerSecond: 150_000,
      mlflow212MetricsPerSecond: '5,000–9,000',
    });
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
