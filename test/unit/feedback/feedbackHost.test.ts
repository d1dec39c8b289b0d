import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { FeedbackStore } from '../../../src/core/feedback/feedbackStore';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { logTextEvaluation } from '../../../src/core/textEval/evalRunLogger';
import { parseEvalSet } from '../../../src/core/textEval/evalSet';
import { evaluateTextRows } from '../../../src/core/textEval/textEvaluation';
import { feedbackValidators } from '../../../src/protocol/feedback/feedbackValidators';
import { validateViewMessage } from '../../../src/protocol/rpcValidation';
import { createFeedbackHandlers, loadFeedbackSource } from '../../../src/vscode/feedback/feedbackRequests';
import { REPO_ROOT, tempStoreDir } from '../store/testSupport';

test('feedback panel host in a window that is a client of the holder: the example set evaluated, rows reviewed, progress and run metrics follow', async () => {
  const { dir, cleanup } = tempStoreDir();
  const store = await openWorkspaceStore({ dir, writerName: 'feedback host test' });
  // the window holds no store: every read and save goes through the holder's server
  const server = await startTrackingServer({ store });
  const engine = httpEngine(server.url, server.token);
  try {
    const path = join(REPO_ROOT, 'examples', 'text-eval', 'summaries.jsonl');
    const rows = parseEvalSet(readFileSync(path, 'utf8'), 'summaries.jsonl');
    assert.equal(rows.length, 20);
    const evaluation = await evaluateTextRows(rows);
    assert.equal(evaluation.metrics.exact_match, 1 / 20); // row s16 repeats its reference
    const runId = await logTextEvaluation(store.tracking, rows, evaluation, { datasetPath: path, smoothing: 'exp', rougeStemming: false, source: 'test' });

    const h = createFeedbackHandlers(() => loadFeedbackSource(engine, runId, 'ana'));
    const session = await h.getSession();
    assert.deepEqual({ total: session.total, rated: session.ratedByMe, first: session.firstUnrated, reviewer: session.reviewer }, { total: 20, rated: 0, first: 0, reviewer: 'ana' });
    const row2 = await h.getRow({ index: 2 });
    assert.equal(row2.references.length, 2);
    assert.equal(row2.mine, null);
    assert.ok(row2.bleu > 0 && row2.rouge1F > 0);

    assert.equal((await h.saveFeedback({ index: 0, rating: 5 })).ratedByMe, 1);
    assert.equal((await h.saveFeedback({ index: 1, thumb: 'down', label: 'too short' })).ratedByMe, 2);
    const commentOnly = await h.saveFeedback({ index: 2, comment: 'fine' });
    assert.equal(commentOnly.ratedByMe, 2, 'a comment alone does not count as rated');
    assert.deepEqual(commentOnly.mine, { rating: null, thumb: null, label: null, comment: 'fine' });
    const cleared = await h.saveFeedback({ index: 0, rating: null });
    assert.equal(cleared.ratedByMe, 1);
    await h.saveFeedback({ index: 0, rating: 4, thumb: 'up' });
    const after = await h.getSession();
    assert.equal(after.firstUnrated, 2);
    assert.deepEqual(after.labels, ['too short']);
    await assert.rejects(h.getRow({ index: 20 }), /Row 20 does not exist: run [0-9a-f]{32} has 20 rows/);

    const metrics = new Map((await store.tracking.getRun(runId)).data.metrics.map((m) => [m.key, m.value]));
    assert.equal(metrics.get('feedback_mean_rating'), 4);
    assert.equal(metrics.get('feedback_thumbs_up_share'), 0.5);
    assert.equal(metrics.get('feedback_count'), 3);
    assert.equal(new FeedbackStore(store.database, store.tracking).list(runId).length, 3);

    // The host validates before use: out-of-range ratings and unknown fields never reach the store.
    const bad = validateViewMessage({ kind: 'request', id: 1, method: 'saveFeedback', params: { index: 0, rating: 7 } }, feedbackValidators);
    assert.equal(bad.ok, false);
    const extra = validateViewMessage({ kind: 'request', id: 2, method: 'saveFeedback', params: { index: 0, reviewer: 'mallory' } }, feedbackValidators);
    assert.equal(extra.ok, false);
    assert.equal(validateViewMessage({ kind: 'request', id: 3, method: 'saveFeedback', params: { index: 3, thumb: 'up', comment: null } }, feedbackValidators).ok, true);

    const noRows = (await store.tracking.createRun({ experimentId: (await store.tracking.getExperimentByName('text-eval'))?.experimentId ?? '0' })).info.runId;
    await assert.rejects(loadFeedbackSource(engine, noRows, 'ana'), /has no eval\/rows\.jsonl: it is not a text evaluation/);
  } finally {
    await server.close();
    await store.close();
    cleanup();
  }
});
