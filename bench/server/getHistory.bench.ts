// metrics/get-history of a 20,000-point series as the mlflow client asks for it (max_results=25000),
// from a separate client process, including the client's JSON.parse. Target: <= 30 ms.
// (A real MLflow 2.12 server on this machine: 1.1–1.6 s.)
import { percentile, round, saveResults } from '../store/benchSupport';
import { mean, serverTimes, startBenchServer } from './serverBenchSupport';

const POINTS = 20_000;
const REQUESTS = 50;

async function main(): Promise<void> {
  const bench = await startBenchServer('bench-server-history-');
  try {
    const { info } = await bench.store.tracking.createRun({ experimentId: '0', ownerPid: null });
    // Logged as a trainer does, in batches of 1,000 steps.
    for (let from = 0; from < POINTS; from += 1000) {
      await bench.store.tracking.logBatch({ runId: info.runId, metrics: Array.from({ length: 1000 }, (_, i) => ({ key: 'loss', value: Math.exp(-(from + i) / 5000) + Math.random() * 0.01, step: from + i, timestamp: 1_795_793_233_020 + from + i })) });
    }
    const client = await bench.runClient('get-history', info.runId, REQUESTS);
    const server = serverTimes(bench.events, '/api/2.0/mlflow/metrics/get-history', REQUESTS);
    saveResults('server-get-history', {
      points: POINTS,
      requests: REQUESTS,
      responseBytes: client.bytes,
      clientMsWithParse: { p50: round(percentile(client.samples, 50)), p95: round(percentile(client.samples, 95)), mean: round(mean(client.samples)) },
      serverMs: { p50: round(percentile(server, 50)), p95: round(percentile(server, 95)), mean: round(mean(server)) },
      targetMs: 30,
      mlflow212Ms: '1,100–1,600',
    });
  } finally {
    await bench.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
