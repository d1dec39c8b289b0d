/**
 * The engine at scale (issue #17), four parts, each runnable alone:
 *
 *   open   engine open: a store of BENCH_OPEN_RUNS (100,000) runs × (20 params + 20 metrics): from
 *          ensureEngine to /health answering, and the engine's RSS (/proc/<pid>/status VmRSS)
 *          after open and after its first runs search. Targets: ≤ 2 s, RSS ≤ 1 GB.
 *   list   whole-process `mlops runs list -e scale` and `mlops runs search "metrics.m0 > 0.5" -e scale`
 *          on BENCH_LIST_RUNS (10,000) runs × (100 params + 100 metrics × 10 steps), the engine
 *          warm (the CLI goes through it); side by side, MLflow 2.12.2's SQLite store with the same
 *          data through the stock client: `MlflowClient(tracking_uri='sqlite:///…').search_runs(
 *          ['<scale>'], filter, max_results=100)`, a whole `python -c` process (100 = mlops runs
 *          list's page). Median of 5 alternating rounds; wall time and peak RSS of the client
 *          process (/usr/bin/time). Targets: ≤ 0.5 s and ≤ 4× faster than MLflow.
 *          BENCH_MLFLOW_RUNS (default BENCH_LIST_RUNS) sets MLflow's size; when it differs, mlops
 *          is measured at that size too, so the side by side is always the same data.
 *   small  `mlops runs list` on a 20-run store while an engine holds it (target ≤ 300 ms), and
 *          with no engine (the CLI opens the store itself). Median of 5.
 *   serve  `mlops serve` (the endpoint runs in the engine) of a model `mlops train` made from
 *          examples/penguins.train.yaml, at a steady 1,000 single-row /invocations a second
 *          (autocannon, its own process) for BENCH_MINUTES (5): the engine's RSS (and the endpoint
 *          process's) every 10 s, first/last/max and the slope; request-log bytes vs retention.
 *
 * Usage: node esbuild.mjs && node --import tsx bench/engine/engineScale.bench.ts [open] [list] [small] [serve]
 * (no part names: all four). It runs dist/ (MLOPS_BENCH_DIST overrides), copied to a private
 * folder first so a rebuild meanwhile cannot change what is measured. Built stores are cached in
 * $BENCH_CACHE (default $TMPDIR/mlops-engine-scale-cache), one folder per shape, and reused.
 * Writes bench/results/engine-scale.json (a part run alone keeps the other parts' last figures).
 */
import { spawn, spawnSync, fork, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureEngine, runningEngine, stopEngine } from '../../src/core/engine/engineLauncher';
import { endpointLogFolder } from '../../src/core/serving/requestLogFiles';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { findMlflowPython } from '../../test/unit/server/realMlflow';
import { REPO_ROOT, round } from '../store/benchSupport';

const PARTS = ['open', 'list', 'small', 'serve'] as const;
type Part = (typeof PARTS)[number];

const ROUNDS = 5;
const OPEN_RUNS = Number(process.env.BENCH_OPEN_RUNS ?? 100_000);
const LIST_RUNS = Number(process.env.BENCH_LIST_RUNS ?? 10_000);
const MLFLOW_RUNS = Number(process.env.BENCH_MLFLOW_RUNS ?? LIST_RUNS);
const SERVE_MINUTES = Number(process.env.BENCH_MINUTES ?? 5);
const SERVE_RATE = 1_000;
const CACHE = process.env.BENCH_CACHE ?? join(tmpdir(), 'mlops-engine-scale-cache');
const RESULTS_FILE = join(REPO_ROOT, 'bench', 'results', 'engine-scale.json');
/** Engines this bench starts wait this long idle: the bench stops them itself. */
const ENGINE_IDLE_MS = 30 * 60_000;
const FILTER = 'metrics.m0 > 0.5';

interface Shape {
  readonly runs: number;
  readonly params: number;
  readonly metrics: number;
  readonly steps: number;
}

function shapeKey(shape: Shape): string {
  return `r${shape.runs}-p${shape.params}-m${shape.metrics}x${shape.steps}`;
}

function describeShape(shape: Shape): string {
  return `${shape.runs.toLocaleString('en-US')} runs × (${shape.params} params + ${shape.metrics} metrics${shape.steps > 1 ? ` × ${shape.steps} steps` : ''})`;
}

