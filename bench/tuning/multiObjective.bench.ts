// Multi-objective tuning benchmark (issue 22): hypervolume of the Pareto front found by the
// multi-objective samplers (TPE, NSGA-II) against random search, at equal trial counts, 10 seeds:
//  1. a toy problem evaluated directly (ZDT1 in 5 dimensions, both objectives minimized);
//  2. a real small spec: auto-mpg trained in-process (js backend), minimizing val_rmse and the
//     CPU-seconds the training took (its cost at any CPU-hour price).
// Also: the samplers' own time per trial against a trial's CPU time (target ≤ 1%), and how much
// of random search's front the other front covers (dominates or equals).
// Prints the figures and writes bench/results/multi-objective-tuning.json with the machine load.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { dominates, hypervolume, paretoFrontIndexes } from '../../src/core/training/paretoFront';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTrainJob } from '../../src/core/training/trainJob';
import { runTuning } from '../../src/core/training/tuningRunner';
import { makeSampler, type TrialRecord } from '../../src/core/training/tuneSamplers';
import type { TuneObjective, TuneSpec } from '../../src/core/training/tuneSpec';

const root = join(__dirname, '..', '..');
const SEEDS = 10;
const SAMPLERS = ['random', 'tpe', 'nsga2'] as const;
type SamplerName = (typeof SAMPLERS)[number];

interface SearchOutcome {
  points: number[][];
  samplerMs: number;
}

/** One search: every trial's objective values (lower is better in each) and the sampler's own time. */
async function search(sampler: SamplerName, params: TuneSpec['params'], objectives: TuneObjective[], seed: number, trials: number, evaluate: (p: Record<string, unknown>) => Promise<number[]> | number[]): Promise<SearchOutcome> {
  const s = makeSampler({ sampler, params, seed, startupTrials: 10, gridPoints: 4, objective: objectives[0]!, objectives, populationSize: 10 });
  const history: TrialRecord[] = [];
  let samplerMs = 0;
  for (let n = 0; n < trials; n++) {
    const t0 = performance.now();
    const p = s.next(history) as Record<string, unknown>;
    samplerMs += performance.now() - t0;
    const values = await evaluate(p);
    history.push({ number: n, params: p, state: 'complete', value: values[0]!, values, intermediate: new Map() });
  }
  return { points: history.map((h) => h.values!), samplerMs };
}

function front(points: number[][]): number[][] {
  return paretoFrontIndexes(points).map((i) => points[i]!);
}

/** Share of B's front that A's front dominates or equals (Zitzler's set coverage C(A, B)). */
function coverage(a: number[][], b: number[][]): number {
  const fa = front(a);
  const fb = front(b);
  return fb.filter((q) => fa.some((p) => dominates(p, q) || p.every((v, k) => v === q[k]))).length / fb.length;
}

const mean = (values: number[]): number => values.reduce((x, y) => x + y, 0) / values.length;

async function compare(name: string, params: TuneSpec['params'], objectives: TuneObjective[], trials: number, evaluate: (p: Record<string, unknown>) => Promise<number[]> | number[], fixedReference?: number[]): Promise<Record<string, unknown>> {
  const outcomes = new Map<SamplerName, SearchOutcome[]>();
  const t0 = performance.now();
  for (const sampler of SAMPLERS) {
    const runs: SearchOutcome[] = [];
    for (let seed = 0; seed < SEEDS; seed++) runs.push(await search(sampler, params, objectives, seed, trials, evaluate));
    outcomes.set(sampler, runs);
  }
  const seconds = (performance.now() - t0) / 1000;
  // one reference point for every search: the worst value seen anywhere, a tenth of the range further
  const all = [...outcomes.values()].flatMap((runs) => runs.flatMap((r) => r.points));
  const reference = fixedReference ?? objectives.map((_, k) => {
    const values = all.map((p) => p[k]!);
    const worst = Math.max(...values);
    return worst + (worst - Math.min(...values)) * 0.1;
  });
  const out: Record<string, unknown> = { name, trials, seeds: SEEDS, objectives, reference, seconds };
  const random = outcomes.get('random')!;
  for (const sampler of SAMPLERS) {
    const runs = outcomes.get(sampler)!;
    const hypervolumes = runs.map((r) => hypervolume(r.points, reference));
    const covers = sampler === 'random' ? undefined : runs.map((r, seed) => coverage(r.points, random[seed]!.points));
    const coveredBy = sampler === 'random' ? undefined : runs.map((r, seed) => coverage(random[seed]!.points, r.points));
    const wins = sampler === 'random' ? undefined : hypervolumes.filter((hv, seed) => hv > hypervolume(random[seed]!.points, reference)).length;
    const samplerMsPerTrial = mean(runs.map((r) => r.samplerMs)) / trials;
    out[sampler] = { meanHypervolume: mean(hypervolumes), hypervolumes, samplerMsPerTrial, ...(covers ? { coversRandomFront: mean(covers), coveredByRandomFront: mean(coveredBy!), seedsBeatingRandom: wins } : {}) };
    const extra = covers ? `, beats random in ${wins}/${SEEDS} seeds; covers ${(mean(covers) * 100).toFixed(0)}% of random's front, random covers ${(mean(coveredBy!) * 100).toFixed(0)}% of its` : '';
    console.log(`${name.padEnd(34)} ${sampler.padEnd(6)} mean hypervolume after ${trials} trials over ${SEEDS} seeds: ${mean(hypervolumes).toPrecision(5)} (sampler ${samplerMsPerTrial.toFixed(2)} ms/trial${extra})`);
  }
  return out;
}

