import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { EndpointManager, type EndpointInfo } from '../../../src/core/serving/endpointManager';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { penguinsFixture, type ServingFixture } from './servingTestSupport';

const ROW = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };
const COLUMNS = Object.keys(ROW);

interface Answer {
  status: number;
  body: string;
  json: () => Record<string, unknown>;
}

function post(url: string, body: string | Buffer, contentType = 'application/json'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(body) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, body: text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Resolves once `done` holds, looking again each time the manager reports a change (the endpoint
 * process sends its figures and request log in batches).
 */
async function whenChanged(manager: EndpointManager, done: () => boolean | Promise<boolean>): Promise<void> {
  for (;;) {
    let subscription: { dispose(): void } | undefined;
    const changed = new Promise<void>((resolve) => (subscription = manager.onDidChange(resolve)));
    try {
      if (await done()) return;
      await changed;
    } finally {
      subscription?.dispose();
    }
  }
}

async function get(url: string, signal?: AbortSignal): Promise<Answer> {
  const res = await fetch(url, signal ? { signal } : {});
  const text = await res.text();
  return { status: res.status, body: text, json: () => JSON.parse(text) as Record<string, unknown> };
}

describe('endpoint: MLflow scoring protocol', () => {
  let f: ServingFixture;
  let manager: EndpointManager;
  let endpoint: EndpointInfo;
  before(async () => {
    f = await penguinsFixture();
    manager = new EndpointManager(f.store);
    // the default request timeout: a short one would time out the many-connections test on a busy machine
    endpoint = await manager.start({ uri: 'models:/penguins/1', limits: { maxBodyBytes: 1024 * 1024 } });
  });
  after(async () => {
    await manager?.stopAll();
    await f?.cleanup();
  });

  it('accepts every input format and they agree', async () => {
    const bodies: [string, string][] = [
      [JSON.stringify({ dataframe_split: { columns: COLUMNS, data: [Object.values(ROW)] } }), 'application/json'],
      [JSON.stringify({ dataframe_records: [ROW] }), 'application/json'],
      [JSON.stringify({ instances: [ROW] }), 'application/json'],
      [JSON.stringify({ inputs: Object.fromEntries(COLUMNS.map((c) => [c, [ROW[c as keyof typeof ROW]]])) }), 'application/json; charset=utf-8'],
      [`${COLUMNS.join(',')}\n${Object.values(ROW).join(',')}\n`, 'text/csv'],
    ];
    const answers = await Promise.all(bodies.map(([b, t]) => post(endpoint.url, b, t)));
    for (const a of answers) assert.equal(a.status, 200, a.body);
    const predictions = answers.map((a) => JSON.stringify(a.json().predictions));
    assert.equal(new Set(predictions).size, 1, predictions.join('\n'));
    const [first] = answers[0]?.json().predictions as { label: string; probabilities: Record<string, number> }[];
    assert.ok(['Adelie', 'Chinstrap', 'Gentoo'].includes(first?.label ?? ''));
    const { loadModelPackage } = await import('../../../src/core/modelPackage/modelPackageLoader');
    const direct = (await loadModelPackage(f.v1.packageDir)).predict([ROW])[0];
    assert.deepEqual(first, direct);
  });

  it('answers ping, health, version and metadata', async () => {
    assert.equal((await get(`${endpoint.url}/ping`)).status, 200);
    const health = (await get(`${endpoint.url}/health`)).json();
    assert.equal(health.status, 'ok');
    assert.equal(health.version, 1);
    assert.equal((await get(`${endpoint.url}/version`)).status, 200);
    const metadata = (await get(`${endpoint.url}/metadata`)).json() as { signature: { inputs: { name: string }[] } };
    assert.deepEqual(metadata.signature.inputs.map((i) => i.name).sort(), [...COLUMNS].sort());
    assert.equal((await get(`${endpoint.url}/nope`)).status, 404);
  });

  it('refuses bad requests with a status and a message naming the problem', async () => {
    const cases: [string | Buffer, string, number, RegExp][] = [
      ['{"dataframe_records": [', 'application/json', 400, /not valid JSON/],
      [JSON.stringify({ rows: [ROW] }), 'application/json', 400, /none of dataframe_split/],
      [JSON.stringify({ instances: [ROW], inputs: [ROW] }), 'application/json', 400, /exactly one/],
      [JSON.stringify({ dataframe_records: [{ ...ROW, island: undefined }] }), 'application/json', 400, /"island"/],
      [JSON.stringify({ dataframe_records: [{ ...ROW, body_mass_g: 'heavy' }] }), 'application/json', 400, /row 1, column "body_mass_g": expected a number/],
      [JSON.stringify({ dataframe_split: { columns: COLUMNS, data: [[...Object.values(ROW).slice(0, 4), 'NaN', 'male']] } }), 'application/json', 400, /column "body_mass_g": NaN is not allowed/],
      [JSON.stringify({ dataframe_split: { columns: COLUMNS, data: [[1, 2]] } }), 'application/json', 400, /has 2 values for 6 columns/],
      [JSON.stringify({ instances: [[1, 2, 3]] }), 'application/json', 400, /takes 6 inputs/],
      [JSON.stringify({ dataframe_records: [] }), 'application/json', 400, /no rows/],
      [JSON.stringify({ dataframe_records: [ROW] }), 'text/plain', 415, /Content-Type "text\/plain"/],
      [Buffer.alloc(10 * 1024 * 1024, 32), 'application/json', 413, /at most 1048576 bytes/],
    ];
    for (const [body, type, status, message] of cases) {
      const answer = await post(endpoint.url, body, type);
      assert.equal(answer.status, status, `${String(body).slice(0, 60)} → ${answer.body}`);
      assert.match(String(answer.json().message), message);
    }
    // the endpoint is still fine
    assert.equal((await post(endpoint.url, JSON.stringify({ dataframe_records: [ROW] }))).status, 200);
  });

  it('times out a slow client with 408 and keeps serving others', async () => {
    const strict = await manager.start({ uri: 'models:/penguins/1', name: 'penguins-strict', limits: { requestTimeoutMs: 600 } });
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(strict.port, '127.0.0.1', () => {
        socket.write('POST /invocations HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"dataframe_records"');
      });
      let text = '';
      socket.on('data', (d: Buffer) => (text += d.toString()));
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
    });
    assert.match(answer, /^HTTP\/1\.1 408/);
    assert.equal((await post(strict.url, JSON.stringify({ dataframe_records: [ROW] }))).status, 200);
    await manager.stop(strict.name);
  });

  it('serves many connections at once (micro-batched) with correct answers per request', async () => {
    const rows = Array.from({ length: 200 }, (_, i) => ({ ...ROW, bill_length_mm: 35 + (i % 20), body_mass_g: 3000 + i * 10 }));
    const { loadModelPackage } = await import('../../../src/core/modelPackage/modelPackageLoader');
    const model = await loadModelPackage(f.v1.packageDir);
    const answers = await Promise.all(rows.map((row) => post(endpoint.url, JSON.stringify({ dataframe_records: [row] }))));
    answers.forEach((a, i) => {
      assert.equal(a.status, 200, a.body);
      assert.deepEqual((a.json().predictions as unknown[])[0], model.predict([rows[i] as Record<string, unknown>])[0]);
    });
  });

  it('logs requests into the store with inputs, outputs, latency and version', async () => {
    // the process sends its log in batches; wait for the 200 answers of the test before
    let log = readRequestLog(f.store, endpoint.name, 5000);
    await whenChanged(manager, async () => {
      await manager.flushed();
      log = readRequestLog(f.store, endpoint.name, 5000);
      return log.filter((e) => e.status === 200).length >= 200;
    });
    const ok = log.filter((e) => e.status === 200);
    assert.ok(ok.length >= 200, `logged ${ok.length}`);
    const one = ok[0];
    assert.equal(one?.version, 1);
    assert.ok((one?.latencyMs ?? -1) >= 0);
    assert.equal(one?.inputs?.length, 1);
    assert.ok(log.some((e) => e.status === 413));
    const info = manager.get(endpoint.name);
    assert.ok(info.stats.requests >= 200 && info.stats.errors >= 10, JSON.stringify(info.stats));
    assert.ok(info.stats.p99Ms >= info.stats.p50Ms);
    const recorded = manager.recorded().find((r) => r.name === endpoint.name);
    assert.equal(recorded?.status, 'running');
    assert.equal(recorded?.port, endpoint.port);
  });

  it('restarts a killed worker; /health says so meanwhile and after; from the first 503 on no request is dropped', async () => {
    const pid = (manager as unknown as { running: Map<string, { supervisor: { pid: number } }> }).running.get(endpoint.name)?.supervisor.pid;
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    // Connections the killed process held die with it, and the port is unbound until the host sees the exit.
    let during: Answer | undefined;
    for (const deadline = Date.now() + 15_000; !during; ) {
      assert.ok(Date.now() < deadline, 'the port was not answered again within 15 s of the kill');
      during = await get(`${endpoint.url}/health`).catch(() => undefined);
    }
    assert.equal(during.status, 503);
    assert.equal(during.json().status, 'restarting');
    assert.match(String(during.json().message), /killed by SIGKILL/);
    assert.equal((await post(endpoint.url, JSON.stringify({ dataframe_records: [ROW] }))).status, 503);
    // From here every request gets an answer, through the restart and the hand-over of the port
    // from the host's stand-in to the new process: a dropped or hanging one fails this test.
    let health: Answer = during;
    const statuses = new Set<number>([during.status]);
    const client = async (): Promise<void> => {
      while (health.status !== 200) {
        const answer = await get(`${endpoint.url}/health`, AbortSignal.timeout(60_000));
        statuses.add(answer.status);
        if (answer.status === 200) health = answer;
      }
    };
    await Promise.all([client(), client(), client()]);
    assert.deepEqual([...statuses].sort(), [200, 503]);
    assert.equal(health.json().restarts, 1);
    assert.match(String(health.json().lastExit), /SIGKILL/);
    assert.equal((await post(endpoint.url, JSON.stringify({ dataframe_records: [ROW] }))).status, 200);
  });

  it('stop frees the port and records the endpoint as stopped', async () => {
    await manager.stop(endpoint.name);
    await assert.rejects(fetch(`${endpoint.url}/ping`));
    assert.equal(manager.recorded().find((r) => r.name === endpoint.name)?.status, 'stopped');
  });
});

