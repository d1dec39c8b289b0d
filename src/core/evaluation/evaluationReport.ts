import { classificationReport, type ClassificationReport } from './classificationMetrics';
import { regressionReport, type RegressionReport } from './regressionMetrics';

/** The test-split evaluation of a run, as saved in evaluation/report.json. */
export type EvaluationReport =
  | ({ readonly task: 'classification'; readonly split: 'test'; readonly rows: number; readonly classes: readonly string[] } & ClassificationReport)
  | ({ readonly task: 'regression'; readonly split: 'test'; readonly rows: number } & RegressionReport);

export function evaluateClassifier(actual: ArrayLike<number>, probabilities: Float32Array, classes: readonly string[]): EvaluationReport {
  return { task: 'classification', split: 'test', rows: actual.length, classes, ...classificationReport(actual, probabilities, classes.length) };
}

export function evaluateRegressor(actual: ArrayLike<number>, predicted: ArrayLike<number>): EvaluationReport {
  return { task: 'regression', split: 'test', rows: actual.length, ...regressionReport(actual, predicted) };
}

/**
 * Flat metrics to log on the run (`test_accuracy`, `test_f1_macro`, `test_recall_Adelie`,
 * `test_confusion_Adelie_Gentoo`, …), so tables and search can use them.
 */
export function evaluationMetrics(report: EvaluationReport): Record<string, number> {
  if (report.task === 'regression') return { test_rmse: report.rmse, test_mae: report.mae, test_r2: report.r2 };
  const out: Record<string, number> = {
    test_accuracy: report.accuracy,
    test_precision_macro: report.precisionMacro,
    test_recall_macro: report.recallMacro,
    test_f1_macro: report.f1Macro,
    test_roc_auc: report.rocAuc,
    test_log_loss: report.logLoss,
  };
  const key = (label: string): string => label.replace(/[^A-Za-z0-9_.-]/g, '_');
  report.perClass.forEach((m, c) => {
    const label = key(report.classes[c] as string);
    out[`test_precision_${label}`] = m.precision;
    out[`test_recall_${label}`] = m.recall;
    out[`test_f1_${label}`] = m.f1;
  });
  report.confusion.forEach((row, t) => row.forEach((count, p) => (out[`test_confusion_${key(report.classes[t] as string)}_${key(report.classes[p] as string)}`] = count)));
  return out;
}
