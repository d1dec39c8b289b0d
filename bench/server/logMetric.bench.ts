// Single runs/log-metric requests, one at a time (what mlflow.log_metric does per call), from a
// separate client process. Target: <= 0.5 ms of server time per request.
// (A real MLflow 2.12 server on this machine: 46–121 calls/s, about 8 ms of server time each.)
import { performance } from 'node:perf_hooks';
import { percentile, round, saveResults } from '../store/benchSupport';
import { mean, serverTimes, startBenchServer } from './serverBenchSupport';

const REQUESTS = 5000;

async function main(): Promise<void> {
  const bench = await startBenchServer('bench-server-metric-');
  try {
    // The floor: the same durable write called in-process, without HTTP (fsync + group commit).
    const floorRun = await bench.store.tracking.createRun({ experimentId: '0', ownerPid: null });
    const engine: number[] = [];
    for (let i = 0; i < 2_000; i++) {
      const t = performance.now();
      await bench.store.tracking.logMetric(floorRun.info.runId, { key: 'loss', value: i, step: i, timestamp: 1_795_793_233_020 + i });
      engine.push(performance.now() - t);
    }
    const { info } = await bench.store.tracking.createRun({ experimentId: '0', ownerPid: null });
    const client = await bench.runClient('log-metric', info.runId, REQUESTS);
    const server = serverTimes(bench.events, '/api/2.0/mlflow/runs/log-metric', REQUESTS);
    const stored = (await bench.store.tracking.getRun(info.runId)).data.metrics[0]?.count ?? 0;
    if (stored !== client.warmup + REQUESTS) throw new Error(`stored ${stored} points, expected ${client.warmup + REQUESTS}`);
    saveResults('server-log-metric', {
      requests: REQUESTS,
      requestsPerSecond: Math.round(REQUESTS / (client.totalMs / 1000)),
      serverMsPerRequest: { p50: round(percentile(server, 50), 3), p95: round(percentile(server, 95), 3), p99: round(percentile(server, 99), 3), mean: round(mean(server), 3) },
      clientMsPerRequest: { p50: round(percentile(client.samples, 50), 3), p95: round(percentile(client.samples, 95), 3), mean: round(mean(client.samples), 3) },
      engineMsPerDurableLogMetric: { p50: round(percentile(engine, 50), 3), p95: round(percentile(engine, 95), 3), mean: round(mean(engine), 3) },
      serverOverheadMsP50: round(percentile(server, 50) - percentile(engine, 50), 3),
      note: 'server time runs from the parsed request headers to the response handed to the socket, including the durable (fsync, group-commit) write',
      targetServerMs: 0.5,
      mlflow212: '46–121 requests/s, ~8 ms server time',
    });
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
