import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, startFixture } from './serverTestSupport';
import type { ServerFixture } from './serverTestSupport';

interface ErrorBody {
  error_code: string;
  message: string;
}

async function runMetricCount(fx: ServerFixture, runId: string): Promise<number> {
  const run = await fx.store.tracking.getRun(runId);
  return run.data.metrics.reduce((n, m) => n + m.count, 0) + run.data.params.length;
}

test('POST without Content-Type: application/json is refused with MLflow\'s exact 400, and nothing is written', async () => {
  const fx = await startFixture();
  try {
    const expected = { error_code: 'INVALID_PARAMETER_VALUE', message: "Bad Request. Content-Type must be one of ['application/json']." };
    const body = JSON.stringify({ name: 'never-created' });
    for (const headers of [{}, { 'Content-Type': 'text/plain' }, { 'Content-Type': 'application/x-www-form-urlencoded' }]) {
      const r = await fx.raw('POST', '/api/2.0/mlflow/experiments/create', { body, headers });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, expected);
    }
    const withCharset = await fx.raw('POST', '/api/2.0/mlflow/experiments/create', { body, headers: { 'Content-Type': 'application/json; charset=utf-8' } });
    assert.equal(withCharset.status, 200, 'parameters after the media type are fine');
    assert.equal((await fx.store.tracking.searchExperiments({ filter: "name = 'never-created'" })).experiments.length, 1);
  } finally {
    await fx.close();
  }
});

test('malformed JSON, non-object bodies and missing parameters: 400 INVALID_PARAMETER_VALUE saying what and where', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const malformed = await fx.api('POST', 'runs/log-metric', '{"run_id": "abc", "key": ');
    assert.equal(malformed.status, 400);
    assert.equal((malformed.json as ErrorBody).error_code, 'INVALID_PARAMETER_VALUE');
    assert.match((malformed.json as ErrorBody).message, /^Malformed JSON in the request body of POST \/api\/2\.0\/mlflow\/runs\/log-metric: /);

    const array = await fx.api('POST', 'runs/log-metric', '[1, 2]');
    assert.equal(array.status, 400);
    assert.match((array.json as ErrorBody).message, /must be a JSON object, got an array/);

    const noKey = await fx.api('POST', 'runs/log-metric', { run_id: runId, value: 1, timestamp: 1 });
    assert.deepEqual(noKey.json, { error_code: 'INVALID_PARAMETER_VALUE', message: "Missing value for required parameter 'key'. See the API docs for more information about request parameters." });
    const noTimestamp = await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 1 });
    assert.match((noTimestamp.json as ErrorBody).message, /^Missing value for required parameter 'timestamp'\./);
    const badValue = await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 'high', timestamp: 1 });
    assert.equal(badValue.status, 400);
    assert.match((badValue.json as ErrorBody).message, /^Invalid value "high" for parameter 'value' supplied/);
    const badStep = await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 1, timestamp: 1, step: 1.5 });
    assert.match((badStep.json as ErrorBody).message, /parameter 'step'.*expected an integer/);
    const noRun = await fx.api('POST', 'runs/log-parameter', { key: 'lr', value: '1' });
    assert.match((noRun.json as ErrorBody).message, /^Missing value for required parameter 'run_id'\./);
    const batchWhere = await fx.api('POST', 'runs/log-batch', { run_id: runId, metrics: [{ key: 'a', value: 1, timestamp: 1 }, { key: 'b', timestamp: 1 }] });
    assert.match((batchWhere.json as ErrorBody).message, /'metrics\[1\]\.value'/);
    assert.equal(await runMetricCount(fx, runId), 0, 'a failed batch writes nothing, not even its valid part');
  } finally {
    await fx.close();
  }
});

test('unknown run and experiment ids: 404 RESOURCE_DOES_NOT_EXIST for every kind of write, nothing created', async () => {
  const fx = await startFixture();
  try {
    const ghost = '0123456789abcdef0123456789abcdef';
    const cases: [string, Record<string, unknown>][] = [
      ['runs/log-metric', { run_id: ghost, key: 'loss', value: 1, timestamp: 1 }],
      ['runs/log-parameter', { run_id: ghost, key: 'lr', value: '1' }],
      ['runs/set-tag', { run_id: ghost, key: 't', value: 'v' }],
      ['runs/delete-tag', { run_id: ghost, key: 't' }],
      ['runs/log-batch', { run_id: ghost, metrics: [{ key: 'loss', value: 1, timestamp: 1 }] }],
      ['runs/log-batch', { run_id: ghost }],
      ['runs/update', { run_id: ghost, status: 'FINISHED' }],
      ['runs/delete', { run_id: ghost }],
      ['runs/restore', { run_id: ghost }],
      ['runs/log-inputs', { run_id: ghost, datasets: [] }],
      ['runs/create', { experiment_id: '77', start_time: 1 }],
      ['experiments/delete', { experiment_id: '77' }],
      ['experiments/update', { experiment_id: '77', new_name: 'x' }],
      ['experiments/set-experiment-tag', { experiment_id: '77', key: 'k', value: 'v' }],
    ];
    for (const [endpoint, params] of cases) {
      const r = await fx.api('POST', endpoint, params);
      assert.equal(r.status, 404, `${endpoint}: ${r.text}`);
      assert.equal((r.json as ErrorBody).error_code, 'RESOURCE_DOES_NOT_EXIST', endpoint);
    }
    const stats = await fx.store.tracking.stats();
    assert.equal(stats.runs, 0);
  } finally {
    await fx.close();
  }
});

