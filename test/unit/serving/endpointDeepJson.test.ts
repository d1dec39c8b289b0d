import assert from 'node:assert/strict';
import { request } from 'node:http';
import { describe, it } from 'node:test';
import { MAX_JSON_NESTING } from '../../../src/core/server/jsonNesting';
import { servedPenguins } from './servingTestSupport';

const ROW = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };
const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

function post(url: string, path: string, body: string): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('endpoint: deeply nested JSON bodies', () => {
  const served = servedPenguins();

  it('/invocations answers 400 saying the body nests too deep, for every input key, and keeps serving', async () => {
    const { manager, endpoint } = served;
    const deep = nested(100_000);
    for (const body of [`{"dataframe_records": ${deep}}`, `{"dataframe_split": {"columns": ["island"], "data": ${deep}}}`, `{"instances": ${deep}}`, `{"inputs": {"island": ${deep}}}`, `{"inputs": ${deep}}`, deep]) {
      const answer = await post(endpoint.url, '/invocations', body);
      assert.equal(answer.status, 400, `${body.slice(0, 40)}: ${JSON.stringify(answer.json).slice(0, 200)}`);
      assert.deepEqual(answer.json, { error_code: 'BAD_REQUEST', message: `The JSON body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; rows and tensors need only a few.` });
    }
    const ok = await post(endpoint.url, '/invocations', JSON.stringify({ dataframe_records: [ROW] }));
    assert.equal(ok.status, 200);
    assert.equal(manager.get(endpoint.name).status, 'running');
  });

  it('/feedback answers 400 for a body nested 30,000 deep (under its 64 KiB limit)', async () => {
    const { endpoint } = served;
    for (const body of [`{"request_id": ${nested(30_000)}}`, `{"request_id": "x", "label": ${nested(30_000)}}`, nested(30_000)]) {
      const answer = await post(endpoint.url, '/feedback', body);
      assert.equal(answer.status, 400, `${body.slice(0, 40)}: ${JSON.stringify(answer.json).slice(0, 200)}`);
      assert.equal(answer.json.error_code, 'BAD_REQUEST');
      assert.match(String(answer.json.message), new RegExp(`^The /feedback body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep`));
    }
  });
});
