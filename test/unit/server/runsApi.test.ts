import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, startFixture } from './serverTestSupport';

interface RunBody {
  run: {
    info: Record<string, unknown>;
    data: { metrics?: { key: string; value: number | string; step: number; timestamp: number }[]; params?: { key: string; value: string }[]; tags?: { key: string; value: string }[] };
    inputs: Record<string, unknown>;
  };
}

test('runs: the request/response pairs of a start_run … end_run script', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    assert.match(runId, /^[0-9a-f]{32}$/);

    const created = await fx.api('GET', 'runs/get', { run_uuid: runId, run_id: runId });
    const info = (created.json as RunBody).run.info;
    assert.deepEqual(Object.keys(info), ['run_uuid', 'experiment_id', 'run_name', 'user_id', 'status', 'start_time', 'artifact_uri', 'lifecycle_stage', 'run_id']);
    assert.equal(info.run_uuid, runId);
    assert.equal(info.status, 'RUNNING');
    assert.equal(info.start_time, 1795793232759);
    assert.equal(info.artifact_uri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    assert.equal('end_time' in info, false, 'unset fields are left out');
    assert.deepEqual((created.json as RunBody).run.inputs, {});

    // log_param, log_metric and set_tag send run_uuid beside run_id.
    assert.deepEqual((await fx.api('POST', 'runs/log-parameter', { run_uuid: runId, key: 'lr', value: '0.01', run_id: runId })).json, {});
    for (let step = 0; step < 3; step++) {
      const r = await fx.api('POST', 'runs/log-metric', { run_uuid: runId, key: 'loss', value: 1 / (step + 1), timestamp: 1795793233020 + step, step, run_id: runId });
      assert.deepEqual(r.json, {});
    }
    assert.deepEqual((await fx.api('POST', 'runs/set-tag', { run_uuid: runId, key: 'stage', value: 'dev', run_id: runId })).json, {});
    const batch = await fx.api('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: Array.from({ length: 50 }, (_, i) => ({ key: 'batch_m', value: i * 0.5, timestamp: 1795793235644 + i, step: i })),
      params: [{ key: 'p_batch', value: 'v1' }, { key: 'p_batch2', value: 'v2' }],
      tags: [{ key: 't_batch', value: 'x' }],
    });
    assert.equal(batch.status, 200);
    assert.deepEqual(batch.json, {});

    const got = (await fx.api('GET', 'runs/get', { run_uuid: runId, run_id: runId })).json as RunBody;
    assert.deepEqual(got.run.data.metrics, [
      { key: 'loss', value: 1 / 3, timestamp: 1795793233022, step: 2 },
      { key: 'batch_m', value: 24.5, timestamp: 1795793235693, step: 49 },
    ], 'data.metrics holds the latest point per key');
    assert.deepEqual(got.run.data.params, [{ key: 'lr', value: '0.01' }, { key: 'p_batch', value: 'v1' }, { key: 'p_batch2', value: 'v2' }]);
    const tags = Object.fromEntries((got.run.data.tags ?? []).map((t) => [t.key, t.value]));
    assert.equal(tags['mlflow.source.name'], '/home/user/project/train.py');
    assert.equal(tags.stage, 'dev');
    assert.equal(tags.t_batch, 'x');

    const history = await fx.api('GET', 'metrics/get-history', { run_uuid: runId, metric_key: 'loss', run_id: runId, max_results: 25000 });
    assert.deepEqual(history.json, {
      metrics: [
        { key: 'loss', value: 1, timestamp: 1795793233020, step: 0 },
        { key: 'loss', value: 0.5, timestamp: 1795793233021, step: 1 },
        { key: 'loss', value: 1 / 3, timestamp: 1795793233022, step: 2 },
      ],
    });

    assert.deepEqual((await fx.api('POST', 'runs/delete-tag', { run_id: runId, key: 'stage' })).json, {});
    const ended = await fx.api('POST', 'runs/update', { run_uuid: runId, status: 'FINISHED', end_time: 1795793235592, run_id: runId });
    assert.equal(ended.status, 200);
    const runInfo = (ended.json as { run_info: Record<string, unknown> }).run_info;
    assert.equal(runInfo.status, 'FINISHED');
    assert.equal(runInfo.end_time, 1795793235592);
    assert.deepEqual(Object.keys(runInfo).slice(5, 7), ['start_time', 'end_time']);
    const after = (await fx.api('GET', 'runs/get', { run_id: runId })).json as RunBody;
    assert.equal((after.run.data.tags ?? []).some((t) => t.key === 'stage'), false);

    const unknown = await fx.api('GET', 'runs/get', { run_uuid: '00000000000000000000000000000000', run_id: '00000000000000000000000000000000' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.json, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'Run with id=00000000000000000000000000000000 not found' });
  } finally {
    await fx.close();
  }
});

