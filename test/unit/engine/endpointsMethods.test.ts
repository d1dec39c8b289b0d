import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { EngineCallError } from '../../../src/core/engine/engineWire';
import { httpEngine, type EngineClient } from '../../../src/core/engine/engineClient';
import type { EndpointsState } from '../../../src/core/engine/methods/endpointsMethods';
import { endpointsKeepAlive, stopEndpointsOf } from '../../../src/core/serving/endpointManagers';
import { onEndpointsChange } from '../../../src/core/serving/endpointsInProcess';
import { startTrackingServer, type RunningTrackingServer } from '../../../src/core/server/trackingServer';
import { penguinsFixture, type ServingFixture } from '../serving/servingTestSupport';

const ROW = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };

async function invoke(url: string, body: unknown): Promise<{ status: number; json: { predictions?: unknown[] } }> {
  const response = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', Connection: 'close' }, body: JSON.stringify(body) });
  return { status: response.status, json: (await response.json()) as { predictions?: unknown[] } };
}

/**
 * Re-reads the endpoints through the client each time the holder's endpoints change, until
 * `done` holds (the endpoint process reports its traffic in batches, so figures arrive later).
 */
async function listUntil(engine: EngineClient, done: (state: EndpointsState) => boolean): Promise<EndpointsState> {
  let changed: () => void = () => undefined;
  const subscription = onEndpointsChange(() => changed());
  try {
    for (;;) {
      const next = new Promise<void>((resolve) => (changed = resolve));
      const state = await engine.call('endpoints.list', {});
      if (done(state)) return state;
      await next;
    }
  } finally {
    subscription.dispose();
  }
}

