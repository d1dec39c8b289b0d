import assert from 'node:assert/strict';
import { test } from 'node:test';
import { metricDisagreement } from '../../../webview/modelReview/metricDisagreement';

test('the model card explains ROC AUC 1 next to F1 0.61, naming the class that is never predicted', () => {
  // penguins-from-features: 14 of 17 right, Chinstrap ranked perfectly but never the most probable class
  const note = metricDisagreement({ test_accuracy: 14 / 17, test_f1_macro: 0.614, test_roc_auc: 1, test_recall_Adelie: 1, test_recall_Chinstrap: 0, test_recall_Gentoo: 1, test_recall_macro: 2 / 3 });
  assert.deepEqual(note, { rocAuc: 1, f1Macro: 0.614, neverPredicted: ['Chinstrap'] });
  assert.equal(metricDisagreement({ test_f1_macro: 0.9, test_roc_auc: 0.97 }), null, 'close figures need no note');
  assert.equal(metricDisagreement({ test_rmse: 3 }), null, 'regression has neither');
  assert.equal(metricDisagreement({ test_f1_macro: 0.5, test_roc_auc: null }), null);
});
