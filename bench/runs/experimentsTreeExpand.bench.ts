/**
 * What one expand of an experiment in the Experiments view moves through the extension host, on a
 * big store: BENCH_TREE_RUNS (10,000) runs × (100 params + 100 metrics) in one experiment, held
 * by an engine started with ensureEngine (from src/, so it answers with this checkout's methods).
 *
 * The view reads an expanded experiment's 200 most recent runs and its deleted ones
 * (experimentsTreeReads.readExperimentRuns). Measured both ways it can read them, through the same
 * clients the window uses (CachingTrackingStore(MlflowRestClient), httpEngine), fresh each round:
 *   searchRuns  MLflow's search API: every param, metric and tag of each run (before; still the
 *               path for a team's MLflow server, which has no engine)
 *   runs.list   the engine's list of runs: info and the few fields a row reads (a row's tooltip
 *               reads its whole run on hover: `hover` is what one hover moves)
 * Bytes are the HTTP response bodies the window receives (a counting fetch); time is the wall time
 * of the read, JSON parsing included; median of BENCH_ROUNDS (5) alternating rounds.
 *
 * The store is the engine-scale bench's cached one ($BENCH_CACHE/mlops-r10000-p100-m100x10, default
 * $TMPDIR/mlops-engine-scale-cache) when present and BENCH_TREE_RUNS is 10,000, copied to a
 * temporary folder (so no one else's engine holds it); else one is built there.
 *
 * Usage: node --import tsx bench/runs/experimentsTreeExpand.bench.ts
 * Writes bench/results/experiments-tree-expand.json.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpEngine } from '../../src/core/engine/engineClient';
import { ensureEngine, stopEngine } from '../../src/core/engine/engineLauncher';
import { CachingTrackingStore } from '../../src/core/remote/cachingTrackingStore';
import { MlflowRestClient } from '../../src/core/remote/mlflowRestClient';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { readExperimentRuns, RUNS_PER_EXPERIMENT, type TreeSource } from '../../src/vscode/experiments/experimentsTreeReads';
import { percentile, round, saveResults } from '../store/benchSupport';

const RUNS = Number(process.env.BENCH_TREE_RUNS ?? 10_000);
const PARAMS = 100;
const METRICS = 100;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CACHE = process.env.BENCH_CACHE ?? join(tmpdir(), 'mlops-engine-scale-cache');
const CACHED = join(CACHE, 'mlops-r10000-p100-m100x10');

/** Bytes of every HTTP response body read since the last reset: what reaches the extension host. */
let received = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = async (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): Promise<Response> => {
  const response = await realFetch(input, init);
  const body = await response.arrayBuffer();
  received += body.byteLength;
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};

function load(): string {
  return spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
}

async function buildStore(dir: string): Promise<void> {
  console.log(`building ${RUNS} runs × (${PARAMS} params + ${METRICS} metrics) in ${dir}`);
  const store = await openWorkspaceStore({ dir, writerName: 'experiments tree bench' });
  try {
    const experimentId = await store.tracking.createExperiment('scale');
    for (let r = 0; r < RUNS; r++) {
      const startTime = 1_700_000_000_000 + r * 1000;
      const { info } = await store.tracking.createRun({ experimentId, runName: `run-${r}`, startTime });
      const params = Array.from({ length: PARAMS }, (_, i) => ({ key: `p${i}`, value: `v${(r * 31 + i * 17) % 1000}` }));
      const metrics = Array.from({ length: METRICS }, (_, k) => ({ key: `m${k}`, value: ((r * 7919 + k * 104729) % 10007) / 10007, timestamp: startTime, step: 0 }));
      await store.tracking.logBatch({ runId: info.runId, metrics, params });
      await store.tracking.updateRun(info.runId, { status: 'FINISHED', endTime: startTime + 500 });
    }
  } finally {
    await store.close();
  }
}

async function main(): Promise<void> {
  const ws = mkdtempSync(join(tmpdir(), 'mlops-tree-expand-'));
  const dir = join(ws, '.mlops');
  try {
    if (RUNS === 10_000 && existsSync(join(CACHED, 'complete'))) {
      cpSync(join(CACHED, '.mlops'), dir, { recursive: true });
      rmSync(join(dir, 'server.json'), { force: true });
    } else await buildStore(dir);
    const started = performance.now();
    const address = await ensureEngine(dir, { idleMs: 10 * 60_000 });
    console.log(`engine (pid ${address.pid}) up in ${round((performance.now() - started) / 1000, 1)} s`);
    try {
      const engine = httpEngine(address.url, address.token);
      const window = (): CachingTrackingStore => new CachingTrackingStore(new MlflowRestClient({ url: address.url, token: address.token }));
      const { experiments } = await window().searchExperiments({ filter: "name = 'scale'" });
      const experimentId = experiments[0]?.experimentId;
      if (!experimentId) throw new Error('no experiment "scale" in the store');

      const ways: Record<string, () => TreeSource> = {
        searchRuns: () => ({ tracking: window(), engine: undefined }),
        'runs.list': () => ({ tracking: window(), engine }),
      };
      // One warm-up each: the engine's first search of the experiment reads it from SQLite.
      for (const source of Object.values(ways)) await readExperimentRuns(source(), experimentId);
      const samples: Record<string, { bytes: number[]; ms: number[]; runs: number; fields: number }> = {};
      for (let round_ = 0; round_ < ROUNDS; round_++) {
        for (const [name, source] of Object.entries(ways)) {
          received = 0;
          const t0 = performance.now();
          const { runs, deleted } = await readExperimentRuns(source(), experimentId);
          const ms = performance.now() - t0;
          const entry = (samples[name] ??= { bytes: [], ms: [], runs: runs.length + deleted.length, fields: 0 });
          entry.bytes.push(received);
          entry.ms.push(ms);
          entry.fields = runs.reduce((n, r) => n + r.data.params.length + r.data.metrics.length + r.data.tags.length, 0);
        }
      }
      // A hover over one row: its tooltip reads the whole run (getRun), once someone looks.
      const { runs: listed } = await readExperimentRuns(ways['runs.list']!(), experimentId);
      received = 0;
      const hoverStarted = performance.now();
      await window().getRun(listed[0]?.info.runId ?? '');
      const hover = { bytes: received, ms: round(performance.now() - hoverStarted, 0) };
      const figures = Object.fromEntries(
        Object.entries(samples).map(([name, s]) => [
          name,
          { runs: s.runs, fieldsReceived: s.fields, bytesPerExpand: percentile(s.bytes, 50), mbPerExpand: round(percentile(s.bytes, 50) / 1e6, 2), medianMs: round(percentile(s.ms, 50), 0), maxMs: round(Math.max(...s.ms), 0) },
        ]),
      );
      saveResults('experiments-tree-expand', {
        store: `${RUNS.toLocaleString('en-US')} runs × (${PARAMS} params + ${METRICS} metrics), one experiment`,
        expand: `the ${RUNS_PER_EXPERIMENT} most recent active runs + the deleted ones`,
        rounds: ROUNDS,
        ...figures,
        hover,
        load: load(),
        load1: round(loadavg()[0] ?? 0),
      });
    } finally {
      await stopEngine(dir).catch(() => undefined);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
