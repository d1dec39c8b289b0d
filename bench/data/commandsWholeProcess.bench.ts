// Whole-process times of the commands issue #24 names, side by side in alternating runs:
//   mlops train (MLP 32→64→32→10, 100k × 32, 3 epochs, batch 256) — vs scikit-learn if installed;
//   mlops drift --test ks, one column, 1M vs 1M rows — vs SciPy's ks_2samp (numpy.loadtxt reads;
//   pandas when installed);
//   mlops --version and mlops runs list on a small store (20 runs).
// The data commands run twice per round: first with the store's prepared tables cleared (the file
// is parsed) and again (the typed columns come from .mlops/cache/tables).
// Builds compared: MLOPS_BENCH_DISTS=dirA,dirB (each a dist/ folder with cli.js; default: dist).
// Usage: node --import tsx bench/data/commandsWholeProcess.bench.ts
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { saveResults } from '../store/benchSupport';

const root = join(__dirname, '..', '..');
const ROUNDS = 3;
const ROWS = 100_000;
const WIDTH = 32;
const CLASSES = 10;
const DRIFT_ROWS = 1_000_000;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s + 0.5) / 4294967296;
  };
}

function writeData(dir: string): { train: string; spec: string; reference: string; current: string } {
  const next = random(7);
  const header = [...Array.from({ length: WIDTH }, (_, i) => `f${i}`), 'label'].join(',');
  const lines = [header];
  for (let r = 0; r < ROWS; r++) {
    const x = Array.from({ length: WIDTH }, () => next() * 2 - 1);
    const label = Math.floor(((x[0]! + x[1]! * 0.5 + 1.5) / 3) * CLASSES) % CLASSES;
    lines.push(`${x.map((v) => v.toFixed(5)).join(',')},c${Math.max(0, label)}`);
  }
  const train = join(dir, 'train.csv');
  writeFileSync(train, `${lines.join('\n')}\n`);
  const spec = join(dir, 'mlp.train.yaml');
  writeFileSync(
    spec,
    `experiment: bench\ndataset: train.csv\ntarget: label\ntask: classification\nfeatures: all\nsplit: {train: 0.8, validation: 0.1, test: 0.1}\nmodel:\n  type: mlp\n  layers:\n    - {units: 64, activation: relu}\n    - {units: 32, activation: relu}\noptimizer: {name: adam, learning_rate: 0.001}\nepochs: 3\nbatch_size: 256\nseed: 1\n`,
  );
  const normal = (n: number, mean: number, seed: number): string => {
    const u = random(seed);
    const out: string[] = ['x'];
    for (let i = 0; i < n; i++) out.push((mean + Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u())).toFixed(6));
    return `${out.join('\n')}\n`;
  };
  const reference = join(dir, 'reference.csv');
  const current = join(dir, 'current.csv');
  writeFileSync(reference, normal(DRIFT_ROWS, 0, 1));
  writeFileSync(current, normal(DRIFT_ROWS, 0.01, 2));
  return { train, spec, reference, current };
}

function python(module: string): boolean {
  return spawnSync('python3', ['-c', `import ${module}`]).status === 0;
}

