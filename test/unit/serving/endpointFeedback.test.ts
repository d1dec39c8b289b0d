import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { ModelFeedbackStore } from '../../../src/core/feedback/modelFeedbackStore';
import { EndpointManager, type EndpointInfo } from '../../../src/core/serving/endpointManager';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { penguinsFixture, type ServingFixture } from './servingTestSupport';

const ROW = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
  json(): Record<string, unknown>;
}

function call(url: string, path: string, body: string | Buffer | undefined, headers: Record<string, string> = { 'Content-Type': 'application/json' }, method = 'POST'): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: false }, (res) => {
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

const predict = (url: string): Promise<Answer> => call(url, '/invocations', JSON.stringify({ dataframe_records: [ROW] }));
const feedback = (url: string, body: unknown): Promise<Answer> => call(url, '/feedback', JSON.stringify(body));
const requestIdOf = (answer: Answer): string => String(answer.headers['x-request-id']);

describe('endpoint: request ids and POST /feedback', () => {
  let f: ServingFixture;
  let manager: EndpointManager;
  let endpoint: EndpointInfo;
  let feedbackStore: ModelFeedbackStore;
  before(async () => {
    f = await penguinsFixture();
    manager = new EndpointManager(f.store);
    endpoint = await manager.start({ uri: 'models:/penguins@champion' });
    feedbackStore = new ModelFeedbackStore(f.store.database);
  });
  after(async () => {
    await manager?.stopAll();
    await f?.cleanup();
  });

  it('every /invocations answer carries its own X-Request-Id; the body keeps MLflow\'s shape; the log records the id', async () => {
    const [a, b] = await Promise.all([predict(endpoint.url), predict(endpoint.url)]);
    assert.equal(a?.status, 200, a?.body);
    assert.match(requestIdOf(a as Answer), UUID);
    assert.notEqual(requestIdOf(a as Answer), requestIdOf(b as Answer));
    assert.deepEqual(Object.keys((a as Answer).json()), ['predictions']);
    const refused = await call(endpoint.url, '/invocations', '{"dataframe_records": 5}');
    assert.equal(refused.status, 400);
    assert.match(requestIdOf(refused), UUID);
    await new Promise((resolve) => setTimeout(resolve, 700)); // the process sends its log every 500 ms
    await manager.flushed();
    const logged = readRequestLog(f.store, endpoint.name).map((e) => e.requestId);
    for (const answer of [a, b, refused]) assert.ok(logged.includes(requestIdOf(answer as Answer)), `${requestIdOf(answer as Answer)} not in ${logged.join(', ')}`);
  });

  it('records feedback against the version that answered, updates it on a second post, and reads it back', async () => {
    const answer = await predict(endpoint.url);
    const requestId = requestIdOf(answer);
    const saved = await feedback(endpoint.url, { request_id: requestId, rating: 4, label: 'correct', comment: 'matches the field guide' });
    assert.equal(saved.status, 200, saved.body);
    assert.deepEqual({ ...saved.json(), created_at: 0, updated_at: 0 }, { request_id: requestId, model: 'models:/penguins/1', version: 1, rating: 4, label: 'correct', comment: 'matches the field guide', created_at: 0, updated_at: 0 });

    // a second post changes what it gives and keeps the rest; a numeric label is kept as text
    const again = await feedback(endpoint.url, { request_id: requestId, rating: 2, label: 3 });
    assert.equal(again.status, 200, again.body);
    const entry = feedbackStore.get(requestId);
    assert.equal(entry?.rating, 2);
    assert.equal(entry?.label, '3');
    assert.equal(entry?.comment, 'matches the field guide');
    assert.equal(entry?.endpoint, endpoint.name);

    // the alias moves: feedback on the old answer stays with v1, new answers are v2's
    await f.registry.setAlias('penguins', 'champion', 2);
    const deadline = Date.now() + 10_000;
    // /health answers from the process, so it says 2 only once the process serves v2
    while ((await call(endpoint.url, '/health', undefined, {}, 'GET')).json().version !== 2 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    const late = await feedback(endpoint.url, { request_id: requestId, comment: 'second look' });
    assert.equal(late.json().version, 1);
    const onV2 = requestIdOf(await predict(endpoint.url));
    assert.equal((await feedback(endpoint.url, { request_id: onV2, rating: 5 })).json().model, 'models:/penguins/2');

    assert.deepEqual(feedbackStore.list('penguins', 1).map((e) => e.requestId), [requestId]);
    assert.deepEqual(feedbackStore.summary('penguins', 2), { count: 1, ratedCount: 1, meanRating: 5, labels: {}, lastAt: feedbackStore.get(onV2)?.updatedAt ?? -1 });
    assert.equal(feedbackStore.summary('penguins', 1).meanRating, 2);
  });

  it('finds a request in the request log after the endpoint process restarted (its memory is gone)', async () => {
    const requestId = requestIdOf(await predict(endpoint.url));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await manager.flushed();
    await manager.restart(endpoint.name);
    const saved = await feedback(endpoint.url, { request_id: requestId, label: 'wrong species' });
    assert.equal(saved.status, 200, saved.body);
    assert.equal(feedbackStore.get(requestId)?.label, 'wrong species');
  });

  it('refuses unknown ids with 404 and hostile or malformed bodies with 4xx naming the field', async () => {
    const unknown = await feedback(endpoint.url, { request_id: 'no-such-request', rating: 5 });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.json().error_code, 'RESOURCE_DOES_NOT_EXIST');
    assert.match(String(unknown.json().message), /Unknown request_id "no-such-request": endpoint "penguins-champion" answered no prediction/);
    // a refused scoring request has an id but no prediction to rate
    const refusedId = requestIdOf(await call(endpoint.url, '/invocations', '{}'));
    await new Promise((resolve) => setTimeout(resolve, 700));
    await manager.flushed();
    assert.equal((await feedback(endpoint.url, { request_id: refusedId, rating: 1 })).status, 404);

    const id = requestIdOf(await predict(endpoint.url));
    const cases: [body: string, status: number, message: RegExp][] = [
      [JSON.stringify({ rating: 5 }), 400, /Field "request_id" is missing/],
      [JSON.stringify({ request_id: 42, rating: 5 }), 400, /Field "request_id" must be .* got 42/],
      [JSON.stringify({ request_id: id, rating: '5' }), 400, /Field "rating" must be a whole number from 1 to 5.* got the string "5"/],
      [JSON.stringify({ request_id: id, rating: 7 }), 400, /Field "rating" .* got 7/],
      [JSON.stringify({ request_id: id, rating: 4.5 }), 400, /Field "rating" .* got 4\.5/],
      [`{"request_id": "${id}", "rating": 1e999}`, 400, /Field "rating" .* got a number too large/],
      [`{"request_id": "${id}", "rating": NaN}`, 400, /not valid JSON.*NaN and Infinity are not JSON/],
      [JSON.stringify({ request_id: id, label: { text: 'x' } }), 400, /Field "label" must be a string or a number/],
      [JSON.stringify({ request_id: id, label: 'x'.repeat(201) }), 400, /Field "label" is 201 characters long; at most 200/],
      [JSON.stringify({ request_id: id, comment: ['a'] }), 400, /Field "comment" must be a string.* got a list/],
      [JSON.stringify({ request_id: id, ratting: 5 }), 400, /Unknown field "ratting"/],
      [JSON.stringify({ request_id: id }), 400, /Nothing to record/],
      [JSON.stringify([id, 5]), 400, /must be a JSON object.* got a list/],
      ['', 400, /not valid JSON/],
    ];
    for (const [body, status, message] of cases) {
      const answer = await call(endpoint.url, '/feedback', body);
      assert.equal(answer.status, status, `${body.slice(0, 80)} → ${answer.body}`);
      assert.match(String(answer.json().message), message, body.slice(0, 80));
    }
    const huge = await call(endpoint.url, '/feedback', JSON.stringify({ request_id: id, comment: 'x'.repeat(200_000) }));
    assert.equal(huge.status, 413);
    assert.match(String(huge.json().message), /larger than 65536 bytes/);
    const plain = await call(endpoint.url, '/feedback', JSON.stringify({ request_id: id, rating: 5 }), { 'Content-Type': 'text/plain' });
    assert.equal(plain.status, 415);
    assert.match(String(plain.json().message), /Content-Type: application\/json/);
    const rebound = await call(endpoint.url, '/feedback', JSON.stringify({ request_id: id, rating: 5 }), { 'Content-Type': 'application/json', Host: 'evil.example:80' });
    assert.equal(rebound.status, 403);
    assert.equal((await call(endpoint.url, '/feedback', undefined, {}, 'GET')).status, 405);
    assert.equal(feedbackStore.get(id), undefined); // nothing above was stored
    // and the endpoint still scores
    assert.equal((await predict(endpoint.url)).status, 200);
  });
});
