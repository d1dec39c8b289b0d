import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { request } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { EndpointSupervisor, type EndpointStatus } from '../../../src/core/serving/endpointSupervisor';
import { DEFAULT_LIMITS } from '../../../src/core/serving/endpointTypes';
import { servedPenguins } from './servingTestSupport';

const ROW = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  json(): Record<string, unknown>;
}

/** A request with an explicit Host header, as a page that rebound its own name to 127.0.0.1 sends it. */
function call(url: string, method: string, path: string, host: string | undefined, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json', ...(host !== undefined ? { Host: host } : {}) };
    if (body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(body));
    const req = request(`${url}${path}`, { method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text, json: () => JSON.parse(text) as Record<string, unknown> });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

const SCORE = JSON.stringify({ dataframe_records: [ROW] });

describe('endpoint: requests under a foreign Host (DNS rebinding) are refused', () => {
  const served = servedPenguins();

  it('answers 403 on every route, and a refused scoring request never reaches the request log', async () => {
    const { fixture: f, manager, endpoint } = served;
    const routes: [string, string, string | undefined][] = [
      ['POST', '/invocations', SCORE],
      ['GET', '/metadata', undefined],
      ['GET', '/health', undefined],
      ['GET', '/ping', undefined],
      ['GET', '/version', undefined],
      ['POST', '/feedback', JSON.stringify({ request_id: '00000000-0000-4000-8000-000000000000', rating: 5 })],
      ['GET', '/no-such-route', undefined],
    ];
    for (const host of [`evil.example:${endpoint.port}`, 'evil.example', `127.0.0.1.evil.example:${endpoint.port}`, `localhost.evil.example`]) {
      for (const [method, path, body] of routes) {
        const answer = await call(endpoint.url, method, path, host, body);
        assert.equal(answer.status, 403, `${method} ${path} as ${host}: ${answer.body}`);
        assert.equal(answer.json().error_code, 'PERMISSION_DENIED');
        assert.match(String(answer.json().message), new RegExp(`host "${host.replace(/\./g, '\\.')}" are refused: this server answers only as 127\\.0\\.0\\.1 or localhost \\(use http://127\\.0\\.0\\.1:${endpoint.port}\\)`));
        assert.equal(answer.headers['x-request-id'], undefined, 'a refused request gets no request id');
      }
    }

    // the same routes under loopback names answer
    for (const host of [`127.0.0.1:${endpoint.port}`, `localhost:${endpoint.port}`, `LocalHost:${endpoint.port}`, 'localhost', `[::1]:${endpoint.port}`]) {
      assert.equal((await call(endpoint.url, 'POST', '/invocations', host, SCORE)).status, 200, host);
      assert.equal((await call(endpoint.url, 'GET', '/metadata', host)).json().name, 'penguins', host);
      assert.equal((await call(endpoint.url, 'GET', '/health', host)).json().status, 'ok', host);
    }
    // an unknown request id is a 404 from the feedback route itself, so the Host check let it through
    assert.equal((await call(endpoint.url, 'POST', '/feedback', `localhost:${endpoint.port}`, JSON.stringify({ request_id: '00000000-0000-4000-8000-000000000000', rating: 5 }))).status, 404);

    await manager.flushed();
    const deadline = Date.now() + 20_000;
    // the process sends its log in batches; wait until the five loopback requests are in
    let log = readRequestLog(f.store, endpoint.name);
    while (log.length < 5 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      await manager.flushed();
      log = readRequestLog(f.store, endpoint.name);
    }
    assert.deepEqual(log.map((e) => e.status), [200, 200, 200, 200, 200], 'only the loopback requests are logged');
    assert.equal(manager.get(endpoint.name).stats.requests, 5);
  });
});

describe('endpoint supervisor: the port it answers on while the process starts refuses a foreign Host too', () => {
  it('403 for evil.example, 503 (starting) for 127.0.0.1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-host-'));
    // a process that takes the socket and never says it is ready, so the supervisor keeps answering
    const entry = join(dir, 'neverReady.js');
    writeFileSync(entry, "process.on('message', (m) => { if (m.type === 'stop') process.exit(0); }); process.on('disconnect', () => process.exit(0));\n");
    const statuses: EndpointStatus[] = [];
    const supervisor = new EndpointSupervisor({ model: { name: 'slow', version: 1, uri: 'models:/slow/1', packageDir: dir }, port: 0, limits: DEFAULT_LIMITS, entry, onStatus: (s) => statuses.push(s) });
    const started = supervisor.start();
    started.catch(() => undefined);
    try {
      // onStatus('starting') fires after the port is bound
      while (statuses.length === 0) await new Promise((resolve) => setImmediate(resolve));
      const evil = await call(supervisor.url, 'GET', '/health', `evil.example:${supervisor.port}`);
      assert.equal(evil.status, 403, evil.body);
      assert.equal(evil.json().error_code, 'PERMISSION_DENIED');
      assert.equal(evil.json().model, undefined, 'a refused request learns nothing about the model');
      const local = await call(supervisor.url, 'GET', '/health', `127.0.0.1:${supervisor.port}`);
      assert.equal(local.status, 503, local.body);
      assert.equal(local.json().model, 'models:/slow/1');
    } finally {
      await supervisor.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
