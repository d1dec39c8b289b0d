/**
 * NSGA-II (Deb et al. 2002) as a trial sampler. Trials finish one by one (several in parallel),
 * so it is the steady-state form: the parents of each new trial are picked from the best
 * `populationSize` finished trials — by non-dominated rank, then crowding distance — and its
 * values come from simulated binary crossover and polynomial mutation. Until a population has
 * finished, trials are random (the first generation).
 */
import { crowdingDistances, lowerIsBetter, nonDominatedRanks } from './paretoFront';
import type { SeededRandom } from './seededRandom';
import type { Sampler, TrialRecord } from './tuneSamplers';
import type { ParamDistribution, TuneObjective, TuneSpec } from './tuneSpec';

/** how close children stay to their parents: Deb's usual values */
const CROSSOVER_ETA = 15;
const MUTATION_ETA = 20;
const CROSSOVER_PROBABILITY = 0.9;

interface Ranked {
  readonly trial: TrialRecord;
  readonly rank: number;
  readonly crowding: number;
}

export function nsga2Sampler(
  params: TuneSpec['params'],
  objectives: readonly TuneObjective[],
  populationSize: number,
  random: SeededRandom,
  sampleOne: (d: ParamDistribution, random: SeededRandom) => unknown,
): Sampler {
  const fresh = (): Record<string, unknown> => Object.fromEntries(params.map(([path, d]) => [path, sampleOne(d, random)]));
  return {
    next: (history) => {
      const finished = history.filter((t) => t.state === 'complete' && valuesOf(t, objectives).every(Number.isFinite));
      if (finished.length < populationSize) return fresh();
      const population = survivors(finished, objectives, populationSize);
      const a = tournament(population, random);
      const b = tournament(population, random);
      const mutationProbability = 1 / Math.max(1, params.length);
      const child: Record<string, unknown> = {};
      const crossover = random.next() < CROSSOVER_PROBABILITY;
      for (const [path, d] of params) {
        const x = a.params[path];
        const y = b.params[path];
        if (d.type === 'categorical') {
          let value = crossover && random.next() < 0.5 ? y : x;
          if (random.next() < mutationProbability) value = sampleOne(d, random);
          child[path] = value;
          continue;
        }
        const axis = numericAxis(d);
        let u = crossover ? simulatedBinaryCrossover(axis.to(x as number), axis.to(y as number), random) : axis.to(x as number);
        if (random.next() < mutationProbability) u = polynomialMutation(u, random);
        child[path] = axis.from(u);
      }
      return child;
    },
  };
}

function valuesOf(t: TrialRecord, objectives: readonly TuneObjective[]): number[] {
  return t.values ?? (objectives.length === 1 && t.value !== undefined ? [t.value] : [Number.NaN]);
}

/** The best `size` trials: whole fronts in rank order, the last one cut by crowding distance. */
function survivors(finished: readonly TrialRecord[], objectives: readonly TuneObjective[], size: number): Ranked[] {
  const points = finished.map((t) => lowerIsBetter(valuesOf(t, objectives), objectives));
  const ranks = nonDominatedRanks(points);
  const out: Ranked[] = [];
  for (let rank = 0; out.length < size; rank++) {
    const members = ranks.flatMap((r, i) => (r === rank ? [i] : []));
    if (members.length === 0) break;
    const crowding = crowdingDistances(members.map((i) => points[i] as number[]));
    const ranked = members.map((i, k) => ({ trial: finished[i] as TrialRecord, rank, crowding: crowding[k] as number })).sort((p, q) => q.crowding - p.crowding);
    out.push(...ranked.slice(0, size - out.length));
  }
  return out;
}

/** Binary tournament: lower rank wins, then the less crowded. */
function tournament(population: readonly Ranked[], random: SeededRandom): TrialRecord {
  const p = population[random.int(population.length)] as Ranked;
  const q = population[random.int(population.length)] as Ranked;
  if (p.rank !== q.rank) return (p.rank < q.rank ? p : q).trial;
  return (p.crowding >= q.crowding ? p : q).trial;
}

/** A numeric parameter on [0, 1] (in log space for log scales), and back, clamped and rounded. */
function numericAxis(d: Exclude<ParamDistribution, { type: 'categorical' }>): { to: (v: number) => number; from: (u: number) => number } {
  const log = d.type === 'log_uniform' || (d.type === 'int' && d.log);
  const low = d.type === 'int' ? d.low - 0.5 : d.low;
  const high = d.type === 'int' ? d.high + 0.5 : d.high;
  const t = (v: number): number => (log ? Math.log(Math.max(v, 1e-300)) : v);
  const lo = t(low);
  const hi = t(high);
  const span = hi - lo || 1;
  return {
    to: (v) => Math.min(1, Math.max(0, (t(v) - lo) / span)),
    from: (u) => {
      const x = lo + Math.min(1, Math.max(0, u)) * span;
      const value = log ? Math.exp(x) : x;
      if (d.type === 'int') return Math.min(d.high, Math.max(d.low, Math.round(value)));
      return Math.min(d.high, Math.max(d.low, value));
    },
  };
}

/** One child of SBX on [0, 1]: spread around the parents like a one-point crossover of bits. */
function simulatedBinaryCrossover(x: number, y: number, random: SeededRandom): number {
  const u = random.next();
  const beta = u <= 0.5 ? (2 * u) ** (1 / (CROSSOVER_ETA + 1)) : (1 / (2 * (1 - u))) ** (1 / (CROSSOVER_ETA + 1));
  const child = random.next() < 0.5 ? 0.5 * ((1 + beta) * x + (1 - beta) * y) : 0.5 * ((1 - beta) * x + (1 + beta) * y);
  return Math.min(1, Math.max(0, child));
}

/** Deb's polynomial mutation on [0, 1]: mostly small steps, sometimes to the bounds. */
function polynomialMutation(x: number, random: SeededRandom): number {
  const u = random.next();
  const delta = u < 0.5 ? (2 * u + (1 - 2 * u) * (1 - x) ** (MUTATION_ETA + 1)) ** (1 / (MUTATION_ETA + 1)) - 1 : 1 - (2 * (1 - u) + 2 * (u - 0.5) * x ** (MUTATION_ETA + 1)) ** (1 / (MUTATION_ETA + 1));
  return Math.min(1, Math.max(0, x + delta));
}
