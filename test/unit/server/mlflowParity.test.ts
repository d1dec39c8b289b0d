import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModelPackage } from '../../../src/core/modelPackage/modelPackageLoader';
import { modelCard } from '../../../src/core/registry/modelCard';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { cardView } from '../../../src/vscode/modelReview/modelReviewState';
import { createRun, startFixture } from './serverTestSupport';
import type { RawResponse } from './serverTestSupport';

// What `mlops server` answers where it used to differ from MLflow 2.12.2 (issue #18); the same
// calls against a real MLflow server are in mlflowDifferential.test.ts.

function errorOf(res: RawResponse): { status: number; code: string; message: string } {
  const body = res.json as { error_code?: string; message?: string } | undefined;
  return { status: res.status, code: body?.error_code ?? '', message: body?.message ?? '' };
}

test('deleting an experiment deletes its runs (no more logging to them); restoring it brings them all back', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    assert.equal((await fx.api('POST', 'experiments/delete', { experiment_id: experimentId })).status, 200);
    const run = (await fx.api('GET', 'runs/get', { run_id: runId })).json as { run: { info: { lifecycle_stage: string } } };
    assert.equal(run.run.info.lifecycle_stage, 'deleted');
    const logged = errorOf(await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1, step: 0 }));
    assert.deepEqual([logged.status, logged.code], [400, 'INVALID_PARAMETER_VALUE']);
    assert.match(logged.message, new RegExp(`The run ${runId} must be in the 'active' state\\. Current state is deleted`));
    const ended = errorOf(await fx.api('POST', 'runs/update', { run_id: runId, status: 'FINISHED' }));
    assert.deepEqual([ended.status, ended.code], [400, 'INVALID_PARAMETER_VALUE']);
    const created = errorOf(await fx.api('POST', 'runs/create', { experiment_id: experimentId, start_time: 1 }));
    assert.deepEqual([created.status, created.code], [400, 'INVALID_PARAMETER_VALUE']);
    const tagged = errorOf(await fx.api('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k', value: 'v' }));
    assert.deepEqual([tagged.status, tagged.code], [400, 'INVALID_PARAMETER_VALUE']);
    const search = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' })).json as { runs?: unknown[] };
    assert.equal(search.runs?.length, 1);

    // Deleting it twice, or restoring an active one, finds no such experiment (as MLflow).
    const again = errorOf(await fx.api('POST', 'experiments/delete', { experiment_id: experimentId }));
    assert.deepEqual([again.status, again.code, again.message], [404, 'RESOURCE_DOES_NOT_EXIST', `No Experiment with id=${experimentId} exists`]);
    assert.equal((await fx.api('POST', 'experiments/restore', { experiment_id: experimentId })).status, 200);
    const restored = (await fx.api('GET', 'runs/get', { run_id: runId })).json as { run: { info: { lifecycle_stage: string } } };
    assert.equal(restored.run.info.lifecycle_stage, 'active');
    assert.equal((await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'm', value: 1, timestamp: 1, step: 0 })).status, 200);
    assert.equal(errorOf(await fx.api('POST', 'experiments/restore', { experiment_id: experimentId })).code, 'RESOURCE_DOES_NOT_EXIST');
  } finally {
    await fx.close();
  }
});

test('a deleted experiment cannot be renamed (INVALID_STATE, as MLflow)', async () => {
  const fx = await startFixture();
  try {
    const { experimentId } = await createRun(fx);
    await fx.api('POST', 'experiments/delete', { experiment_id: experimentId });
    const renamed = errorOf(await fx.api('POST', 'experiments/update', { experiment_id: experimentId, new_name: 'other' }));
    assert.deepEqual([renamed.code, renamed.message], ['INVALID_STATE', 'Cannot rename a non-active experiment.']);
    const exp = (await fx.api('GET', 'experiments/get', { experiment_id: experimentId })).json as { experiment: { name: string } };
    assert.equal(exp.experiment.name, 'demo-exp');
  } finally {
    await fx.close();
  }
});

