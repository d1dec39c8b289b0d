import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { ModelFeedbackStore } from '../../../src/core/feedback/modelFeedbackStore';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { modelCard } from '../../../src/core/registry/modelCard';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { mlopsInProcess as mlops } from '../lib/runCliInProcess';
import { trainedRun } from '../registry/registryTestSupport';
import { tempStoreDir } from '../store/testSupport';

const EXAMPLE = join(__dirname, '..', '..', '..', 'examples', 'text-eval', 'summaries.jsonl');

test('a version\'s text evaluations (BLEU/ROUGE + reviewers\' ratings) and endpoint feedback, side by side in the CLI and the model card', async () => {
  const { dir, cleanup } = tempStoreDir();
  const workspace = dirname(dir);
  try {
    copyFileSync(EXAMPLE, join(workspace, 'summaries.jsonl'));
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      const registry = modelRegistryFor(store, { actor: 'tester' });
      await registry.registerVersion(await trainedRun(store), 'summarizer');
      await registry.registerVersion(await trainedRun(store), 'summarizer');
    } finally {
      await store.close();
    }
    // nothing yet
    const empty = await mlops(workspace, 'feedback', 'summary', 'models:/summarizer/1');
    assert.equal(empty.code, 0, empty.err);
    assert.match(empty.out, /0 requests with feedback/);
    assert.match(empty.out, /no text evaluations of models:\/summarizer\/1 \(mlops eval FILE --model models:\/summarizer\/1 links one\)/);

    const evaluated = await mlops(workspace, '--json', 'eval', join(workspace, 'summaries.jsonl'), '--model', 'models:/summarizer/1', '--name', 'v1-summaries');
    assert.equal(evaluated.code, 0, evaluated.err);
    const { runId, metrics } = JSON.parse(evaluated.out) as { runId: string; metrics: Record<string, number> };
    // an evaluation of v2 must not show up under v1
    assert.equal((await mlops(workspace, 'eval', join(workspace, 'summaries.jsonl'), '--model', 'models:/summarizer/2')).code, 0);
    assert.equal((await mlops(workspace, 'feedback', 'add', runId, '0', '--rating', '4', '--reviewer', 'ana')).code, 0);
    assert.equal((await mlops(workspace, 'feedback', 'add', runId, '1', '--rating', '2', '--reviewer', 'ana')).code, 0);

    store = await openWorkspaceStore({ dir, writerName: 'test' });
    try {
      const posted = new ModelFeedbackStore(store.database);
      await posted.save({ requestId: 'r-1', endpoint: 'summarizer-v1', modelName: 'summarizer', version: 1, rating: 5, label: 'helpful' });
      await posted.save({ requestId: 'r-2', endpoint: 'summarizer-v1', modelName: 'summarizer', version: 1, rating: 2, label: 'too long' });
      await posted.save({ requestId: 'r-3', endpoint: 'summarizer-v1', modelName: 'summarizer', version: 1, comment: 'no rating, only a comment' });
      const card = await modelCard(modelRegistryFor(store), store.tracking, 'summarizer', 1, { database: store.database });
      assert.equal(card.uri, 'models:/summarizer/1'); // the fields the panel uses are still there
      assert.deepEqual(card.feedback?.endpoint, { count: 3, ratedCount: 2, meanRating: 3.5, labels: { helpful: 1, 'too long': 1 }, lastAt: card.feedback?.endpoint?.lastAt });
      assert.equal(card.feedback?.textEvaluations.length, 1);
      const evaluation = card.feedback?.textEvaluations[0];
      assert.equal(evaluation?.runId, runId);
      assert.equal(evaluation?.metrics.bleu, metrics.bleu);
      assert.equal(evaluation?.metrics.rougeL_f, metrics.rougeL_f);
      assert.equal(evaluation?.rougeStemming, false);
      assert.deepEqual(evaluation?.feedback, { count: 2, meanRating: 3, thumbsUpShare: null });
      // without the database (a remote backend) the endpoint part is unknown, not zero
      assert.equal((await modelCard(modelRegistryFor(store), store.tracking, 'summarizer', 1)).feedback?.endpoint, null);
    } finally {
      await store.close();
    }

    const summary = await mlops(workspace, 'feedback', 'summary', 'models:/summarizer/1');
    assert.equal(summary.code, 0, summary.err);
    assert.match(summary.out, /endpoint feedback on models:\/summarizer\/1: 3 requests with feedback · mean rating 3\.50 \(2 ratings\) · labels: helpful 1, too long 1/);
    const row = summary.out.split('\n').find((line) => line.startsWith('v1-summaries'));
    assert.ok(row, summary.out);
    // BLEU, ROUGE-1/2/L/Lsum, exact match, rows, stemming, reviewed rows, mean rating, thumbs
    const cells = row.split(/\s{2,}/);
    assert.equal(cells[2], (metrics.bleu ?? NaN).toFixed(2));
    assert.equal(cells[3], (metrics.rouge1_f ?? NaN).toFixed(4));
    assert.deepEqual(cells.slice(-5), [String(metrics.rows), 'no', '2', '3.00', '-']);
    const json = JSON.parse((await mlops(workspace, '--json', 'feedback', 'summary', 'models:/summarizer/1')).out) as { model: string; textEvaluations: unknown[] };
    assert.equal(json.model, 'models:/summarizer/1');
    assert.equal(json.textEvaluations.length, 1);

    const list = await mlops(workspace, 'feedback', 'list', 'models:/summarizer/1');
    assert.match(list.out, /r-2\s+summarizer-v1\s+2\s+too long/);
    const show = await mlops(workspace, 'models', 'show', 'summarizer', '1');
    assert.match(show.out, /text evaluations of models:\/summarizer\/1:/);
    const unknown = await mlops(workspace, 'feedback', 'summary', 'models:/summarizer/9');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /models:\/summarizer\/9: .*9/);
  } finally {
    cleanup();
  }
});
