/**
 * The Runs panel's data requests, free of `vscode`: the panel host wires them to the webview, and
 * webview tests and the benchmark drive the same code with an in-memory store. The table's
 * answers come from a RunsTable (computed in the engine for the workspace store); series, details
 * and artifact previews are read through the tracking API.
 */
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { RunsTable } from '../../core/tracking/runsTable/runsTablePages';
import type { RunsContract } from '../../protocol/runs/runsContract';
import { loadRunDetails, previewArtifact } from './runDetails';
import { loadSeries } from '../../core/tracking/runsTable/runSeries';

type DataRequest = 'getColumns' | 'getRows' | 'getGroups' | 'getMatrix' | 'getSeries' | 'getRunDetails' | 'getArtifactPreview';

export type RunsDataHandlers = {
  [M in DataRequest]: (params: RunsContract['requests'][M]['params']) => Promise<RunsContract['requests'][M]['result']>;
};

export type RunsDataSource = Pick<TrackingStore, 'getRun' | 'getMetricColumns' | 'listArtifacts' | 'readArtifact'>;

/** Where a chart's series come from: the engine (downsampled next to the files) or the tracking API. */
export type SeriesLoader = (params: RunsContract['requests']['getSeries']['params']) => Promise<RunsContract['requests']['getSeries']['result']>;

export function createRunsDataHandlers(table: () => Promise<RunsTable>, tracking: () => Promise<RunsDataSource>, series?: () => Promise<SeriesLoader | undefined>): RunsDataHandlers {
  // Series are read one request at a time, in the order asked: the view asks for every chart in
  // view at once and draws each as it arrives, so the first chart must not wait for the last
  // (interleaved, all of them would finish together at the end). Each waits for a timer first:
  // VS Code flushes the extension host's outgoing messages on a timer, which must run before
  // this one starts; loadSeries then reads in slices, so the answer goes out meanwhile.
  let seriesQueue: Promise<unknown> = Promise.resolve();
  return {
    getColumns: async ({ query }) => (await table()).columns(query),
    getRows: async ({ query, offset, limit }) => (await table()).rows(query, offset, limit),
    getGroups: async ({ query, groupBy }) => (await table()).groups(query, groupBy),
    getMatrix: async ({ query, columnIds }) => (await table()).matrix(query, columnIds),
    getSeries: ({ runIds, keys, maxPoints, x }) => {
      const answer = seriesQueue.then(async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        const inEngine = await series?.();
        return inEngine ? inEngine({ runIds, keys, maxPoints, x }) : loadSeries(await tracking(), runIds, keys, maxPoints, x);
      });
      seriesQueue = answer.catch(() => undefined);
      return answer;
    },
    getRunDetails: async ({ runId }) => loadRunDetails(await tracking(), runId),
    getArtifactPreview: async ({ runId, path }) => previewArtifact(await tracking(), runId, path),
  };
}
