import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { binaryRocAuc, classificationReport, logLoss, rocAucOvr } from '../../../src/core/evaluation/classificationMetrics';
import { evaluateClassifier, evaluationMetrics } from '../../../src/core/evaluation/evaluationReport';
import { regressionReport } from '../../../src/core/evaluation/regressionMetrics';

const close = (actual: number, expected: number, digits = 5): void => assert.ok(Math.abs(actual - expected) < 10 ** -digits, `${actual} ≠ ${expected}`);

// Six rows, three classes; every figure below is worked out by hand in the comments.
const actual = [0, 0, 1, 1, 2, 2];
const probabilities = Float32Array.from([
  [0.7, 0.2, 0.1], // true 0, predicted 0
  [0.3, 0.6, 0.1], // true 0, predicted 1
  [0.2, 0.5, 0.3], // true 1, predicted 1
  [0.1, 0.8, 0.1], // true 1, predicted 1
  [0.1, 0.2, 0.7], // true 2, predicted 2
  [0.5, 0.1, 0.4], // true 2, predicted 0
].flat());

describe('classification metrics', () => {
  const report = classificationReport(actual, probabilities, 3);

  test('confusion matrix rows are true classes, columns predictions', () => {
    assert.deepEqual(report.confusion, [
      [1, 1, 0],
      [0, 2, 0],
      [1, 0, 1],
    ]);
  });

  test('accuracy, per-class and macro precision/recall/F1', () => {
    close(report.accuracy, 4 / 6);
    // class 0: tp 1 of 2 predicted, 1 of 2 actual; class 1: 2 of 3 predicted, 2 of 2; class 2: 1 of 1, 1 of 2
    const expected = [
      { precision: 0.5, recall: 0.5, f1: 0.5, support: 2 },
      { precision: 2 / 3, recall: 1, f1: 0.8, support: 2 },
      { precision: 1, recall: 0.5, f1: 2 / 3, support: 2 },
    ];
    report.perClass.forEach((m, c) => {
      const e = expected[c]!;
      close(m.precision, e.precision);
      close(m.recall, e.recall);
      close(m.f1, e.f1);
      assert.equal(m.support, e.support);
    });
    close(report.precisionMacro, (0.5 + 2 / 3 + 1) / 3);
    close(report.recallMacro, 2 / 3);
    close(report.f1Macro, (0.5 + 0.8 + 2 / 3) / 3);
  });

  test('log loss is the mean negative log probability of the true class', () => {
    close(report.logLoss, -(Math.log(0.7) + Math.log(0.3) + Math.log(0.5) + Math.log(0.8) + Math.log(0.7) + Math.log(0.4)) / 6);
    // a confident wrong answer is clipped, not infinite
    assert.ok(Number.isFinite(logLoss([1], Float32Array.from([1, 0]), 2)));
  });

  test('ROC-AUC one-vs-rest: pairs ranked correctly per class, averaged', () => {
    // class 0: positives 0.7, 0.3 vs negatives 0.2, 0.1, 0.1, 0.5 → 7 of 8 pairs; class 1 likewise 7/8; class 2: 8/8
    close(rocAucOvr(actual, probabilities, 3), (7 / 8 + 7 / 8 + 1) / 3);
    close(report.rocAuc, (7 / 8 + 7 / 8 + 1) / 3);
  });

  test('binary ROC-AUC counts tied scores as half a correct pair', () => {
    // positives 0.5, 0.8; negatives 0.5, 0.2: (0.5 + 1 + 1 + 1) / 4
    close(binaryRocAuc([true, true, false, false], [0.5, 0.8, 0.5, 0.2]), 0.875);
    assert.ok(Number.isNaN(binaryRocAuc([true, true], [0.1, 0.2])), 'undefined with one class only');
    // two-class reports use the second class's probability
    close(rocAucOvr([0, 1, 1, 0], Float32Array.from([0.9, 0.1, 0.4, 0.6, 0.2, 0.8, 0.3, 0.7]), 2), 0.75);
  });

  test('ROC-AUC matches counting every (positive, negative) pair of each class on the same rows and probabilities', () => {
    // an independent, quadratic count of scikit-learn's definition, on scores with ties
    const bruteForce = (y: readonly number[], p: Float64Array, k: number): number => {
      let sum = 0;
      for (let c = 0; c < k; c++) {
        let good = 0;
        let pairs = 0;
        for (let i = 0; i < y.length; i++) {
          if (y[i] !== c) continue;
          for (let j = 0; j < y.length; j++) {
            if (y[j] === c) continue;
            pairs++;
            const a = p[i * k + c]!;
            const b = p[j * k + c]!;
            good += a > b ? 1 : a === b ? 0.5 : 0;
          }
        }
        sum += good / pairs;
      }
      return sum / k;
    };
    let seed = 7;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let trial = 0; trial < 5; trial++) {
      const rows = 40;
      const y = Array.from({ length: rows }, (_, i) => i % 3);
      const p = new Float64Array(rows * 3);
      for (let r = 0; r < rows; r++) {
        const raw = [0, 1, 2].map((c) => Math.round((random() + (c === y[r] ? 0.4 : 0)) * 10) / 10); // rounded: ties happen
        const total = raw.reduce((a, b) => a + b, 0) || 1;
        raw.forEach((v, c) => (p[r * 3 + c] = v / total));
      }
      close(rocAucOvr(y, p, 3), bruteForce(y, p, 3), 9);
    }
  });

  test('a perfect ranking (ROC AUC 1) with a class that never wins the argmax: accuracy and F1 drop, AUC does not', () => {
    // Chinstrap (class 1) rows carry the highest Chinstrap probability of all rows, yet Adelie's is
    // higher still in those rows: ranked perfectly, never predicted (an under-confident minority class)
    const y = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2];
    const row = (c: number, i: number): number[] => (c === 0 ? [0.8, 0.1 + i * 0.001, 0.1] : c === 1 ? [0.55, 0.4 + i * 0.01, 0.05] : [0.05, 0.05 + i * 0.001, 0.9]);
    const p = Float64Array.from(y.flatMap((c, i) => row(c, i)));
    const r = classificationReport(y, p, 3);
    assert.equal(r.rocAuc, 1);
    close(r.accuracy, 14 / 17);
    assert.equal(r.perClass[1]?.recall, 0);
    // Adelie: 7 right of 10 predicted → F1 2·0.7·1/1.7; Chinstrap 0; Gentoo 1
    close(r.f1Macro, (1.4 / 1.7 + 0 + 1) / 3);
  });

  test('a class never predicted has precision 0, not NaN', () => {
    const r = classificationReport([0, 1], Float32Array.from([0.9, 0.1, 0.8, 0.2]), 2);
    assert.equal(r.perClass[1]?.precision, 0);
    assert.equal(r.perClass[1]?.f1, 0);
  });

  test('flat run metrics name classes and confusion cells', () => {
    const metrics = evaluationMetrics(evaluateClassifier(actual, probabilities, ['Adelie', 'Chinstrap', 'Gentoo']));
    close(metrics.test_accuracy!, 4 / 6);
    close(metrics.test_recall_Chinstrap!, 1);
    assert.equal(metrics.test_confusion_Gentoo_Adelie, 1);
    assert.equal(metrics.test_confusion_Adelie_Gentoo, 0);
    for (const key of ['test_precision_macro', 'test_recall_macro', 'test_f1_macro', 'test_roc_auc', 'test_log_loss']) assert.ok(key in metrics, key);
  });
});

describe('regression metrics', () => {
  test('RMSE, MAE and R² of a worked example', () => {
    // errors 0.5, -0.5, 0, -1 → MSE 1.5/4; mean 2.875, SS_tot 29.1875
    const r = regressionReport([3, -0.5, 2, 7], [2.5, 0, 2, 8]);
    close(r.rmse, Math.sqrt(0.375));
    close(r.mae, 0.5);
    close(r.r2, 1 - 1.5 / 29.1875);
  });

  test('R² is 1 for perfect predictions and negative when worse than the mean', () => {
    assert.equal(regressionReport([1, 2, 3], [1, 2, 3]).r2, 1);
    assert.ok(regressionReport([1, 2, 3], [3, 2, 1]).r2 < 0);
  });
});
