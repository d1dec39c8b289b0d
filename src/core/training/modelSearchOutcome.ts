import type { ModelSearchResult } from './modelSearch';

// Apart from modelSearch.ts so that showing a search's outcome does not load the search (and the
// trainer, the spec schema and ajv) into the extension host at activation.

/**
 * "Stopped: the cost budget (0.01) was spent: 0.0123 after 3 of 6 candidates", and with a latency
 * budget what it ranked out — or undefined when every candidate ran and none was too slow.
 */
export function budgetOutcome(result: ModelSearchResult): string | undefined {
  const sentences = [stopOutcome(result), latencyOutcome(result)].filter((s): s is string => s !== undefined);
  return sentences.length > 0 ? sentences.join(' ') : undefined;
}

function stopOutcome(result: ModelSearchResult): string | undefined {
  if (!result.stoppedBy) return undefined;
  const tried = result.leaderboard.filter((e) => e.state !== 'skipped').length;
  const of = `after ${tried} of ${result.leaderboard.length} candidates`;
  if (result.stoppedBy === 'cancelled') return `Cancelled ${of}.`;
  if (result.stoppedBy === 'cost') return `Stopped: the cost budget (${formatAmount(result.costBudget as number)}) was spent — ${formatAmount(result.spent.cost ?? 0)} ${of}.`;
  return `Stopped: the time budget (${result.budgetSeconds} s) was spent — ${result.spent.seconds.toFixed(0)} s ${of}.`;
}

/** "Latency budget p99 ≤ 2 ms: 2 of 5 trained candidates too slow, ranked out." */
function latencyOutcome(result: ModelSearchResult): string | undefined {
  if (result.maxLatencyMs === undefined) return undefined;
  const slow = result.leaderboard.filter((e) => e.state === 'too_slow').length;
  const trained = slow + result.leaderboard.filter((e) => e.state === 'complete').length;
  const budget = `Latency budget p99 ≤ ${formatLatencyMs(result.maxLatencyMs)} ms`;
  if (slow === 0) return `${budget}: every trained candidate is within it.`;
  if (slow === trained) return `${budget}: none of the ${trained} trained candidates is within it (all too slow).`;
  return `${budget}: ${slow} of ${trained} trained candidates too slow, ranked out.`;
}

/** A latency in ms as the leaderboard says it: "0.042", "1.3", "12". */
export function formatLatencyMs(ms: number): string {
  return ms >= 10 ? ms.toFixed(0) : ms >= 1 ? Number(ms.toFixed(1)).toString() : Number(ms.toPrecision(2)).toString();
}

/** A budget or a cost, to three significant digits. */
export function formatAmount(value: number): string {
  return Number(value.toPrecision(3)).toString();
}
