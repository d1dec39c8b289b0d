import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { REGISTRY_ROUTES } from '../../../src/core/server/registryHandlers';
import { TRACKING_ROUTES } from '../../../src/core/server/trackingHandlers';
import type { RawResponse, ServerFixture } from '../server/serverTestSupport';
import { createRun, startFixture } from '../server/serverTestSupport';
import { fuzzParameters } from './fuzzSettings';

/**
 * Whatever a client sends to any route, the server answers 200 or a 4xx with MLflow's
 * {"error_code", "message"} body — never a 500 (the Python client retries those for minutes), never
 * a dropped connection — and it keeps answering afterwards.
 */

const ROUTES = [...TRACKING_ROUTES, ...REGISTRY_ROUTES].flatMap(([endpoint, route]) => route.methods.map((method) => ({ endpoint, method })));

/** The parameter names MLflow's REST API uses, so bodies reach past "missing parameter" checks. */
const KEYS = [
  'run_id', 'run_uuid', 'experiment_id', 'experiment_ids', 'name', 'new_name', 'key', 'value', 'timestamp', 'step', 'metrics', 'params', 'tags',
  'status', 'end_time', 'start_time', 'run_name', 'user_id', 'filter', 'filter_string', 'max_results', 'order_by', 'page_token', 'view_type',
  'run_view_type', 'run_ids', 'metric_key', 'path', 'datasets', 'dataset', 'source', 'version', 'alias', 'stage', 'description',
  'archive_existing_versions', 'model_json', 'artifact_location', 'start_step', 'end_step', 'digest', 'context',
];

function answersLikeMlflow(response: RawResponse, what: string): void {
  // 501 NOT_IMPLEMENTED is a deliberate answer (deleting an immutable artifact), not a failure
  const deliberate = response.status === 501 && (response.json as { error_code?: unknown } | undefined)?.error_code === 'NOT_IMPLEMENTED';
  assert.ok(response.status === 200 || (response.status >= 400 && response.status < 500) || deliberate, `${what} → ${response.status} ${response.text.slice(0, 300)}`);
  if (response.status !== 200) {
    const body = response.json as { error_code?: unknown; message?: unknown } | undefined;
    assert.equal(typeof body?.error_code, 'string', `${what} → ${response.status} without an error_code: ${response.text.slice(0, 300)}`);
    assert.equal(typeof body?.message, 'string', `${what} → no message`);
  }
}

function valueArbitrary(known: readonly string[]): fc.Arbitrary<unknown> {
  const scalar = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...known, '0', '1', '-1', '', 'loss', 'FINISHED', 'FAILED', 'ACTIVE_ONLY', 'ALL', "metrics.loss > 1", "name = 'm'", 'champion', 'Production', 'x'.repeat(3000)) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.constantFrom(0, -1, 1e300, 2 ** 63, 1.5, Number.MAX_SAFE_INTEGER)) },
    { weight: 1, arbitrary: fc.double() },
    { weight: 1, arbitrary: fc.constantFrom(true, false, null) },
  );
  const entry = fc.dictionary(fc.constantFrom('key', 'value', 'timestamp', 'step', 'name', 'digest', 'source', 'source_type', 'dataset', 'tags', 'context'), scalar, { maxKeys: 5 });
  return fc.oneof({ weight: 5, arbitrary: scalar }, { weight: 2, arbitrary: fc.array(fc.oneof(entry, scalar), { maxLength: 4 }) }, { weight: 1, arbitrary: entry }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) });
}

function bodyArbitrary(known: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof({ weight: 6, arbitrary: fc.constantFrom(...KEYS) }, { weight: 1, arbitrary: fc.string({ maxLength: 12 }) }), valueArbitrary(known), { maxKeys: 7 });
}

