import assert from 'node:assert/strict';
import { test } from 'node:test';
import { realMlflowOrSkip } from './realMlflow';
import type { RealMlflow } from './realMlflow';
import { startFixture } from './serverTestSupport';
import type { ServerFixture } from './serverTestSupport';

// The same REST calls, as the stock client sends them, to a real MLflow 2.12.2 server and to
// `mlops server`; the answers must agree on status, error code and the fields that matter
// (issue #18). Ids differ between the two and are compared by role (<run1>, …).

interface Answer {
  status: number;
  json: unknown;
}

type Call = (method: string, endpoint: string, params?: Record<string, unknown>) => Promise<Answer>;

interface Observation {
  readonly label: string;
  readonly status: number;
  readonly errorCode: string | undefined;
  readonly message?: string;
  readonly fields?: unknown;
}

function caller(base: string): Call {
  return async (method, endpoint, params = {}) => {
    const path = endpoint.startsWith('/') ? endpoint : `/api/2.0/mlflow/${endpoint}`;
    let res: Response;
    if (method === 'GET') {
      const query = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
      res = await fetch(`${base}${path}${query ? `?${query}` : ''}`);
    } else if (method === 'PUT') {
      res = await fetch(`${base}${path}`, { method, body: String(params.body), headers: { 'Content-Type': 'text/plain' } });
    } else {
      res = await fetch(`${base}${path}`, { method, body: JSON.stringify(params), headers: { 'Content-Type': 'application/json' } });
    }
    const text = await res.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    return { status: res.status, json };
  };
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** The scenario: every difference issue #18 lists, and the calls around them. */
async function scenario(call: Call): Promise<Observation[]> {
  const seen: Observation[] = [];
  const ids = new Map<string, string>();
  // Ids by role, so both servers' answers read the same.
  const roles = (value: unknown): unknown => {
    let text = JSON.stringify(value) ?? 'null';
    for (const [id, role] of ids) text = text.split(id).join(role);
    return JSON.parse(text) as unknown;
  };
  const record = (label: string, answer: Answer, options: { message?: boolean; fields?: (json: Json) => unknown } = {}): Json => {
    const body = obj(answer.json);
    const errorCode = typeof body.error_code === 'string' ? body.error_code : undefined;
    seen.push({
      label,
      status: answer.status,
      errorCode,
      ...(options.message ? { message: roles(body.message) as string } : {}),
      ...(options.fields ? { fields: roles(options.fields(body)) } : {}),
    });
    return body;
  };
  const runInfo = (j: Json): unknown => {
    const info = obj(obj(j.run).info);
    return { lifecycle_stage: info.lifecycle_stage, status: info.status, run_name: info.run_name };
  };

  // ---- runs: keys and values ----
  const exp = record('create experiment', await call('POST', 'experiments/create', { name: 'diff-exp' }), { fields: (j) => j.experiment_id });
  const experimentId = String(exp.experiment_id);
  const created = record('create run', await call('POST', 'runs/create', { experiment_id: experimentId, start_time: 1, run_name: 'r1', tags: [{ key: 'mlflow.user', value: 'ci' }] }), { fields: runInfo });
  const run1 = String(obj(obj(created.run).info).run_id);
  ids.set(run1, '<run1>');
  record('tag key with an emoji', await call('POST', 'runs/set-tag', { run_id: run1, run_uuid: run1, key: 'tag🚀', value: 'x' }), { message: true });
  record('param key with parentheses', await call('POST', 'runs/log-parameter', { run_id: run1, run_uuid: run1, key: 'lr(x)', value: '1' }), { message: true });
  record('metric key climbing out', await call('POST', 'runs/log-metric', { run_id: run1, key: 'a/../b', value: 1, timestamp: 1, step: 0 }));
  record('unicode param key', await call('POST', 'runs/log-parameter', { run_id: run1, key: 'größe', value: '1' }));
  record('param value of 6,001 characters', await call('POST', 'runs/log-parameter', { run_id: run1, key: 'big', value: 'p'.repeat(6001) }));
  record('tag value of 5,001 characters', await call('POST', 'runs/set-tag', { run_id: run1, key: 'bigtag', value: 't'.repeat(5001) }));
  record('experiment tag value of 5,001 characters', await call('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: 'big', value: 'e'.repeat(5001) }), { message: true });
  for (const [key, value] of [['up', 'Infinity'], ['down', '-Infinity'], ['nan', 'NaN']] as const) {
    record(`log-metric ${value}`, await call('POST', 'runs/log-metric', { run_id: run1, key, value, timestamp: 5, step: 0 }));
  }
  record('duplicate param keys with equal values in log-batch', await call('POST', 'runs/log-batch', { run_id: run1, params: [{ key: 'd', value: '1' }, { key: 'd', value: '1' }] }), { message: true });
  record('runs/get after logging', await call('GET', 'runs/get', { run_id: run1, run_uuid: run1 }), {
    fields: (j) => {
      const data = obj(obj(j.run).data);
      return {
        params: Object.fromEntries(list(data.params).map((p) => [p.key, String(p.value).length])),
        tags: Object.fromEntries(list(data.tags).filter((t) => t.key === 'bigtag').map((t) => [t.key, String(t.value).length])),
        metrics: Object.fromEntries(list(data.metrics).map((m) => [m.key, m.value])),
      };
    },
  });
  for (const key of ['up', 'down', 'nan']) {
    record(`get-history ${key}`, await call('GET', 'metrics/get-history', { run_id: run1, run_uuid: run1, metric_key: key }), { fields: (j) => list(j.metrics).map((m) => m.value) });
  }

  // ---- more of what a client may send ----
  record('create an experiment with a taken name', await call('POST', 'experiments/create', { name: 'diff-exp' }));
  record('get-by-name of a missing experiment', await call('GET', 'experiments/get-by-name', { experiment_name: 'nope' }));
  record('get a missing experiment', await call('GET', 'experiments/get', { experiment_id: '999' }));
  record('get a missing run', await call('GET', 'runs/get', { run_id: 'f'.repeat(32) }));
  record('log-metric to a missing run', await call('POST', 'runs/log-metric', { run_id: 'f'.repeat(32), key: 'm', value: 1, timestamp: 1, step: 0 }));
  record('delete a missing tag', await call('POST', 'runs/delete-tag', { run_id: run1, key: 'never-set' }));
  record('change a param', await call('POST', 'runs/log-parameter', { run_id: run1, key: 'größe', value: '2' }));
  record('log the same param again', await call('POST', 'runs/log-parameter', { run_id: run1, key: 'größe', value: '1' }));
  record('param key of 251 characters', await call('POST', 'runs/log-parameter', { run_id: run1, key: 'k'.repeat(251), value: '1' }));
  record('metric without a timestamp', await call('POST', 'runs/log-metric', { run_id: run1, key: 'm', value: 1 }));
  record('metric with a text value', await call('POST', 'runs/log-metric', { run_id: run1, key: 'm', value: 'high', timestamp: 1 }));
  record('run with an emoji tag key', await call('POST', 'runs/create', { experiment_id: experimentId, start_time: 1, tags: [{ key: 'bad🚀', value: 'x' }] }));
  record('rename a run through runs/update', await call('POST', 'runs/update', { run_id: run1, run_name: 'r1-renamed' }), { fields: (j) => obj(j.run_info).run_name });
  record('runs/search with a bad filter', await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: 'metrics.m >' }));
  record('runs/search by run_name', await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: "attributes.run_name = 'r1-renamed'" }), { fields: (j) => list(j.runs).length });
  record('experiments/search by name', await call('POST', 'experiments/search', { filter: "name = 'diff-exp'", max_results: 10 }), { fields: (j) => list(j.experiments).map((e) => e.name) });

  record('log-batch with 101 params', await call('POST', 'runs/log-batch', { run_id: run1, params: Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: '1' })) }), { message: true });
  record('empty log-batch to a missing run', await call('POST', 'runs/log-batch', { run_id: 'f'.repeat(32) }));
  record('metric with a fractional step', await call('POST', 'runs/log-metric', { run_id: run1, key: 'm', value: 1, timestamp: 1, step: 1.5 }));
  record('delete a missing run', await call('POST', 'runs/delete', { run_id: 'f'.repeat(32) }));
  record('list artifacts of a file path', await call('GET', '/api/2.0/mlflow-artifacts/artifacts', { path: `${experimentId}/${run1}/artifacts/nothing.txt` }), { fields: (j) => j });
  record('runs/search with a huge max_results', await call('POST', 'runs/search', { experiment_ids: [experimentId], max_results: 60000 }));
  record('order_by an unknown attribute', await call('POST', 'runs/search', { experiment_ids: [experimentId], order_by: ['attributes.nope DESC'] }));
  record('experiment with an empty name', await call('POST', 'experiments/create', { name: '' }));

  // ---- search ----
  record('runs/search attributes.status IN', await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: "attributes.status IN ('RUNNING')" }));
  record('runs/search attributes.run_id IN', await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: `attributes.run_id IN ('${run1}')` }), { fields: (j) => list(j.runs).length });
  record('runs/search params.x IN', await call('POST', 'runs/search', { experiment_ids: [experimentId], filter: "params.lr IN ('1')" }));

  // ---- deleted experiments and runs ----
  const second = record('create a second run', await call('POST', 'runs/create', { experiment_id: experimentId, start_time: 2, run_name: 'r2' }));
  const run2 = String(obj(obj(second.run).info).run_id);
  ids.set(run2, '<run2>');
  record('delete the experiment', await call('POST', 'experiments/delete', { experiment_id: experimentId }));
  record('its run after the delete', await call('GET', 'runs/get', { run_id: run2 }), { fields: runInfo });
  record('log-metric to a run of a deleted experiment', await call('POST', 'runs/log-metric', { run_id: run2, key: 'm', value: 1, timestamp: 1, step: 0 }), { message: true });
  record('log-batch to it', await call('POST', 'runs/log-batch', { run_id: run2, params: [{ key: 'p', value: '1' }] }));
  record('set-tag on it', await call('POST', 'runs/set-tag', { run_id: run2, key: 'k', value: 'v' }));
  record('end it', await call('POST', 'runs/update', { run_id: run2, status: 'FINISHED' }));
  record('runs/search for deleted runs', await call('POST', 'runs/search', { experiment_ids: [experimentId], run_view_type: 'DELETED_ONLY' }), { fields: (j) => list(j.runs).length });
  record('create a run in the deleted experiment', await call('POST', 'runs/create', { experiment_id: experimentId, start_time: 3 }));
  record('tag the deleted experiment', await call('POST', 'experiments/set-experiment-tag', { experiment_id: experimentId, key: 'k', value: 'v' }));
  record('rename the deleted experiment', await call('POST', 'experiments/update', { experiment_id: experimentId, new_name: 'renamed' }), { message: true });
  record('delete it again', await call('POST', 'experiments/delete', { experiment_id: experimentId }), { message: true });
  record('get-by-name of the deleted experiment', await call('GET', 'experiments/get-by-name', { experiment_name: 'diff-exp' }), { fields: (j) => obj(j.experiment).lifecycle_stage });
  record('search deleted experiments', await call('POST', 'experiments/search', { view_type: 'DELETED_ONLY', max_results: 10 }), { fields: (j) => list(j.experiments).map((e) => e.name) });
  record('history of a run of the deleted experiment', await call('GET', 'metrics/get-history', { run_id: run1, metric_key: 'up' }), { fields: (j) => list(j.metrics).length });
  record('restore it', await call('POST', 'experiments/restore', { experiment_id: experimentId }));
  record('its run after the restore', await call('GET', 'runs/get', { run_id: run2 }), { fields: runInfo });
  record('restore it again', await call('POST', 'experiments/restore', { experiment_id: experimentId }));
  record('delete a run', await call('POST', 'runs/delete', { run_id: run2 }));
  record('log to the deleted run', await call('POST', 'runs/log-parameter', { run_id: run2, key: 'p', value: '1' }));
  record('delete a tag of the deleted run', await call('POST', 'runs/delete-tag', { run_id: run2, key: 'mlflow.runName' }));

  // ---- registry ----
  const regExp = record('create a second experiment', await call('POST', 'experiments/create', { name: 'diff-registry' }));
  const regRun = record('create a run there', await call('POST', 'runs/create', { experiment_id: String(regExp.experiment_id), start_time: 4 }));
  const run3 = String(obj(obj(regRun.run).info).run_id);
  ids.set(run3, '<run3>');
  const artifacts = `/api/2.0/mlflow-artifacts/artifacts/${String(regExp.experiment_id)}/${run3}/artifacts`;
  record('upload a file that is not a model', await call('PUT', `${artifacts}/notes/readme.txt`, { body: 'no model here' }));
  record('create a registered model', await call('POST', 'registered-models/create', { name: 'diff-model' }), { fields: (j) => obj(j.registered_model).name });
  record('create it again', await call('POST', 'registered-models/create', { name: 'diff-model' }));
  record('get a missing alias', await call('GET', 'registered-models/alias', { name: 'diff-model', alias: 'nope' }), { message: true });
  record('delete a missing alias', await call('DELETE', 'registered-models/alias', { name: 'diff-model', alias: 'nope' }), { fields: (j) => j });
  const version = (j: Json): unknown => {
    const v = obj(j.model_version);
    return { version: v.version, source: v.source, run_id: v.run_id, status: v.status, current_stage: v.current_stage, description: v.description };
  };
  record('model version from s3:// without a run', await call('POST', 'model-versions/create', { name: 'diff-model', source: 's3://bucket/models/7', description: 'elsewhere' }), { fields: version });
  const folder = `mlflow-artifacts:/${String(regExp.experiment_id)}/${run3}/artifacts/notes`;
  record('model version from a run folder without MLmodel', await call('POST', 'model-versions/create', { name: 'diff-model', source: folder, run_id: run3 }), { fields: version });
  record('model version from a local path', await call('POST', 'model-versions/create', { name: 'diff-model', source: '/tmp/some/model', run_id: run3 }), { message: true });
  record('model version from a path climbing out', await call('POST', 'model-versions/create', { name: 'diff-model', source: 's3://bucket/a/../../b' }));
  record('model version of a missing model', await call('POST', 'model-versions/create', { name: 'no-such-model', source: 's3://bucket/x' }));
  record('download uri of the s3 version', await call('GET', 'model-versions/get-download-uri', { name: 'diff-model', version: '1' }), { fields: (j) => j.artifact_uri });
  record('set an alias on it', await call('POST', 'registered-models/alias', { name: 'diff-model', alias: 'champion', version: '1' }));
  record('get the alias', await call('GET', 'registered-models/alias', { name: 'diff-model', alias: 'champion' }), { fields: version });
  record('alias to a missing version', await call('POST', 'registered-models/alias', { name: 'diff-model', alias: 'champion', version: '9' }));
  record('registered model tag key with an emoji', await call('POST', 'registered-models/set-tag', { name: 'diff-model', key: 'tag🚀', value: 'v' }), { message: true });
  record('registered model tag value of 5,001 characters', await call('POST', 'registered-models/set-tag', { name: 'diff-model', key: 'k', value: 'v'.repeat(5001) }));
  record('model version tag value of 5,001 characters', await call('POST', 'model-versions/set-tag', { name: 'diff-model', version: '1', key: 'k', value: 'v'.repeat(5001) }));
  record('registered model with an emoji tag key', await call('POST', 'registered-models/create', { name: 'diff-model-2', tags: [{ key: 'bad🚀', value: 'x' }] }));
  record('search models by LIKE', await call('GET', 'registered-models/search', { filter: "name LIKE 'diff%'" }), { fields: (j) => list(j.registered_models).map((m) => m.name) });
  record('delete a missing model tag', await call('DELETE', 'registered-models/delete-tag', { name: 'diff-model', key: 'nope' }));
  record('delete a missing version tag', await call('DELETE', 'model-versions/delete-tag', { name: 'diff-model', version: '1', key: 'nope' }));
  record('update a version description', await call('PATCH', 'model-versions/update', { name: 'diff-model', version: '1', description: 'new words' }), { fields: version });
  record('latest versions', await call('POST', 'registered-models/get-latest-versions', { name: 'diff-model', stages: ['None'] }), { fields: (j) => list(j.model_versions).map((v) => v.version) });
  record('alias named like a version', await call('POST', 'registered-models/alias', { name: 'diff-model', alias: 'v3', version: '1' }));
  record('alias named latest', await call('POST', 'registered-models/alias', { name: 'diff-model', alias: 'latest', version: '1' }));
  record('get a missing version', await call('GET', 'model-versions/get', { name: 'diff-model', version: '9' }));
  record('get a missing registered model', await call('GET', 'registered-models/get', { name: 'no-such-model' }));
  record('rename a model onto itself', await call('POST', 'registered-models/rename', { name: 'diff-model', new_name: 'diff-model' }));
  record('transition to a bad stage', await call('POST', 'model-versions/transition-stage', { name: 'diff-model', version: '1', stage: 'Prod', archive_existing_versions: false }));
  record('transition to Staging', await call('POST', 'model-versions/transition-stage', { name: 'diff-model', version: '1', stage: 'Staging', archive_existing_versions: false }), { fields: version });
  record('search versions by name', await call('GET', 'model-versions/search', { filter: "name = 'diff-model'" }), { fields: (j) => list(j.model_versions).map((v) => v.version) });
  record('delete a version', await call('DELETE', 'model-versions/delete', { name: 'diff-model', version: '2' }));
  record('delete the model', await call('DELETE', 'registered-models/delete', { name: 'diff-model' }));
  return seen;
}

