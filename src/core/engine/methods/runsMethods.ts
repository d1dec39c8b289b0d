import type { ColumnsResult, GroupsResult, MatrixResult, RowsResult, RunsQuery, SeriesResult, SeriesX } from '../../../protocol/runs/runsContract';
import { loadSeries } from '../../tracking/runsTable/runSeries';
import { runsValidators } from '../../../protocol/runs/runsValidators';
import { formatZodIssues } from '../../../protocol/rpcValidation';
import { RunsQueryEngine } from '../../tracking/runsTable/runsQueryEngine';
import { localRunsTable, type RunsTable } from '../../tracking/runsTable/runsTablePages';
import { listRow } from '../../tracking/runListRows';
import { InvalidArgumentError } from '../../tracking/trackingErrors';
import type { Run } from '../../tracking/trackingTypes';
import type { WorkspaceStore } from '../../store/workspaceStore';
import type { EngineContext, EngineMethodTable } from '../engineMethod';

/** Tables kept per store: one per set of experiments a panel shows; a user has a few open. */
const TABLES_PER_STORE = 16;
const tables = new WeakMap<WorkspaceStore, Map<string, RunsTable>>();

/** The table of these experiments, kept while the runs do not change (any change drops every answer). */
function tableFor(store: WorkspaceStore, experimentIds: unknown): RunsTable {
  if (!Array.isArray(experimentIds) || experimentIds.length > 10_000 || !experimentIds.every((id) => typeof id === 'string' && id !== '')) {
    throw new InvalidArgumentError('experimentIds must be a list of experiment ids (empty: every experiment).');
  }
  let byScope = tables.get(store);
  if (!byScope) {
    const scopes = new Map<string, RunsTable>();
    store.tracking.onDidChange(() => {
      for (const table of scopes.values()) table.invalidate();
    });
    tables.set(store, scopes);
    byScope = scopes;
  }
  const ids = [...(experimentIds as string[])].sort();
  const key = ids.join(',');
  let table = byScope.get(key);
  if (!table) {
    table = localRunsTable(new RunsQueryEngine(() => Promise.resolve(store.tracking), ids));
    byScope.set(key, table);
    while (byScope.size > TABLES_PER_STORE) byScope.delete(byScope.keys().next().value as string);
  }
  return table;
}

/** The webview's own checks, for a request that comes from another process. */
function checked<T>(method: 'getColumns' | 'getRows' | 'getGroups' | 'getMatrix' | 'exportCsv' | 'getSeries', value: unknown): T {
  const parsed = runsValidators.requests[method].safeParse(value);
  if (!parsed.success) throw new InvalidArgumentError(`${method}: ${formatZodIssues(parsed.error)}`);
  return parsed.data as T;
}

type Scoped<P> = P & { experimentIds: string[] };

export interface RunsListParams {
  experimentId: string;
  viewType: 'ACTIVE_ONLY' | 'DELETED_ONLY';
  /** the most recent this many (a list pages through the rest elsewhere) */
  maxResults: number;
}

function checkedListParams(value: unknown): RunsListParams {
  const { experimentId, viewType, maxResults } = (value ?? {}) as Partial<Record<keyof RunsListParams, unknown>>;
  if (typeof experimentId !== 'string' || experimentId === '') throw new InvalidArgumentError('runs.list: experimentId must be an experiment id.');
  if (viewType !== 'ACTIVE_ONLY' && viewType !== 'DELETED_ONLY') throw new InvalidArgumentError('runs.list: viewType must be ACTIVE_ONLY or DELETED_ONLY.');
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50_000) throw new InvalidArgumentError('runs.list: maxResults must be a whole number from 1 to 50,000.');
  return { experimentId, viewType, maxResults };
}

/**
 * The Runs table, answered where the runs are: the window asks for the page it shows and
 * receives only that page, whatever the number of runs.
 */
export const runsMethods = {
  'runs.columns': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery }>): Promise<ColumnsResult> =>
    tableFor(store, experimentIds).columns(checked<{ query: RunsQuery }>('getColumns', params).query),
  'runs.rows': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery; offset: number; limit: number }>): Promise<RowsResult> => {
    const { query, offset, limit } = checked<{ query: RunsQuery; offset: number; limit: number }>('getRows', params);
    return tableFor(store, experimentIds).rows(query, offset, limit);
  },
  'runs.groups': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery; groupBy: string }>): Promise<GroupsResult> => {
    const { query, groupBy } = checked<{ query: RunsQuery; groupBy: string }>('getGroups', params);
    return tableFor(store, experimentIds).groups(query, groupBy);
  },
  'runs.matrix': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery; columnIds: string[] }>): Promise<MatrixResult> => {
    const { query, columnIds } = checked<{ query: RunsQuery; columnIds: string[] }>('getMatrix', params);
    return tableFor(store, experimentIds).matrix(query, columnIds);
  },
  'runs.csv': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery; columnIds: string[] }>): Promise<{ csv: string; rows: number }> => {
    const { query, columnIds } = checked<{ query: RunsQuery; columnIds: string[] }>('exportCsv', params);
    return tableFor(store, experimentIds).csv(query, columnIds);
  },
  /** Curves for the compare charts, downsampled (LTTB) next to the series files: only the points drawn travel. */
  'runs.series': ({ store }: EngineContext, params: { runIds: string[]; keys: string[]; maxPoints: number; x: SeriesX }): Promise<SeriesResult> => {
    const { runIds, keys, maxPoints, x } = checked<{ runIds: string[]; keys: string[]; maxPoints: number; x: SeriesX }>('getSeries', params);
    return loadSeries(store.tracking, runIds, keys, maxPoints, x);
  },
  /**
   * An experiment's most recent runs as a list shows them (the Experiments view): each run's info
   * and the few tags, params and metrics a row reads, not every field it has.
   */
  'runs.list': async ({ store }: EngineContext, params: RunsListParams): Promise<{ runs: Run[] }> => {
    const { experimentId, viewType, maxResults } = checkedListParams(params);
    const { runs } = await store.tracking.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.start_time DESC'], maxResults, viewType });
    return { runs: runs.map(listRow) };
  },
  'runs.warm': ({ store }: EngineContext, { experimentIds, ...params }: Scoped<{ query: RunsQuery }>): void => {
    tableFor(store, experimentIds).warm(checked<{ query: RunsQuery }>('getColumns', params).query);
  },
} satisfies EngineMethodTable;