// ZDT1 (Zitzler, Deb, Thiele 2000) in five dimensions; true front f2 = 1 − √f1
const zdtParams: TuneSpec['params'] = Array.from({ length: 5 }, (_, i) => [`x${i}`, { type: 'uniform', low: 0, high: 1 }] as const);
function zdt1(p: Readonly<Record<string, unknown>>): number[] {
  const x = zdtParams.map(([key]) => p[key] as number);
  const f1 = x[0]!;
  const g = 1 + (9 / (x.length - 1)) * x.slice(1).reduce((a, b) => a + b, 0);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}

/** The whole path once: trials as runs in their own processes, the front and hypervolume the study records. */
async function realStudy(specText: string): Promise<{ trials: number; frontSize: number; hypervolume: number; meanTrialCpuSeconds: number; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-mo-bench-'));
  writeFileSync(join(dir, 'a.train.yaml'), specText);
  writeFileSync(join(dir, 'a.tune.yaml'), 'train: a.train.yaml\nobjectives:\n  - {metric: val_rmse}\n  - {metric: cpu_seconds}\nsampler: tpe\nstartup_trials: 4\ntrials: 8\nparams:\n  epochs: {type: int, low: 5, high: 80}\n  model.layers.0.units: {type: int, low: 2, high: 64, log: true}\n');
  const store = await openWorkspaceStore({ dir: join(dir, '.mlops'), writerName: 'multi-objective benchmark' });
  try {
    const t0 = performance.now();
    const result = await runTuning({ store: store.tracking, tuneSpecPath: join(dir, 'a.tune.yaml'), backend: 'js' });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = await Promise.all(result.trials.map(async (t) => (await store.tracking.getRun(t.runId!)).data.metrics.find((m) => m.key === 'cpu_seconds')?.value ?? 0));
    return { trials: result.trials.length, frontSize: result.paretoFront?.front.length ?? 0, hypervolume: result.paretoFront?.hypervolume ?? 0, meanTrialCpuSeconds: mean(cpu), seconds };
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const load = { before: loadavg().map((v) => Number(v.toFixed(2))), uptime: execFileSync('uptime', { encoding: 'utf8' }).trim() };
  console.log(`load: ${load.uptime}`);
  const toy = await compare('ZDT1, 5 dims (direct)', zdtParams, [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }], 50, zdt1, [1.1, 11]);

  const specPath = join(root, 'examples', 'auto-mpg.train.yaml');
  const specText = readFileSync(specPath, 'utf8').replace('data/auto-mpg.csv', join(root, 'examples', 'data', 'auto-mpg.csv')).replace('patience: 15', 'patience: 5');
  const trialCpu: number[] = [];
  const real = await compare(
    'auto-mpg val_rmse vs CPU-seconds (js)',
    [
      ['optimizer.learning_rate', { type: 'log_uniform', low: 1e-3, high: 0.1 }],
      ['model.layers.0.units', { type: 'int', low: 2, high: 64, log: true }],
      ['model.layers.1.units', { type: 'int', low: 2, high: 32, log: true }],
      ['batch_size', { type: 'categorical', choices: [8, 16, 32, 64] }],
      ['epochs', { type: 'int', low: 5, high: 80, log: false }],
    ],
    [{ metric: 'val_rmse', direction: 'minimize' }, { metric: 'cpu_seconds', direction: 'minimize' }],
    50,
    async (overrides) => {
      const before = process.cpuUsage();
      const result = await runTrainJob({ specPath, specText, backend: 'js', overrides }, () => undefined);
      const used = process.cpuUsage(before);
      const cpuSeconds = (used.user + used.system) / 1e6;
      trialCpu.push(cpuSeconds);
      return [result.finalMetrics.val_rmse ?? Infinity, cpuSeconds];
    },
  );
  const meanTrialCpuMs = mean(trialCpu) * 1000;
  const overhead = Object.fromEntries(SAMPLERS.map((s) => [s, ((real[s] as { samplerMsPerTrial: number }).samplerMsPerTrial / meanTrialCpuMs) * 100]));
  console.log(`sampler time as a share of the training's own CPU time (in-process auto-mpg training, ${meanTrialCpuMs.toFixed(0)} ms): ${SAMPLERS.map((s) => `${s} ${overhead[s]!.toFixed(3)}%`).join(', ')}`);
  const study = await realStudy(specText);
  const perRun = Object.fromEntries(SAMPLERS.map((s) => [s, ((real[s] as { samplerMsPerTrial: number }).samplerMsPerTrial / (study.meanTrialCpuSeconds * 1000)) * 100]));
  console.log(`a real study (${study.trials} trials in their own processes, parallel 1): front of ${study.frontSize}, hypervolume ${study.hypervolume.toPrecision(4)}; a trial run used ${study.meanTrialCpuSeconds.toFixed(2)} CPU-s; sampler share of a run's CPU: ${SAMPLERS.map((s) => `${s} ${perRun[s]!.toFixed(3)}%`).join(', ')}`);
  const after = execFileSync('uptime', { encoding: 'utf8' }).trim();
  console.log(`load: ${after}`);

  const file = join(__dirname, '..', 'results', 'multi-objective-tuning.json');
  mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ machine: { cpus: cpus().length, node: process.version, uptimeBefore: load.uptime, uptimeAfter: after }, commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(), toy, real, samplerOverheadPercentOfTrainingCpu: { trainingCpuMs: meanTrialCpuMs, ...overhead }, realStudy: { ...study, samplerOverheadPercentOfRunCpu: perRun } }, null, 2)}\n`,
  );
  console.log(`wrote ${file}`);
}

void main();
