import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonNestingExceeds, MAX_JSON_NESTING } from '../../../src/core/server/jsonNesting';
import { startFixture } from './serverTestSupport';

const nested = (depth: number): string => '['.repeat(depth) + ']'.repeat(depth);

test('100,000-deep JSON to the tracking server: 400 INVALID_PARAMETER_VALUE saying so, nothing written, the server keeps answering', async () => {
  const fx = await startFixture();
  try {
    const deep = nested(100_000);
    const requests: [string, string][] = [
      ['experiments/create', `{"name": ${deep}}`],
      ['experiments/create', `{"name": "deep", "tags": [{"key": "k", "value": ${deep}}]}`],
      ['runs/create', `{"experiment_id": "0", "tags": ${deep}}`],
      ['runs/log-batch', `{"run_id": "x", "metrics": [{"key": ${deep}}]}`],
      ['registered-models/create', `{"name": ${deep}}`],
      // double-encoded, as old clients send it
      ['experiments/create', JSON.stringify(`{"name": ${deep}}`)],
      // a bare deep array
      ['experiments/create', deep],
    ];
    for (const [endpoint, body] of requests) {
      const answer = await fx.api('POST', endpoint, body);
      assert.equal(answer.status, 400, `${endpoint} ${body.slice(0, 40)}: ${answer.text.slice(0, 200)}`);
      assert.deepEqual(answer.json, {
        error_code: 'INVALID_PARAMETER_VALUE',
        message: `The request body of POST /api/2.0/mlflow/${endpoint} nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; MLflow requests need only a few.`,
      });
    }
    assert.equal((await fx.store.tracking.searchRuns({ experimentIds: ['0'] })).runs.length, 0);
    assert.equal(await fx.store.tracking.getExperimentByName('deep'), undefined);
    assert.equal((await fx.api('POST', 'experiments/create', { name: 'after' })).status, 200);
  } finally {
    await fx.close();
  }
});

test('nesting is counted per level of arrays and objects; the limit itself is accepted', () => {
  assert.equal(jsonNestingExceeds(5, 0), false);
  assert.equal(jsonNestingExceeds({}, 1), false);
  assert.equal(jsonNestingExceeds({ a: [1] }, 1), true);
  assert.equal(jsonNestingExceeds({ a: [1] }, 2), false);
  assert.equal(jsonNestingExceeds(JSON.parse(nested(MAX_JSON_NESTING))), false);
  assert.equal(jsonNestingExceeds(JSON.parse(nested(MAX_JSON_NESTING + 1))), true);
  // a wide, shallow body (30,000 rows) is fine
  assert.equal(jsonNestingExceeds({ dataframe_records: Array.from({ length: 30_000 }, (_, i) => ({ x: i, y: [i] })) }), false);
});
