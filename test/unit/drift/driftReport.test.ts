import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { categoricalFromStrings, type DataColumn } from '../../../src/core/data/dataTable';
import { computeColumnDrift } from '../../../src/core/drift/columnDrift';
import { computeDriftReport } from '../../../src/core/drift/driftReport';
import { driftReportMarkdown } from '../../../src/core/drift/driftSummary';
import type { DriftTableInput } from '../../../src/core/drift/driftTypes';
import { runChildJob } from '../../../src/core/process/childJob';

function numeric(name: string, values: readonly number[]): DataColumn {
  return { kind: 'numeric', name, values: Float64Array.from(values), missing: values.filter((v) => Number.isNaN(v)).length };
}
function table(name: string, columns: DataColumn[]): DriftTableInput {
  const first = columns[0] as DataColumn;
  return { name, rowCount: first.kind === 'numeric' ? first.values.length : first.codes.length, columns };
}
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));

describe('test selection per column (Evidently defaults)', () => {
  test('≤ 1,000 reference rows: KS for numeric with > 5 values, chi-squared for > 2 categories, z for two', () => {
    assert.equal(computeColumnDrift(numeric('x', range(100, (i) => i)), numeric('x', range(100, (i) => i + 1))).test, 'ks');
    const cities = categoricalFromStrings('c', range(90, (i) => ['a', 'b', 'c'][i % 3] as string));
    assert.equal(computeColumnDrift(cities, cities).test, 'chisquare');
    // a numeric column with ≤ 5 distinct values is compared as categories
    const flags = numeric('f', range(100, (i) => i % 2));
    const drift = computeColumnDrift(flags, flags);
    assert.equal(drift.test, 'z');
    assert.equal(drift.kind, 'categorical');
    assert.equal(drift.pValue, 1);
    assert.equal(drift.drifted, false);
  });

  test('> 1,000 reference rows: normed Wasserstein for numeric, Jensen–Shannon for categorical, drift at ≥ 0.1', () => {
    const ref = numeric('x', range(2000, (i) => i % 100));
    const shifted = numeric('x', range(2000, (i) => (i % 100) + 10));
    const r = computeColumnDrift(ref, shifted);
    assert.equal(r.test, 'wasserstein');
    // shifting every value by 10 moves the distance by exactly 10; std of 0..99 is √((100² − 1)/12)
    assert.ok(Math.abs(r.statistic - 10 / Math.sqrt((100 * 100 - 1) / 12)) < 1e-9);
    assert.equal(r.drifted, true);
    const cats = categoricalFromStrings('c', range(2000, (i) => (i % 2 ? 'a' : 'b')));
    const r2 = computeColumnDrift(cats, categoricalFromStrings('c', range(2000, (i) => (i % 4 ? 'a' : 'b'))));
    assert.equal(r2.test, 'jensenshannon');
    assert.equal(r2.threshold, 0.1);
  });

  test('missing shares and unseen categories are reported; tests and thresholds can be chosen', () => {
    const ref = categoricalFromStrings('c', ['a', 'b', '', 'a']);
    const cur = categoricalFromStrings('c', ['a', 'z', 'z', '']);
    const r = computeColumnDrift(ref, cur, { test: 'psi', threshold: 0.2 });
    assert.equal(r.test, 'psi');
    assert.equal(r.threshold, 0.2);
    assert.equal(r.referenceMissingShare, 0.25);
    assert.deepEqual(r.unseenCategories, ['z']);
    assert.throws(() => computeColumnDrift(ref, cur, { test: 'ks' }), /column "c": ks needs numbers/);
  });
});

describe('drift report', () => {
  const reference = table('ref', [numeric('a', range(200, (i) => i)), numeric('b', range(200, (i) => i * 2)), numeric('p', range(200, (i) => i % 2))]);
  const current = table('cur', [numeric('a', range(200, (i) => i + 150)), numeric('b', range(200, (i) => i * 2 + 1)), numeric('p', range(200, () => 1))]);

  test('drifted columns first, dataset drift by share, prediction drift apart', () => {
    const report = computeDriftReport(reference, current, { predictionColumn: 'p' });
    assert.deepEqual(report.columns.map((c) => [c.column, c.drifted]), [['a', true], ['b', false]]);
    assert.equal(report.driftShare, 0.5);
    assert.equal(report.datasetDrift, true);
    assert.equal(report.prediction?.column, 'p');
    assert.equal(report.prediction?.drifted, true);
    assert.equal(computeDriftReport(reference, current, { predictionColumn: 'p', driftShare: 0.6 }).datasetDrift, false);
    assert.match(driftReportMarkdown(report), /Dataset drift: YES — 1 of 2 columns drifted/);
  });

  test('per-column thresholds and a missing column named with the file', () => {
    const report = computeDriftReport(reference, current, { columns: ['a'], perColumn: { a: { threshold: 1e-300 } } });
    assert.equal(report.columns[0]?.drifted, false); // p is tiny but not below 1e-300
    assert.throws(() => computeDriftReport(reference, current, { columns: ['nope'] }), /column "nope" is not in the reference data ref/);
  });

  test('the drift job runs in a worker process', async () => {
    const report = await runChildJob('drift', { reference: { kind: 'table', table: reference }, current: { kind: 'table', table: current }, options: { predictionColumn: 'p' } });
    assert.equal(report.datasetDrift, true);
    assert.equal(report.columns.length, 2);
  });
});

describe('drift report split over worker processes', () => {
  test('two workers give the same report as one', async () => {
    const { computeDriftReportInWorkers } = await import('../../../src/core/drift/parallelDrift');
    const reference = table('ref', range(5, (c) => numeric(`c${c}`, range(300, (i) => i * (c + 1)))));
    const current = table('cur', range(5, (c) => numeric(`c${c}`, range(300, (i) => i * (c + 1) + (c % 2 ? 100 : 0)))));
    const single = computeDriftReport(reference, current);
    const split = await computeDriftReportInWorkers(reference, current, {}, 2);
    assert.deepEqual(split.columns.map((c) => [c.column, c.drifted, c.score]), single.columns.map((c) => [c.column, c.drifted, c.score]));
    assert.equal(split.datasetDrift, single.datasetDrift);
    assert.equal(split.driftShare, single.driftShare);
  });
});