/** The same numbers in both stores: run r's param i and metric k at step s (Python computes them alike). */
function paramValue(r: number, i: number): string {
  return `v${(r * 31 + i * 17) % 1000}`;
}
function metricValue(r: number, k: number, s: number): number {
  return ((r * 7919 + k * 104729 + s * 1299709) % 10007) / 10007;
}
const START = 1_700_000_000_000;

/** What the load was while a figure was taken: `uptime` (and the 1-minute average). */
function load(): { uptime: string; load1: number } {
  return { uptime: spawnSync('uptime', { encoding: 'utf8' }).stdout.trim(), load1: round(loadavg()[0] as number) };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

function mb(bytes: number): number {
  return round(bytes / 1048576, 1);
}

/** VmRSS (or another /proc/<pid>/status field) in MB; undefined once the process is gone. */
function procMb(pid: number, field = 'VmRSS'): number | undefined {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
    return line ? round(Number(line.replace(/\D+/g, '')) / 1024, 1) : undefined;
  } catch {
    return undefined;
  }
}

/** The child processes of `pid` (the engine's endpoint processes). */
function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim().split(/\s+/).filter((s) => s !== '').map(Number));
  } catch {
    return [];
  }
}

function treeBytes(dir: string): number {
  if (!existsSync(dir)) return 0;
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    total += entry.isDirectory() ? treeBytes(path) : statSync(path).size;
  }
  return total;
}

/** dist/ copied aside: other builds of dist/ during the bench do not change what runs. */
function privateDist(): string {
  const source = process.env.MLOPS_BENCH_DIST ?? join(REPO_ROOT, 'dist');
  for (const file of ['cli.js', 'cliMain.js', 'engine.js', 'endpoint.js', 'worker.js']) if (!existsSync(join(source, file))) throw new Error(`${source}/${file} is missing: build first (node esbuild.mjs)`);
  const copy = mkdtempSync(join(tmpdir(), 'mlops-engine-scale-dist-'));
  cpSync(source, join(copy, 'dist'), { recursive: true });
  cpSync(join(REPO_ROOT, 'package.json'), join(copy, 'package.json'));
  return join(copy, 'dist');
}

/** Environment of the CLI processes: the workspace store, never a team server. */
function cliEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.MLFLOW_TRACKING_URI;
  delete env.MLOPS_ENGINE_IDLE_MINUTES;
  return env;
}

interface Timed {
  readonly ms: number;
  readonly peakRssMB: number;
  readonly stdout: string;
}