test("keys MLflow refuses are refused ('Invalid tag name'); long run tag and param values are cut to MLflow's limits, long experiment tags refused", async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const emoji = errorOf(await fx.api('POST', 'runs/set-tag', { run_id: runId, key: 'tag🚀', value: 'x' }));
    assert.deepEqual([emoji.status, emoji.code], [400, 'INVALID_PARAMETER_VALUE']);
    assert.equal(emoji.message, "Invalid tag name: 'tag🚀'. Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), and slashes (/).");
    assert.match(errorOf(await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'a/../b', value: 1, timestamp: 1 })).message, /Invalid metric name: 'a\/\.\.\/b'/);
    assert.match(errorOf(await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'lr(x)', value: '1' })).message, /Invalid parameter name/);
    // Unicode letters are word characters for MLflow too.
    assert.equal((await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'größe', value: '1' })).status, 200);

    assert.equal((await fx.api('POST', 'runs/log-parameter', { run_id: runId, key: 'big', value: 'p'.repeat(6001) })).status, 200);
    assert.equal((await fx.api('POST', 'runs/set-tag', { run_id: runId, key: 'bigtag', value: 't'.repeat(5001) })).status, 200);
    const run = (await fx.api('GET', 'runs/get', { run_id: runId })).json as { run: { data: { params: { key: string; value: string }[]; tags: { key: string; value: string }[] } } };
    assert.equal(run.run.data.params.find((p) => p.key === 'big')?.value, 'p'.repeat(6000));
    assert.equal(run.run.data.tags.find((t) => t.key === 'bigtag')?.value, 't'.repeat(5000));

    const expTag = errorOf(await fx.api('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k', value: 'e'.repeat(5001) }));
    assert.deepEqual([expTag.status, expTag.code], [400, 'INVALID_PARAMETER_VALUE']);
    assert.match(expTag.message, /had length 5001, which exceeded length limit of 5000$/);
  } finally {
    await fx.close();
  }
});

test('a log-batch naming a param twice is refused even with equal values, and writes nothing', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    const dup = errorOf(await fx.api('POST', 'runs/log-batch', { run_id: runId, params: [{ key: 'd', value: '1' }, { key: 'd', value: '1' }], metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }] }));
    assert.deepEqual([dup.status, dup.code, dup.message], [400, 'INVALID_PARAMETER_VALUE', "Duplicate parameter keys have been submitted: ['d']. Please ensure the request contains only one param value per param key."]);
    const run = (await fx.api('GET', 'runs/get', { run_id: runId })).json as { run: { data: { params?: unknown[]; metrics?: unknown[] } } };
    assert.equal(run.run.data.params, undefined);
    assert.equal(run.run.data.metrics, undefined);
  } finally {
    await fx.close();
  }
});

test('±inf metrics come back as ±1.7976931348623157e308 (as MLflow stores them), NaN as "NaN"; the store keeps the infinities', async () => {
  const fx = await startFixture();
  try {
    const { runId } = await createRun(fx);
    // Python's json module sends bare Infinity / NaN.
    const body = `{"run_id": "${runId}", "metrics": [{"key": "up", "value": Infinity, "timestamp": 1, "step": 0}, {"key": "down", "value": -Infinity, "timestamp": 1, "step": 0}, {"key": "nan", "value": NaN, "timestamp": 1, "step": 0}]}`;
    assert.equal((await fx.raw('POST', '/api/2.0/mlflow/runs/log-batch', { body, headers: { 'Content-Type': 'application/json' } })).status, 200);
    const run = (await fx.api('GET', 'runs/get', { run_id: runId })).json as { run: { data: { metrics: { key: string; value: unknown }[] } } };
    const byKey = Object.fromEntries(run.run.data.metrics.map((m) => [m.key, m.value]));
    assert.deepEqual(byKey, { up: 1.7976931348623157e308, down: -1.7976931348623157e308, nan: 'NaN' });
    const history = await fx.api('GET', 'metrics/get-history', { run_id: runId, metric_key: 'down' });
    assert.match(history.text, /"value":-1\.7976931348623157e\+308/);
    assert.equal((await fx.store.tracking.getRun(runId)).data.metrics.find((m) => m.key === 'up')?.value, Infinity);
  } finally {
    await fx.close();
  }
});

test("runs/search refuses IN on any attribute but run_id, as MLflow does", async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const refused = errorOf(await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], filter: "attributes.status IN ('RUNNING')" }));
    assert.deepEqual([refused.status, refused.code], [400, 'INVALID_PARAMETER_VALUE']);
    assert.match(refused.message, /Only the 'run_id' attribute supports comparison with a list of quoted string values\./);
    const found = (await fx.api('POST', 'runs/search', { experiment_ids: [experimentId], filter: `attributes.run_id IN ('${runId}')` })).json as { runs?: unknown[] };
    assert.equal(found.runs?.length, 1);
  } finally {
    await fx.close();
  }
});