/**
 * Where we answer differently on purpose. INVALID_STATE is a 500 in MLflow, and the Python client
 * retries 5xx for minutes; a deleted experiment does not change by retrying, so ours is a 400
 * with the same code (see errorReply in src/core/server/mlflowHttpError.ts).
 */
function allowedDifference(ours: Observation, theirs: Observation): boolean {
  if (ours.errorCode === 'INVALID_STATE' && theirs.errorCode === 'INVALID_STATE' && ours.status === 400 && theirs.status === 500) return true;
  // MLflow takes a fractional step and stores 0 in its place; we refuse it rather than lose it.
  return ours.label === 'metric with a fractional step' && ours.errorCode === 'INVALID_PARAMETER_VALUE' && theirs.status === 200;
}

async function runAgainstBoth(mlflow: RealMlflow, fx: ServerFixture): Promise<void> {
  const theirs = await scenario(caller(mlflow.url));
  const ours = await scenario(caller(`http://127.0.0.1:${fx.server.port}`));
  assert.deepEqual(ours.map((o) => o.label), theirs.map((o) => o.label));
  const differences: string[] = [];
  theirs.forEach((t, i) => {
    const o = ours[i] as Observation;
    const allowed = allowedDifference(o, t);
    const same = o.status === t.status || allowed;
    const sameMessage = t.message === undefined || (o.message !== undefined && o.message.includes(t.message));
    if (!same || (o.errorCode !== t.errorCode && !allowed) || !sameMessage || JSON.stringify(o.fields) !== JSON.stringify(t.fields)) {
      differences.push(`${t.label}:\n  MLflow: ${JSON.stringify(t)}\n  mlops:  ${JSON.stringify(o)}`);
    }
  });
  assert.deepEqual(differences, [], `mlops server answers differently from MLflow ${mlflow.version}:\n${differences.join('\n')}`);
}

test('the same REST calls get the same answers from mlops server as from a real MLflow server', async (t) => {
  const mlflow = await realMlflowOrSkip(t);
  if (!mlflow) return;
  const fx = await startFixture();
  try {
    await runAgainstBoth(mlflow, fx);
  } finally {
    await fx.close();
    await mlflow.stop();
  }
});
