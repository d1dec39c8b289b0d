import { nsga2Sampler } from './nsga2Sampler';
import { crowdingDistances, lowerIsBetter, nonDominatedRanks } from './paretoFront';
import { SeededRandom } from './seededRandom';
import type { ParamDistribution, TuneObjective, TuneSpec } from './tuneSpec';

/** A finished or running trial as the samplers and pruners see it. */
export interface TrialRecord {
  readonly number: number;
  readonly params: Readonly<Record<string, unknown>>;
  state: 'running' | 'complete' | 'pruned' | 'failed';
  /** objective of a complete trial, or the last intermediate value of a pruned one */
  value?: number;
  /** with several objectives: each one's value, in the spec's order (`value` is the first) */
  values?: number[];
  /** objective per epoch (1-based) */
  readonly intermediate: Map<number, number>;
}

export interface Sampler {
  /** values for the next trial, or undefined when the space is exhausted (grid) */
  next(history: readonly TrialRecord[]): Record<string, unknown> | undefined;
}

export type SamplerSpec = Pick<TuneSpec, 'sampler' | 'params' | 'seed' | 'startupTrials' | 'gridPoints' | 'objective'> & Partial<Pick<TuneSpec, 'objectives' | 'populationSize'>>;

export function makeSampler(spec: SamplerSpec): Sampler {
  const random = new SeededRandom(spec.seed);
  if (spec.sampler === 'grid') return gridSampler(spec.params, spec.gridPoints, random);
  if (spec.sampler === 'random') return { next: () => sampleAll(spec.params, random) };
  const objectives = spec.objectives ?? [spec.objective];
  if (spec.sampler === 'nsga2') return nsga2Sampler(spec.params, objectives, spec.populationSize ?? 10, random, sampleOne);
  return tpeSampler(spec.params, spec.startupTrials, objectives.length > 1 ? paretoRanking(objectives) : singleRanking(spec.objective), random);
}

/** Orders observed trials best first; TPE models the first quarter as "good". */
type Ranking = (history: readonly TrialRecord[]) => TrialRecord[];

function singleRanking(objective: TuneSpec['objective']): Ranking {
  const sign = objective.direction === 'minimize' ? 1 : -1;
  return (history) => {
    const observed = history.filter((t) => (t.state === 'complete' || t.state === 'pruned') && t.value !== undefined && Number.isFinite(t.value));
    // pruned trials stopped early: rank them after every complete trial
    return observed.sort((a, b) => rank(a) - rank(b) || sign * ((a.value as number) - (b.value as number)));
  };
}

/**
 * Multi-objective TPE (Ozaki et al. 2020, as Optuna has it): trials ordered by non-dominated rank,
 * and within a rank by crowding distance, so "good" is the front and its least crowded neighbours.
 */
function paretoRanking(objectives: readonly TuneObjective[]): Ranking {
  return (history) => {
    const observed = history.filter((t) => t.state === 'complete' && completeValues(t, objectives.length));
    const points = observed.map((t) => lowerIsBetter(t.values as number[], objectives));
    const ranks = nonDominatedRanks(points);
    const crowding = new Array<number>(observed.length).fill(0);
    for (const r of new Set(ranks)) {
      const members = ranks.flatMap((x, i) => (x === r ? [i] : []));
      crowdingDistances(members.map((i) => points[i] as number[])).forEach((d, k) => (crowding[members[k] as number] = d));
    }
    return observed.map((t, i) => ({ t, i })).sort((a, b) => (ranks[a.i] as number) - (ranks[b.i] as number) || (crowding[b.i] as number) - (crowding[a.i] as number)).map(({ t }) => t);
  };
}

function completeValues(t: TrialRecord, count: number): boolean {
  return t.values !== undefined && t.values.length === count && t.values.every(Number.isFinite);
}

function sampleAll(params: TuneSpec['params'], random: SeededRandom): Record<string, unknown> {
  return Object.fromEntries(params.map(([path, d]) => [path, sampleOne(d, random)]));
}

export function sampleOne(d: ParamDistribution, random: SeededRandom): unknown {
  switch (d.type) {
    case 'categorical':
      return d.choices[random.int(d.choices.length)];
    case 'uniform':
      return d.low + random.next() * (d.high - d.low);
    case 'log_uniform':
      return Math.exp(Math.log(d.low) + random.next() * (Math.log(d.high) - Math.log(d.low)));
    case 'int': {
      if (!d.log) return d.low + random.int(d.high - d.low + 1);
      // uniform in log space over [low, high + 1), floored: each integer gets its log-width share
      const v = Math.floor(Math.exp(Math.log(d.low) + random.next() * (Math.log(d.high + 1) - Math.log(d.low))));
      return Math.min(d.high, Math.max(d.low, v));
    }
  }
}

/** Every combination of each parameter's grid values, visited in a seeded random order. */
function gridSampler(params: TuneSpec['params'], points: number, random: SeededRandom): Sampler {
  const axes = params.map(([path, d]) => [path, gridValues(d, points)] as const);
  const total = axes.reduce((n, [, values]) => n * values.length, 1);
  const order = random.shuffle(Int32Array.from({ length: total }, (_, i) => i));
  let cursor = 0;
  return {
    next: () => {
      if (cursor >= total) return undefined;
      let index = order[cursor++] as number;
      const out: Record<string, unknown> = {};
      for (const [path, values] of axes) {
        out[path] = values[index % values.length];
        index = Math.floor(index / values.length);
      }
      return out;
    },
  };
}

