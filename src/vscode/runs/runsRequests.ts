/**
 * The Runs panel's data requests, free of `vscode`: the panel host wires them to the webview, and
 * webview tests and the benchmark drive the same code with an in-memory store.
 */
import type { TrackingStore } from '../../core/tracking/trackingStore';
import { DEFAULT_RUNS_QUERY, MAX_PAGE_ROWS, PARETO_TAG_COLUMN, type RunsContract } from '../../protocol/runs/runsContract';
import { loadRunDetails, previewArtifact } from './runDetails';
import { loadSeries } from './runSeries';
import type { RunsQueryEngine } from './runsQueryEngine';
import { cellGetter, groupRuns, rowCells } from './runsTableModel';

type DataRequest = 'getColumns' | 'getRows' | 'getGroups' | 'getMatrix' | 'getSeries' | 'getRunDetails' | 'getArtifactPreview';

export type RunsDataHandlers = {
  [M in DataRequest]: (params: RunsContract['requests'][M]['params']) => Promise<RunsContract['requests'][M]['result']>;
};

export type RunsDataSource = Pick<TrackingStore, 'getRun' | 'getMetricColumns' | 'listArtifacts' | 'readArtifact'>;

/**
 * Starts on a new panel's first query while its view is still loading (the view asks for it as
 * soon as its script runs; the answer is then ready or on its way). After a timer: VS Code sends
 * the new panel's HTML on a timer too, and it must leave before this work holds the thread.
 * Errors are the view's to see when it asks.
 */
export function startDefaultQuery(engine: RunsQueryEngine): void {
  setTimeout(() => engine.resolve(DEFAULT_RUNS_QUERY).catch(() => undefined), 0);
}

export function createRunsDataHandlers(engine: RunsQueryEngine, tracking: () => Promise<RunsDataSource>): RunsDataHandlers {
  // Series are read one request at a time, in the order asked: the view asks for every chart in
  // view at once and draws each as it arrives, so the first chart must not wait for the last
  // (interleaved, all of them would finish together at the end). Each waits for a timer first:
  // VS Code flushes the extension host's outgoing messages on a timer, which must run before
  // this one starts; loadSeries then reads in slices, so the answer goes out meanwhile.
  let seriesQueue: Promise<unknown> = Promise.resolve();
  return {
    getColumns: async ({ query }) => {
      const resolved = await engine.resolve(query);
      return { columns: resolved.columns, total: resolved.runs.length, ...(resolved.objective ? { objective: resolved.objective } : {}), ...(resolved.objectives ? { objectives: resolved.objectives } : {}), filterError: resolved.filterError, revision: engine.revision };
    },
    getRows: async ({ query, offset, limit }) => {
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
    getGroups: async ({ query, groupBy }) => {
      const resolved = await engine.resolve(query);
      const metricColumnIds = resolved.columns.filter((c) => c.kind === 'metric').map((c) => c.id);
      return { groupBy, groups: groupRuns(resolved.runs, groupBy, metricColumnIds, query.aggregate), metricColumnIds, filterError: resolved.filterError };
    },
    getMatrix: async ({ query, columnIds }) => {
      const resolved = await engine.resolve(query);
      return {
        columnIds,
        runIds: resolved.runs.map((r) => r.info.runId),
        runNames: resolved.runs.map((r) => r.info.runName || r.info.runId.slice(0, 8)),
        rows: rowCells(resolved.runs, columnIds, query.aggregate),
        truncated: resolved.truncated,
      };
    },
    getSeries: ({ runIds, keys, maxPoints, x }) => {
      const answer = seriesQueue.then(async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return loadSeries(await tracking(), runIds, keys, maxPoints, x);
      });
      seriesQueue = answer.catch(() => undefined);
      return answer;
    },
    getRunDetails: async ({ runId }) => loadRunDetails(await tracking(), runId),
    getArtifactPreview: async ({ runId, path }) => previewArtifact(await tracking(), runId, path),
  };
}
