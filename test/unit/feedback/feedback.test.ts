import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { test } from 'node:test';
import { feedbackToCsv, feedbackToJsonl } from '../../../src/core/feedback/feedbackExport';
import { FeedbackStore } from '../../../src/core/feedback/feedbackStore';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from '../store/testSupport';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';


test('feedback is saved per reviewer and row, updates in place, and becomes run metrics; survives reopen', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    const experimentId = await store.tracking.createExperiment('text-eval');
    const runId = (await store.tracking.createRun({ experimentId })).info.runId;
    const feedback = new FeedbackStore(store.database, store.tracking);
    await feedback.save({ runId, rowIndex: 0, reviewer: 'ana', rating: 5, thumb: 'up', time: 1000 });
    await feedback.save({ runId, rowIndex: 1, reviewer: 'ana', rating: 2, thumb: 'down', label: 'hallucination', comment: 'invents a date, "Friday"', time: 2000 });
    await feedback.save({ runId, rowIndex: 1, reviewer: 'ana', rating: 3, time: 3000 }); // re-rate: label and comment stay
    await feedback.save({ runId, rowIndex: 1, reviewer: 'bo', thumb: 'up', time: 4000 });
    const row1 = feedback.get(runId, 1, 'ana');
    assert.equal(row1?.rating, 3);
    assert.equal(row1?.label, 'hallucination');
    assert.equal(row1?.createdAt, 2000);
    assert.equal(row1?.updatedAt, 3000);
    const summary = feedback.summary(runId);
    assert.deepEqual(summary, { count: 2, ratedCount: 2, meanRating: 4, thumbsCount: 3, thumbsUpShare: 2 / 3, labels: { hallucination: 1 } });
    const metrics = new Map((await store.tracking.getRun(runId)).data.metrics.map((m) => [m.key, m.value]));
    assert.equal(metrics.get('feedback_mean_rating'), 4);
    assert.equal(metrics.get('feedback_thumbs_up_share'), 2 / 3);
    assert.equal(metrics.get('feedback_count'), 2);

    await assert.rejects(feedback.save({ runId, rowIndex: 0, reviewer: 'ana', rating: 6 }), /rating must be an integer from 1 to 5, got 6/);
    await assert.rejects(feedback.save({ runId, rowIndex: -1, reviewer: 'ana', rating: 1 }), /Row index must be a non-negative integer/);
    await assert.rejects(feedback.save({ runId: 'f'.repeat(32), rowIndex: 0, reviewer: 'ana', rating: 1 }));

    const csv = feedbackToCsv(feedback.list(runId));
    assert.equal(csv.split('\r\n')[0], 'run_id,row_index,reviewer,created_at,updated_at,rating,thumb,label,comment');
    assert.match(csv, /,3,down,hallucination,"invents a date, ""Friday"""\r\n/);
    assert.equal(feedbackToJsonl(feedback.list(runId)).trim().split('\n').length, 3);
    await store.close();

    store = await openWorkspaceStore({ dir, writerName: 'test' });
    assert.equal(new FeedbackStore(store.database, store.tracking).list(runId).length, 3);
    await store.close();
  } finally {
    cleanup();
  }
});

test('mlops feedback add / summary / export', async () => {
  const { dir, cleanup } = tempStoreDir();
  const workspace = dirname(dir);
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const runId = (await store.tracking.createRun({ experimentId: await store.tracking.createExperiment('e') })).info.runId;
    await store.close();
    const add = await mlops(workspace, 'feedback', 'add', runId, '0', '--rating', '4', '--up', '--reviewer', 'ana', '--comment', 'good');
    assert.equal(add.code, 0, add.err);
    assert.match(add.out, /Saved feedback by ana on row 0/);
    const bad = await mlops(workspace, 'feedback', 'add', runId, '0', '--rating', '9', '--reviewer', 'ana');
    assert.equal(bad.code, 2);
    assert.match(bad.err, /rating must be an integer from 1 to 5, got 9/);
    const nothing = await mlops(workspace, 'feedback', 'add', runId, '0');
    assert.match(nothing.err, /Nothing to save/);
    const summary = await mlops(workspace, '--json', 'feedback', 'summary', runId);
    assert.equal((JSON.parse(summary.out) as { meanRating: number }).meanRating, 4);
    const exported = await mlops(workspace, 'feedback', 'export', runId, '--format', 'jsonl');
    assert.equal((JSON.parse(exported.out.trim()) as { reviewer: string; comment: string }).comment, 'good');
  } finally {
    cleanup();
  }
});
