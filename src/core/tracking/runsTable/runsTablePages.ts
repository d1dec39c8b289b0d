/**
 * The Runs table's answers (columns, a page of rows, groups, a matrix, CSV) computed next to the
 * runs: in the MLOps engine for the workspace store, so a window receives only the page it shows
 * and never holds the runs; in the window itself for a team's MLflow server, which has no engine.
 */
import type { ColumnsResult, GroupsResult, MatrixResult, RowsResult, RunsQuery } from '../../../protocol/runs/runsContract';
import { MAX_PAGE_ROWS, PARETO_TAG_COLUMN } from '../../../protocol/runs/runsContract';
import { formatRunsCsv } from './runsCsv';
import type { RunsQueryEngine } from './runsQueryEngine';
import { cellGetter, groupRuns, rowCells } from './runsTableModel';

/** What the Runs panel asks of its table, wherever the runs are. */
export interface RunsTable {
  columns(query: RunsQuery): Promise<ColumnsResult>;
  rows(query: RunsQuery, offset: number, limit: number): Promise<RowsResult>;
  groups(query: RunsQuery, groupBy: string): Promise<GroupsResult>;
  matrix(query: RunsQuery, columnIds: string[]): Promise<MatrixResult>;
  /** every run that matches, as CSV text, for Export */
  csv(query: RunsQuery, columnIds: string[]): Promise<{ csv: string; rows: number }>;
  /** starts the panel's first query early (a hint: may do nothing) */
  warm(query: RunsQuery): void;
  /** the runs changed: cached answers are stale */
  invalidate(): void;
}

/** The table computed in this process over a query engine. */
export function localRunsTable(engine: RunsQueryEngine): RunsTable {
  return {
    columns: async (query) => {
      const resolved = await engine.resolve(query);
      return { columns: resolved.columns, total: resolved.runs.length, ...(resolved.objective ? { objective: resolved.objective } : {}), ...(resolved.objectives ? { objectives: resolved.objectives } : {}), filterError: resolved.filterError, revision: engine.revision };
    },
    rows: async (query, offset, limit) => {
      const resolved = await engine.resolve(query);
      const page = resolved.runs.slice(offset, offset + Math.min(limit, MAX_PAGE_ROWS));
      const columnIds = resolved.columns.map((c) => c.id);
      const cells = rowCells(page, columnIds, query.aggregate);
      const onFront = cellGetter(PARETO_TAG_COLUMN, query.aggregate);
      return {
        total: resolved.runs.length,
        offset,
        columnIds,
        rows: page.map((run, i) => ({ runId: run.info.runId, ...(onFront(run) === 'true' ? { pareto: true as const } : {}), cells: cells[i]! })),
        filterError: resolved.filterError,
        revision: engine.revision,
      };
    },
    groups: async (query, groupBy) => {
      const resolved = await engine.resolve(query);
      const metricColumnIds = resolved.columns.filter((c) => c.kind === 'metric').map((c) => c.id);
      return { groupBy, groups: groupRuns(resolved.runs, groupBy, metricColumnIds, query.aggregate), metricColumnIds, filterError: resolved.filterError };
    },
    matrix: async (query, columnIds) => {
      const resolved = await engine.resolve(query);
      return {
        columnIds,
        runIds: resolved.runs.map((r) => r.info.runId),
        runNames: resolved.runs.map((r) => r.info.runName || r.info.runId.slice(0, 8)),
        rows: rowCells(resolved.runs, columnIds, query.aggregate),
        truncated: resolved.truncated,
      };
    },
    csv: async (query, columnIds) => {
      const resolved = await engine.resolve(query);
      return { csv: formatRunsCsv(columnIds, rowCells(resolved.runs, columnIds, query.aggregate)), rows: resolved.runs.length };
    },
    warm: (query) => {
      // After a timer: VS Code sends a new panel's HTML on a timer too, and it must leave before this work holds the thread.
      setTimeout(() => engine.resolve(query).catch(() => undefined), 0);
    },
    invalidate: () => engine.invalidate(),
  };
}
