import type { TrialRecord } from './tuneSamplers';
import type { PrunerSpec } from './tuneSpec';

/** Decides, after each epoch of a running trial, whether to stop it. Values are direction-normalized (lower is better). */
export interface Pruner {
  shouldPrune(trial: TrialRecord, epoch: number, trials: readonly TrialRecord[], lowerIsBetter: (value: number) => number): boolean;
}

export function makePruner(spec: PrunerSpec): Pruner {
  if (spec.type === 'median') {
    return {
      // Optuna's MedianPruner: the trial's best value so far against the median of other
      // finished trials' values at the same epoch.
      shouldPrune: (trial, epoch, trials, score) => {
        if (epoch <= spec.warmupEpochs) return false;
        const others = trials
          .filter((t) => t !== trial && (t.state === 'complete' || t.state === 'pruned') && t.intermediate.has(epoch))
          .map((t) => score(t.intermediate.get(epoch) as number))
          .filter(Number.isFinite)
          .sort((a, b) => a - b);
        if (others.length < spec.minTrials) return false;
        const median = others.length % 2 ? (others[others.length >> 1] as number) : ((others[others.length / 2 - 1] as number) + (others[others.length / 2] as number)) / 2;
        let best = Infinity;
        for (const [e, v] of trial.intermediate) if (e <= epoch) best = Math.min(best, score(v));
        return best > median;
      },
    };
  }
  if (spec.type === 'successive_halving') {
    return {
      // Asynchronous successive halving: at rung epochs min·η^k a trial goes on only if it is
      // among the best 1/η of the trials that reached that rung so far (itself included).
      shouldPrune: (trial, epoch, trials, score) => {
        if (!isRung(epoch, spec.minEpochs, spec.reductionFactor)) return false;
        const mine = score(trial.intermediate.get(epoch) as number);
        const atRung = trials.filter((t) => t.intermediate.has(epoch)).map((t) => score(t.intermediate.get(epoch) as number)).sort((a, b) => a - b);
        const keep = Math.max(1, Math.floor(atRung.length / spec.reductionFactor));
        return atRung.length > 1 && mine > (atRung[keep - 1] as number);
      },
    };
  }
  return { shouldPrune: () => false };
}

function isRung(epoch: number, minEpochs: number, eta: number): boolean {
  for (let rung = minEpochs; rung <= epoch; rung *= eta) if (rung === epoch) return true;
  return false;
}
