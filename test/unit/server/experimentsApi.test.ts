import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, startFixture } from './serverTestSupport';

test('experiments: create, get, get-by-name, set tag, search, rename, delete and restore as the mlflow client sees them', async () => {
  const fx = await startFixture();
  try {
    const created = await fx.api('POST', 'experiments/create', { name: 'demo-exp-b88db731', tags: [{ key: 'team', value: 'ext' }] });
    assert.equal(created.status, 200);
    assert.deepEqual(created.json, { experiment_id: '1' });
    assert.match(String(created.headers['content-type']), /^application\/json/);

    const duplicate = await fx.api('POST', 'experiments/create', { name: 'demo-exp-b88db731' });
    assert.equal(duplicate.status, 400);
    assert.equal((duplicate.json as { error_code: string }).error_code, 'RESOURCE_ALREADY_EXISTS');
    assert.match((duplicate.json as { message: string }).message, /demo-exp-b88db731.*already exists/);

    assert.deepEqual((await fx.api('POST', 'experiments/set-experiment-tag', { experiment_id: '1', key: 'purpose', value: 'demo' })).json, {});

    const got = await fx.api('GET', 'experiments/get', { experiment_id: '1' });
    assert.equal(got.status, 200);
    const experiment = (got.json as { experiment: Record<string, unknown> }).experiment;
    assert.deepEqual(Object.keys(experiment), ['experiment_id', 'name', 'artifact_location', 'lifecycle_stage', 'last_update_time', 'creation_time', 'tags']);
    assert.equal(experiment.artifact_location, 'mlflow-artifacts:/1');
    assert.equal(experiment.lifecycle_stage, 'active');
    assert.equal(typeof experiment.creation_time, 'number', 'int64 fields are JSON numbers, not strings');
    assert.deepEqual(experiment.tags, [{ key: 'team', value: 'ext' }, { key: 'purpose', value: 'demo' }]);

    const byName = await fx.api('GET', 'experiments/get-by-name', { experiment_name: 'demo-exp-b88db731' });
    assert.equal((byName.json as { experiment: { experiment_id: string } }).experiment.experiment_id, '1');
    // The client's get_experiment_by_name turns exactly this 404 into None.
    const missing = await fx.api('GET', 'experiments/get-by-name', { experiment_name: 'no-such-f3be366387c3489c8281f5fc42c02a48' });
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.json, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: "Could not find experiment with name 'no-such-f3be366387c3489c8281f5fc42c02a48'" });
    const missingId = await fx.api('GET', 'experiments/get', { experiment_id: '42' });
    assert.equal(missingId.status, 404);
    assert.equal((missingId.json as { error_code: string }).error_code, 'RESOURCE_DOES_NOT_EXIST');

    const search = await fx.api('POST', 'experiments/search', { max_results: 1000, filter: "name = 'demo-exp-b88db731'", view_type: 'ACTIVE_ONLY' });
    assert.deepEqual((search.json as { experiments: { name: string }[] }).experiments.map((e) => e.name), ['demo-exp-b88db731']);
    const none = await fx.api('POST', 'experiments/search', { max_results: 1000, filter: "name = 'nothing'", view_type: 'ACTIVE_ONLY' });
    assert.deepEqual(none.json, {}, 'an empty result is {}');
    // The GET variant takes the same parameters in the query string.
    const viaGet = await fx.api('GET', 'experiments/search', { filter: "name LIKE 'demo-%'", max_results: 10 });
    assert.equal((viaGet.json as { experiments: unknown[] }).experiments.length, 1);

    assert.deepEqual((await fx.api('POST', 'experiments/update', { experiment_id: '1', new_name: 'demo-exp-b88db731-renamed' })).json, {});
    assert.equal((await fx.api('GET', 'experiments/get', { experiment_id: '1' }).then((r) => (r.json as { experiment: { name: string } }).experiment.name)), 'demo-exp-b88db731-renamed');

    assert.deepEqual((await fx.api('POST', 'experiments/delete', { experiment_id: '1' })).json, {});
    const active = await fx.api('POST', 'experiments/search', { max_results: 1000, view_type: 'ACTIVE_ONLY', filter: "name LIKE 'demo%'" });
    assert.deepEqual(active.json, {});
    const deleted = await fx.api('POST', 'experiments/search', { max_results: 1000, view_type: 'DELETED_ONLY' });
    assert.deepEqual((deleted.json as { experiments: { lifecycle_stage: string }[] }).experiments.map((e) => e.lifecycle_stage), ['deleted']);
    assert.deepEqual((await fx.api('POST', 'experiments/restore', { experiment_id: '1' })).json, {});
    assert.equal((await fx.api('GET', 'experiments/get', { experiment_id: '1' }).then((r) => (r.json as { experiment: { lifecycle_stage: string } }).experiment.lifecycle_stage)), 'active');
  } finally {
    await fx.close();
  }
});

test('experiments search pages with next_page_token sent back as page_token; the web UI\'s /ajax-api paths answer too', async () => {
  const fx = await startFixture();
  try {
    for (let i = 0; i < 5; i++) await fx.api('POST', 'experiments/create', { name: `page-${i}` });
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await fx.api('POST', 'experiments/search', { max_results: 2, filter: "name LIKE 'page-%'", ...(token ? { page_token: token } : {}) });
      assert.equal(page.status, 200);
      const body = page.json as { experiments?: { name: string }[]; next_page_token?: string };
      seen.push(...(body.experiments ?? []).map((e) => e.name));
      token = body.next_page_token;
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);

    const ajax = await fx.api('GET', '/ajax-api/2.0/mlflow/experiments/get-by-name', { experiment_name: 'page-3' });
    assert.equal(ajax.status, 200);
    assert.equal((ajax.json as { experiment: { name: string } }).experiment.name, 'page-3');
  } finally {
    await fx.close();
  }
});

test('a run cannot start in a deleted experiment: 400 INVALID_PARAMETER_VALUE as in MLflow (the client does not retry it)', async () => {
  const fx = await startFixture();
  try {
    const { experimentId } = await createRun(fx);
    await fx.api('POST', 'experiments/delete', { experiment_id: experimentId });
    const refused = await fx.api('POST', 'runs/create', { experiment_id: experimentId, start_time: 1 });
    assert.equal(refused.status, 400);
    assert.equal((refused.json as { error_code: string }).error_code, 'INVALID_PARAMETER_VALUE');
    assert.match((refused.json as { message: string }).message, /must be in the 'active' state\. Current state is deleted/);
  } finally {
    await fx.close();
  }
});
