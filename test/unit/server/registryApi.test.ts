import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRun, startFixture } from './serverTestSupport';
import type { ServerFixture } from './serverTestSupport';

interface ErrorBody {
  error_code: string;
  message: string;
}

type Version = Record<string, unknown>;

/** A run with a model package uploaded the way the client uploads artifacts (one PUT per file). */
async function runWithModel(fx: ServerFixture, experimentName: string): Promise<{ experimentId: string; runId: string; source: string }> {
  const { experimentId, runId } = await createRun(fx, experimentName);
  const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts`;
  for (const [file, body] of [['model/MLmodel.json', '{"format":"mlops-studio-model"}'], ['model/model.json', '{}']]) {
    const put = await fx.raw('PUT', `${root}/${file}`, { body, headers: { 'Content-Type': 'text/plain' } });
    assert.equal(put.status, 200, put.text);
  }
  return { experimentId, runId, source: `mlflow-artifacts:/${experimentId}/${runId}/artifacts/model` };
}

test('registry: the requests of create_registered_model … register_model … aliases and stages, as MLflow answers them', async () => {
  const fx = await startFixture();
  try {
    const created = await fx.api('POST', 'registered-models/create', { name: 'demo-model', tags: [{ key: 'k', value: 'v' }], description: 'demo model' });
    assert.equal(created.status, 200, created.text);
    const model = (created.json as { registered_model: Record<string, unknown> }).registered_model;
    assert.equal(model.name, 'demo-model');
    assert.equal(model.description, 'demo model');
    assert.deepEqual(model.tags, [{ key: 'k', value: 'v' }]);
    assert.equal(typeof model.creation_timestamp, 'number');
    // mlflow.register_model ignores exactly this error and goes on to create a version.
    const again = await fx.api('POST', 'registered-models/create', { name: 'demo-model' });
    assert.equal(again.status, 400);
    assert.equal((again.json as ErrorBody).error_code, 'RESOURCE_ALREADY_EXISTS');

    const first = await runWithModel(fx, 'exp-a');
    const v1 = await fx.api('POST', 'model-versions/create', { name: 'demo-model', source: first.source, run_id: first.runId, tags: [{ key: 'mvtag', value: '1' }], description: 'v1' });
    assert.equal(v1.status, 200, v1.text);
    assert.deepEqual((v1.json as { model_version: Version }).model_version, {
      ...(v1.json as { model_version: Version }).model_version,
      name: 'demo-model',
      version: '1',
      current_stage: 'None',
      description: 'v1',
      source: first.source,
      run_id: first.runId,
      status: 'READY',
      tags: [{ key: 'mvtag', value: '1' }],
      run_link: '',
    });
    const second = await runWithModel(fx, 'exp-b');
    const v2 = await fx.api('POST', 'model-versions/create', { name: 'demo-model', source: `runs:/${second.runId}/model`, run_id: second.runId });
    assert.equal((v2.json as { model_version: Version }).model_version.version, '2');
    assert.equal((v2.json as { model_version: Version }).model_version.source, second.source, 'runs:/ sources come back as the run\'s artifact URI');

    assert.deepEqual((await fx.api('POST', 'model-versions/set-tag', { name: 'demo-model', version: '1', key: 'validated', value: 'yes' })).json, {});
    assert.deepEqual((await fx.api('DELETE', 'model-versions/delete-tag', { name: 'demo-model', version: '1', key: 'validated' })).json, {});
    const updated = await fx.api('PATCH', 'model-versions/update', { name: 'demo-model', version: '1', description: 'updated' });
    assert.equal((updated.json as { model_version: Version }).model_version.description, 'updated');
    const staged = await fx.api('POST', 'model-versions/transition-stage', { name: 'demo-model', version: '1', stage: 'Staging', archive_existing_versions: false });
    assert.equal((staged.json as { model_version: Version }).model_version.current_stage, 'Staging');
    const latest = await fx.api('POST', 'registered-models/get-latest-versions', { name: 'demo-model', stages: ['Staging'] });
    assert.deepEqual((latest.json as { model_versions: Version[] }).model_versions.map((v) => v.version), ['1']);

    assert.deepEqual((await fx.api('POST', 'registered-models/alias', { name: 'demo-model', alias: 'champion', version: '2' })).json, {});
    const byAlias = await fx.api('GET', 'registered-models/alias', { name: 'demo-model', alias: 'champion' });
    assert.equal((byAlias.json as { model_version: Version }).model_version.version, '2');
    assert.deepEqual((byAlias.json as { model_version: Version }).model_version.aliases, ['champion']);
    assert.deepEqual((await fx.api('POST', 'registered-models/alias', { name: 'demo-model', alias: 'tmp', version: '1' })).json, {});
    assert.deepEqual((await fx.api('DELETE', 'registered-models/alias', { name: 'demo-model', alias: 'tmp' })).json, {});

    assert.deepEqual((await fx.api('POST', 'registered-models/set-tag', { name: 'demo-model', key: 'owner', value: 'demo' })).json, {});
    assert.deepEqual((await fx.api('DELETE', 'registered-models/delete-tag', { name: 'demo-model', key: 'owner' })).json, {});
    const patched = await fx.api('PATCH', 'registered-models/update', { name: 'demo-model', description: 'updated model' });
    assert.equal((patched.json as { registered_model: Record<string, unknown> }).registered_model.description, 'updated model');

    const got = (await fx.api('GET', 'registered-models/get', { name: 'demo-model' })).json as { registered_model: { latest_versions: Version[]; aliases: unknown; tags: unknown } };
    assert.deepEqual(got.registered_model.latest_versions.map((v) => [v.version, v.current_stage]), [['1', 'Staging'], ['2', 'None']]);
    assert.deepEqual(got.registered_model.aliases, [{ alias: 'champion', version: '2' }]);
    assert.deepEqual(got.registered_model.tags, [{ key: 'k', value: 'v' }]);

    const found = await fx.api('GET', 'registered-models/search', { filter: "name = 'demo-model'", max_results: 100 });
    assert.deepEqual((found.json as { registered_models: { name: string }[] }).registered_models.map((m) => m.name), ['demo-model']);
    assert.deepEqual((await fx.api('GET', 'registered-models/search', { filter: "name = 'nope'", max_results: 100 })).json, {});
    const versions = await fx.api('GET', 'model-versions/search', { filter: "name = 'demo-model'", max_results: 10000 });
    // MLflow's order: last updated first (version 1 moved to Staging after version 2 was registered)
    assert.deepEqual((versions.json as { model_versions: Version[] }).model_versions.map((v) => v.version), ['1', '2']);
    const ofRun = await fx.api('GET', 'model-versions/search', { filter: `run_id = '${first.runId}'` });
    assert.deepEqual((ofRun.json as { model_versions: Version[] }).model_versions.map((v) => v.version), ['1']);
    const uri = await fx.api('GET', 'model-versions/get-download-uri', { name: 'demo-model', version: '1' });
    assert.deepEqual(uri.json, { artifact_uri: first.source });
    // What pyfunc.load_model then does: list and download through the artifact proxy.
    const listed = await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: first.source.replace('mlflow-artifacts:/', '') });
    assert.deepEqual((listed.json as { files: { path: string }[] }).files.map((f) => f.path), ['MLmodel.json', 'model.json']);

    const rename = await fx.api('POST', 'registered-models/rename', { name: 'demo-model', new_name: 'renamed-model' });
    assert.equal((rename.json as { registered_model: { name: string } }).registered_model.name, 'renamed-model');
    assert.equal((await fx.api('GET', 'model-versions/get', { name: 'renamed-model', version: '1' })).status, 200, 'versions follow the rename');
    assert.equal((await fx.api('GET', 'registered-models/get', { name: 'demo-model' })).status, 404);
    const back = await fx.api('POST', 'registered-models/rename', { name: 'renamed-model', new_name: 'demo-model' });
    assert.equal((back.json as { registered_model: { name: string } }).registered_model.name, 'demo-model');

    assert.deepEqual((await fx.api('DELETE', 'model-versions/delete', { name: 'demo-model', version: '1' })).json, {});
    assert.equal((await fx.api('GET', 'model-versions/get', { name: 'demo-model', version: '1' })).status, 404);
    assert.deepEqual((await fx.api('DELETE', 'registered-models/delete', { name: 'demo-model' })).json, {});
    const gone = await fx.api('GET', 'registered-models/get', { name: 'demo-model' });
    assert.equal(gone.status, 404);
    assert.equal((gone.json as ErrorBody).error_code, 'RESOURCE_DOES_NOT_EXIST');
  } finally {
    await fx.close();
  }
});

test('registry errors: unknown model or version, bad stage, a local or ../ source, missing content type — nothing registered', async () => {
  const fx = await startFixture();
  try {
    const run = await runWithModel(fx, 'exp');
    const noModel = await fx.api('POST', 'model-versions/create', { name: 'never-created', source: run.source, run_id: run.runId });
    assert.equal(noModel.status, 404, 'MLflow needs the registered model first');
    await fx.api('POST', 'registered-models/create', { name: 'm' });
    const local = await fx.api('POST', 'model-versions/create', { name: 'm', source: '/tmp/model', run_id: run.runId });
    assert.equal(local.status, 400);
    assert.match((local.json as ErrorBody).message, /^Invalid model version source: '\/tmp\/model'\. To use a local path as a model version source/);
    const climbing = await fx.api('POST', 'model-versions/create', { name: 'm', source: 'mlflow-artifacts:/1/x/artifacts/..%2f..%2f..%2fetc', run_id: run.runId });
    assert.equal(climbing.status, 400);
    assert.match((climbing.json as ErrorBody).message, /without relative path references/);
    const noVersion = await fx.api('GET', 'model-versions/get', { name: 'm', version: '7' });
    assert.equal(noVersion.status, 404);
    const missing = await fx.api('GET', 'model-versions/get', { name: 'm' });
    assert.match((missing.json as ErrorBody).message, /^Missing value for required parameter 'version'\./);
    const plainDelete = await fx.raw('DELETE', '/api/2.0/mlflow/registered-models/delete', { body: JSON.stringify({ name: 'm' }) });
    assert.equal(plainDelete.status, 400);
    assert.equal((plainDelete.json as ErrorBody).message, "Bad Request. Content-Type must be one of ['application/json'].");
    await fx.api('POST', 'model-versions/create', { name: 'm', source: run.source, run_id: run.runId });
    const badStage = await fx.api('POST', 'model-versions/transition-stage', { name: 'm', version: '1', stage: 'Prod' });
    assert.equal(badStage.status, 400);
    assert.match((badStage.json as ErrorBody).message, /one of None, Staging, Production, Archived/);
    assert.equal((await fx.api('GET', 'model-versions/search', { filter: "name = 'm'" }).then((r) => (r.json as { model_versions: unknown[] }).model_versions.length)), 1);
  } finally {
    await fx.close();
  }
});

test('mlflow.sklearn.log_model then mlflow.register_model: an MLflow-format model (MLmodel YAML) registers and resolves by alias', async () => {
  const fx = await startFixture();
  try {
    const { experimentId, runId } = await createRun(fx);
    const root = `/api/2.0/mlflow-artifacts/artifacts/${experimentId}/${runId}/artifacts/model`;
    const mlmodel = `artifact_path: model\nflavors:\n  python_function:\n    loader_module: mlflow.sklearn\n  sklearn:\n    pickled_model: model.pkl\nmlflow_version: 2.12.2\nrun_id: ${runId}\n`;
    for (const [file, body, type] of [['MLmodel', mlmodel, 'text/plain'], ['conda.yaml', 'name: env\n', 'text/plain'], ['requirements.txt', 'scikit-learn\n', 'text/plain'], ['model.pkl', '\x80\x04', 'application/octet-stream']]) {
      assert.equal((await fx.raw('PUT', `${root}/${file}`, { body, headers: { 'Content-Type': type as string } })).status, 200);
    }
    assert.equal((await fx.api('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify({ run_id: runId, artifact_path: 'model', flavors: { sklearn: {} } }) })).status, 200);
    // register_model: create (or RESOURCE_ALREADY_EXISTS), runs/get for the artifact_uri, versions/create.
    assert.equal((await fx.api('POST', 'registered-models/create', { name: 'sk-model' })).status, 200);
    const uri = ((await fx.api('GET', 'runs/get', { run_uuid: runId, run_id: runId })).json as { run: { info: { artifact_uri: string } } }).run.info.artifact_uri;
    const created = await fx.api('POST', 'model-versions/create', { name: 'sk-model', source: `${uri}/model`, run_id: runId });
    assert.equal(created.status, 200, created.text);
    assert.equal((created.json as { model_version: Version }).model_version.status, 'READY', 'READY at once: the client does not need to poll');
    assert.equal((await fx.api('POST', 'registered-models/alias', { name: 'sk-model', alias: 'champion', version: '1' })).status, 200);
    // pyfunc.load_model("models:/sk-model@champion"): alias → download URI → list → files.
    const byAlias = (await fx.api('GET', 'registered-models/alias', { name: 'sk-model', alias: 'champion' })).json as { model_version: Version };
    const download = (await fx.api('GET', 'model-versions/get-download-uri', { name: 'sk-model', version: byAlias.model_version.version as string })).json as { artifact_uri: string };
    assert.equal(download.artifact_uri, `${uri}/model`);
    const listed = (await fx.api('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: download.artifact_uri.replace('mlflow-artifacts:/', '') })).json as { files: { path: string }[] };
    assert.deepEqual(listed.files.map((f) => f.path), ['MLmodel', 'conda.yaml', 'model.pkl', 'requirements.txt']);
    assert.equal((await fx.raw('GET', `${root}/MLmodel`)).text, mlmodel);
  } finally {
    await fx.close();
  }
});

test('registry changes through the REST API name the client in the audit log, not this workspace\'s git user', async () => {
  const fx = await startFixture();
  try {
    await fx.api('POST', 'registered-models/create', { name: 'via-client' });
    const { runId, source } = await runWithModel(fx, 'exp-actor');
    assert.equal((await fx.api('POST', 'model-versions/create', { name: 'via-client', source, run_id: runId })).status, 200);
    assert.equal((await fx.api('POST', 'registered-models/alias', { name: 'via-client', alias: 'champion', version: '1' })).status, 200);
    const { modelRegistryFor } = await import('../../../src/core/registry/registryAccess');
    const who = modelRegistryFor(fx.store).auditLog({ name: 'via-client' }).map((e) => [e.action, e.actor]);
    // the run was logged by user "root" (the client's mlflow.user); the rest only says it came through the client
    assert.deepEqual(who, [
      ['model.created', 'MLflow client'],
      ['version.registered', 'root (MLflow client)'],
      ['alias.set', 'MLflow client'],
    ]);
  } finally {
    await fx.close();
  }
});