/** Wall milliseconds of a whole process (it must succeed, or exit 1 for a drifted `mlops drift`). */
function run(command: string, args: readonly string[], cwd: string, okCodes: readonly number[] = [0]): number {
  const started = performance.now();
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - started;
  if (!okCodes.includes(r.status ?? -1)) throw new Error(`${command} ${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.floor(sorted.length / 2)] as number);
}

/** A small store for runs list: 20 finished runs, one param and metric each. */
async function smallStore(dir: string): Promise<void> {
  const store = await openWorkspaceStore({ dir, writerName: 'bench' });
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
}

async function main(): Promise<void> {
  const dists = (process.env.MLOPS_BENCH_DISTS ?? join(root, 'dist')).split(',').filter((d) => d.length > 0);
  for (const d of dists) if (!existsSync(join(d, 'cli.js'))) throw new Error(`${d}/cli.js is missing: build first (node esbuild.mjs)`);
  const work = mkdtempSync(join(tmpdir(), 'mlops-bench-commands-'));
  const loadBefore = loadavg()[0] as number;
  try {
    const data = writeData(work);
    const hasPandas = python('pandas');
    const hasSklearn = python('sklearn');
    const hasScipy = python('scipy');
    const driftPy = join(work, 'drift.py');
    writeFileSync(
      driftPy,
      hasPandas
        ? 'import sys\nimport pandas as pd\nfrom scipy.stats import ks_2samp\na = pd.read_csv(sys.argv[1])["x"].to_numpy(); b = pd.read_csv(sys.argv[2])["x"].to_numpy()\nprint(ks_2samp(a, b).pvalue)\n'
        : 'import sys\nimport numpy as np\nfrom scipy.stats import ks_2samp\na = np.loadtxt(sys.argv[1], skiprows=1); b = np.loadtxt(sys.argv[2], skiprows=1)\nprint(ks_2samp(a, b).pvalue)\n',
    );
    const trainPy = join(work, 'train.py');
    writeFileSync(
      trainPy,
      'import sys\nimport pandas as pd\nfrom sklearn.neural_network import MLPClassifier\nd = pd.read_csv(sys.argv[1]); y = d.pop("label")\nMLPClassifier((64, 32), batch_size=256, max_iter=3, random_state=1).fit(d.to_numpy(), y)\n',
    );
    const small = join(work, 'small');
    await smallStore(join(small, '.mlops'));
    const times = new Map<string, number[]>();
    const add = (key: string, ms: number): void => void times.set(key, [...(times.get(key) ?? []), ms]);
    for (let round = 0; round < ROUNDS; round++) {
      for (const dist of dists) {
        const cli = join(dist, 'cli.js');
        const ws = join(work, `ws-${dists.indexOf(dist)}`);
        mkdirSync(ws, { recursive: true });
        rmSync(join(ws, '.mlops', 'cache'), { recursive: true, force: true });
        add(`${dist} train`, run(process.execPath, [cli, '-w', ws, 'train', data.spec, '--quiet'], work));
        add(`${dist} train (prepared table)`, run(process.execPath, [cli, '-w', ws, 'train', data.spec, '--quiet'], work));
        rmSync(join(ws, '.mlops', 'cache'), { recursive: true, force: true });
        add(`${dist} drift`, run(process.execPath, [cli, '-w', ws, 'drift', data.reference, data.current, '--test', 'ks'], work, [0, 1]));
        add(`${dist} drift (prepared tables)`, run(process.execPath, [cli, '-w', ws, 'drift', data.reference, data.current, '--test', 'ks'], work, [0, 1]));
        add(`${dist} --version`, run(process.execPath, [cli, '--version'], work));
        add(`${dist} runs list`, run(process.execPath, [cli, '-w', small, 'runs', 'list', '--experiment', 'small'], work));
      }
      if (hasScipy) add(`python SciPy ks_2samp (${hasPandas ? 'pandas' : 'numpy.loadtxt'} reads)`, run('python3', [driftPy, data.reference, data.current], work));
      if (hasSklearn && hasPandas) add('python scikit-learn MLPClassifier (pandas reads)', run('python3', [trainPy, data.train], work));
      add('node -e 0', run(process.execPath, ['-e', '0'], work));
      console.log(`round ${round + 1} done (load ${(loadavg()[0] as number).toFixed(2)})`);
    }
    const loadAfter = loadavg()[0] as number;
    const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
    const results = [...times].map(([name, all]) => ({ name, medianMs: median(all), runsMs: all.map(Math.round) }));
    console.log(`\nwhole process, medians of ${ROUNDS} alternating rounds; load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} (${uptime})`);
    for (const r of results) console.log(`${r.name.padEnd(70)} ${String(r.medianMs).padStart(6)} ms   runs ${r.runsMs.join(', ')}`);
    if (!hasSklearn) console.log('scikit-learn is not installed here: no training reference');
    saveResults('commands-whole-process', {
      workload: { train: `MLP 32-64-32-${CLASSES}, ${ROWS} x ${WIDTH}, 3 epochs, batch 256`, drift: `1 column, ${DRIFT_ROWS} vs ${DRIFT_ROWS} rows, ks`, runsList: '20 runs' },
      python: { pandas: hasPandas, sklearn: hasSklearn, scipy: hasScipy },
      dists,
      rounds: ROUNDS,
      machine: { loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, uptime },
      results,
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
