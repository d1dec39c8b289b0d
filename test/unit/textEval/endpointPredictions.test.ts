import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { invocationsUrl, predictionText, predictWithEndpoint } from '../../../src/core/textEval/endpointPredictions';
import { EvalSetError, parseEvalSet } from '../../../src/core/textEval/evalSet';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';

/** A stand-in text model in MLflow's scoring protocol: it answers "the <input>" (and fails on "boom"). */
let server: Server;
let url: string;
const seen: { body: unknown; auth: string | undefined }[] = [];
before(async () => {
  server = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      const body = JSON.parse(text) as { inputs: string[] };
      seen.push({ body, auth: req.headers.authorization });
      const input = body.inputs[0] ?? '';
      if (req.url !== '/invocations') return void res.writeHead(404).end('not found');
      if (input === 'boom') return void res.writeHead(500, { 'content-type': 'text/plain' }).end('model crashed');
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ predictions: input === 'object' ? [{ generated_text: 'from an object' }] : [`the ${input}`] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('predictions from a served model', () => {
  test('rows without a prediction get the endpoint’s, with its latency; given predictions are kept', async () => {
    const rows = parseEvalSet([
      JSON.stringify({ input: 'dog', reference: 'the dog' }),
      JSON.stringify({ input: 'cat', reference: 'a cat', prediction: 'my cat', latency_ms: 5 }),
      JSON.stringify({ input: 'object', reference: 'from an object' }),
    ].join('\n'), 'set.jsonl', { predictionOptional: true });
    seen.length = 0;
    const filled = await predictWithEndpoint(rows, 'set.jsonl', { url, token: 's3cret', concurrency: 2 });
    assert.deepEqual(filled.map((r) => r.prediction), ['the dog', 'my cat', 'from an object']);
    assert.equal(filled[1]?.latencyMs, 5);
    assert.ok((filled[0]?.latencyMs ?? -1) >= 0);
    assert.equal(seen.length, 2, 'only rows without a prediction are sent');
    assert.deepEqual(seen.map((s) => s.body).sort(), [{ inputs: ['dog'] }, { inputs: ['object'] }]);
    assert.ok(seen.every((s) => s.auth === 'Bearer s3cret'));
  });

  test('failures name the line and what the endpoint said', async () => {
    const rows = parseEvalSet(`${JSON.stringify({ input: 'fine', reference: 'x' })}\n\n${JSON.stringify({ input: 'boom', reference: 'x' })}`, 'set.jsonl', { predictionOptional: true });
    await assert.rejects(predictWithEndpoint(rows, 'set.jsonl', { url }), (e: unknown) => e instanceof EvalSetError && e.message === 'set.jsonl line 3: the endpoint answered 500: model crashed');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await assert.rejects(predictWithEndpoint(rows, 'set.jsonl', { url: `http://127.0.0.1:${closedPort}` }), (e: unknown) => e instanceof EvalSetError && e.message.startsWith(`set.jsonl line 1: the endpoint http://127.0.0.1:${closedPort} did not answer: `) && /ECONNREFUSED/.test(e.message));
    assert.throws(() => invocationsUrl('file:///etc/passwd'), /only http and https/);
    assert.throws(() => invocationsUrl('not a url'), /not a URL/);
    assert.equal(invocationsUrl('http://127.0.0.1:5001').pathname, '/invocations');
    assert.equal(predictionText([{ text: 'a' }]), 'a');
    assert.equal(predictionText({ score: 1 }), undefined);
    assert.throws(() => parseEvalSet(JSON.stringify({ input: 'q', reference: 'x' }), 'set.jsonl'), /line 1: field "prediction" is missing \(or let a served model predict: mlops eval --endpoint URL\)/);
  });

  test('mlops eval --endpoint scores what the served model answers and records where predictions came from', async () => {
    const { dir, cleanup } = tempStoreDir();
    const workspace = dirname(dir);
    try {
      writeFileSync(join(workspace, 'set.jsonl'), [JSON.stringify({ input: 'dog', reference: 'the dog' }), JSON.stringify({ input: 'cat', reference: 'the cat' })].join('\n'));
      const result = await mlops(workspace, 'eval', join(workspace, 'set.jsonl'), '--endpoint', url);
      assert.equal(result.code, 0, result.err);
      const runId = /run ([0-9a-f]{32})/.exec(result.out)?.[1];
      assert.ok(runId, result.out);
      const store = await openWorkspaceStore({ dir, writerName: 'test' });
      try {
        const run = await store.tracking.getRun(runId);
        const metrics = new Map(run.data.metrics.map((m) => [m.key, m.value]));
        assert.equal(metrics.get('exact_match'), 1, 'the stand-in model answers exactly the references');
        assert.equal(run.data.params.find((p) => p.key === 'predictions_from')?.value, url);
      } finally {
        await store.close();
      }
    } finally {
      cleanup();
    }
  });
});
