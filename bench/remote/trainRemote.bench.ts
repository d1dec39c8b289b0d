// `mlops train` of the penguins example against a team's MLflow server vs against the workspace
// store, as a user runs it: the whole CLI process (start, read and check the data, train in a
// worker, log params, every epoch's metrics, the dataset input and the model package, end the run),
// the local runs and the remote ones alternating so that load on the machine hits both alike.
// The target: remote ≤ 1.5× local. A real MLflow 2.12.2 server on SQLite with proxied
// artifacts (../shared/mlflow), on this machine: its own speed is part of the remote figure.
// Usage: node --import tsx bench/remote/trainRemote.bench.ts   (TRAIN_RUNS: pairs, default 5;
// TRAIN_BACKEND: the --backend, default auto as a user gets it)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { findMlflow, startRealMlflow } from '../../test/unit/server/realMlflow';
import { REPO_ROOT, round, saveResults } from '../store/benchSupport';

const PAIRS = Number(process.env.TRAIN_RUNS ?? 5);
const BACKEND = process.env.TRAIN_BACKEND ?? 'auto';
const TSX = pathToFileURL(require.resolve('tsx')).href;
const CLI = join(REPO_ROOT, 'src', 'cli', 'main.ts');

function uptime(): string {
  try {
    return execFileSync('uptime', { encoding: 'utf8' }).trim();
  } catch {
    return `load average: ${loadavg().map((l) => l.toFixed(2)).join(', ')}`;
  }
}

/** One `mlops train` as a user types it; its wall time, and what it said about the run. */
function train(workspace: string, spec: string, env: NodeJS.ProcessEnv): { ms: number; runId: string; backend: string; epochs: number; modelDir: string } {
  const started = performance.now();
  const r = spawnSync(process.execPath, ['--import', TSX, CLI, '--workspace', workspace, '--json', 'train', spec, '--backend', BACKEND], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 600_000 });
  const ms = performance.now() - started;
  if (r.status !== 0) throw new Error(`mlops train failed (exit ${String(r.status)}): ${r.stderr}`);
  const out = JSON.parse(r.stdout) as { runId: string; backend: string; epochsRun: number; modelDir: string };
  return { ms: round(ms, 0), runId: out.runId, backend: out.backend, epochs: out.epochsRun, modelDir: out.modelDir };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

async function main(): Promise<void> {
  const found = findMlflow();
  if ('reason' in found) throw new Error(`no MLflow to benchmark against: ${found.reason}`);
  const mlflow = await startRealMlflow(found);
  if (typeof mlflow === 'string') throw new Error(mlflow);
  const root = mkdtempSync(join(tmpdir(), 'mlops-train-remote-bench-'));
  try {
    // The example as shipped, with its data path made absolute (the spec is copied out of the repo).
    const spec = join(root, 'penguins.train.yaml');
    writeFileSync(spec, readFileSync(join(REPO_ROOT, 'examples', 'penguins.train.yaml'), 'utf8').replace(/^dataset: .*$/m, `dataset: ${join(REPO_ROOT, 'examples', 'data', 'penguins.csv')}`));
    const localWorkspace = join(root, 'local');
    const remoteWorkspace = join(root, 'remote');
    const remoteEnv = { MLFLOW_TRACKING_URI: mlflow.url };
    const loadBefore = uptime();
    // One of each first, not counted: the first local run creates the store, the first remote one
    // the experiment; both warm the disk cache for the data and the code.
    train(localWorkspace, spec, { MLFLOW_TRACKING_URI: '' });
    train(remoteWorkspace, spec, remoteEnv);
    const local: ReturnType<typeof train>[] = [];
    const remote: ReturnType<typeof train>[] = [];
    for (let i = 0; i < PAIRS; i++) {
      // alternate which goes first, so neither always runs right after the other
      if (i % 2 === 0) {
        local.push(train(localWorkspace, spec, { MLFLOW_TRACKING_URI: '' }));
        remote.push(train(remoteWorkspace, spec, remoteEnv));
      } else {
        remote.push(train(remoteWorkspace, spec, remoteEnv));
        local.push(train(localWorkspace, spec, { MLFLOW_TRACKING_URI: '' }));
      }
      console.log(`pair ${i + 1}/${PAIRS}: local ${local[i]?.ms} ms, remote ${remote[i]?.ms} ms`);
    }
    const loadAfter = uptime();
    const localMs = median(local.map((r) => r.ms));
    const remoteMs = median(remote.map((r) => r.ms));
    const ratio = round(remoteMs / localMs, 3);
    if (!remote.every((r) => r.modelDir.startsWith('mlflow-artifacts:/'))) throw new Error('a remote run did not put its model on the server');
    console.log(`mlops train penguins (${local[0]?.epochs} epochs, backend ${local[0]?.backend}): local median ${localMs} ms, remote median ${remoteMs} ms → ${ratio}× (target ≤ 1.5×)`);
    console.log(`load before: ${loadBefore}\nload after:  ${loadAfter}`);
    saveResults('train-remote', {
      note: `whole \`mlops train examples/penguins.train.yaml --backend ${BACKEND}\` CLI processes (tsx from source), median of ${PAIRS} alternating pairs after one warm-up each; remote = MLFLOW_TRACKING_URI at a real MLflow ${mlflow.version} on SQLite with proxied artifacts, on this machine`,
      backend: local[0]?.backend,
      epochs: local.map((r) => r.epochs),
      localMs: local.map((r) => r.ms),
      remoteMs: remote.map((r) => r.ms),
      localMedianMs: localMs,
      remoteMedianMs: remoteMs,
      remoteOverLocal: ratio,
      target: 'remote ≤ 1.5 × local',
      met: ratio <= 1.5,
      uptimeBefore: loadBefore,
      uptimeAfter: loadAfter,
    });
  } finally {
    await mlflow.stop();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
