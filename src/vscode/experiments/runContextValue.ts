import { isStarred, noteOf } from '../../core/tracking/runAnnotations';
import type { Run } from '../../core/tracking/trackingTypes';

/**
 * What menus match on: `mlops.run` then, in this order, `.running`, `.starred`, `.noted`,
 * `.textEval` (a text evaluation: only it offers Review Text Evaluation…);
 * `mlops.deletedRun` for a deleted run (package.json's `when` clauses rely on this shape).
 */
export function runContextValue(run: Run): string {
  if (run.info.lifecycleStage === 'deleted') return 'mlops.deletedRun';
  const textEvaluation = run.data.tags.some((t) => t.key === 'mlops.evaluation' && t.value === 'text');
  const flags = [run.info.status === 'RUNNING' ? '.running' : '', isStarred(run) ? '.starred' : '', noteOf(run).trim() !== '' ? '.noted' : '', textEvaluation ? '.textEval' : ''];
  return `mlops.run${flags.join('')}`;
}