test('runs/search: filter, order_by, run_view_type, {} for no hits, pages; delete and restore', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId: first } = await createRun(fx);
    const second = ((await fx.api('POST', 'runs/create', { experiment_id: experimentId, run_name: 'second', start_time: 1795793236568 })).json as RunBody).run.info.run_id as string;
    await fx.api('POST', 'runs/log-metric', { run_id: first, key: 'loss', value: 1, timestamp: 1, step: 0 });
    await fx.api('POST', 'runs/log-metric', { run_id: second, key: 'loss', value: 5, timestamp: 1, step: 0 });
    await fx.api('POST', 'runs/set-tag', { run_id: second, key: 'stage', value: 'prod' });

    const prod = await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], run_view_type: 'ACTIVE_ONLY', filter: "tags.stage = 'prod'", max_results: 1000, order_by: ['metrics.loss DESC'] });
    const runs = (prod.json as { runs: RunBody['run'][] }).runs;
    assert.deepEqual(runs.map((r) => r.info.run_name), ['second']);
    assert.equal(runs[0]?.info.run_uuid, second);

    const ordered = await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], max_results: 1000, order_by: ['metrics.loss DESC'] });
    assert.deepEqual((ordered.json as { runs: RunBody['run'][] }).runs.map((r) => r.info.run_id), [second, first]);

    const empty = await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], filter: "tags.stage = 'nowhere'", max_results: 1000 });
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.json, {});

    const page1 = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], max_results: 1 })).json as { runs: RunBody['run'][]; next_page_token?: string };
    assert.equal(page1.runs.length, 1);
    assert.equal(typeof page1.next_page_token, 'string');
    const page2 = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], max_results: 1, page_token: page1.next_page_token })).json as { runs: RunBody['run'][]; next_page_token?: string };
    assert.equal(page2.runs.length, 1);
    assert.equal(page2.next_page_token, undefined);
    assert.notEqual(page1.runs[0]?.info.run_id, page2.runs[0]?.info.run_id);

    const badFilter = await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.loss >' });
    assert.equal(badFilter.status, 400);
    assert.equal((badFilter.json as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');

    assert.deepEqual((await fx.api('POST', 'runs/delete', { run_id: second })).json, {});
    const active = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], run_view_type: 'ACTIVE_ONLY' })).json as { runs: RunBody['run'][] };
    assert.deepEqual(active.runs.map((r) => r.info.run_id), [first]);
    const deleted = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' })).json as { runs: RunBody['run'][] };
    assert.deepEqual(deleted.runs.map((r) => [r.info.run_id, r.info.lifecycle_stage]), [[second, 'deleted']]);
    const toDeleted = await fx.api('POST', 'runs/log-metric', { run_id: second, key: 'loss', value: 1, timestamp: 1 });
    assert.equal(toDeleted.status, 400, 'logging to a deleted run is refused');
    assert.deepEqual((await fx.api('POST', 'runs/restore', { run_id: second })).json, {});
    assert.equal(((await fx.api('GET', 'runs/get', { run_id: second })).json as RunBody).run.info.lifecycle_stage, 'active');
  } finally {
    await fx.close();
  }
});

