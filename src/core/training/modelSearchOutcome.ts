import type { ModelSearchResult } from './modelSearch';

// Apart from modelSearch.ts so that showing a search's outcome does not load the search (and the
// trainer, the spec schema and ajv) into the extension host at activation.

/** "Stopped: the cost budget (0.01) was spent: 0.0123 after 3 of 6 candidates" — or undefined when every candidate ran. */
export function budgetOutcome(result: ModelSearchResult): string | undefined {
  if (!result.stoppedBy) return undefined;
  const tried = result.leaderboard.filter((e) => e.state !== 'skipped').length;
  const of = `after ${tried} of ${result.leaderboard.length} candidates`;
  if (result.stoppedBy === 'cancelled') return `Cancelled ${of}.`;
  if (result.stoppedBy === 'cost') return `Stopped: the cost budget (${formatAmount(result.costBudget as number)}) was spent — ${formatAmount(result.spent.cost ?? 0)} ${of}.`;
  return `Stopped: the time budget (${result.budgetSeconds} s) was spent — ${result.spent.seconds.toFixed(0)} s ${of}.`;
}

/** A budget or a cost, to three significant digits. */
export function formatAmount(value: number): string {
  return Number(value.toPrecision(3)).toString();
}