async function send(fx: ServerFixture, method: string, endpoint: string, body: Record<string, unknown> | string): Promise<RawResponse> {
  if (method !== 'GET') return fx.api(method, endpoint, body);
  // a raw query string: its = and & stay, everything else is escaped as a client would
  if (typeof body === 'string') return fx.api('GET', endpoint, encodeURIComponent(body).replace(/%3D/g, '=').replace(/%26/g, '&'));
  // a query string carries only strings (and repeated keys for lists), as the Python client sends it
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(body)) for (const item of Array.isArray(v) ? v : [v]) query.append(k, typeof item === 'string' ? item : JSON.stringify(item));
  return fx.api('GET', endpoint, query.toString());
}

test('fuzz: random JSON bodies and query strings to every REST route give 200 or an MLflow-style 4xx, never a 500', async () => {
  const fx = await startFixture({ insecureNoToken: false }); // with its token, as clients reach it
  try {
    const { experimentId, runId } = await createRun(fx);
    await fx.api('POST', 'runs/log-metric', { run_id: runId, key: 'loss', value: 0.5, timestamp: 1, step: 1 });
    await fx.api('POST', 'registered-models/create', { name: 'm' });
    await fx.api('POST', 'model-versions/create', { name: 'm', source: `runs:/${runId}/model`, run_id: runId });
    const known = [experimentId, runId, 'm', `runs:/${runId}/model`, 'demo-exp'];
    const request = fc.record({
      route: fc.constantFrom(...ROUTES),
      body: fc.oneof({ weight: 9, arbitrary: bodyArbitrary(known) }, { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom('[]', 'null', '1', '"s"', '{"a":', '{"run_id": {"$ne": 1}}')) }),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ route, body }) => {
        const response = await send(fx, route.method, route.endpoint, body);
        answersLikeMlflow(response, `${route.method} ${route.endpoint} ${typeof body === 'string' ? body : JSON.stringify(body).slice(0, 300)}`);
      }),
      fuzzParameters(600, 3_500),
    );
    assert.equal((await fx.api('GET', 'experiments/get', { experiment_id: experimentId })).status, 200, 'the server still answers after the fuzz');
  } finally {
    await fx.close();
  }
});

test('fuzz: random artifact paths and bodies (PUT, GET, DELETE, list) give 200 or an MLflow-style 4xx, never a 500', async () => {
  const fx = await startFixture({ insecureNoToken: false }); // with its token, as clients reach it
  try {
    const { experimentId, runId } = await createRun(fx);
    const segment = fc.oneof(
      { weight: 3, arbitrary: fc.constantFrom(experimentId, runId, 'artifacts', 'model', 'a.txt', '..', '.', '%2e%2e', '%2F', '%', '%zz', 'a\\b', '~', 'MLmodel') },
      { weight: 1, arbitrary: fc.string({ maxLength: 10 }).map((s) => encodeURIComponent(s)) },
    );
    const path = fc.oneof(
      fc.array(segment, { maxLength: 6 }).map((parts) => parts.join('/')),
      fc.array(segment, { maxLength: 4 }).map((parts) => `${experimentId}/${runId}/artifacts/${parts.join('/')}`),
    );
    const request = fc.record({ method: fc.constantFrom('PUT', 'GET', 'DELETE', 'LIST'), path, body: fc.uint8Array({ maxLength: 64 }) });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path: artifactPath, body }) => {
        const response =
          method === 'LIST'
            ? await fx.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${encodeURIComponent(artifactPath)}`)
            : await fx.raw(method, `/api/2.0/mlflow-artifacts/artifacts/${artifactPath}`, method === 'PUT' ? { body: Buffer.from(body) } : {});
        answersLikeMlflow(response, `${method} ${artifactPath}`);
      }),
      fuzzParameters(400, 2_500),
    );
    assert.equal((await fx.raw('GET', `/api/2.0/mlflow-artifacts/artifacts?path=${experimentId}/${runId}/artifacts`)).status, 200);
  } finally {
    await fx.close();
  }
});
