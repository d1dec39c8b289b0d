import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { ColumnsResult, RowsResult, SeriesResult, RunDetails } from '../../../src/protocol/runs/runsContract';
import { RunsQueryEngine } from '../../../src/core/tracking/runsTable/runsQueryEngine';
import { createRunsDataHandlers } from '../../../src/vscode/runs/runsRequests';
import { localRunsTable } from '../../../src/core/tracking/runsTable/runsTablePages';
import { engineRunsTable } from '../../../src/core/engine/engineRunsTable';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';

/** The panel's host code against the real workspace store: filter grammar, summaries, series files, artifacts. */
describe('runs panel host on a real workspace store', () => {
  let root: string;
  let store: WorkspaceStore;
  let experimentId: string;
  const ids: string[] = [];

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'mlops-runs-'));
    store = await openWorkspaceStore({ dir: join(root, '.mlops'), writerName: 'runs panel test' });
    const tracking = store.tracking;
    experimentId = await tracking.createExperiment('churn');
    for (const [i, optimizer] of ['adam', 'sgd', 'adam'].entries()) {
      const run = await tracking.createRun({ experimentId, runName: `run-${i}`, ownerPid: null });
      ids.push(run.info.runId);
      await tracking.logBatch({
        runId: run.info.runId,
        params: [{ key: 'optimizer', value: optimizer }, { key: 'epochs', value: '5' }],
        metrics: Array.from({ length: 3000 }, (_, step) => ({ key: 'loss', value: 1 / (step + 1 + i), step, timestamp: 1_000_000 + step })),
      });
      await tracking.updateRun(run.info.runId, { status: 'FINISHED', endTime: Date.now() });
    }
    await tracking.writeArtifact(ids[0]!, 'model/signature.json', JSON.stringify({ inputs: [{ name: 'age', type: 'double', optional: false }], output: { task: 'regression', target: 'price', type: 'double' } }));
    await tracking.writeArtifact(ids[0]!, 'notes.txt', 'hello');
  });

  after(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  test('columns, filtered rows, inline filter errors, series and details', async () => {
    // As the panel reads the workspace store: the table computed in the engine, pages over JSON.
    const table = engineRunsTable(inProcessEngine(store), [experimentId]);
    const h = createRunsDataHandlers(async () => table, async () => store.tracking);
    const query = { filter: "params.optimizer = 'adam'", sort: [{ columnId: 'metrics.loss', descending: false }], aggregate: 'min' as const };
    const columns: ColumnsResult = await h.getColumns({ query });
    assert.equal(columns.total, 2);
    assert.equal(columns.columns.find((c) => c.id === 'params.epochs')?.varies, false);
    const rows: RowsResult = await h.getRows({ query, offset: 0, limit: 10 });
    const loss = rows.columnIds.indexOf('metrics.loss');
    assert.deepEqual(rows.rows.map((r) => r.cells[loss]), [1 / 3002, 1 / 3000], 'min of each loss curve, ascending');
    const broken = await h.getColumns({ query: { ...query, filter: 'metrics.loss <' } });
    assert.equal(broken.filterError?.column, 15, 'one past "metrics.loss <": the value is missing');
    assert.equal(broken.total, 3);
    const series: SeriesResult = await h.getSeries({ runIds: ids, keys: ['loss'], maxPoints: 200, x: 'step' });
    assert.equal(series.series.length, 3);
    assert.ok(series.series.every((s) => s.x.length <= 200 && s.total === 3000 && s.downsampled));
    const details: RunDetails = await h.getRunDetails({ runId: ids[0]! });
    assert.deepEqual(details.artifacts.map((a) => a.path).sort(), ['model', 'model/signature.json', 'notes.txt']);
    assert.deepEqual(details.signature, { inputs: [{ name: 'age', type: 'double' }], outputs: [{ name: 'price', type: 'double' }] });
    assert.deepEqual(await h.getArtifactPreview({ runId: ids[0]!, path: 'notes.txt' }), { kind: 'text', text: 'hello', truncated: false });
  });

  test('charts asked for together arrive one by one in the order asked: the first is sent before the next is read', async () => {
    const engine = new RunsQueryEngine(async () => store.tracking, [experimentId]);
    const events: string[] = [];
    const source = {
      ...store.tracking,
      getRun: (runId: string) => store.tracking.getRun(runId),
      getMetricColumns: async (runId: string, key: string, options?: { maxPoints?: number }) => {
        events.push(`read ${key}:${runId === ids[0] ? 'first run' : 'other run'}`);
        return store.tracking.getMetricColumns(runId, key, options);
      },
      listArtifacts: (runId: string, path?: string) => store.tracking.listArtifacts(runId, path),
      readArtifact: (runId: string, path: string) => store.tracking.readArtifact(runId, path),
    };
    const h = createRunsDataHandlers(async () => localRunsTable(engine), async () => source);
    const asks = ['loss', 'loss', 'loss'].map((key, i) =>
      h.getSeries({ runIds: [ids[i]!], keys: [key], maxPoints: 100, x: 'step' }).then((answer) => {
        events.push(`answer ${i + 1}`);
        return answer;
      }),
    );
    const answers = await Promise.all(asks);
    assert.deepEqual(answers.map((a) => a.series[0]!.runId), ids);
    assert.deepEqual(events, ['read loss:first run', 'answer 1', 'read loss:other run', 'answer 2', 'read loss:other run', 'answer 3']);
  });
});