/** Wall time and peak RSS (/usr/bin/time -f %M) of one whole process, which must succeed. */
function timed(command: string, args: readonly string[], env: NodeJS.ProcessEnv = cliEnv()): Timed {
  const report = join(tmpdir(), `mlops-engine-scale-time-${process.pid}.txt`);
  const haveTime = existsSync('/usr/bin/time');
  const started = performance.now();
  const r = haveTime
    ? spawnSync('/usr/bin/time', ['-o', report, '-f', '%M', command, ...args], { cwd: REPO_ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
    : spawnSync(command, args, { cwd: REPO_ROOT, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-3000)}`);
  const peakKb = haveTime ? Number(readFileSync(report, 'utf8').trim().split('\n').pop()) : NaN;
  return { ms: round(ms, 0), peakRssMB: round(peakKb / 1024, 1), stdout: r.stdout };
}

// ---------------------------------------------------------------------------------------------
// Stores, built once per shape and cached

/** The mlops workspace (its store in <ws>/.mlops) of this shape, built through openWorkspaceStore + logBatch. */
async function mlopsStore(shape: Shape): Promise<string> {
  const ws = join(CACHE, `mlops-${shapeKey(shape)}`);
  if (existsSync(join(ws, 'complete'))) return ws;
  const building = `${ws}.building`;
  rmSync(building, { recursive: true, force: true });
  console.log(`building the mlops store: ${describeShape(shape)} (once; cached in ${ws})`);
  const started = performance.now();
  const store = await openWorkspaceStore({ dir: join(building, '.mlops'), writerName: 'engine scale bench' });
  try {
    const experimentId = await store.tracking.createExperiment('scale');
    const one = async (r: number): Promise<void> => {
      const startTime = START + r * 1000;
      const { info } = await store.tracking.createRun({ experimentId, runName: `run-${r}`, startTime });
      const params = Array.from({ length: shape.params }, (_, i) => ({ key: `p${i}`, value: paramValue(r, i) }));
      const metrics = [];
      for (let k = 0; k < shape.metrics; k++) for (let s = 0; s < shape.steps; s++) metrics.push({ key: `m${k}`, value: metricValue(r, k, s), timestamp: startTime + s, step: s });
      // One big batch a run (MLflow's limits are 1,000 metrics and 100 params a call: this stays within them).
      for (let from = 0; from < Math.max(1, metrics.length); from += 1000) await store.tracking.logBatch({ runId: info.runId, metrics: metrics.slice(from, from + 1000), params: from === 0 ? params : [] });
      await store.tracking.updateRun(info.runId, { status: 'FINISHED', endTime: startTime + 500 });
    };
    const PIPELINE = 32;
    for (let r = 0; r < shape.runs; r += PIPELINE) {
      await Promise.all(Array.from({ length: Math.min(PIPELINE, shape.runs - r) }, (_, j) => one(r + j)));
      if (Math.floor((r + PIPELINE) / 5000) > Math.floor(r / 5000)) console.log(`  ${Math.min(shape.runs, r + PIPELINE)} runs, ${round((performance.now() - started) / 1000, 0)} s`);
    }
  } finally {
    await store.close();
  }
  rmSync(ws, { recursive: true, force: true });
  renameSync(building, ws);
  writeFileSync(join(ws, 'complete'), `${describeShape(shape)}, built in ${round((performance.now() - started) / 1000, 0)} s\n`);
  console.log(`  built in ${round((performance.now() - started) / 1000, 0)} s: ${mb(treeBytes(join(ws, '.mlops')))} MB on disk`);
  return ws;
}

const MLFLOW_BUILD = `
import sys, time
from mlflow.tracking import MlflowClient
from mlflow.entities import Metric, Param
uri, runs, nparams, nmetrics, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = MlflowClient(tracking_uri=uri)
exp = c.get_experiment_by_name('scale')
eid = exp.experiment_id if exp else c.create_experiment('scale')
t0 = time.time()
for r in range(runs):
    start = 1700000000000 + r * 1000
    rid = c.create_run(eid, run_name=f'run-{r}', start_time=start).info.run_id
    params = [Param(f'p{i}', f'v{(r * 31 + i * 17) % 1000}') for i in range(nparams)]
    metrics = [Metric(f'm{k}', ((r * 7919 + k * 104729 + s * 1299709) % 10007) / 10007, start + s, s) for k in range(nmetrics) for s in range(steps)]
    for i in range(0, max(1, len(metrics)), 1000):
        c.log_batch(rid, metrics=metrics[i:i + 1000], params=params if i == 0 else [])
    c.set_terminated(rid, 'FINISHED', end_time=start + 500)
    if r % 500 == 0: print(r, round(time.time() - t0, 1), flush=True)
print('done', runs, round(time.time() - t0, 1), flush=True)
`;

/** MLflow's SQLite store of this shape, built through the stock client (MlflowClient on sqlite:///). */
function mlflowStore(shape: Shape, env: NodeJS.ProcessEnv, python: string): string {
  const dir = join(CACHE, `mlflow-${shapeKey(shape)}`);
  const building = `${dir}.building`;
  // Another run of this bench building it now (its database changed in the last minute): wait for it.
  while (existsSync(join(building, 'mlflow.db')) && Date.now() - statSync(join(building, 'mlflow.db')).mtimeMs < 60_000) spawnSync('sleep', ['10']);
  if (existsSync(join(dir, 'mlflow.db'))) return join(dir, 'mlflow.db');
  rmSync(building, { recursive: true, force: true });
  mkdirSync(building, { recursive: true });
  console.log(`building MLflow's SQLite store: ${describeShape(shape)} through MlflowClient (once; cached in ${dir})`);
  const started = performance.now();
  const r = spawnSync(python, ['-c', MLFLOW_BUILD, `sqlite:///${join(building, 'mlflow.db')}`, String(shape.runs), String(shape.params), String(shape.metrics), String(shape.steps)], { cwd: building, env, stdio: ['ignore', 'inherit', 'pipe'], encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`building MLflow's store failed: ${r.stderr.slice(-3000)}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(building, dir);
  console.log(`  built in ${round((performance.now() - started) / 1000, 0)} s`);
  return join(dir, 'mlflow.db');
}

async function smallWorkspace(): Promise<string> {
  const ws = join(CACHE, 'mlops-small-20');
  if (existsSync(join(ws, 'complete'))) return ws;
  rmSync(ws, { recursive: true, force: true });
  const store = await openWorkspaceStore({ dir: join(ws, '.mlops'), writerName: 'engine scale bench' });
  try {
    const experimentId = await store.tracking.createExperiment('small');
    for (let i = 0; i < 20; i++) {
      const created = await store.tracking.createRun({ experimentId, runName: `run-${i}` });
      await store.tracking.logBatch({ runId: created.info.runId, metrics: [{ key: 'accuracy', value: i / 20, timestamp: Date.now(), step: 0 }], params: [{ key: 'lr', value: '0.01' }] });
      await store.tracking.updateRun(created.info.runId, { status: 'FINISHED', endTime: Date.now() });
    }
  } finally {
    await store.close();
  }
  writeFileSync(join(ws, 'complete'), '20 runs\n');
  return ws;
}

/** Stops whatever engine this bench left on `ws`'s store. */
async function stopIfRunning(ws: string): Promise<void> {
  await stopEngine(join(ws, '.mlops'));
}

// ---------------------------------------------------------------------------------------------
// Parts

function authorization(engine: { token: string | null }): Record<string, string> {
  return engine.token ? { Authorization: `Bearer ${engine.token}` } : {};
}

async function experimentId(engine: { url: string; token: string | null }, name: string): Promise<string> {
  const response = await fetch(`${engine.url}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${encodeURIComponent(name)}`, { headers: authorization(engine) });
  if (!response.ok) throw new Error(`experiments/get-by-name answered ${response.status}`);
  return ((await response.json()) as { experiment: { experiment_id: string } }).experiment.experiment_id;
}

async function partOpen(dist: string): Promise<Record<string, unknown>> {
  const shape: Shape = { runs: OPEN_RUNS, params: 20, metrics: 20, steps: 1 };
  const ws = await mlopsStore(shape);
  const dir = join(ws, '.mlops');
  await stopIfRunning(ws);
  const opens: Record<string, unknown>[] = [];
  for (let i = 0; i < 3; i++) {
    const before = load();
    const started = performance.now();
    const engine = await ensureEngine(dir, { entry: join(dist, 'engine.js'), idleMs: ENGINE_IDLE_MS });
    const openMs = round(performance.now() - started, 0);
    if (!engine.started) throw new Error(`an engine already ran for ${dir}`);
    const rssAfterOpenMB = procMb(engine.pid);
    // What a client's first question costs: one page of runs, newest first (what `mlops runs list` asks).
    const scale = await experimentId(engine, 'scale');
    const searchStarted = performance.now();
    const response = await fetch(`${engine.url}/api/2.0/mlflow/runs/search`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...authorization(engine) },
      body: JSON.stringify({ experiment_ids: [scale], max_results: 100 }),
    });
    const page = (await response.json()) as { runs?: unknown[] };
    const firstSearchMs = round(performance.now() - searchStarted, 0);
    if (!response.ok) throw new Error(`runs/search answered ${response.status}`);
    const figures = { openMs, rssAfterOpenMB, firstSearchMs, firstSearchRuns: page.runs?.length ?? 0, rssAfterFirstSearchMB: procMb(engine.pid), peakRssMB: procMb(engine.pid, 'VmHWM'), loadBefore: before, loadAfter: load() };
    console.log(`open ${i + 1}: ${openMs} ms to /health, engine RSS ${rssAfterOpenMB} MB; first runs search (100) ${firstSearchMs} ms, RSS then ${figures.rssAfterFirstSearchMB} MB, peak ${figures.peakRssMB} MB — client: ensureEngine (src/core/engine/engineLauncher.ts); ${before.uptime}`);
    opens.push(figures);
    await stopEngine(dir);
  }
  const openMs = median(opens.map((o) => o.openMs as number));
  const rss = median(opens.map((o) => o.rssAfterOpenMB as number));
  return {
    store: describeShape(shape),
    storeOnDiskMB: mb(treeBytes(dir)),
    client: 'ensureEngine(dir) from src/core/engine/engineLauncher.ts (spawns dist/engine.js detached), until its /health answers',
    opens,
    medianOpenMs: openMs,
    medianRssAfterOpenMB: rss,
    targets: { openMs: 2000, rssMB: 1024, openMet: openMs <= 2000, rssMet: rss <= 1024 },
  };
}

const MLFLOW_SEARCH = `
import sys
from mlflow.tracking import MlflowClient
c = MlflowClient(tracking_uri=sys.argv[1])
eid = c.get_experiment_by_name('scale').experiment_id
runs = c.search_runs([eid], filter_string=sys.argv[2], max_results=100)
keys = ['m0', 'm1', 'm10', 'm11']
print('RUN ID  NAME  STATUS  STARTED  ' + '  '.join(keys))
for r in runs:
    m = r.data.metrics
    print(r.info.run_id, r.info.run_name, r.info.status, r.info.start_time, *[m.get(k, '-') for k in keys])
`;

interface ListFigures {
  readonly medianMs: number;
  readonly medianPeakRssMB: number;
  readonly runsMs: number[];
  readonly peakRssMB: number[];
  readonly rows: number;
}

function summarize(all: Timed[]): ListFigures {
  return { medianMs: median(all.map((t) => t.ms)), medianPeakRssMB: median(all.map((t) => t.peakRssMB)), runsMs: all.map((t) => t.ms), peakRssMB: all.map((t) => t.peakRssMB), rows: all[0]!.stdout.split('\n').filter((line) => /^[0-9a-f]{32}\b/.test(line)).length };
}

/** mlops through a warm engine, and MLflow's store when there is one, alternating round by round. */
async function listSideBySide(dist: string, shape: Shape, mlflow: { python: string; env: NodeJS.ProcessEnv; db: string } | undefined): Promise<Record<string, unknown>> {
  const ws = await mlopsStore(shape);
  const dir = join(ws, '.mlops');
  await stopIfRunning(ws);
  const cli = join(dist, 'cli.js');
  const startStarted = performance.now();
  const engine = await ensureEngine(dir, { entry: join(dist, 'engine.js'), idleMs: ENGINE_IDLE_MS });
  const engineOpenMs = round(performance.now() - startStarted, 0);
  try {
    const commands: Record<string, () => Timed> = {
      'mlops runs list': () => timed(process.execPath, [cli, '-w', ws, 'runs', 'list', '-e', 'scale']),
      [`mlops runs search "${FILTER}"`]: () => timed(process.execPath, [cli, '-w', ws, 'runs', 'search', FILTER, '-e', 'scale']),
      ...(mlflow
        ? {
            'MLflow SQLite: MlflowClient().search_runs (list)': () => timed(mlflow.python, ['-c', MLFLOW_SEARCH, `sqlite:///${mlflow.db}`, ''], mlflow.env),
            [`MLflow SQLite: MlflowClient().search_runs ("${FILTER}")`]: () => timed(mlflow.python, ['-c', MLFLOW_SEARCH, `sqlite:///${mlflow.db}`, FILTER], mlflow.env),
          }
        : {}),
    };
    // A first round each, not counted: page cache and the engine's first reads.
    for (const run of Object.values(commands)) run();
    const times = new Map<string, Timed[]>();
    const loads: ReturnType<typeof load>[] = [load()];
    for (let round_ = 0; round_ < ROUNDS; round_++) {
      for (const [name, run] of Object.entries(commands)) times.set(name, [...(times.get(name) ?? []), run()]);
      loads.push(load());
    }
    const results = Object.fromEntries([...times].map(([name, all]) => [name, summarize(all)]));
    const engineRssMB = procMb(engine.pid);
    console.log(`\n${describeShape(shape)}, whole process, median of ${ROUNDS} alternating rounds (engine warm: pid ${engine.pid}, opened in ${engineOpenMs} ms, RSS ${engineRssMB} MB); ${loads[loads.length - 1]!.uptime}`);
    for (const [name, r] of Object.entries(results)) console.log(`  ${name.padEnd(64)} ${String(r.medianMs).padStart(6)} ms  peak RSS ${String(r.medianPeakRssMB).padStart(6)} MB  (${r.rows} rows; runs ${r.runsMs.join(', ')} ms)`);
    const list = results['mlops runs list']!;
    const search = results[`mlops runs search "${FILTER}"`]!;
    const flList = results['MLflow SQLite: MlflowClient().search_runs (list)'];
    const flSearch = results[`MLflow SQLite: MlflowClient().search_runs ("${FILTER}")`];
    return {
      store: describeShape(shape),
      storeOnDiskMB: mb(treeBytes(dir)),
      ...(mlflow ? { mlflowDbMB: mb(statSync(mlflow.db).size) } : {}),
      clients: {
        mlops: `node dist/cli.js -w WS runs list -e scale | runs search "${FILTER}" -e scale (through the running engine; 100 rows, the default page)`,
        mlflow: "python -c: MlflowClient(tracking_uri='sqlite:///…').search_runs([scale], filter_string, max_results=100), printing the same columns",
        measure: '/usr/bin/time -f %M (peak RSS of the client process); wall time from spawn to exit',
      },
      engine: { pid: engine.pid, openMs: engineOpenMs, rssMB: engineRssMB, peakRssMB: procMb(engine.pid, 'VmHWM') },
      results,
      speedup: flList && flSearch ? { list: round(flList.medianMs / list.medianMs), search: round(flSearch.medianMs / search.medianMs) } : null,
      targets: {
        ms: 500,
        listMet: list.medianMs <= 500,
        searchMet: search.medianMs <= 500,
        fourTimesFaster: flList && flSearch ? { list: flList.medianMs / list.medianMs >= 4, search: flSearch.medianMs / search.medianMs >= 4 } : 'no MLflow here',
      },
      loads,
    };
  } finally {
    await stopEngine(dir);
  }
}

