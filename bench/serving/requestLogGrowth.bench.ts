/**
 * Request-log growth under load (issue #17): an endpoint serving the registered penguins model
 * (models:/penguins@champion) with 8 clients posting 50-row /invocations for BENCH_DURATION
 * seconds (default 60). This process is the store's holder, as `mlops serve` is; the clients run
 * in a child process (autocannon) so they do not share its event loop.
 *
 * Records, every second: this process's RSS, the snapshot, journal and request-log segment bytes;
 * and every checkpoint's synchronous part (the time it holds the event loop: what a request
 * waiting on the holder waits), plus the longest event-loop pause of the whole run.
 * Prints the figures and writes bench/results/request-log-growth.json (BENCH_RESULTS_FILE
 * overrides, BENCH_LABEL names the run inside it, e.g. "before" / "after").
 */
import { fork } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { build } from 'esbuild';
import { modelRegistryFor } from '../../src/core/registry/registryAccess';
import { EndpointManager } from '../../src/core/serving/endpointManager';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTraining } from '../../src/core/training/trainingRunner';

const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 60);
const CLIENTS = 8;
const ROWS_PER_REQUEST = 50;
const RESULTS_FILE = process.env.BENCH_RESULTS_FILE ?? join(ROOT, 'bench/results/request-log-growth.json');
const LABEL = process.env.BENCH_LABEL ?? 'latest';

// The load generator: autocannon in its own process, reporting its summary over IPC.
const CLIENT_SCRIPT = `
const autocannon = require(process.argv[2]);
process.once('message', (options) => {
  autocannon(options, (error, result) => {
    if (error) { process.send({ error: String(error) }); return; }
    process.send({ requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, non2xx: result.non2xx, errors: result.errors + result.timeouts });
  });
});
`;

interface ClientResult {
  readonly error?: string;
  readonly requests: number;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  readonly non2xx: number;
  readonly errors: number;
}

