// Copying runs to a team's MLflow server and back, as a user runs it (`mlops copy runs --to URL`,
// then `--from URL` into an empty workspace; whole CLI processes), side by side with the stock
// `mlflow` Python client's own loop (MlflowClient.log_batch, 1,000 metrics a call, MLflow's limit)
// logging the same points to the same server. The size is 1,000 runs × 10,000 points;
// COPY_RUNS / COPY_POINTS choose another (the figures say which). A real MLflow 2.12.2 server on
// SQLite (../shared/mlflow): the server's own ingest speed bounds every client.
// Usage: node --import tsx bench/remote/copyRuns.bench.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { MlflowRestClient } from '../../src/core/remote/mlflowRestClient';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import type { TrackingStore } from '../../src/core/tracking/trackingStore';
import { findMlflow, findMlflowPython, startRealMlflow } from '../../test/unit/server/realMlflow';
import { REPO_ROOT, round, saveResults } from '../store/benchSupport';

const RUNS = Number(process.env.COPY_RUNS ?? 1000);
const POINTS = Number(process.env.COPY_POINTS ?? 10_000);
const BASE_TIME = 1_795_000_000_000;
/** `--parallel` values to compare (runs copied at once) */
const PARALLEL = (process.env.COPY_PARALLEL ?? '1,4').split(',').map(Number);

/** The value of point `step` of run `run`: the same formula in the store and in the Python client. */
const value = (run: number, step: number): number => Math.round(1e6 * Math.exp(-step / 3000) * (1 + (run % 7) / 10)) / 1e6;

const PYTHON_LOGGER = `
import sys, time
from mlflow import MlflowClient
from mlflow.entities import Metric, Param
runs, points = int(sys.argv[1]), int(sys.argv[2])
client = MlflowClient()
exp = client.create_experiment("stock-client-%d" % int(time.time() * 1000))
base = ${BASE_TIME}
start = time.perf_counter()
for r in range(runs):
    run = client.create_run(exp, run_name="run-%d" % r)
    rid = run.info.run_id
    client.log_batch(rid, params=[Param("seed", str(r)), Param("lr", "0.01")])
    for lo in range(0, points, 1000):
        client.log_batch(rid, metrics=[Metric("loss", round(1e6 * 2.718281828459045 ** (-s / 3000) * (1 + (r % 7) / 10)) / 1e6, base + s, s) for s in range(lo, min(points, lo + 1000))])
    client.set_terminated(rid)
print(time.perf_counter() - start)
`;

async function fillWorkspace(storeDir: string, experiment: string): Promise<string[]> {
  const store = await openWorkspaceStore({ dir: storeDir, writerName: 'copy bench' });
  const ids: string[] = [];
  try {
    const experimentId = await store.tracking.createExperiment(experiment);
    for (let r = 0; r < RUNS; r++) {
      const { info } = await store.tracking.createRun({ experimentId, runName: `run-${r}` });
      await store.tracking.logBatch({ runId: info.runId, params: [{ key: 'seed', value: String(r) }, { key: 'lr', value: '0.01' }] });
      for (let lo = 0; lo < POINTS; lo += 1000) {
        const metrics = [];
        for (let s = lo; s < Math.min(POINTS, lo + 1000); s++) metrics.push({ key: 'loss', value: value(r, s), step: s, timestamp: BASE_TIME + s });
        await store.tracking.logBatch({ runId: info.runId, metrics });
      }
      await store.tracking.updateRun(info.runId, { status: 'FINISHED', endTime: BASE_TIME + POINTS });
      ids.push(info.runId);
    }
  } finally {
    await store.close();
  }
  return ids;
}

/** Every point of every run, as "runName step value" lines sorted: the content a copy must keep. */
async function content(store: TrackingStore, experimentId: string): Promise<string[]> {
  const lines: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ experimentIds: [experimentId], maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    for (const run of page.runs) {
      for (const p of (await store.getMetricHistory(run.info.runId, 'loss')).points) lines.push(`${run.info.runName} ${p.step} ${p.value} ${p.timestamp}`);
      for (const p of run.data.params) lines.push(`${run.info.runName} param ${p.key}=${p.value}`);
    }
    pageToken = page.nextPageToken ?? undefined;
  } while (pageToken);
  return lines.sort();
}