test('log-batch limits are MLflow\'s: 1000 metrics, 100 params, 100 tags, 1000 entries; over them nothing is written', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const metrics = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ key: 'm', value: i, timestamp: 1, step: i }));
    const params = (n: number): object[] => Array.from({ length: n }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    const ok = await fx.api('POST', 'runs/log-batch', { run_id: runId, metrics: metrics(1000) });
    assert.equal(ok.status, 200);
    const cases: [object, string][] = [
      [{ metrics: metrics(1001) }, 'A batch logging request can contain at most 1000 metrics. Got 1001 metrics. Please split up metrics across multiple requests and try again.'],
      [{ params: params(101) }, 'A batch logging request can contain at most 100 params. Got 101 params. Please split up params across multiple requests and try again.'],
      [{ tags: params(101) }, 'A batch logging request can contain at most 100 tags. Got 101 tags. Please split up tags across multiple requests and try again.'],
      [{ metrics: metrics(950), params: params(51) }, 'A batch logging request can contain at most 1000 metrics, params, and tags. Got 1001 metrics, params, and tags. Please split up metrics, params, and tags across multiple requests and try again.'],
    ];
    for (const [body, message] of cases) {
      const r = await fx.api('POST', 'runs/log-batch', { run_id: runId, ...body });
      assert.equal(r.status, 400);
      assert.deepEqual(r.json, { error_code: 'INVALID_PARAMETER_VALUE', message });
    }
    assert.equal(await runMetricCount(fx, runId), 1000);
  } finally {
    await fx.close();
  }
});

test('changing a param is refused (400) while logging the same value again is fine', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    assert.equal((await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).status, 200);
    assert.equal((await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.01' })).status, 200);
    const changed = await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr', value: '0.02' });
    assert.equal(changed.status, 400);
    assert.equal((changed.json as ErrorBody).error_code, 'INVALID_PARAMETER_VALUE');
    assert.match((changed.json as ErrorBody).message, /Param "lr".*already "0\.01"/);
  } finally {
    await fx.close();
  }
});

test('oversized bodies get 413 with an MLflow-style error and are not written', async () => {
  const fx = await startFixture({ maxJsonBodyBytes: 4096, maxArtifactBytes: 8192 });
  try {
    const { experimentId, runId } = await createRun(fx);
    const big = { run_id: runId, metrics: Array.from({ length: 200 }, (_, i) => ({ key: 'big', value: i, timestamp: 1, step: i })) };
    const r = await fx.api('POST', 'runs/log-batch', big);
    assert.equal(r.status, 413);
    assert.equal((r.json as ErrorBody).error_code, 'RESOURCE_LIMIT_EXCEEDED');
    assert.match((r.json as ErrorBody).message, /POST \/api\/2\.0\/mlflow\/runs\/log-batch is too large: the limit is 4096 bytes/);
    assert.equal(r.headers.connection, 'close');
    const art = await fx.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/big.bin`, { body: Buffer.alloc(10_000, 1) });
    assert.equal(art.status, 413);
    assert.equal(await runMetricCount(fx, runId), 0);
    assert.deepEqual(await fx.store.tracking.listArtifacts(runId), []);
    // The server is still healthy for the next client.
    assert.equal((await fx.raw('GET', '/health')).text, 'OK');
  } finally {
    await fx.close();
  }
});

test('unknown endpoints, wrong methods and the not-yet-built traces answer with clear JSON errors', async () => {
  const fx = await startFixture();
  try {
    const unknown = await fx.api('POST', 'runs/teleport', {});
    assert.equal(unknown.status, 404);
    assert.equal((unknown.json as ErrorBody).error_code, 'ENDPOINT_NOT_FOUND');
    const wrongMethod = await fx.api('GET', 'runs/log-metric', {});
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.headers.allow, 'POST');
    const traces = await fx.api('POST', 'traces', { experiment_id: '0' });
    assert.equal(traces.status, 501);
    assert.match((traces.json as ErrorBody).message, /traces/);
    assert.equal((await fx.raw('GET', '/version')).text, '2.12.2');
  } finally {
    await fx.close();
  }
});

test('bare NaN / Infinity from Python\'s json module are read as the non-finite values they mean; strings stay as they are', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const body = `{"run_id": "${runId}", "metrics": [{"key": "a", "value": NaN, "timestamp": 1, "step": 0}, {"key": "a", "value": -Infinity, "timestamp": 2, "step": 1}, {"key": "a", "value": Infinity, "timestamp": 3, "step": 2}], "tags": [{"key": "note", "value": "NaN \\\\\\" Infinity"}]}`;
    const r = await fx.api('POST', 'runs/log-batch', body);
    assert.equal(r.status, 200, r.text);
    const values = (await fx.store.tracking.getMetricHistory(runId, 'a')).points.map((p) => p.value);
    assert.deepEqual(values, [NaN, -Infinity, Infinity]);
    assert.equal((await fx.store.tracking.getRun(runId)).data.tags.find((t) => t.key === 'note')?.value, 'NaN \\" Infinity');
    const stillBad = await fx.api('POST', 'runs/log-batch', `{"run_id": "${runId}", "metrics": [{"key": "a", "value": nan}]}`);
    assert.equal(stillBad.status, 400);
    assert.match((stillBad.json as ErrorBody).message, /^Malformed JSON in the request body of POST \/api\/2\.0\/mlflow\/runs\/log-batch/);
  } finally {
    await fx.close();
  }
});