function round(v: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function mb(bytes: number): number {
  return round(bytes / 1048576);
}

function sizeOf(path: string): number {
  return existsSync(path) ? statSync(path).size : 0;
}

/** Bytes of every file under `dir`. */
function treeBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(path) : statSync(path).size;
  }
  return total;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-request-log-bench-'));
  const storeDir = join(work, '.mlops');
  const store = await openWorkspaceStore({ dir: storeDir, writerName: 'request log bench' });
  let manager: EndpointManager | undefined;
  try {
    await build({ entryPoints: [join(ROOT, 'src/core/serving/endpointMain.ts')], outfile: join(work, 'endpoint.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
    const trained = await runTraining({ store: store.tracking, specPath: join(ROOT, 'examples/penguins.train.yaml'), backend: 'js' });
    const version = await modelRegistryFor(store, { actor: 'bench' }).registerVersion(trained.runId, 'penguins');
    await modelRegistryFor(store).setAlias('penguins', 'champion', version.version);
    manager = new EndpointManager(store, { entry: join(work, 'endpoint.js') });
    const endpoint = await manager.start({ uri: 'models:/penguins@champion' });

    const lines = readFileSync(join(ROOT, 'examples/data/penguins.csv'), 'utf8').trim().split('\n');
    const header = (lines[0] as string).split(',');
    const keep = header.map((c, i) => [c, i] as const).filter(([c]) => c !== 'species');
    const data = lines.slice(1, 1 + ROWS_PER_REQUEST).map((line) => {
      const cells = line.split(',');
      return keep.map(([, i]) => {
        const cell = cells[i] ?? '';
        if (cell === '' || cell === 'NA') return null;
        const n = Number(cell);
        return Number.isFinite(n) ? n : cell;
      });
    });
    const body = JSON.stringify({ dataframe_split: { columns: keep.map(([c]) => c), data } });
    const probe = await fetch(`${endpoint.url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (probe.status !== 200) throw new Error(`the endpoint answered ${probe.status}: ${await probe.text()}`);
    await manager.flushed();
    await store.checkpoint();

    // Every checkpoint's synchronous part: it runs at a journal barrier without yielding.
    const checkpointsMs: number[] = [];
    const database = store.database as unknown as { checkpointNow: () => void };
    const checkpointNow = database.checkpointNow.bind(store.database);
    database.checkpointNow = (): void => {
      const started = performance.now();
      try {
        checkpointNow();
      } finally {
        checkpointsMs.push(performance.now() - started);
      }
    };
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();

    const samples: { s: number; rssMB: number; snapshotMB: number; journalMB: number; requestLogMB: number }[] = [];
    const started = performance.now();
    const sample = (): void => {
      samples.push({
        s: round((performance.now() - started) / 1000),
        rssMB: mb(process.memoryUsage().rss),
        snapshotMB: mb(sizeOf(join(storeDir, 'store.snapshot'))),
        journalMB: mb(sizeOf(join(storeDir, 'journal.log'))),
        requestLogMB: mb(treeBytes(join(storeDir, 'requests'))),
      });
    };
    sample();
    const timer = setInterval(sample, 1000);

    const clientFile = join(work, 'client.js');
    writeFileSync(clientFile, CLIENT_SCRIPT);
    const client = fork(clientFile, [require.resolve('autocannon')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const result = await new Promise<ClientResult>((resolve, reject) => {
      client.once('message', (m: ClientResult) => resolve(m));
      client.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
      client.send({ url: `${endpoint.url}/invocations`, connections: CLIENTS, duration: DURATION_S, method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    });
    client.kill();
    if (result.error) throw new Error(result.error);
    const loadSeconds = (performance.now() - started) / 1000;
    await manager.flushed();
    sample();
    clearInterval(timer);
    delay.disable();

    const stats = manager.list()[0]?.stats;
    const finalCheckpointStarted = performance.now();
    await store.checkpoint();
    const finalCheckpointMs = performance.now() - finalCheckpointStarted;
    const rss = samples.map((s) => s.rssMB);
    const figures = {
      date: new Date().toISOString(),
      machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavgAtEnd: loadavg().map((l) => round(l, 2)) },
      durationS: DURATION_S,
      clients: CLIENTS,
      rowsPerRequest: ROWS_PER_REQUEST,
      requests: result.requests,
      requestsPerSecond: round(result.requests / loadSeconds),
      latencyMs: { p50: result.p50, p99: result.p99, max: result.max },
      non2xx: result.non2xx,
      errors: result.errors,
      endpointStats: stats,
      rssMB: { start: rss[0], end: rss[rss.length - 1], peak: Math.max(...rss), maxRssOfProcess: mb(process.resourceUsage().maxRSS * 1024) },
      snapshotMB: { end: mb(sizeOf(join(storeDir, 'store.snapshot'))) },
      journalMBPeak: Math.max(...samples.map((s) => s.journalMB)),
      requestLogMB: mb(treeBytes(join(storeDir, 'requests'))),
      checkpoints: { count: checkpointsMs.length, maxMs: round(Math.max(0, ...checkpointsMs)), totalMs: round(checkpointsMs.reduce((a, b) => a + b, 0)), finalMs: round(finalCheckpointMs) },
      eventLoopMaxPauseMs: round(delay.max / 1e6),
      eventLoopP99DelayMs: round(delay.percentile(99) / 1e6),
      samples,
    };
    console.log(`${LABEL}: ${result.requests} requests in ${round(loadSeconds)} s (${figures.requestsPerSecond} req/s, ${CLIENTS} clients × ${ROWS_PER_REQUEST} rows), p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
    console.log(`  RSS ${figures.rssMB.start} → ${figures.rssMB.end} MB (peak ${figures.rssMB.peak}), snapshot ${figures.snapshotMB.end} MB, journal peak ${figures.journalMBPeak} MB, request-log segments ${figures.requestLogMB} MB`);
    console.log(`  checkpoints ${figures.checkpoints.count}, longest ${figures.checkpoints.maxMs} ms (final ${figures.checkpoints.finalMs} ms), longest event-loop pause ${figures.eventLoopMaxPauseMs} ms (p99 delay ${figures.eventLoopP99DelayMs} ms)`);
    mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
    const previous = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { runs?: Record<string, unknown> }) : {};
    writeFileSync(RESULTS_FILE, `${JSON.stringify({ runs: { ...(previous.runs ?? {}), [LABEL]: figures } }, null, 2)}\n`);
  } finally {
    await manager?.stopAll().catch(() => undefined);
    await store.close({ snapshot: false }).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