function cli(cliJs: string, args: string[]): number {
  const started = performance.now();
  const r = spawnSync(process.execPath, [cliJs, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`mlops ${args.join(' ')} failed (${String(r.status)}): ${r.stderr}`);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const launch = findMlflow();
  const python = findMlflowPython();
  if ('reason' in launch || 'reason' in python) {
    console.log(`skipped: ${'reason' in launch ? launch.reason : (python as { reason: string }).reason}`);
    return;
  }
  // The built CLI, as a user runs it (MLOPS_BENCH_CLI names another build).
  const cliJs = process.env.MLOPS_BENCH_CLI ?? join(REPO_ROOT, 'dist', 'cli.js');
  if (!existsSync(cliJs)) execFileSync(process.execPath, [join(REPO_ROOT, 'esbuild.mjs')], { cwd: REPO_ROOT, stdio: 'ignore' });
  const work = mkdtempSync(join(tmpdir(), 'copy-bench-'));
  const mlflow = await startRealMlflow(launch);
  if (typeof mlflow === 'string') throw new Error(mlflow);
  const load = loadavg().map((l) => round(l));
  try {
    const points = RUNS * POINTS;
    console.log(`${RUNS} runs × ${POINTS} points (${points.toLocaleString('en-US')}) per copy; MLflow ${mlflow.version} at ${mlflow.url}; load ${load.join(' ')}`);
    const remote = new MlflowRestClient({ url: mlflow.url, token: null });
    const copies: Record<string, { toSeconds: number; fromSeconds: number; toPointsPerSecond: number; fromPointsPerSecond: number; identical: boolean }> = {};
    for (const [round_, parallel] of PARALLEL.entries()) {
      // a workspace (and experiment) of its own per copy, so no copy finds another's runs
      const experiment = `copy-bench-${round_ + 1}-p${parallel}`;
      const source = join(work, `source-${round_ + 1}`);
      await fillWorkspace(join(source, '.mlops'), experiment);
      const toSeconds = cli(cliJs, ['--workspace', source, 'copy', 'runs', '--to', mlflow.url, '--experiment', experiment, '--parallel', String(parallel)]);
      const back = join(work, `back-${round_ + 1}`);
      const fromSeconds = cli(cliJs, ['--workspace', back, 'copy', 'runs', '--from', mlflow.url, '--experiment', experiment, '--parallel', String(parallel)]);
      // Identical content: the workspace, the server's copy and the copy back, point by point.
      const local = await openWorkspaceStore({ dir: join(source, '.mlops'), writerName: 'copy bench check' });
      const returned = await openWorkspaceStore({ dir: join(back, '.mlops'), writerName: 'copy bench check' });
      let identical: boolean;
      try {
        const ids = async (s: TrackingStore): Promise<string> => (await s.getExperimentByName(experiment))?.experimentId ?? '';
        const [a, b, c] = [await content(local.tracking, await ids(local.tracking)), await content(remote, await ids(remote)), await content(returned.tracking, await ids(returned.tracking))];
        identical = a.length === RUNS * (POINTS + 2) && a.join('\n') === b.join('\n') && a.join('\n') === c.join('\n');
      } finally {
        await local.close({ snapshot: false });
        await returned.close({ snapshot: false });
      }
      copies[`${round_ + 1}: parallel ${parallel}`] = { toSeconds: round(toSeconds, 1), fromSeconds: round(fromSeconds, 1), toPointsPerSecond: Math.round(points / toSeconds), fromPointsPerSecond: Math.round(points / fromSeconds), identical };
      console.log(`--parallel ${parallel}: copy --to ${toSeconds.toFixed(1)} s (${Math.round(points / toSeconds).toLocaleString('en-US')} points/s), --from ${fromSeconds.toFixed(1)} s (${Math.round(points / fromSeconds).toLocaleString('en-US')} points/s), content identical: ${identical}`);
    }

    const stock = spawnSync(python.python, ['-c', PYTHON_LOGGER, String(RUNS), String(POINTS)], { env: { ...python.env, MLFLOW_TRACKING_URI: mlflow.url }, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (stock.status !== 0) throw new Error(`the stock client failed: ${stock.stderr}`);
    const stockSeconds = Number(stock.stdout.trim().split('\n').slice(-1)[0]);
    console.log(`stock mlflow client log_batch loop: ${stockSeconds.toFixed(1)} s (${Math.round(points / stockSeconds).toLocaleString('en-US')} points/s)`);
    saveResults('remote-copy-runs', {
      runs: RUNS,
      pointsPerRun: POINTS,
      points,
      server: `MLflow ${mlflow.version} (SQLite backend, --workers 2, artifacts proxied) on 127.0.0.1`,
      clients: 'mlops CLI processes (dist/cli.js, whole command); the stock mlflow Python client (MlflowClient.log_batch, 1,000 metrics per call) in one process, timed from its first request',
      order: `copies with --parallel ${PARALLEL.join(', then ')}, then the stock client, on one server (its database grows as they go)`,
      loadAverageAtStart: load,
      loadAverageAtEnd: loadavg().map((l) => round(l)),
      copies,
      stockClientLogBatchSeconds: round(stockSeconds, 1),
      stockClientPointsPerSecond: Math.round(points / stockSeconds),
    });
  } finally {
    await mlflow.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
