import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Run } from '../../../src/core/tracking/trackingTypes';
import { headlineMetric } from '../../../src/vscode/experiments/runHeadline';

function run(metrics: Record<string, number>): Run {
  return {
    info: { runId: 'a'.repeat(32), runName: 'summaries-eval', experimentId: '1', userId: 'u', status: 'FINISHED', startTime: 1, endTime: 2, lifecycleStage: 'active', artifactUri: 'file:///tmp/a', source: null, gitCommit: null, gitDirty: null, parentRunId: null, ownerPid: null, ownerHost: null, heartbeatTime: null },
    data: { metrics: Object.entries(metrics).map(([key, value]) => ({ key, value, step: 0, timestamp: 0, min: value, max: value, count: 1 })), params: [], tags: [] },
    inputs: { datasetInputs: [] },
  } as Run;
}

test('a text evaluation run shows its BLEU beside its name, and what reviewers said once they rated', () => {
  const scored = { bleu: 42.517, rouge1_f: 0.61, rougeL_f: 0.55, exact_match: 0.1, rows: 20 };
  assert.deepEqual(headlineMetric(run(scored)), { key: 'bleu', value: 42.517, text: '42.52' });
  const rated = headlineMetric(run({ ...scored, feedback_count: 4, feedback_mean_rating: 3.75, feedback_thumbs_up_share: 0.5 }));
  assert.equal(rated && `${rated.key} ${rated.text}`, 'bleu 42.52 · rated 3.8/5 · 4 reviewed');
  // thumbs or comments only: no mean rating to show, the count still says people looked
  assert.equal(headlineMetric(run({ ...scored, feedback_count: 2 }))?.text, '42.52 · 2 reviewed');
  assert.equal(headlineMetric(run({ rougeL_f: 0.4 }))?.key, 'rougeL_f');
  assert.equal(headlineMetric(run({ feedback_count: 3, feedback_mean_rating: 4 }))?.text, 'rated 4/5 · 3 reviewed');
});

test('training runs keep their usual headline, feedback or not', () => {
  assert.deepEqual(headlineMetric(run({ test_accuracy: 0.93, loss: 0.2 })), { key: 'test_accuracy', value: 0.93, text: '0.93' });
  assert.equal(headlineMetric(run({ test_accuracy: 0.93, feedback_count: 0 }))?.text, '0.93');
  assert.equal(headlineMetric(run({})), undefined);
});