// Issue #17: endpoints belong to the process that holds the store (the engine); a window or the
// CLI lists, starts, stops and restarts them through it, and they keep running when that client goes.
describe('endpoints through the engine, from a client process', { timeout: 240_000 }, () => {
  let f: ServingFixture;
  let server: RunningTrackingServer;
  let client: EngineClient;
  before(async () => {
    f = await penguinsFixture();
    server = await startTrackingServer({ store: f.store });
    client = httpEngine(server.url, server.token);
  });
  after(async () => {
    await stopEndpointsOf(f.store);
    await server?.close();
    await f?.cleanup();
  });

  it('offers the registered versions and aliases to serve', async () => {
    const models = await client.call('endpoints.servable', {});
    assert.deepEqual(
      models.map((m) => ({ name: m.name, versions: m.versions.map((v) => `${v.version}${v.aliases.map((a) => `@${a}`).join('')}`) })),
      [{ name: 'penguins', versions: ['2', '1@champion'] }],
    );
  });

  it('starts an endpoint that answers /invocations, shows its traffic, and keeps the holder up', async () => {
    assert.equal(endpointsKeepAlive(f.store), undefined, 'nothing runs yet');
    const info = await client.call('endpoints.start', { uri: 'models:/penguins@champion', limits: { logSampleRate: 1 }, requestLog: { maxRows: 1000, maxDays: 7 } });
    assert.equal(info.name, 'penguins-champion');
    assert.equal(info.version, 1);
    assert.equal(info.status, 'running');
    assert.equal(info.followsAlias, true);
    assert.match(info.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const answer = await invoke(`${info.url}/invocations`, { dataframe_records: [ROW] });
    assert.equal(answer.status, 200);
    assert.equal(answer.json.predictions?.length, 1);

    const state = await listUntil(client, (s) => (s.running[0]?.stats.requests ?? 0) >= 1);
    assert.deepEqual(state.running.map((e) => [e.name, e.uri, e.version, e.port]), [['penguins-champion', 'models:/penguins@champion', 1, info.port]]);
    assert.ok(state.running[0]!.stats.p99Ms >= state.running[0]!.stats.p50Ms);
    assert.deepEqual(state.stopped, []);
    assert.equal(endpointsKeepAlive(f.store), '1 endpoint running: penguins-champion');
  });

  it('gives a sample request the served model answers', async () => {
    const sample = await client.call('endpoints.sampleRequest', { name: 'penguins-champion' });
    assert.match(sample.url, /\/invocations$/);
    assert.ok(sample.body.dataframe_records.length >= 1);
    assert.ok('island' in (sample.body.dataframe_records[0] ?? {}), 'the head of the training data, its inputs');
    const answer = await invoke(sample.url, sample.body);
    assert.equal(answer.status, 200);
    assert.equal(answer.json.predictions?.length, sample.body.dataframe_records.length);
  });

  it('refuses a second endpoint of the same name, bad params and unknown names with the holder\'s message', async () => {
    const refused = async (call: Promise<unknown>, message: RegExp): Promise<void> => {
      await assert.rejects(call, (error: unknown) => error instanceof EngineCallError && message.test(error.message));
    };
    await refused(client.call('endpoints.start', { uri: 'models:/penguins@champion' }), /"penguins-champion" is already running \(http:\/\/127\.0\.0\.1:\d+\)/);
    await refused(client.call('endpoints.start', { uri: 'penguins' }), /"penguins" is not a model URI/);
    await refused(client.call('endpoints.start', { uri: 'models:/penguins/1', port: 70_000 }), /port must be a whole number from 0/);
    await refused(client.call('endpoints.start', { uri: 'models:/penguins/1', limits: { logSampleRate: 2 } }), /logSampleRate is out of range/);
    await refused(client.call('endpoints.start', { uri: 'models:/nope/1' }), /nope/);
    await refused(client.call('endpoints.stop', { name: 'nope' }), /No running endpoint named "nope" \(running: penguins-champion\)/);
    await refused(client.call('endpoints.stop', { name: '' }), /endpoint name must be a non-empty string/);
    await refused(client.call('endpoints.setRequestLogRetention', { retention: { maxRows: 0, maxDays: 1 } }), /maxRows: a whole number ≥ 1/);
  });

  it('restarts a running endpoint on the same port', async () => {
    const before = (await client.call('endpoints.list', {})).running[0]!;
    const after = await client.call('endpoints.restart', { name: 'penguins-champion' });
    assert.equal(after.port, before.port);
    assert.equal(after.restarts, before.restarts + 1);
    assert.equal((await invoke(`${after.url}/invocations`, { dataframe_records: [ROW] })).status, 200);
  });

  it('stops it (the port is freed, the view lists it as stopped) and starts it again as it was', async () => {
    const { port, url } = (await client.call('endpoints.list', {})).running[0]!;
    await client.call('endpoints.stop', { name: 'penguins-champion' });
    await assert.rejects(fetch(`${url}/ping`));
    const stopped = await client.call('endpoints.list', {});
    assert.deepEqual(stopped.running, []);
    assert.deepEqual(stopped.stopped.map((e) => [e.name, e.uri, e.version, e.port]), [['penguins-champion', 'models:/penguins@champion', 1, port]]);
    assert.equal(endpointsKeepAlive(f.store), undefined, 'the holder may idle out again');

    const again = await client.call('endpoints.restart', { name: 'penguins-champion' });
    assert.equal(again.status, 'running');
    assert.equal(again.port, port, 'the same port as before');
    assert.equal((await invoke(`${again.url}/invocations`, { dataframe_records: [ROW] })).status, 200);
    assert.deepEqual((await client.call('endpoints.list', {})).stopped, []);
  });

  it('names the model package a file is scored with', async () => {
    const model = await client.call('endpoints.modelPackage', { uri: 'models:/penguins@champion' });
    assert.deepEqual([model.name, model.version], ['penguins', 1]);
    assert.ok(existsSync(join(model.packageDir, 'MLmodel.json')), `${model.packageDir} holds the package`);
  });

  it('stops every endpoint when the holder closes the store', async () => {
    const { url } = (await client.call('endpoints.list', {})).running[0]!;
    await stopEndpointsOf(f.store);
    await assert.rejects(fetch(`${url}/ping`));
    const state = await client.call('endpoints.list', {});
    assert.deepEqual(state.running, []);
    assert.deepEqual(state.stopped.map((e) => e.name), ['penguins-champion']);
  });
});
