/**
 * Why a model card can show ROC AUC 1.0 next to F1 macro 0.61: AUC scores how each class's
 * probabilities rank the test rows, F1 and accuracy only the most probable class of each row. A
 * class whose rows are ranked first but never win the argmax keeps AUC high and F1 low.
 */

/** AUC this far above F1 macro is worth a sentence on the card. */
const NOTE_GAP = 0.15;

export interface MetricDisagreement {
  rocAuc: number;
  f1Macro: number;
  /** classes with recall 0 on the test split: ranked, never predicted */
  neverPredicted: string[];
}

/** The disagreement to explain from a card's test_* metrics, or null when AUC and F1 tell the same story. */
export function metricDisagreement(evaluation: Readonly<Record<string, number | null>>): MetricDisagreement | null {
  const rocAuc = evaluation.test_roc_auc;
  const f1Macro = evaluation.test_f1_macro;
  if (typeof rocAuc !== 'number' || typeof f1Macro !== 'number' || !Number.isFinite(rocAuc) || !Number.isFinite(f1Macro)) return null;
  if (rocAuc - f1Macro < NOTE_GAP) return null;
  const neverPredicted = Object.entries(evaluation)
    .filter(([key, value]) => key.startsWith('test_recall_') && key !== 'test_recall_macro' && value === 0)
    .map(([key]) => key.slice('test_recall_'.length));
  return { rocAuc, f1Macro, neverPredicted };
}
