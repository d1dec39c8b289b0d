import type { RunsTable } from '../tracking/runsTable/runsTablePages';
import type { EngineClient } from './engineClient';

/** The Runs table of these experiments, computed in the engine (the window gets pages only). */
export function engineRunsTable(engine: EngineClient, experimentIds: readonly string[]): RunsTable {
  const scope = { experimentIds: [...experimentIds] };
  return {
    columns: (query) => engine.call('runs.columns', { ...scope, query }),
    rows: (query, offset, limit) => engine.call('runs.rows', { ...scope, query, offset, limit }),
    groups: (query, groupBy) => engine.call('runs.groups', { ...scope, query, groupBy }),
    matrix: (query, columnIds) => engine.call('runs.matrix', { ...scope, query, columnIds }),
    csv: (query, columnIds) => engine.call('runs.csv', { ...scope, query, columnIds }),
    warm: (query) => {
      engine.call('runs.warm', { ...scope, query }).catch(() => undefined);
    },
    // The engine drops its answers itself when the runs change.
    invalidate: () => undefined,
  };
}
