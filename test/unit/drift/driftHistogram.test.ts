import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DataColumn } from '../../../src/core/data/dataTable';
import { computeColumnDrift } from '../../../src/core/drift/columnDrift';
import { jensenShannonDistance, populationStabilityIndex } from '../../../src/core/drift/distanceMeasures';

function numeric(values: readonly number[]): DataColumn {
  return { kind: 'numeric', name: 'x', values: Float64Array.from(values), missing: 0 };
}
const range = <T>(n: number, f: (i: number) => T): T[] => Array.from({ length: n }, (_, i) => f(i));
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

/** numpy.histogram's rule, counted value by value: bins are [e_i, e_i+1), the last one closed. */
function sharesByValue(values: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length - 1).fill(0);
  for (const v of values) {
    const next = edges.findIndex((e, k) => k > 0 && v < e);
    const bin = next < 0 ? edges.length - 2 : next - 1;
    assert.ok(v >= (edges[0] as number) && v <= (edges[edges.length - 1] as number), `${v} is outside the edges`);
    counts[bin] = (counts[bin] as number) + 1;
  }
  return counts.map((c) => c / values.length);
}

describe('numeric drift histograms', () => {
  // -2.2 + (3.623568 − (−2.2)) is 3.6235679999999997 in floating point: the edge the issue quotes.
  const MAX = 3.623568;
  const reference = range(300, (i) => -2.2 + (5.2 * i) / 299);
  // the current data has 30 rows at the maximum (a sensor pinned at its top value)
  const current = [...reference.slice(0, 270), ...range(30, () => MAX)];

  test('the last bin edge is exactly the maximum, every value falls in a bin, and the shares sum to 1', () => {
    const { histogram } = computeColumnDrift(numeric(reference), numeric(current));
    assert.equal(histogram.kind, 'numeric');
    if (histogram.kind !== 'numeric') return;
    assert.equal(histogram.edges[0], -2.2);
    assert.equal(histogram.edges[histogram.edges.length - 1], MAX);
    assert.ok(Math.abs(sum(histogram.current) - 1) < 1e-12, `current shares sum to ${sum(histogram.current)}`);
    assert.ok(Math.abs(sum(histogram.reference) - 1) < 1e-12, `reference shares sum to ${sum(histogram.reference)}`);
    // the maximum rows are in the last bar of the chart
    assert.ok((histogram.current[histogram.current.length - 1] as number) >= 30 / 300);
    const expected = sharesByValue(current, histogram.edges);
    histogram.current.forEach((share, i) => assert.ok(Math.abs(share - (expected[i] as number)) < 1e-12, `bin ${i}: ${share} vs ${expected[i]}`));
  });

  test('PSI and the Jensen–Shannon distance are computed on histograms that hold every value', () => {
    const psi = computeColumnDrift(numeric(reference), numeric(current), { test: 'psi' });
    const js = computeColumnDrift(numeric(reference), numeric(current), { test: 'jensenshannon' });
    if (psi.histogram.kind !== 'numeric') throw new Error('numeric histogram expected');
    const ref = sharesByValue(reference, psi.histogram.edges);
    const cur = sharesByValue(current, psi.histogram.edges);
    assert.ok(Math.abs(psi.statistic - populationStabilityIndex(Float64Array.from(ref), Float64Array.from(cur))) < 1e-12, `PSI ${psi.statistic}`);
    assert.ok(Math.abs(js.statistic - jensenShannonDistance(ref, cur)) < 1e-12, `JS ${js.statistic}`);
    // the same data on both sides is no drift at all
    assert.equal(computeColumnDrift(numeric(current), numeric(current), { test: 'psi' }).statistic, 0);
  });
});