async function partList(dist: string): Promise<Record<string, unknown>> {
  const found = findMlflowPython();
  const full: Shape = { runs: LIST_RUNS, params: 100, metrics: 100, steps: 10 };
  if ('reason' in found) {
    console.log(`no MLflow side by side: ${found.reason}`);
    return { [shapeKey(full)]: await listSideBySide(dist, full, undefined), mlflow: found.reason };
  }
  const side: Shape = { ...full, runs: MLFLOW_RUNS };
  await mlopsStore(full);
  const db = mlflowStore(side, found.env, found.python);
  const out: Record<string, unknown> = {};
  if (side.runs !== full.runs) {
    console.log(`MLflow's store has ${side.runs} runs (BENCH_MLFLOW_RUNS); mlops is measured alone at ${full.runs} and side by side at ${side.runs}`);
    out[shapeKey(full)] = await listSideBySide(dist, full, undefined);
  }
  out[shapeKey(side)] = await listSideBySide(dist, side, { ...found, db });
  return out;
}

async function partSmall(dist: string): Promise<Record<string, unknown>> {
  const ws = await smallWorkspace();
  const dir = join(ws, '.mlops');
  const cli = join(dist, 'cli.js');
  const list = (): Timed => timed(process.execPath, [cli, '-w', ws, 'runs', 'list', '-e', 'small']);
  await stopIfRunning(ws);
  const engine = await ensureEngine(dir, { entry: join(dist, 'engine.js'), idleMs: ENGINE_IDLE_MS });
  let held: ListFigures;
  const loadHeld = load();
  try {
    list();
    held = summarize(Array.from({ length: ROUNDS }, list));
  } finally {
    await stopEngine(dir);
  }
  if (await runningEngine(dir)) throw new Error('the engine did not stop');
  const loadAlone = load();
  list();
  const alone = summarize(Array.from({ length: ROUNDS }, list));
  if (await runningEngine(dir)) throw new Error('runs list started an engine');
  console.log(`\n20-run store, whole-process mlops runs list, median of ${ROUNDS}:`);
  console.log(`  engine holds the store (pid ${engine.pid}): ${held.medianMs} ms, peak RSS ${held.medianPeakRssMB} MB (runs ${held.runsMs.join(', ')}); ${loadHeld.uptime}`);
  console.log(`  no engine (the CLI opens the store):  ${alone.medianMs} ms, peak RSS ${alone.medianPeakRssMB} MB (runs ${alone.runsMs.join(', ')}); ${loadAlone.uptime}`);
  return {
    store: '20 runs, 1 param + 1 metric each',
    client: 'node dist/cli.js -w WS runs list -e small',
    engineHolds: { ...held, load: loadHeld },
    noEngine: { ...alone, load: loadAlone },
    targets: { engineHoldsMs: 300, met: held.medianMs <= 300 },
  };
}