export function gridValues(d: ParamDistribution, points: number): unknown[] {
  if (d.type === 'categorical') return [...d.choices];
  const at = (f: number): number => (d.type === 'log_uniform' || (d.type === 'int' && d.log) ? Math.exp(Math.log(d.low) + f * (Math.log(d.high) - Math.log(d.low))) : d.low + f * (d.high - d.low));
  const values = Array.from({ length: points }, (_, i) => at(points === 1 ? 0.5 : i / (points - 1)));
  return d.type === 'int' ? [...new Set(values.map((v) => Math.round(v)))] : values;
}

// ---- TPE (tree-structured Parzen estimator), univariate, after Bergstra et al. 2011 / Optuna ----

const CANDIDATES = 24;

function tpeSampler(params: TuneSpec['params'], startupTrials: number, ranking: Ranking, random: SeededRandom): Sampler {
  return {
    next: (history) => {
      const sorted = ranking(history);
      if (sorted.length < startupTrials) return sampleAll(params, random);
      const nGood = Math.min(Math.ceil(0.25 * sorted.length), 25);
      const good = sorted.slice(0, nGood);
      const bad = sorted.slice(nGood);
      const out: Record<string, unknown> = {};
      for (const [path, d] of params) {
        out[path] = d.type === 'categorical' ? tpeCategorical(d.choices, good.map((t) => t.params[path]), bad.map((t) => t.params[path]), random) : tpeNumeric(d, good.map((t) => t.params[path] as number), bad.map((t) => t.params[path] as number), random);
      }
      return out;
    },
  };
}

function rank(t: TrialRecord): number {
  return t.state === 'complete' ? 0 : 1;
}

function tpeCategorical(choices: readonly unknown[], good: unknown[], bad: unknown[], random: SeededRandom): unknown {
  const key = (v: unknown): string => JSON.stringify(v);
  const keys = choices.map(key);
  const weights = (values: unknown[]): number[] => {
    // a prior of one observation spread evenly keeps every choice possible
    const w = keys.map(() => 1 / keys.length);
    for (const v of values) {
      const i = keys.indexOf(key(v));
      if (i >= 0) w[i] = (w[i] as number) + 1;
    }
    const sum = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / sum);
  };
  const l = weights(good);
  const g = weights(bad);
  let best = 0;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    let u = random.next();
    let i = 0;
    while (i < l.length - 1 && u >= (l[i] as number)) u -= l[i++] as number;
    const score = Math.log(l[i] as number) - Math.log(g[i] as number);
    if (score > bestScore) [best, bestScore] = [i, score];
  }
  return choices[best];
}

interface Parzen {
  mus: number[];
  sigmas: number[];
  low: number;
  high: number;
}

function tpeNumeric(d: Exclude<ParamDistribution, { type: 'categorical' }>, good: number[], bad: number[], random: SeededRandom): number {
  const logScale = d.type === 'log_uniform' || (d.type === 'int' && d.log);
  // ints live on a continuous axis widened by half a step so both ends are as likely as the rest
  const low = d.type === 'int' ? d.low - 0.5 : d.low;
  const high = d.type === 'int' ? d.high + 0.5 : d.high;
  const to = (v: number): number => (logScale ? Math.log(Math.max(v, 1e-300)) : v);
  const lo = to(low);
  const hi = to(high);
  const l = parzen(good.map(to), lo, hi);
  const g = parzen(bad.map(to), lo, hi);
  let best = (lo + hi) / 2;
  let bestScore = -Infinity;
  for (let c = 0; c < CANDIDATES; c++) {
    const x = sampleParzen(l, random);
    const score = logDensity(l, x) - logDensity(g, x);
    if (score > bestScore) [best, bestScore] = [x, score];
  }
  const value = logScale ? Math.exp(best) : best;
  if (d.type === 'int') return Math.min(d.high, Math.max(d.low, Math.round(value)));
  return Math.min(d.high, Math.max(d.low, value));
}

/** Gaussians at the observations plus a wide prior; widths from the gaps to their neighbours. */
function parzen(points: number[], low: number, high: number): Parzen {
  const range = high - low || 1;
  const prior = (low + high) / 2;
  const mus = [...points, prior].sort((a, b) => a - b);
  const priorIndex = mus.indexOf(prior);
  const sigmas = mus.map((mu, i) => {
    if (i === priorIndex) return range;
    const left = i > 0 ? mu - (mus[i - 1] as number) : mu - low;
    const right = i < mus.length - 1 ? (mus[i + 1] as number) - mu : high - mu;
    const minimum = range / Math.min(100, 1 + mus.length);
    return Math.min(range, Math.max(left, right, minimum));
  });
  return { mus, sigmas, low, high };
}

function sampleParzen(p: Parzen, random: SeededRandom): number {
  const k = random.int(p.mus.length);
  const mu = p.mus[k] as number;
  const sigma = p.sigmas[k] as number;
  for (let attempt = 0; attempt < 100; attempt++) {
    const x = mu + sigma * gaussian(random);
    if (x >= p.low && x <= p.high) return x;
  }
  return Math.min(p.high, Math.max(p.low, mu));
}

function logDensity(p: Parzen, x: number): number {
  let sum = 0;
  for (let k = 0; k < p.mus.length; k++) {
    const mu = p.mus[k] as number;
    const s = p.sigmas[k] as number;
    const mass = normalCdf((p.high - mu) / s) - normalCdf((p.low - mu) / s);
    sum += Math.exp(-0.5 * ((x - mu) / s) ** 2) / (s * Math.sqrt(2 * Math.PI) * Math.max(mass, 1e-12));
  }
  return Math.log(sum / p.mus.length + 1e-300);
}

function gaussian(random: SeededRandom): number {
  const u = Math.max(random.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.next());
}

/** Φ(z) via the Abramowitz–Stegun erf approximation (|error| < 1.5e-7) */
function normalCdf(z: number): number {
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erf = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return z >= 0 ? (1 + erf) / 2 : (1 - erf) / 2;
}
