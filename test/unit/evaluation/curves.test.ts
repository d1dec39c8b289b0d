import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classificationCurves, regressionCurves } from '../../../src/core/evaluation/evaluationCurves';
import { rocAucOvr } from '../../../src/core/evaluation/classificationMetrics';

describe('evaluation curves for the model card', () => {
  test('binary ROC and PR by hand: scores 0.9 (pos), 0.8 (neg), 0.7 (pos), 0.1 (neg)', () => {
    // two columns per row: [p(no), p(yes)]
    const probabilities = Float32Array.from([0.1, 0.9, 0.2, 0.8, 0.3, 0.7, 0.9, 0.1]);
    const actual = [1, 0, 1, 0];
    const curves = classificationCurves(actual, probabilities, ['no', 'yes']);
    assert.equal(curves.task, 'classification');
    if (curves.task !== 'classification') return;
    const yes = curves.roc[1];
    // thresholds 0.9, 0.8, 0.7, 0.1: (fpr, tpr) = (0, .5), (.5, .5), (.5, 1), (1, 1)
    assert.deepEqual(yes?.points.map(([x, y]) => [x, y]), [[0, 0], [0, 0.5], [0.5, 0.5], [0.5, 1], [1, 1]]);
    assert.ok(Math.abs((yes?.area ?? 0) - 0.75) < 1e-12, `AUC ${yes?.area}`);
    // precision at each threshold: 1/1, 1/2, 2/3, 2/4; recall .5, .5, 1, 1 → AP = .5·1 + .5·(2/3)
    const pr = curves.pr[1];
    assert.deepEqual(pr?.points.map(([r, p]) => [r, Number(p.toFixed(4))]), [[0.5, 1], [0.5, 0.5], [1, 0.6667], [1, 0.5]]);
    assert.ok(Math.abs((pr?.area ?? 0) - (0.5 + 0.5 * (2 / 3))) < 1e-12);
  });

  test('the per-class ROC area agrees with the logged one-vs-rest AUC on random data', () => {
    let seed = 7;
    const random = (): number => ((seed = (seed * 16807) % 2147483647) / 2147483647);
    const rows = 500;
    const classes = ['a', 'b', 'c'];
    const actual = Array.from({ length: rows }, () => Math.floor(random() * 3));
    const probabilities = new Float64Array(rows * 3);
    actual.forEach((y, r) => {
      const raw = [random(), random(), random()].map((v, c) => v + (c === y ? 0.4 : 0)); // informative but noisy
      const sum = raw.reduce((a, b) => a + b, 0);
      raw.forEach((v, c) => (probabilities[r * 3 + c] = v / sum));
    });
    const curves = classificationCurves(actual, probabilities, classes);
    if (curves.task !== 'classification') throw new Error('expected classification curves');
    const mean = curves.roc.reduce((a, c) => a + c.area, 0) / 3;
    assert.ok(Math.abs(mean - rocAucOvr(actual, probabilities, 3)) < 1e-9, `${mean} vs ${rocAucOvr(actual, probabilities, 3)}`);
    for (const curve of [...curves.roc, ...curves.pr]) assert.ok(curve.points.length <= 200, `${curve.label}: ${curve.points.length} points kept`);
    assert.deepEqual(curves.roc[0]?.points.at(-1), [1, 1], 'a thinned ROC curve still ends at (1, 1)');
  });

  test('a class missing from the test split has no area instead of a made-up one', () => {
    const curves = classificationCurves([0, 0, 1], Float32Array.from([0.8, 0.1, 0.1, 0.6, 0.3, 0.1, 0.2, 0.7, 0.1]), ['a', 'b', 'c']);
    if (curves.task !== 'classification') throw new Error('expected classification curves');
    assert.ok(Number.isNaN(curves.roc[2]?.area));
    assert.ok(Number.isNaN(curves.pr[2]?.area));
  });

  test('regression: predicted vs actual is sampled to 1000 points and the residual histogram counts every row', () => {
    const n = 5000;
    const actual = Float64Array.from({ length: n }, (_, i) => i / 10);
    const predicted = Float64Array.from(actual, (a, i) => a + (i % 2 === 0 ? 1 : -1));
    const curves = regressionCurves(actual, predicted);
    if (curves.task !== 'regression') throw new Error('expected regression curves');
    assert.equal(curves.predictedVsActual.length, 1000);
    assert.deepEqual(curves.predictedVsActual[1], [0.5, -0.5], 'evenly spaced rows: the second sample is row 5');
    assert.equal(curves.residuals.counts.reduce((a, b) => a + b, 0), n);
    assert.equal(curves.residuals.counts[0], n / 2, 'residual −1 in the first bin');
    assert.equal(curves.residuals.counts.at(-1), n / 2, 'residual +1 in the last bin');
    assert.equal(curves.residuals.edges[0], -1);
  });

  test('regression with NaN predictions and constant residuals does not produce NaN bins', () => {
    const curves = regressionCurves([1, 2, 3], [2, Number.NaN, 4]);
    if (curves.task !== 'regression') throw new Error('expected regression curves');
    assert.deepEqual(curves.residuals.counts.reduce((a, b) => a + b, 0), 2);
    assert.ok(curves.residuals.edges.every(Number.isFinite));
  });
});