const LOAD_CLIENT = `
const autocannon = require(process.argv[2]);
process.once('message', (options) => {
  autocannon(options, (error, result) => {
    if (error) { process.send({ error: String(error) }); return; }
    process.send({ requests: result.requests.total, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max, non2xx: result.non2xx, errors: result.errors + result.timeouts });
  });
});
`;

/** Least-squares slope of (seconds, MB) in MB per minute. */
function slopePerMinute(points: readonly { s: number; mb: number }[]): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((a, p) => a + p.s, 0) / n;
  const my = points.reduce((a, p) => a + p.mb, 0) / n;
  const num = points.reduce((a, p) => a + (p.s - mx) * (p.mb - my), 0);
  const den = points.reduce((a, p) => a + (p.s - mx) ** 2, 0);
  return den === 0 ? 0 : round((num / den) * 60, 2);
}

async function partServe(dist: string): Promise<Record<string, unknown>> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-engine-scale-serve-'));
  const ws = join(work, 'ws');
  const dir = join(ws, '.mlops');
  const cli = join(dist, 'cli.js');
  let serve: ChildProcess | undefined;
  let client: ChildProcess | undefined;
  try {
    mkdirSync(dir, { recursive: true });
    const engine = await ensureEngine(dir, { entry: join(dist, 'engine.js'), idleMs: ENGINE_IDLE_MS });
    const trained = JSON.parse(timed(process.execPath, [cli, '-w', ws, '--json', 'train', join(REPO_ROOT, 'examples/penguins.train.yaml'), '--backend', 'js', '--quiet']).stdout) as { runId: string };
    timed(process.execPath, [cli, '-w', ws, 'models', 'register', trained.runId, '--name', 'penguins']);
    serve = spawn(process.execPath, [cli, '-w', ws, '--json', 'serve', 'models:/penguins/1'], { cwd: REPO_ROOT, env: cliEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    serve.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const info = await new Promise<{ name: string; url: string; requestLog: { maxRows: number; maxDays: number } }>((resolve, reject) => {
      let text = '';
      serve!.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        try {
          resolve(JSON.parse(text) as { name: string; url: string; requestLog: { maxRows: number; maxDays: number } });
        } catch {
          // not the whole JSON yet
        }
      });
      serve!.once('exit', (code) => reject(new Error(`mlops serve exited ${code}: ${stderr}`)));
    });
    // One row, as a single-row /invocations from an application.
    const lines = readFileSync(join(REPO_ROOT, 'examples/data/penguins.csv'), 'utf8').trim().split('\n');
    const header = (lines[0] as string).split(',');
    const keep = header.map((c, i) => [c, i] as const).filter(([c]) => c !== 'species');
    const cells = (lines[1] as string).split(',');
    const row = keep.map(([, i]) => {
      const cell = cells[i] ?? '';
      if (cell === '' || cell === 'NA') return null;
      const n = Number(cell);
      return Number.isFinite(n) ? n : cell;
    });
    const body = JSON.stringify({ dataframe_split: { columns: keep.map(([c]) => c), data: [row] } });
    const probe = await fetch(`${info.url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (probe.status !== 200) throw new Error(`the endpoint answered ${probe.status}: ${await probe.text()}`);

    const logFolder = endpointLogFolder(dir, info.name);
    const endpointPids = (): number[] => childrenOf(engine.pid).filter((pid) => procMb(pid) !== undefined);
    const samples: { s: number; engineRssMB: number | undefined; endpointRssMB: number | undefined; requestLogMB: number; storeMB: number; load1: number }[] = [];
    const started = performance.now();
    const sample = (): void => {
      const children = endpointPids();
      const entry = { s: round((performance.now() - started) / 1000, 0), engineRssMB: procMb(engine.pid), endpointRssMB: children.length ? round(children.reduce((a, pid) => a + (procMb(pid) ?? 0), 0), 1) : undefined, requestLogMB: mb(treeBytes(logFolder)), storeMB: mb(treeBytes(dir)), load1: round(loadavg()[0] as number) };
      samples.push(entry);
      console.log(`  ${String(entry.s).padStart(4)} s  engine RSS ${entry.engineRssMB} MB  endpoint RSS ${entry.endpointRssMB ?? '-'} MB  request log ${entry.requestLogMB} MB  store ${entry.storeMB} MB  load ${entry.load1}`);
    };
    const loadBefore = load();
    console.log(`\nserving ${SERVE_RATE} req/s (single row) for ${SERVE_MINUTES} min through mlops serve (endpoint ${info.name} in engine pid ${engine.pid}, retention ${info.requestLog.maxRows} rows / ${info.requestLog.maxDays} days); ${loadBefore.uptime}`);
    sample();
    const timer = setInterval(sample, 10_000);
    const clientFile = join(work, 'client.js');
    writeFileSync(clientFile, LOAD_CLIENT);
    client = fork(clientFile, [require.resolve('autocannon')], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const result = await new Promise<{ error?: string; requests: number; rps: number; p50: number; p99: number; max: number; non2xx: number; errors: number }>((resolve, reject) => {
      client!.once('message', (m: { error?: string; requests: number; rps: number; p50: number; p99: number; max: number; non2xx: number; errors: number }) => resolve(m));
      client!.once('exit', (code) => reject(new Error(`the load generator exited with ${code}`)));
      client!.send({ url: `${info.url}/invocations`, connections: 16, overallRate: SERVE_RATE, duration: SERVE_MINUTES * 60, method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    });
    clearInterval(timer);
    sample();
    if (result.error) throw new Error(result.error);
    const seconds = (performance.now() - started) / 1000;
    const rss = samples.map((s) => s.engineRssMB ?? NaN);
    const first = rss[0]!;
    const last = rss[rss.length - 1]!;
    const max = Math.max(...rss);
    // The slope after the first minute: warm-up (JIT, caches, the first log segments) is not growth.
    const steady = samples.filter((s) => s.s >= 60 && s.engineRssMB !== undefined).map((s) => ({ s: s.s, mb: s.engineRssMB! }));
    const steadyRss = steady.map((p) => p.mb);
    const figures = {
      client: 'autocannon (own process), 16 connections, overallRate 1000/s, single-row dataframe_split POSTs to the endpoint mlops serve started in the engine',
      minutes: SERVE_MINUTES,
      requests: result.requests,
      requestsPerSecond: round(result.requests / seconds, 0),
      latencyMs: { p50: result.p50, p99: result.p99, max: result.max },
      non2xx: result.non2xx,
      errors: result.errors,
      engineRssMB: {
        first,
        last,
        max,
        slopeMBPerMinute: slopePerMinute(samples.filter((s) => s.engineRssMB !== undefined).map((s) => ({ s: s.s, mb: s.engineRssMB! }))),
        steadySlopeMBPerMinute: slopePerMinute(steady),
        steadySpreadPercent: steadyRss.length ? round(((Math.max(...steadyRss) - Math.min(...steadyRss)) / median(steadyRss)) * 100, 1) : null,
      },
      requestLog: { retentionRows: info.requestLog.maxRows, retentionDays: info.requestLog.maxDays, endMB: samples[samples.length - 1]!.requestLogMB, maxMB: Math.max(...samples.map((s) => s.requestLogMB)) },
      loadBefore,
      loadAfter: load(),
      samples,
    };
    const rl = figures.requestLog;
    console.log(`  ${result.requests} requests (${figures.requestsPerSecond}/s), p50 ${result.p50} ms, p99 ${result.p99} ms, non-2xx ${result.non2xx}, errors ${result.errors}`);
    console.log(`  engine RSS first ${first} / last ${last} / max ${max} MB; slope ${figures.engineRssMB.slopeMBPerMinute} MB/min (after the first minute ${figures.engineRssMB.steadySlopeMBPerMinute} MB/min, spread ${figures.engineRssMB.steadySpreadPercent}%)`);
    console.log(`  request log ${rl.endMB} MB at the end (max ${rl.maxMB} MB) for ${result.requests} requests; retention ${rl.retentionRows} rows / ${rl.retentionDays} days`);
    return figures;
  } finally {
    client?.kill();
    serve?.kill('SIGINT');
    if (serve && serve.exitCode === null) await new Promise((resolve) => serve!.once('exit', resolve));
    await stopEngine(dir).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  for (const a of asked) if (!PARTS.includes(a as Part)) throw new Error(`unknown part "${a}": one of ${PARTS.join(', ')}`);
  const parts = asked.length ? (asked as Part[]) : [...PARTS];
  mkdirSync(CACHE, { recursive: true });
  const dist = privateDist();
  const previous = existsSync(RESULTS_FILE) ? (JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { parts?: Record<string, unknown> }) : {};
  const results: Record<string, unknown> = { ...(previous.parts ?? {}) };
  const save = (): void => {
    mkdirSync(join(RESULTS_FILE, '..'), { recursive: true });
    writeFileSync(RESULTS_FILE, `${JSON.stringify({ bench: 'engine-scale', node: process.version, parts: results }, null, 2)}\n`);
  };
  try {
    for (const part of parts) {
      const run = { open: partOpen, list: partList, small: partSmall, serve: partServe }[part];
      const figures = await run(dist);
      results[part] = { date: new Date().toISOString(), ...figures };
      save();
    }
  } finally {
    rmSync(join(dist, '..'), { recursive: true, force: true });
  }
  console.log(`\nsaved ${RESULTS_FILE}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