describe('endpoint: alias-following', () => {
  let f: ServingFixture;
  let manager: EndpointManager;
  before(async () => {
    f = await penguinsFixture();
    manager = new EndpointManager(f.store);
  });
  after(async () => {
    await manager?.stopAll();
    await f?.cleanup();
  });

  it('moves to the new version when the alias moves, under load, dropping nothing', async () => {
    const endpoint = await manager.start({ uri: 'models:/penguins@champion' });
    assert.equal(endpoint.name, 'penguins-champion');
    assert.equal(endpoint.version, 1);
    let stop = false;
    const statuses: number[] = [];
    const client = async (): Promise<void> => {
      while (!stop) {
        const a = await post(endpoint.url, JSON.stringify({ dataframe_records: [ROW] }));
        statuses.push(a.status);
      }
    };
    /** polls until `done` holds; fails after a generous deadline (a condition, not a timing) */
    const until = async (what: string, done: () => boolean, pause = (): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, 20))): Promise<void> => {
      for (const deadline = Date.now() + 30_000; !done(); await pause()) assert.ok(Date.now() < deadline, `gave up waiting for ${what}`);
    };
    const clients = Array.from({ length: 8 }, () => client());
    await until('requests on version 1', () => statuses.length >= 20);
    await f.registry.setAlias('penguins', 'champion', 2);
    // looked at every turn, to catch the host saying version 2 before the process answers with it
    await until('the endpoint to say it serves version 2', () => manager.get(endpoint.name).version === 2, () => new Promise(setImmediate));
    // what the host says it serves is what answers
    const health = (await get(`${endpoint.url}/health`)).json();
    assert.equal(health.version, 2);
    const answeredBefore = statuses.length;
    await until('requests on version 2', () => statuses.length >= answeredBefore + 20);
    stop = true;
    await Promise.all(clients);
    assert.deepEqual([...new Set(statuses)], [200]);
    // the process sends its request log in batches; both versions answered and are logged as such
    let versionsSeen: number[] = [];
    await until('both versions in the request log', () => {
      versionsSeen = [...new Set(readRequestLog(f.store, endpoint.name, 100000).map((e) => e.version))].sort();
      return versionsSeen.length === 2;
    });
    assert.deepEqual(versionsSeen, [1, 2]);
    await manager.flushed();
    const { lineageFor } = await import('../../../src/core/registry/registryAccess');
    const parents = lineageFor(f.store).parents({ kind: 'endpoint', id: endpoint.name });
    assert.deepEqual(parents.map((p) => p.node.id).sort(), ['penguins/1', 'penguins/2']);
  });

  it('samples the request log and caps it per second when asked', async () => {
    const endpoint = await manager.start({ uri: 'models:/penguins/2', limits: { logSampleRate: 0 } });
    for (let i = 0; i < 10; i++) assert.equal((await post(endpoint.url, JSON.stringify({ dataframe_records: [ROW] }))).status, 200);
    // a log batch carries the figures and the entries of the requests they count
    await whenChanged(manager, () => manager.get(endpoint.name).stats.requests === 10);
    await manager.flushed();
    assert.equal(readRequestLog(f.store, endpoint.name).length, 0);
    assert.equal(manager.get(endpoint.name).stats.requests, 10);
    const capped = await manager.start({ uri: 'models:/penguins/1', limits: { maxLogPerSecond: 3 } });
    await Promise.all(Array.from({ length: 20 }, () => post(capped.url, JSON.stringify({ dataframe_records: [ROW] }))));
    await whenChanged(manager, () => manager.get(capped.name).stats.requests === 20);
    await manager.flushed();
    const logged = readRequestLog(f.store, capped.name).length;
    assert.ok(logged >= 3 && logged <= 6, `${logged} entries logged with a cap of 3 per second`);
    assert.equal(manager.get(capped.name).stats.requests, 20);
  });

  it('refuses a port in use and an unknown model with clear messages', async () => {
    const first = manager.list()[0] as EndpointInfo;
    await assert.rejects(manager.start({ uri: 'models:/penguins/1', name: 'second', port: first.port }), /Port \d+ on 127\.0\.0\.1 is already in use/);
    await assert.rejects(manager.start({ uri: 'models:/nope@champion' }), /no registered model "nope"/);
  });
});
