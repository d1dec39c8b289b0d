import { formatLatencyMs } from './modelSearchOutcome';
import { PREDICT_LATENCY_METRICS } from './predictLatencyMetrics';

/** A candidate's row on the "Find Best Model" leaderboard. */
export interface LeaderboardEntry {
  readonly rank: number;
  readonly label: string;
  readonly runId?: string;
  /** `too_slow`: trained and scored, but its measured p99 latency is over the latency budget (ranked out) */
  readonly state: 'complete' | 'too_slow' | 'failed' | 'skipped';
  /** the ranking metric (lower is better for losses and errors, higher for accuracy) */
  readonly value?: number;
  readonly metrics: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly error?: string;
}

/**
 * Why a trained candidate misses the latency budget (its measured one-row p99 is over it, or was
 * not measured: a budget nobody checked is not met), or undefined when it is within.
 */
export function latencyVerdict(metrics: Readonly<Record<string, number>>, maxLatencyMs: number | undefined): string | undefined {
  if (maxLatencyMs === undefined) return undefined;
  const p99 = metrics[PREDICT_LATENCY_METRICS.p99];
  if (p99 === undefined || !Number.isFinite(p99)) return `latency not measured (no test rows) — the ${formatLatencyMs(maxLatencyMs)} ms budget cannot be checked`;
  return p99 > maxLatencyMs ? `too slow: p99 ${formatLatencyMs(p99)} ms > ${formatLatencyMs(maxLatencyMs)} ms` : undefined;
}

const STATE_ORDER: Readonly<Record<LeaderboardEntry['state'], number>> = { complete: 0, too_slow: 1, failed: 2, skipped: 2 };

/**
 * Best first: the candidates within every budget by the metric, then the too-slow ones (by the
 * metric too, so the user sees what the budget cost), then failed and skipped ones. Ranks count
 * the whole list; only `complete` entries can win.
 */
export function rankLeaderboard(entries: readonly Omit<LeaderboardEntry, 'rank'>[], metric: string, direction: 'minimize' | 'maximize'): LeaderboardEntry[] {
  const sign = direction === 'minimize' ? 1 : -1;
  return entries
    .map((e) => ((e.state === 'complete' || e.state === 'too_slow') && e.metrics[metric] !== undefined ? { ...e, value: e.metrics[metric] } : e))
    .sort((a, b) => {
      const byState = STATE_ORDER[a.state] - STATE_ORDER[b.state];
      if (byState !== 0) return byState;
      const ka = a.value === undefined ? Infinity : sign * a.value;
      const kb = b.value === undefined ? Infinity : sign * b.value;
      return ka === kb ? 0 : ka < kb ? -1 : 1;
    })
    .map((e, i) => ({ ...e, rank: i + 1 }));
}