test('a missing alias is INVALID_PARAMETER_VALUE when asked for, and deleting one is a no-op, as in MLflow', async () => {
  const fx = await startFixture();
  try {
    assert.equal((await fx.api('POST', 'registered-models/create', { name: 'm' })).status, 200);
    const missing = errorOf(await fx.api('GET', 'registered-models/alias', { name: 'm', alias: 'nope' }));
    assert.deepEqual([missing.status, missing.code, missing.message], [400, 'INVALID_PARAMETER_VALUE', 'Registered model alias nope not found.']);
    assert.equal(errorOf(await fx.api('GET', 'registered-models/alias', { name: 'no-such-model', alias: 'nope' })).code, 'INVALID_PARAMETER_VALUE');
    const deleted = await fx.api('DELETE', 'registered-models/alias', { name: 'm', alias: 'nope' });
    assert.deepEqual([deleted.status, deleted.json], [200, {}]);
    assert.equal(errorOf(await fx.api('DELETE', 'registered-models/alias', { name: 'no-such-model', alias: 'nope' })).code, 'RESOURCE_DOES_NOT_EXIST');
  } finally {
    await fx.close();
  }
});

test('create_model_version registers any source MLflow does: an s3:// URI with no run, a run folder without MLmodel; they are external versions with only what is known', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const put = await fx.raw('PUT', `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/notes/readme.txt`, { body: 'no model here', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(put.status, 200);
    await fx.api('POST', 'registered-models/create', { name: 'ext' });

    const s3 = await fx.api('POST', 'model-versions/create', { name: 'ext', source: 's3://bucket/models/7', description: 'trained elsewhere' });
    assert.equal(s3.status, 200, s3.text);
    const v1 = (s3.json as { model_version: Record<string, unknown> }).model_version;
    assert.deepEqual([v1.version, v1.source, v1.run_id, v1.status, v1.description], ['1', 's3://bucket/models/7', '', 'READY', 'trained elsewhere']);
    const folder = `mlflow-artifacts:/${experimentId}/${runId}/artifacts/notes`;
    const bare = await fx.api('POST', 'model-versions/create', { name: 'ext', source: folder, run_id: runId });
    assert.equal(bare.status, 200, bare.text);
    assert.deepEqual([(bare.json as { model_version: { source: string; run_id: string } }).model_version.source, (bare.json as { model_version: { run_id: string } }).model_version.run_id], [folder, runId]);
    const uri = await fx.api('GET', 'model-versions/get-download-uri', { name: 'ext', version: '1' });
    assert.deepEqual(uri.json, { artifact_uri: 's3://bucket/models/7' });

    const registry = modelRegistryFor(fx.store);
    const external = registry.getVersion('ext', 1);
    assert.equal(external.external, true);
    const card = await modelCard(registry, fx.store.tracking, 'ext', 1);
    assert.deepEqual([card.task, card.signature, card.files.spec, card.files.evaluationReport, card.run.available], [null, null, null, null, false]);
    assert.deepEqual(cardView(card).external, { source: 's3://bucket/models/7' });
    await assert.rejects(loadModelPackage(external.packageDir), /no model package here: it is an external version/);
    const fromRun = await modelCard(registry, fx.store.tracking, 'ext', 2);
    assert.equal(fromRun.run.available, true, 'the run the client named is known here');
  } finally {
    await fx.close();
  }
});

test("error messages name neither the server's folders nor who created a model", async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
    // A model package whose signature is not JSON: the registry's message names the file.
    for (const [file, body] of [['model/MLmodel.json', '{"format":"mlops-studio-model"}'], ['model/signature.json', '{not json']]) {
      assert.equal((await fx.raw('PUT', `${root}/${file}`, { body, headers: { 'Content-Type': 'text/plain' } })).status, 200);
    }
    // Created in VS Code: the registry names the git user as its creator.
    await modelRegistryFor(fx.store).createModel('m', { actor: 'Alice Example' });
    const messages: string[] = [];
    const bad = errorOf(await fx.api('POST', 'model-versions/create', { name: 'm', source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model`, run_id: runId }));
    assert.equal(bad.code, 'INVALID_PARAMETER_VALUE');
    messages.push(bad.message);
    const taken = errorOf(await fx.api('POST', 'registered-models/create', { name: 'm' }));
    assert.deepEqual([taken.status, taken.code, taken.message], [400, 'RESOURCE_ALREADY_EXISTS', 'Registered Model (name=m) already exists.']);
    messages.push(taken.message);
    messages.push(errorOf(await fx.raw('GET', `${root}/nothing/here.txt`)).message);
    assert.match(bad.message, /<store>/, 'the file is named relative to the store');
    for (const message of messages) {
      assert.equal(message.includes(fx.dir), false, message);
      assert.equal(message.includes('Alice Example'), false, message);
    }
  } finally {
    await fx.close();
  }
});
