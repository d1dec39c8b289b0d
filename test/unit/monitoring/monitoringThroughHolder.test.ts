import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { FeedbackStore } from '../../../src/core/feedback/feedbackStore';
import { driftHistory, openAlerts } from '../../../src/core/monitoring/driftHistory';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { retrainAttempts } from '../../../src/core/retraining/retrainAttempts';
import { runCliAsync } from '../lib/runCli';
import { startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

/** penguins with longer bills: the bill columns drift, the rest do not */
function shiftedPenguins(): string {
  const [header, ...rows] = readFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), 'utf8').trimEnd().split('\n');
  return [header, ...rows.map((r) => r.split(',').map((cell, i) => (i === 2 && cell !== '' && cell !== 'NA' ? String(Number(cell) + 15) : cell)).join(','))].join('\n') + '\n';
}

test('while another process holds the store, mlops monitor, retrain, eval --model and feedback work through it (no exit 3)', { timeout: 600_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  const store = fx.store;
  try {
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    writeFileSync(join(workspace, 'shifted.csv'), shiftedPenguins());
    writeFileSync(join(workspace, 'small.train.yaml'), 'experiment: penguins\ndataset: penguins.csv\ntarget: species\ntask: classification\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 3\nearly_stopping: false\n');
    writeFileSync(
      join(workspace, 'bills.monitor.yaml'),
      'reference:\n  file: penguins.csv\ncurrent:\n  file: shifted.csv\ndrift_share: 0.1\nretrain:\n  spec: small.train.yaml\n  model: penguins\n  data: spec\n  promote: auto\n  cooldown_hours: 12\n',
    );

    // A monitor run by the CLI is kept by the holder, with its alert.
    const run = await runCliAsync(['-w', workspace, 'monitor', 'run', 'bills']);
    assert.equal(run.status, 1, run.stderr + run.stdout); // the dataset drifted
    assert.match(run.stderr, /going through its server/);
    assert.match(run.stdout, /Stored as report 1 with an alert\./);
    assert.equal(driftHistory(store, 'bills').length, 1);
    assert.equal(openAlerts(store, 'bills').length, 1);

    const list = await runCliAsync(['-w', workspace, 'monitor', 'list']);
    assert.equal(list.status, 0, list.stderr);
    assert.match(list.stdout, /bills +bills\.monitor\.yaml +\S+ \S+ +DRIFT +\d+% +1 +penguins@champion/);

    // Retraining runs in the holder; the CLI follows its progress and prints the decision.
    const retrained = await runCliAsync(['-w', workspace, 'retrain', 'bills', '--backend', 'js']);
    assert.equal(retrained.status, 0, retrained.stderr);
    assert.match(retrained.stdout, /^penguins: no version held @champion, so v1 takes it .*→ @champion moved to v1\n/);
    assert.match(retrained.stderr, /preparing the data\n/);
    const attempt = retrainAttempts(store, 'bills')[0];
    assert.equal(attempt?.status, 'promoted');
    assert.equal(attempt.trigger.alertId, openAlerts(store, 'bills')[0]?.id, 'by hand, on the open drift alert');
    assert.equal(modelRegistryFor(store).findModel('penguins')?.aliases.champion, 1);
    const history = await runCliAsync(['-w', workspace, 'retrain', 'bills', '--history']);
    assert.match(history.stdout, /\n1 +\S+ \S+ +manual \(alert #1\) +promoted +v1 /);

    // A text evaluation linked to that version, and a rating of one of its rows, land in the holder.
    const evaluated = await runCliAsync(['-w', workspace, '--json', 'eval', join(REPO_ROOT, 'examples', 'text-eval', 'summaries.jsonl'), '--model', 'models:/penguins@champion']);
    assert.equal(evaluated.status, 0, evaluated.stderr);
    const runId = (JSON.parse(evaluated.stdout) as { runId: string }).runId;
    assert.equal((await store.tracking.getRun(runId)).data.tags.find((t) => t.key === 'mlops.evaluated_model')?.value, 'models:/penguins/1');
    const rated = await runCliAsync(['-w', workspace, 'feedback', 'add', runId, '3', '--rating', '2', '--label', 'too long', '--reviewer', 'ana']);
    assert.equal(rated.status, 0, rated.stderr);
    assert.deepEqual(new FeedbackStore(store.database, store.tracking).list(runId).map((e) => [e.rowIndex, e.reviewer, e.rating, e.label]), [[3, 'ana', 2, 'too long']]);
    const summary = await runCliAsync(['-w', workspace, 'feedback', 'summary', 'models:/penguins/1']);
    assert.equal(summary.status, 0, summary.stderr);
    assert.match(summary.stdout, new RegExp(runId.slice(0, 8)));
    const unknown = await runCliAsync(['-w', workspace, 'feedback', 'list', '0123456789abcdef0123456789abcdef']);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /0123456789abcdef0123456789abcdef/);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
