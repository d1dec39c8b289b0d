import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runsValidators } from '../../../src/protocol/runs/runsValidators';
import { validateViewMessage } from '../../../src/protocol/rpcValidation';
import { csvHead, parseSignature, previewArtifact, MAX_IMAGE_PREVIEW_BYTES } from '../../../src/vscode/runs/runDetails';
import { loadSeries } from '../../../src/core/tracking/runsTable/runSeries';
import { fakeRunsHost, syntheticRuns } from '../../webview/runsFakeHost';

const query = { filter: '', sort: [], aggregate: 'last' as const };

describe('runs panel host', () => {
  test('rows are paged from the sorted, filtered runs; columns come with the page', async () => {
    const host = fakeRunsHost(syntheticRuns({ runs: 450 }));
    const page = (await host.respond('getRows', { query: { ...query, sort: [{ columnId: 'metrics.accuracy', descending: true }] }, offset: 200, limit: 100 })) as {
      total: number;
      rows: Array<{ cells: unknown[] }>;
      columnIds: string[];
    };
    assert.equal(page.total, 450);
    assert.equal(page.rows.length, 100);
    const acc = page.columnIds.indexOf('metrics.accuracy');
    const values = page.rows.map((r) => r.cells[acc] as number);
    assert.deepEqual(values, [...values].sort((a, b) => b - a));
    const last = (await host.respond('getRows', { query, offset: 400, limit: 100 })) as { rows: unknown[] };
    assert.equal(last.rows.length, 50, 'the last page is short');
  });

  test('a filter that does not parse comes back as an inline error with its column, and every run stays listed', async () => {
    const host = fakeRunsHost(syntheticRuns({ runs: 20 }));
    const result = (await host.respond('getColumns', { query: { ...query, filter: "params.lr = '0.1' AND metrics.acc >" } })) as { total: number; filterError?: { column: number; message: string } };
    assert.equal(result.total, 20);
    assert.equal(result.filterError?.column, 36, 'one past the end: the value is missing');
    assert.match(result.filterError!.message, /expected/);
    const ok = (await host.respond('getColumns', { query: { ...query, filter: "params.optimizer = 'adam'" } })) as { total: number; filterError?: unknown };
    assert.equal(ok.filterError, undefined);
    assert.equal(ok.total, 7);
  });

  test('query results are cached until the store changes', async () => {
    const host = fakeRunsHost(syntheticRuns({ runs: 20 }));
    await host.respond('getRows', { query, offset: 0, limit: 10 });
    await host.respond('getRows', { query, offset: 10, limit: 10 });
    await host.respond('getColumns', { query });
    assert.equal(host.tracking.searches, 1, 'paging does not search again');
    host.engine.invalidate();
    await host.respond('getRows', { query, offset: 0, limit: 10 });
    assert.equal(host.tracking.searches, 2);
  });

  test('series are downsampled on the host: the store is asked for at most 2,000 points, non-finite values are dropped', async () => {
    const asked: number[] = [];
    const run = syntheticRuns({ runs: 1 })[0]!;
    const source = {
      getRun: async () => run,
      getMetricColumns: async (_id: string, _key: string, options: { maxPoints?: number } = {}) => {
        asked.push(options.maxPoints!);
        return { steps: Float64Array.from([0, 1, 2]), values: Float64Array.from([1 / 3, NaN, 3]), timestamps: Float64Array.from([10, 11, 12]) };
      },
    };
    const result = await loadSeries(source, [run.info.runId], ['loss', 'no_such_metric'], 1_000_000, 'step');
    assert.deepEqual(asked, [2000]);
    assert.equal(result.series.length, 1, 'a metric the run lacks is skipped');
    assert.deepEqual(result.series[0]!.values, [0.3333333, 3], '7 significant digits');
    assert.deepEqual(result.series[0]!.x, [0, 2]);
    const timed = await loadSeries(source, [run.info.runId], ['loss'], 10, 'time');
    assert.deepEqual(timed.series[0]!.x, [10, 12], 'wall time sends timestamps instead of steps');
    assert.equal(result.series[0]!.total, 100);
    assert.equal(result.runs[0]!.name, run.info.runName);
  });

  test('a long series arrives downsampled with LTTB (10,000 steps → ≤ 500 points)', async () => {
    const host = fakeRunsHost(syntheticRuns({ runs: 2 }), {}, 10_000);
    const result = (await host.respond('getSeries', { runIds: ['run00000a', 'run00001b'], keys: ['loss'], maxPoints: 500, x: 'step' })) as { series: Array<{ x: number[]; downsampled: boolean }> };
    assert.equal(result.series.length, 2);
    for (const s of result.series) assert.ok(s.x.length <= 500 && s.x.length > 400, `${s.x.length} points`);
  });

  test('the view may not ask for more than 2,000 points or 2,000 rows at once', () => {
    const tooMany = validateViewMessage({ kind: 'request', id: 1, method: 'getSeries', params: { runIds: ['a'], keys: ['loss'], maxPoints: 1_000_000, x: 'step' } }, runsValidators);
    assert.equal(tooMany.ok, false);
    assert.match(!tooMany.ok ? tooMany.error : '', /maxPoints: must be at most 2000/);
    const rows = validateViewMessage({ kind: 'request', id: 2, method: 'getRows', params: { query, offset: 0, limit: 50_000 } }, runsValidators);
    assert.equal(rows.ok, false);
    const ok = validateViewMessage({ kind: 'request', id: 3, method: 'getRows', params: { query, offset: 0, limit: 200 } }, runsValidators);
    assert.equal(ok.ok, true);
  });

  test('details: artifacts listed recursively, signature read, previews by type with size caps', async () => {
    const host = fakeRunsHost(syntheticRuns({ runs: 2 }));
    const details = (await host.respond('getRunDetails', { runId: 'run00001b' })) as { note: string; artifacts: Array<{ path: string }>; signature?: { inputs: unknown[]; outputs: Array<{ type: string }> } };
    assert.equal(details.note, 'Baseline for the Q4 report');
    assert.deepEqual(details.artifacts.map((a) => a.path), ['model', 'confusion.png', 'predictions.csv', 'metrics.json', 'model/signature.json']);
    assert.equal(details.signature?.inputs.length, 2);
    assert.equal(details.signature?.outputs[0]?.type, 'class of no, yes');
    const image = (await host.respond('getArtifactPreview', { runId: 'run00001b', path: 'confusion.png' })) as { kind: string; dataUri: string };
    assert.equal(image.kind, 'image');
    assert.match(image.dataUri, /^data:image\/png;base64,/);
    const json = (await host.respond('getArtifactPreview', { runId: 'run00001b', path: 'metrics.json' })) as { kind: string; text: string };
    assert.equal(json.kind, 'json');
    assert.match(json.text, /\n {2}"accuracy": 0.93/);
    const big = await previewArtifact(
      { getRun: async () => { throw new Error('unused'); }, listArtifacts: async () => [], readArtifact: async () => Buffer.alloc(MAX_IMAGE_PREVIEW_BYTES + 1) },
      'r',
      'plots/huge.png',
    );
    assert.equal(big.kind, 'unavailable');
    assert.match(big.kind === 'unavailable' ? big.reason : '', /huge\.png is 2\.0 MB/);
  });

  test('CSV head keeps quoted separators; signatures in MLflow format parse too', () => {
    const head = csvHead('a,b\n1,"x, y"\n2,"say ""hi"""\n', ',', false);
    assert.deepEqual(head, { kind: 'csv', header: ['a', 'b'], rows: [['1', 'x, y'], ['2', 'say "hi"']], truncated: false });
    const mlflow = parseSignature(JSON.stringify({ inputs: JSON.stringify([{ name: 'x', type: 'double' }]), outputs: JSON.stringify([{ type: 'long' }]) }));
    assert.deepEqual(mlflow, { inputs: [{ name: 'x', type: 'double' }], outputs: [{ name: '(unnamed)', type: 'long' }] });
    assert.equal(parseSignature('not json'), undefined);
  });
});
