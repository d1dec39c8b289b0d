import type { RunState } from './trackingState';

/**
 * Run states recently used, least recently used first out, bounded by how many params, tags and
 * metrics they hold together (what their memory follows). SQLite is the record: an evicted state
 * is read again when next asked for, so memory follows the runs in use, not the runs that exist
 * (a 100,000-run store opens without building 100,000 states).
 */
export class RunStateCache {
  private readonly states = new Map<string, RunState>();
  private readonly weights = new Map<string, number>();
  private total = 0;

  constructor(
    /** entries (params + tags + metrics + 1 per run) kept at most */
    private readonly maxEntries: number,
  ) {}

  get size(): number {
    return this.states.size;
  }

  /** The state if cached, marked most recently used (its weight re-measured: runs grow as they log). */
  get(runId: string): RunState | undefined {
    const state = this.states.get(runId);
    if (state === undefined) return undefined;
    this.states.delete(runId);
    this.states.set(runId, state);
    this.weigh(state);
    return state;
  }

  /** The state if cached, without touching the order (for updates that read nothing). */
  peek(runId: string): RunState | undefined {
    return this.states.get(runId);
  }

  set(state: RunState): void {
    this.states.delete(state.runId);
    this.states.set(state.runId, state);
    this.weigh(state);
    this.evict(state.runId);
  }

  private weigh(state: RunState): void {
    const weight = 1 + state.params.size + state.tags.size + state.metrics.size;
    this.total += weight - (this.weights.get(state.runId) ?? 0);
    this.weights.set(state.runId, weight);
  }

  /** Drops the oldest states until the bound holds; `keep` (just added) always stays. */
  private evict(keep: string): void {
    for (const runId of this.states.keys()) {
      if (this.total <= this.maxEntries) return;
      if (runId === keep) continue;
      this.states.delete(runId);
      this.total -= this.weights.get(runId) ?? 0;
      this.weights.delete(runId);
    }
  }
}
