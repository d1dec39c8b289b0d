import type { MetricDirection } from './retrainPolicy';

export interface RetrainComparison {
  readonly model: string;
  readonly alias: string;
  readonly metric: string;
  readonly direction: MetricDirection;
  readonly minImprovement: number;
  readonly candidate: { readonly version: number; readonly score: number };
  /** absent when no version held the alias */
  readonly champion?: { readonly version: number; readonly score: number };
}

export interface RetrainDecision {
  /** the candidate should take the alias */
  readonly wins: boolean;
  /** how much better the candidate is, in the metric's direction (negative: worse); null without a comparison */
  readonly improvement: number | null;
  /** one sentence for the audit log, the notification and the CLI */
  readonly reason: string;
}

/** A score as people read it: 0.93, 0.9123, 3.142, 1234.5. */
export function formatScore(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'n/a';
  return Math.abs(value) >= 100 ? value.toFixed(1) : String(Number(value.toFixed(4)));
}

/**
 * Wins only when strictly better and by at least `minImprovement`. A score that is not a number
 * (an empty holdout class, say) never wins: the alias stays where it is.
 */
export function decideRetrain(c: RetrainComparison): RetrainDecision {
  const cand = `v${c.candidate.version}`;
  if (!c.champion) {
    if (!Number.isFinite(c.candidate.score)) return { wins: false, improvement: null, reason: `${cand} has no ${c.metric} on the holdout (${formatScore(c.candidate.score)}); @${c.alias} stays unset` };
    return { wins: true, improvement: null, reason: `no version held @${c.alias}, so ${cand} takes it (${c.metric} ${formatScore(c.candidate.score)})` };
  }
  const champ = `v${c.champion.version}`;
  const scores = `${formatScore(c.candidate.score)} vs ${formatScore(c.champion.score)}`;
  if (!Number.isFinite(c.candidate.score) || !Number.isFinite(c.champion.score)) {
    return { wins: false, improvement: null, reason: `${cand} and ${champ} cannot be compared on ${c.metric} (${scores}); kept ${champ}` };
  }
  const improvement = c.direction === 'higher' ? c.candidate.score - c.champion.score : c.champion.score - c.candidate.score;
  const better = c.direction === 'higher' ? 'higher' : 'lower';
  // A margin met to within rounding noise counts as met (0.93 - 0.92 is 0.010000000000000009).
  const wins = improvement > 0 && improvement >= c.minImprovement - 1e-12;
  if (wins) {
    return { wins, improvement, reason: `${cand} beat ${champ} on ${c.metric} ${scores} (${better} is better; by ${formatScore(improvement)}${c.minImprovement > 0 ? `, needed ${formatScore(c.minImprovement)}` : ''})` };
  }
  const shortBy = improvement > 0 ? `better by only ${formatScore(improvement)}, needed ${formatScore(c.minImprovement)}` : improvement === 0 ? 'a tie' : `worse by ${formatScore(-improvement)}`;
  return { wins, improvement, reason: `${cand} did not beat ${champ} on ${c.metric} ${scores} (${better} is better; ${shortBy}); kept ${champ}` };
}
