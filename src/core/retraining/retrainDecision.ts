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

/** Beyond this many decimals two scores count as equal (floating-point noise, not a better model). */
const MAX_SCORE_DECIMALS = 12;

export interface ScorePair {
  /** "0.93 vs 0.91", "0.981235 vs 0.981234": as many decimals as it takes to see the difference */
  readonly text: string;
  /** decimals used; a difference in the metric's units reads right with as many */
  readonly decimals: number;
  /** the two scores read the same even at MAX_SCORE_DECIMALS; 'exactly' when they are the same number */
  readonly equal: false | 'exactly' | 'to-places';
}

/**
 * Two scores side by side. Rounded to 4 decimals, 0.99996 and 1 both read "1", and "1 vs 1" hides
 * why one lost: add decimals until they differ, and say so when they never do.
 */
export function formatScorePair(a: number | null | undefined, b: number | null | undefined): ScorePair {
  const base = a !== null && a !== undefined && b !== null && b !== undefined && (Math.abs(a) >= 100 || Math.abs(b) >= 100) ? 1 : 4;
  if (a === null || a === undefined || b === null || b === undefined || !Number.isFinite(a) || !Number.isFinite(b)) {
    return { text: `${formatScore(a)} vs ${formatScore(b)}`, decimals: base, equal: false };
  }
  if (a === b) return { text: `${formatScore(a)} vs ${formatScore(b)}`, decimals: base, equal: 'exactly' };
  for (let decimals = base; decimals <= MAX_SCORE_DECIMALS; decimals++) {
    if (a.toFixed(decimals) === b.toFixed(decimals)) continue;
    // the usual case keeps the short form (0.93 vs 0.91); close scores keep their trailing zeros so they line up
    const text = decimals === base ? `${formatScore(a)} vs ${formatScore(b)}` : `${a.toFixed(decimals)} vs ${b.toFixed(decimals)}`;
    return { text, decimals, equal: false };
  }
  return { text: `${a.toFixed(base)} vs ${b.toFixed(base)}`, decimals: MAX_SCORE_DECIMALS, equal: 'to-places' };
}

/** A difference between two scores, with the decimals their pair needed ("by 0.000012", not "by 0"). */
function formatDifference(value: number, decimals: number): string {
  if (decimals <= 4 && Number(value.toFixed(4)) !== 0) return formatScore(value);
  let places = Math.max(decimals, 4);
  // scores that differ in the 6th decimal can differ by less than half of it
  while (places < MAX_SCORE_DECIMALS && Number(value.toFixed(places)) === 0) places++;
  return String(Number(value.toFixed(places)).toFixed(places)).replace(/(\.\d*?[1-9])0+$/, '$1');
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
  const pair = formatScorePair(c.candidate.score, c.champion.score);
  const scores = pair.text;
  if (!Number.isFinite(c.candidate.score) || !Number.isFinite(c.champion.score)) {
    return { wins: false, improvement: null, reason: `${cand} and ${champ} cannot be compared on ${c.metric} (${scores}); kept ${champ}` };
  }
  const improvement = c.direction === 'higher' ? c.candidate.score - c.champion.score : c.champion.score - c.candidate.score;
  const better = c.direction === 'higher' ? 'higher' : 'lower';
  const by = (value: number): string => formatDifference(value, pair.decimals);
  // A margin met to within rounding noise counts as met (0.93 - 0.92 is 0.010000000000000009).
  const wins = improvement > 0 && improvement >= c.minImprovement - 1e-12 && pair.equal === false;
  if (wins) {
    return { wins, improvement, reason: `${cand} beat ${champ} on ${c.metric} ${scores} (${better} is better; by ${by(improvement)}${c.minImprovement > 0 ? `, needed ${formatScore(c.minImprovement)}` : ''})` };
  }
  const shortBy =
    pair.equal === 'exactly'
      ? `a tie: both scored exactly ${formatScore(c.champion.score)}`
      : pair.equal === 'to-places'
        ? `a tie: equal to ${MAX_SCORE_DECIMALS} decimal places`
        : improvement > 0
          ? `better by only ${by(improvement)}, needed ${formatScore(c.minImprovement)}`
          : `worse by ${by(-improvement)}`;
  return { wins, improvement, reason: `${cand} did not beat ${champ} on ${c.metric} ${scores} (${better} is better; ${shortBy}); kept ${champ}` };
}
