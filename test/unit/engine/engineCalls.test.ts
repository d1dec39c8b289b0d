import assert from 'node:assert/strict';
import { request } from 'node:http';
import { test } from 'node:test';
import { EngineCallError } from '../../../src/core/engine/engineWire';
import type { EngineEvent } from '../../../src/core/engine/engineEvents';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { datasetNode, runNode } from '../../../src/core/lineage/lineageNodes';
import { lineageFor } from '../../../src/core/registry/registryAccess';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';

async function withEngine(body: (fixture: { store: Awaited<ReturnType<typeof openWorkspaceStore>>; url: string; token: string }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempStoreDir('mlops-engine-');
  const store = await openWorkspaceStore({ dir, writerName: 'engine test' });
  const server = await startTrackingServer({ store });
  try {
    await body({ store, url: server.url, token: server.token as string });
  } finally {
    await server.close();
    await store.close();
    cleanup();
  }
}

test('a client process gets the same lineage graph through the holder as the holder reads itself', async () => {
  await withEngine(async ({ store, url, token }) => {
    const experimentId = await store.tracking.createExperiment('engine');
    const run = await store.tracking.createRun({ experimentId, runName: 'bright-owl' });
    await lineageFor(store).record([{ from: datasetNode('sha256:abc'), to: runNode(run.info.runId), relation: 'trained' }], { 'dataset:sha256:abc': 'penguins.csv' });
    const params = { root: runNode(run.info.runId) };
    const remote = await httpEngine(url, token).call('lineage.graph', params);
    const local = await inProcessEngine(store).call('lineage.graph', params);
    assert.deepEqual(remote, local);
    assert.deepEqual(remote.nodes.map((n) => n.label).sort(), ['penguins.csv', 'run bright-owl'].sort());
    assert.equal(remote.edges[0]?.relation, 'trained');
  });
});

test('an engine call without the token, or to a method the holder does not know, is refused with a reason', async () => {
  await withEngine(async ({ url, token }) => {
    await assert.rejects(httpEngine(url, null).call('lineage.describe', { node: runNode('x') }), /refused lineage\.describe: .*token/i);
    const unknown = httpEngine(url, token).call('lineage.nope' as 'lineage.describe', { node: runNode('x') });
    await assert.rejects(unknown, (error: unknown) => error instanceof EngineCallError && /no engine method "lineage\.nope"/.test(error.message));
    await assert.rejects(httpEngine('http://127.0.0.1:1', token).call('lineage.describe', { node: runNode('x') }), /did not answer lineage\.describe/);
  });
});

test('a method that fails in the holder fails in the client with the same message', async () => {
  await withEngine(async ({ store, url, token }) => {
    const bad = { node: { kind: 'Not A Kind', id: 'x' } };
    const local = await inProcessEngine(store).call('lineage.describe', bad).then(() => 'no error', (error: Error) => error.message);
    const remote = await httpEngine(url, token).call('lineage.describe', bad).then(() => 'no error', (error: Error) => error.message);
    assert.notEqual(local, 'no error');
    assert.equal(remote, local);
  });
});

test('clients hear of every change in the store as it happens (server-sent events)', async () => {
  await withEngine(async ({ store, url, token }) => {
    const events: EngineEvent[] = [];
    let connected: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (connected = resolve));
    let sawStore: () => void = () => undefined;
    const storeEvent = new Promise<void>((resolve) => (sawStore = resolve));
    const req = request(`${url}/api/mlops/engine/events`, { headers: { Authorization: `Bearer ${token}` } }, (res) => {
      assert.equal(res.statusCode, 200);
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        if (buffer.includes(': connected')) connected();
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const line = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          if (!line.startsWith('data: ')) continue;
          const event = JSON.parse(line.slice(6)) as EngineEvent;
          events.push(event);
          if (event.topic === 'store') sawStore();
        }
      });
    });
    req.end();
    await ready;
    const experimentId = await store.tracking.createExperiment('heard');
    await storeEvent;
    assert.ok(events.some((e) => e.topic === 'tracking' && e.change.kind === 'experiment' && e.change.experimentId === experimentId), JSON.stringify(events));
    req.destroy();
  });
});

test('the event stream wants the token too', async () => {
  await withEngine(async ({ url }) => {
    const status = await new Promise<number>((resolve, reject) => {
      request(`${url}/api/mlops/engine/events`, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 401);
  });
});

test('the Runs table is answered in the holder: a client receives the page it asks for, sorted there', async () => {
  await withEngine(async ({ store, url, token }) => {
    const experimentId = await store.tracking.createExperiment('table');
    for (let i = 0; i < 30; i++) {
      const run = await store.tracking.createRun({ experimentId, runName: `run-${i}` });
      await store.tracking.logMetric(run.info.runId, { key: 'acc', value: i / 100, timestamp: Date.now(), step: 0 });
    }
    const engine = httpEngine(url, token);
    const query = { filter: 'metrics.acc >= 0.05', sort: [{ columnId: 'metrics.acc', descending: true }], aggregate: 'last' as const };
    const page = await engine.call('runs.rows', { experimentIds: [experimentId], query, offset: 0, limit: 10 });
    assert.equal(page.total, 25, 'the filter ran in the holder');
    assert.equal(page.rows.length, 10, 'only the page travels');
    const acc = page.columnIds.indexOf('metrics.acc');
    assert.deepEqual(page.rows.slice(0, 3).map((r) => r.cells[acc]), [0.29, 0.28, 0.27]);
    const bad = await engine.call('runs.rows', { experimentIds: [experimentId], query: { ...query, aggregate: 'median' as 'last' }, offset: 0, limit: 10 }).then(() => 'accepted', (error: Error) => error.message);
    assert.match(bad, /getRows: .*aggregate/);
    const filterError = await engine.call('runs.columns', { experimentIds: [experimentId], query: { ...query, filter: 'metrics.acc >>> 1' } });
    assert.ok(filterError.filterError, 'a filter the store cannot parse comes back as the inline error the panel shows');
  });
});

test('compare curves are downsampled in the holder: a client receives at most the points it draws', async () => {
  await withEngine(async ({ store, url, token }) => {
    const experimentId = await store.tracking.createExperiment('curves');
    const run = await store.tracking.createRun({ experimentId, runName: 'long' });
    const steps = Float64Array.from({ length: 5_000 }, (_, i) => i);
    await store.tracking.logMetricColumns(run.info.runId, 'loss', { steps, values: steps.map((s) => 1 / (s + 1)), timestamps: steps.map((s) => 1_700_000_000_000 + s) });
    const answer = await httpEngine(url, token).call('runs.series', { runIds: [run.info.runId, 'gone'], keys: ['loss'], maxPoints: 200, x: 'step' });
    assert.deepEqual(answer.runs.map((r) => r.name), ['long'], 'a run deleted meanwhile is left out');
    const [loss] = answer.series;
    assert.ok(loss && loss.x.length <= 200 && loss.x.length > 100, `${loss?.x.length} points`);
    assert.equal(loss.total, 5_000);
    assert.equal(loss.downsampled, true);
    assert.equal(loss.x[0], 0);
    assert.equal(loss.x.at(-1), 4_999, 'LTTB keeps both ends');
    await assert.rejects(httpEngine(url, token).call('runs.series', { runIds: [], keys: ['loss'], maxPoints: 1, x: 'step' }), /getSeries: .*maxPoints/);
  });
});