test('metrics: NaN round-trips as a protobuf-JSON string, ±Infinity comes back as ±the largest double (as MLflow); get-history pages; unknown run or key gives {}', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    await fx.api('POST', 'runs/log-batch', {
      run_id: runId,
      metrics: [
        { key: 'odd', value: 'NaN', timestamp: 10, step: 0 },
        { key: 'odd', value: 'Infinity', timestamp: 11, step: 1 },
        { key: 'odd', value: '-Infinity', timestamp: 12, step: 2 },
        { key: 'odd', value: 3.25, timestamp: '13', step: '3' },
      ],
    });
    const all = (await fx.api('GET', 'metrics/get-history', { run_id: runId, metric_key: 'odd' })).json as { metrics: { value: unknown; step: unknown; timestamp: unknown }[] };
    assert.deepEqual(all.metrics.map((m) => m.value), ['NaN', Number.MAX_VALUE, -Number.MAX_VALUE, 3.25]);
    assert.deepEqual(all.metrics.map((m) => m.step), [0, 1, 2, 3]);
    assert.deepEqual(all.metrics.map((m) => m.timestamp), [10, 11, 12, 13]);

    const values: unknown[] = [];
    let token: string | undefined;
    do {
      const page = (await fx.api('GET', 'metrics/get-history', { run_id: runId, metric_key: 'odd', max_results: 3, ...(token ? { page_token: token } : {}) })).json as { metrics?: { value: unknown }[]; next_page_token?: string };
      values.push(...(page.metrics ?? []).map((m) => m.value));
      token = page.next_page_token;
    } while (token);
    assert.deepEqual(values, ['NaN', Number.MAX_VALUE, -Number.MAX_VALUE, 3.25]);

    assert.deepEqual((await fx.api('GET', 'metrics/get-history', { run_id: runId, metric_key: 'never-logged' })).json, {});
    const unknownRun = await fx.api('GET', 'metrics/get-history', { run_id: 'f'.repeat(32), metric_key: 'odd' });
    assert.equal(unknownRun.status, 200);
    assert.deepEqual(unknownRun.json, {});

    // Repeated keys and a[]= both give lists (querystring_parser's rules).
    for (const query of [`run_ids=${runId}&run_ids=${runId}&metric_key=odd`, `run_ids[]=${runId}&metric_key=odd&max_results=2`]) {
      const bulk = await fx.api('GET', 'metrics/get-history-bulk-interval', query);
      assert.equal(bulk.status, 200, bulk.text);
      const metrics = (bulk.json as { metrics: { run_id: string }[] }).metrics;
      assert.ok(metrics.length > 0 && metrics.every((m) => m.run_id === runId));
    }
  } finally {
    await fx.close();
  }
});

test('log-inputs, log-model and renaming through the mlflow.runName tag', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const inputs = await fx.api('POST', 'runs/log-inputs', {
      run_id: runId,
      datasets: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'toy', digest: '90307e28', source_type: 'local', source: '{"uri": "/data/toy.csv"}', schema: '{}', profile: '{"num_rows": 3}' } }],
    });
    assert.deepEqual(inputs.json, {});
    const model = await fx.api('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify({ run_id: runId, artifact_path: 'model', flavors: { python_function: {} } }) });
    assert.deepEqual(model.json, {});
    assert.deepEqual((await fx.api('POST', 'runs/set-tag', { run_id: runId, key: 'mlflow.runName', value: 'renamed' })).json, {});

    const run = ((await fx.api('GET', 'runs/get', { run_id: runId })).json as RunBody).run;
    assert.deepEqual(run.inputs, {
      dataset_inputs: [{ tags: [{ key: 'mlflow.data.context', value: 'training' }], dataset: { name: 'toy', digest: '90307e28', source_type: 'local', source: '{"uri": "/data/toy.csv"}', schema: '{}', profile: '{"num_rows": 3}' } }],
    });
    const history = JSON.parse((run.data.tags ?? []).find((t) => t.key === 'mlflow.log-model.history')?.value ?? '[]') as { artifact_path: string }[];
    assert.deepEqual(history.map((m) => m.artifact_path), ['model']);
    assert.equal(run.info.run_name, 'renamed');
  } finally {
    await fx.close();
  }
});
