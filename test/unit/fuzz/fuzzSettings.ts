import type { Parameters } from 'fast-check';

/**
 * Every fuzz property runs with this seed, so `npm test` explores the same cases on every machine
 * and a failure replays exactly. MLOPS_FUZZ_SEED explores other cases by hand (a failure prints
 * its seed and path; keep the shrunk counterexample as a regular test).
 */
export const FUZZ_SEED = Number(process.env.MLOPS_FUZZ_SEED ?? 20261207);

/** MLOPS_FUZZ_SCALE=10 runs ten times the cases (and time) of each property, for a search by hand. */
const SCALE = Number(process.env.MLOPS_FUZZ_SCALE ?? 1);

/**
 * numRuns cases or timeLimitMs of work, whichever comes first: the suite stays short on a loaded
 * machine, and an interrupted run is not a failure (the cases it ran all passed). The limits of all
 * the properties in this folder add up to about 40 s; an idle machine finishes far sooner.
 */
export function fuzzParameters<T>(numRuns: number, timeLimitMs = 4_000): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: Math.ceil(numRuns * SCALE), interruptAfterTimeLimit: timeLimitMs * SCALE, markInterruptAsFailure: false };
}
