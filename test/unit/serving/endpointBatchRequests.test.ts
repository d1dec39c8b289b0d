import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { loadModelPackage, type Prediction } from '../../../src/core/modelPackage/modelPackageLoader';
import { readRequestLog } from '../../../src/core/serving/requestLog';
import { PENGUINS_CSV, servedPenguins } from './servingTestSupport';

interface Answer {
  readonly status: number;
  readonly requestId: string | null;
  readonly body: string;
}

async function score(url: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, requestId: res.headers.get('x-request-id'), body: await res.text() };
}

/** 100 rows of the example data as a client sends them: numbers, text, and null for the empty cells. */
function penguinRows(): { columns: string[]; rows: unknown[][] } {
  const lines = readFileSync(PENGUINS_CSV, 'utf8').trim().split('\n');
  const header = (lines[0] as string).split(',');
  const columns = header.filter((c) => c !== 'species');
  const rows = lines.slice(1, 101).map((line) => {
    const cells = line.split(',');
    return columns.map((c) => {
      const cell = cells[header.indexOf(c)] as string;
      return cell === '' ? null : Number.isFinite(Number(cell)) ? Number(cell) : cell;
    });
  });
  return { columns, rows };
}

/** MLflow's shape as the endpoint wrote it before scoring was vectorized. */
function legacyShape(p: Prediction): unknown {
  return 'value' in p ? p.value : { label: p.label, probabilities: p.probabilities };
}

describe('endpoint: 100-row requests', () => {
  const served = servedPenguins();

  it('answers the same 100 rows identically as dataframe_split and dataframe_records, as the model scores them one by one', async () => {
    const { columns, rows } = penguinRows();
    assert.ok(rows.some((row) => row.includes(null)), 'the rows include missing cells');
    const records = rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]])));
    const split = await score(served.endpoint.url, { dataframe_split: { columns, data: rows } });
    const byRecords = await score(served.endpoint.url, { dataframe_records: records });
    assert.equal(split.status, 200, split.body);
    assert.equal(byRecords.body, split.body);
    const model = await loadModelPackage(served.fixture.v1.packageDir);
    const predictions = (JSON.parse(split.body) as { predictions: unknown[] }).predictions;
    assert.equal(predictions.length, 100);
    assert.equal(split.body, JSON.stringify({ predictions: records.map((r) => legacyShape(model.predict([r])[0] as Prediction)) }));
  });

  it('refuses a 100-row request with one bad cell, naming its row and column', async () => {
    const { columns, rows } = penguinRows();
    (rows[72] as unknown[])[columns.indexOf('flipper_length_mm')] = 'long';
    for (const body of [{ dataframe_split: { columns, data: rows } }, { dataframe_records: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))) }]) {
      const answer = await score(served.endpoint.url, body);
      assert.equal(answer.status, 400);
      assert.deepEqual(JSON.parse(answer.body), { error_code: 'BAD_REQUEST', message: 'row 73, column "flipper_length_mm": expected a number (double), got string "long".' });
    }
  });

  it('logs a 100-row request with the records it stood for and the predictions it answered', async () => {
    const { columns, rows } = penguinRows();
    const answer = await score(served.endpoint.url, { dataframe_split: { columns, data: rows } });
    assert.equal(answer.status, 200);
    let logged = readRequestLog(served.fixture.store, served.endpoint.name, 1000).find((e) => e.requestId === answer.requestId);
    // the endpoint process hands its log over in batches (at least every half second)
    for (const deadline = Date.now() + 30_000; !logged && Date.now() < deadline; logged = readRequestLog(served.fixture.store, served.endpoint.name, 1000).find((e) => e.requestId === answer.requestId)) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      await served.manager.flushed();
    }
    assert.ok(logged, 'the request was logged');
    assert.equal(logged.rows, 100);
    assert.equal(logged.status, 200);
    assert.deepEqual(logged.inputs, rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))));
    assert.deepEqual(logged.outputs, (JSON.parse(answer.body) as { predictions: unknown[] }).predictions);
  });
});
