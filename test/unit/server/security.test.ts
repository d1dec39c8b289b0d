import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { readServerInfo, SERVER_INFO_FILE } from '../../../src/core/server/serverInfoFile';
import { deadPid } from '../store/testSupport';
import { startFixture } from './serverTestSupport';

test('bearer token: missing or wrong → 401 UNAUTHENTICATED and nothing written; right → 200; /health needs none', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  try {
    assert.ok(fx.server.token && fx.server.token.length >= 32);
    assert.deepEqual(fx.server.env, { MLFLOW_TRACKING_URI: fx.server.url, MLFLOW_TRACKING_TOKEN: fx.server.token });
    const body = JSON.stringify({ name: 'sneaky' });
    const json = { 'Content-Type': 'application/json' };
    const missing = await fx.raw('POST', '/api/2.0/mlflow/experiments/create', { body, headers: { ...json, Authorization: '' } });
    assert.equal(missing.status, 401);
    assert.equal((missing.json as { error_code: string }).error_code, 'UNAUTHENTICATED');
    assert.match((missing.json as { message: string }).message, /MLFLOW_TRACKING_TOKEN/);
    assert.equal(missing.headers['www-authenticate'], 'Bearer realm="mlops"');
    const wrong = await fx.raw('POST', '/api/2.0/mlflow/experiments/create', { body, headers: { ...json, Authorization: `Bearer ${'x'.repeat(43)}` } });
    assert.equal(wrong.status, 401);
    assert.match((wrong.json as { message: string }).message, /does not match/);
    const basic = await fx.raw('GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    assert.equal(basic.status, 401);
    const artifact = await fx.raw('GET', '/api/2.0/mlflow-artifacts/artifacts?path=0', { headers: { Authorization: '' } });
    assert.equal(artifact.status, 401);
    assert.equal(await fx.store.tracking.getExperimentByName('sneaky'), undefined);
    assert.equal((await fx.raw('GET', '/health', { headers: { Authorization: '' } })).text, 'OK');
    const right = await fx.api('POST', 'experiments/create', { name: 'allowed' });
    assert.equal(right.status, 200);
  } finally {
    await fx.close();
  }
});

test('the server listens on 127.0.0.1 only and writes .mlops/server.json (0600) that is gone after close', async () => {
  const fx = await startFixture({ insecureNoToken: false, token: 'a-fixed-token-for-this-test-0123456789' });
  const file = join(fx.dir, SERVER_INFO_FILE);
  try {
    assert.match(fx.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.equal(fx.server.token, 'a-fixed-token-for-this-test-0123456789');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const info = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    assert.equal(info.url, fx.server.url);
    assert.equal(info.token, fx.server.token);
    assert.equal(info.pid, process.pid);
    assert.equal(readServerInfo(fx.dir)?.url, fx.server.url);
  } finally {
    await fx.server.close();
  }
  assert.equal(existsSync(file), false);
  await fx.close();
});

test('a server.json left behind by a dead process is ignored', async () => {
  const fx = await startFixture();
  try {
    await fx.server.close();
    const pid = await deadPid();
    writeFileSync(join(fx.dir, SERVER_INFO_FILE), JSON.stringify({ url: 'http://127.0.0.1:1', port: 1, token: 't', pid, hostname: (await import('node:os')).hostname(), startedAt: '' }));
    assert.equal(readServerInfo(fx.dir), undefined);
  } finally {
    await fx.close();
  }
});

test('a client that sends its headers too slowly is disconnected; other clients are served meanwhile', async () => {
  const fx = await startFixture({ headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 2_000 });
  try {
    const port = fx.server.port;
    const started = Date.now();
    const closedAfter = await new Promise<number>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.write('POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\n');
        // ... and never finishes the headers.
      });
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(Date.now() - started));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('the slow client was not disconnected within 5 s')), 5_000).unref();
    });
    assert.ok(closedAfter < 5_000, `disconnected after ${closedAfter} ms`);
    assert.equal((await fx.raw('GET', '/health')).text, 'OK');
  } finally {
    await fx.close();
  }
});

test('a client that stops in the middle of a body is disconnected, and its partial request writes nothing', async () => {
  const fx = await startFixture({ headersTimeoutMs: 300, requestTimeoutMs: 600, idleTimeoutMs: 2_000 });
  try {
    const closed = await new Promise<boolean>((resolve, reject) => {
      const socket = connect(fx.server.port, '127.0.0.1', () => {
        socket.write('POST /api/2.0/mlflow/experiments/create HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name": "half');
      });
      socket.on('data', () => undefined);
      socket.on('close', () => resolve(true));
      socket.on('error', reject);
      setTimeout(() => reject(new Error('not disconnected within 5 s')), 5_000).unref();
    });
    assert.ok(closed);
    assert.equal((await fx.store.tracking.searchExperiments({ filter: "name LIKE 'half%'" })).experiments.length, 0);
  } finally {
    await fx.close();
  }
});

test('requests under another host name (DNS rebinding from a web page) are refused, even without a token', async () => {
  const fx = await startFixture();
  try {
    const body = JSON.stringify({ name: 'rebound' });
    const evil = await fx.raw('POST', '/api/2.0/mlflow/experiments/create', { body, headers: { Host: `evil.example:${fx.server.port}`, 'Content-Type': 'application/json' } });
    assert.equal(evil.status, 403);
    assert.equal((evil.json as { error_code: string }).error_code, 'PERMISSION_DENIED');
    assert.match((evil.json as { message: string }).message, new RegExp(`answers only as 127\\.0\\.0\\.1 or localhost \\(MLFLOW_TRACKING_URI=http://127\\.0\\.0\\.1:${fx.server.port}\\)`));
    assert.equal(await fx.store.tracking.getExperimentByName('rebound'), undefined);
    // the unauthenticated routes too: they say which server this is
    for (const path of ['/health', '/version']) assert.equal((await fx.raw('GET', path, { headers: { Host: 'evil.example' } })).status, 403, path);
    for (const host of [`127.0.0.1:${fx.server.port}`, `localhost:${fx.server.port}`, `LOCALHOST:${fx.server.port}`]) {
      const ok = await fx.raw('GET', '/api/2.0/mlflow/experiments/get?experiment_id=0', { headers: { Host: host } });
      assert.equal(ok.status, 200, host);
    }
  } finally {
    await fx.close();
  }
});
