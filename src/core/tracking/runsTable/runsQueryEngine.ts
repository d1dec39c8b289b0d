/**
 * Answers the Runs table's queries on the host: loads the runs of the panel's experiments that
 * match the filter (the store parses the MLflow grammar), then sorts, pages and groups them in
 * memory. The webview only ever receives the page on screen. Results are cached per query and
 * dropped when the store changes.
 */
import { FilterSyntaxError } from '../searchFilter';
import { TrackingError } from '../trackingErrors';
import type { TrackingStore } from '../trackingStore';
import type { Run } from '../trackingTypes';
import { MAX_TABLE_RUNS, type ColumnInfo, type FilterError, type RunsObjective, type RunsQuery } from '../../../protocol/runs/runsContract';
import { discoverTable, sortRuns } from './runsTableModel';

export interface ResolvedQuery {
  /** filtered and sorted */
  runs: Run[];
  columns: ColumnInfo[];
  objective?: RunsObjective;
  objectives?: RunsObjective[];
  filterError?: FilterError;
  /** more runs matched than a panel holds */
  truncated: boolean;
}

interface Filtered {
  runs: Run[];
  filterError?: FilterError;
  truncated: boolean;
}

/** Entries kept per cache: a user flips between a few sorts and filters, not hundreds. */
const CACHE_LIMIT = 8;

export class RunsQueryEngine {
  private revisionValue = 0;
  private readonly filtered = new Map<string, Promise<Filtered>>();
  private readonly resolved = new Map<string, Promise<ResolvedQuery>>();

  constructor(
    private readonly tracking: () => Promise<Pick<TrackingStore, 'searchRuns'>>,
    readonly experimentIds: readonly string[],
  ) {}

  get revision(): number {
    return this.revisionValue;
  }

  /** The store changed: every cached answer may be stale. */
  invalidate(): void {
    this.revisionValue++;
    this.filtered.clear();
    this.resolved.clear();
  }

  resolve(query: RunsQuery): Promise<ResolvedQuery> {
    const key = JSON.stringify([query.filter, query.sort, query.aggregate, query.runIds ?? null]);
    return remember(this.resolved, key, async () => {
      const base = await this.filter(query.filter.trim());
      let runs = base.runs;
      if (query.runIds) {
        const wanted = new Set(query.runIds);
        runs = runs.filter((r) => wanted.has(r.info.runId));
      }
      const { columns, objective, objectives } = discoverTable(runs, query.aggregate);
      return { runs: sortRuns(runs, query.sort, query.aggregate), columns, ...(objective ? { objective } : {}), ...(objectives ? { objectives } : {}), filterError: base.filterError, truncated: base.truncated };
    });
  }

  private filter(filter: string): Promise<Filtered> {
    return remember(this.filtered, filter, async () => {
      try {
        return await this.load(filter);
      } catch (error) {
        const filterError = describeFilterError(error, filter);
        if (!filterError) throw error;
        // The table keeps showing every run while the user fixes the filter.
        const all = await this.filter('');
        return { ...all, filterError };
      }
    });
  }

  private async load(filter: string): Promise<Filtered> {
    const tracking = await this.tracking();
    const runs: Run[] = [];
    let pageToken: string | undefined;
    do {
      const page = await tracking.searchRuns({
        // No ids means every experiment (the store's default).
        experimentIds: this.experimentIds.length > 0 ? [...this.experimentIds] : undefined,
        filter: filter || undefined,
        maxResults: Math.min(50_000, MAX_TABLE_RUNS - runs.length),
        pageToken,
        viewType: 'ACTIVE_ONLY',
      });
      runs.push(...page.runs);
      pageToken = page.nextPageToken;
    } while (pageToken && runs.length < MAX_TABLE_RUNS);
    return { runs, truncated: pageToken !== undefined };
  }
}

/** A filter the store rejected, as an inline error; undefined for failures that are not about the filter. */
export function describeFilterError(error: unknown, filter: string): FilterError | undefined {
  if (filter === '') return undefined;
  if (error instanceof FilterSyntaxError) return { column: error.column, message: error.detail };
  if (error instanceof TrackingError && error.code === 'INVALID_PARAMETER_VALUE') return { column: 1, message: error.message };
  return undefined;
}

function remember<T>(cache: Map<string, Promise<T>>, key: string, compute: () => Promise<T>): Promise<T> {
  const hit = cache.get(key);
  if (hit) {
    // Most recently used last, so the oldest entry is evicted first.
    cache.delete(key);
    cache.set(key, hit);
    return hit;
  }
  const value = compute();
  cache.set(key, value);
  value.catch(() => cache.delete(key));
  while (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  return value;
}
