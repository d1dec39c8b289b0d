import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { modelCard } from '../../../src/core/registry/modelCard';
import { ReviewRequiredError } from '../../../src/core/registry/registryErrors';
import { describeReviewPolicy } from '../../../src/core/registry/reviewPolicy';
import { TrackingError } from '../../../src/core/tracking/trackingErrors';
import { DIGEST, openRegistryFixture, trainedRun } from './registryTestSupport';

test('concurrent registrations get distinct consecutive versions, also when the first one creates the model', async () => {
  const f = await openRegistryFixture();
  try {
    const runs = await Promise.all([0, 1, 2].map((i) => trainedRun(f.store, { name: `r${i}` })));
    const versions = await Promise.all(Array.from({ length: 12 }, (_, i) => f.registry.registerVersion(runs[i % 3] as string, 'churn')));
    assert.deepEqual(versions.map((v) => v.version).sort((a, b) => a - b), Array.from({ length: 12 }, (_, i) => i + 1));
    assert.equal(f.registry.getModel('churn').versionCount, 12);
    assert.equal(f.registry.auditLog({ actions: ['model.created'] }).length, 1, 'the model was created once');
    // Every version has its own frozen copy with the package in it.
    assert.equal(new Set(versions.map((v) => v.storageDir)).size, 12);
    for (const v of versions) assert.ok(existsSync(join(v.storageDir, 'model', 'MLmodel.json')));
  } finally {
    await f.cleanup();
  }
});

test('a version is a frozen copy of the run\'s package: source, run id, signature, READY; numbers are never reused after a delete', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    const v1 = await f.registry.registerVersion(runId, 'churn', { description: '**first**', tags: [{ key: 'team', value: 'risk' }] });
    assert.equal(v1.version, 1);
    assert.equal(v1.status, 'READY');
    assert.equal(v1.runId, runId);
    assert.equal(v1.source, `runs:/${runId}/model`);
    assert.equal(v1.currentStage, 'None');
    assert.deepEqual(v1.signature?.inputs.map((i) => i.name), ['bill_length_mm', 'island']);
    assert.deepEqual(v1.tags, [{ key: 'team', value: 'risk' }]);
    assert.equal(v1.createdBy, 'alice');
    assert.ok(v1.sizeBytes > 1000);
    assert.ok(existsSync(join(v1.storageDir, 'evaluation', 'confusion_matrix.json')), 'evaluation files are frozen with the package');
    // Deleting the run's artifacts' owner does not touch the version's copy.
    await f.store.tracking.deleteRun(runId);
    assert.equal(JSON.parse(readFileSync(join(v1.storageDir, 'model', 'MLmodel.json'), 'utf8')).datasetDigest, DIGEST);

    const v2 = await f.registry.registerVersion(runId, 'churn');
    await f.registry.deleteVersion('churn', 2);
    assert.ok(!existsSync(v2.storageDir), 'a deleted version\'s files are removed');
    const v3 = await f.registry.registerVersion(runId, 'churn');
    assert.equal(v3.version, 3, 'version 2 is not handed out again');
    assert.throws(() => f.registry.getVersion('churn', 2), /Model "churn" has no version 2 \(its versions: 1, 3\)/);
  } finally {
    await f.cleanup();
  }
});

test('registering a run without a model package, or into a missing model with createModel off, says what is wrong', async () => {
  const f = await openRegistryFixture();
  try {
    const bare = await f.store.tracking.createRun({ experimentId: '0', runName: 'script' });
    await assert.rejects(f.registry.registerVersion(bare.info.runId, 'churn'), /Run [0-9a-f]{32} \(script\) has no model package at model\/ .*only runs that trained a model can be registered/);
    const runId = await trainedRun(f.store);
    await assert.rejects(f.registry.registerVersion(runId, 'churn', { createModel: false }), /No registered model "churn" \(the registry is empty\)/);
    await assert.rejects(f.registry.registerVersion('0'.repeat(32), 'churn'), /No run with id 0{32}/);
    assert.deepEqual(f.registry.listModels(), []);
  } finally {
    await f.cleanup();
  }
});

test('model names and aliases are validated with a message that says what is allowed', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    await assert.rejects(f.registry.registerVersion(runId, 'my model'), { message: 'Model name "my model" is not valid: use letters, digits, ".", "_" and "-", starting with a letter or digit (no spaces, "/", "@" or ":", which model URIs use), e.g. "churn-classifier".' });
    await assert.rejects(f.registry.createModel('a/b'), /Model name "a\/b" is not valid/);
    await assert.rejects(f.registry.createModel(''), /needs a non-empty name/);
    await f.registry.registerVersion(runId, 'churn');
    await assert.rejects(f.registry.setAlias('churn', 'prod env', 1), { message: 'Alias "prod env" is not valid: use letters, digits, "_" and "-", starting with a letter or "_" (e.g. champion, challenger, prod-eu).' });
    await assert.rejects(f.registry.setAlias('churn', '1st', 1), /Alias "1st" is not valid/);
    await assert.rejects(f.registry.setAlias('churn', 'latest', 1), /Alias "latest" is reserved: "latest" means the newest version/);
    await assert.rejects(f.registry.setAlias('churn', 'v2', 1), /Alias "v2" is reserved/);
    await assert.rejects(f.registry.setAlias('churn', 'x'.repeat(65), 1), /is 65 characters long; at most 64 are allowed/);
    await assert.rejects(f.registry.setAlias('churn', 'champion', 7), /Model "churn" has no version 7 \(its versions: 1\)/);
    await assert.rejects(f.registry.setAlias('churn', 'champion', 'three'), /model "churn": "three" is not a version number/);
    for (const ok of ['champion', 'challenger', 'prod-eu', '_shadow', 'A_b-9']) await f.registry.setAlias('churn', ok, 1);
    assert.deepEqual(Object.keys(f.registry.getModel('churn').aliases).sort(), ['A_b-9', '_shadow', 'challenger', 'champion', 'prod-eu']);
  } finally {
    await f.cleanup();
  }
});

test('models:/ URIs resolve versions, aliases, latest and stages; errors name what was not found', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    for (let i = 0; i < 3; i++) await f.registry.registerVersion(runId, 'churn');
    await f.registry.setAlias('churn', 'champion', 2);
    await f.registry.transitionStage('churn', 1, 'production');
    assert.equal(f.registry.resolveUri('models:/churn/3').version, 3);
    assert.equal(f.registry.resolveUri('models:/churn@champion').version, 2);
    assert.equal(f.registry.resolveUri('models:/churn/latest').version, 3);
    assert.equal(f.registry.resolveUri('models:/churn@latest').version, 3);
    assert.equal(f.registry.resolveUri('models:/churn/Production').version, 1);
    assert.throws(() => f.registry.resolveUri('models:/churn/9'), { message: 'models:/churn/9: model "churn" has no version 9 (its versions: 1, 2, 3).' });
    assert.throws(() => f.registry.resolveUri('models:/churn@prod'), { message: 'models:/churn@prod: model "churn" has no alias "prod" (its aliases: @champion → v2).' });
    assert.throws(() => f.registry.resolveUri('models:/fraud@champion'), { message: 'models:/fraud@champion: no registered model "fraud" (registered: churn).' });
    assert.throws(() => f.registry.resolveUri('models:/churn/Staging'), /no version of model "churn" is in stage Staging/);
    assert.throws(() => f.registry.resolveUri('models:/churn/champion'), /"champion" is neither a version number, "latest" nor a stage .*write models:\/churn@champion/);
    assert.throws(() => f.registry.resolveUri('runs:/abc/model'), /"runs:\/abc\/model" is not a model URI: expected models:\/NAME\/VERSION, models:\/NAME@ALIAS/);
    assert.throws(() => f.registry.resolveUri('models:/churn'), /is not a model URI/);
  } finally {
    await f.cleanup();
  }
});

test('a model that requires review: setAlias is refused, request → approve moves the alias and records both people; reject leaves it', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    for (let i = 0; i < 3; i++) await f.registry.registerVersion(runId, 'churn');
    await f.registry.setAlias('churn', 'champion', 1);
    await f.registry.setRequireReview('churn', true);
    await assert.rejects(f.registry.setAlias('churn', 'champion', 2), (error: unknown) => error instanceof ReviewRequiredError && /requires a review to move an alias: @champion was not set to version 2/.test(error.message));
    assert.equal(f.registry.getModel('churn').aliases.champion, 1);

    const request = await f.registry.requestReview('churn', 'champion', 2, 'f1 +3 points', { actor: 'bob' });
    assert.equal(request.status, 'PENDING');
    assert.equal(request.previousVersion, 1);
    await assert.rejects(f.registry.requestReview('churn', 'champion', 3, 'me too', { actor: 'carol' }), /Review #1 \(@champion → version 2, requested by bob\) is still pending/);
    const approved = await f.registry.approveReview(request.reviewId, { comment: 'looks good' });
    assert.equal(approved.status, 'APPROVED');
    assert.equal(approved.requestedBy, 'bob');
    assert.equal(approved.decidedBy, 'alice');
    assert.equal(f.registry.getModel('churn').aliases.champion, 2);
    await assert.rejects(f.registry.approveReview(request.reviewId), /Review #1 was already approved by alice; only pending reviews can be decided/);

    const second = await f.registry.requestReview('churn', 'champion', 3, 'try v3', { actor: 'bob' });
    const rejected = await f.registry.rejectReview(second.reviewId, { actor: 'bob', comment: 'not yet' });
    assert.equal(rejected.decidedBy, 'bob', 'the requester may decide too; the record says so');
    assert.equal(f.registry.getModel('churn').aliases.champion, 2);
    assert.deepEqual(
      f.registry.auditLog({ name: 'churn', since: request.requestedAt }).map((e) => [e.action, e.actor, e.alias, e.version]),
      [
        ['review.requested', 'bob', 'champion', 2],
        ['review.approved', 'alice', 'champion', 2],
        ['alias.moved', 'alice', 'champion', 2],
        ['review.requested', 'bob', 'champion', 3],
        ['review.rejected', 'bob', 'champion', 3],
      ],
    );
    assert.deepEqual(f.registry.listReviews({ name: 'churn', status: 'PENDING' }), []);
  } finally {
    await f.cleanup();
  }
});

test('the audit log records every kind of change with who and when, and SQLite refuses to rewrite it', async () => {
  let now = 1_700_000_000_000;
  const f = await openRegistryFixture({ actor: 'alice', clock: () => now++ });
  try {
    const runId = await trainedRun(f.store);
    await f.registry.registerVersion(runId, 'churn');
    await f.registry.registerVersion(runId, 'churn');
    await f.registry.setModelDescription('churn', '# Churn\nPredicts churn.');
    await f.registry.setModelTag('churn', 'team', 'risk');
    await f.registry.deleteModelTag('churn', 'team');
    await f.registry.setVersionDescription('churn', 1, 'baseline');
    await f.registry.setVersionTag('churn', 1, 'validated', 'yes');
    await f.registry.deleteVersionTag('churn', 1, 'validated');
    await f.registry.setAlias('churn', 'champion', 1);
    await f.registry.setAlias('churn', 'champion', 2, { actor: 'bob' });
    await f.registry.deleteAlias('churn', 'champion');
    await f.registry.transitionStage('churn', 2, 'Staging');
    await f.registry.setAlias('churn', 'challenger', 2);
    await f.registry.deleteVersion('churn', 2);
    await f.registry.deleteModel('churn');
    const log = f.registry.auditLog();
    assert.deepEqual(log.map((e) => e.action), [
      'model.created', 'version.registered', 'version.registered', 'model.described', 'model.tagged', 'model.tag_deleted',
      'version.described', 'version.tagged', 'version.tag_deleted', 'alias.set', 'alias.moved', 'alias.deleted', 'version.stage',
      'alias.set', 'alias.deleted', 'version.deleted', 'model.deleted',
    ]);
    assert.equal(log.find((e) => e.action === 'alias.moved')?.actor, 'bob');
    assert.deepEqual(log.find((e) => e.action === 'alias.moved')?.detail, { from: 1, to: 2 });
    assert.ok(log.every((e, i) => i === 0 || e.time >= (log[i - 1] as { time: number }).time));
    await assert.rejects(async () => f.store.database.commit({ statements: [{ sql: "UPDATE registry_audit SET actor = 'mallory'" }] }), /the registry audit log is append-only: entries cannot be changed/);
    await assert.rejects(async () => f.store.database.commit({ statements: [{ sql: 'DELETE FROM registry_audit' }] }), /the registry audit log is append-only: entries cannot be deleted/);
    assert.equal(f.registry.auditLog().length, log.length);
    assert.deepEqual(f.registry.listModels(), []);
  } finally {
    await f.cleanup();
  }
});

test('model card: signature, test metrics, confusion matrix, dataset digest and source, params, backend, size, author', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store, { accuracy: 0.93 });
    await f.store.tracking.logBatch({ runId, metrics: [{ key: 'cpu_seconds', value: 12.5, step: 0, timestamp: 1 }, { key: 'cost', value: 0.25, step: 0, timestamp: 1 }, { key: 'predict_latency_p99_ms', value: 0.04, step: 0, timestamp: 1 }] });
    await f.registry.registerVersion(runId, 'penguins', { description: 'MLP 16-8' });
    const card = await modelCard(f.registry, f.store.tracking, 'penguins', 1);
    assert.deepEqual(card.trainingUsage, { cpuSeconds: 12.5, cost: 0.25, predictLatencyP99Ms: 0.04 }, 'what training used and cost, and how fast the model scores a row');
    assert.equal(card.uri, 'models:/penguins/1');
    assert.equal(card.task, 'classification');
    assert.deepEqual(card.evaluation, { test_accuracy: 0.93, test_f1_macro: 0.93 - 0.05 });
    assert.deepEqual(card.training, { loss: 0.3 });
    assert.deepEqual(card.confusionMatrix, { labels: ['a', 'b'], matrix: [[9, 1], [2, 8]] });
    assert.deepEqual(card.dataset.digest, DIGEST);
    assert.equal(card.dataset.source, 'data/penguins.csv');
    assert.deepEqual(card.params, { epochs: '20', hidden: '16,8' });
    assert.equal(card.backend, 'js');
    assert.equal(card.registeredBy, 'alice');
    assert.equal(card.description, 'MLP 16-8');
    assert.ok(card.sizeBytes > 1000);
    assert.equal(card.signature?.output.task, 'classification');
    assert.equal(card.run.available, true);
  } finally {
    await f.cleanup();
  }
});

test('comparing versions: metric deltas against the first with the better one marked, changed params and inputs', async () => {
  const f = await openRegistryFixture();
  try {
    const { compareVersions } = await import('../../../src/core/registry/versionComparison');
    const a = await trainedRun(f.store, { accuracy: 0.9 });
    const b = await trainedRun(f.store, { accuracy: 0.95, digest: 'ffff0000' });
    await f.registry.registerVersion(a, 'churn');
    await f.registry.registerVersion(b, 'churn');
    const cards = await Promise.all([1, 2].map((v) => modelCard(f.registry, f.store.tracking, 'churn', v)));
    const diff = compareVersions(cards);
    const accuracy = diff.metrics.find((m) => m.key === 'test_accuracy');
    assert.deepEqual(accuracy?.values, [0.9, 0.95]);
    assert.ok(Math.abs((accuracy?.deltas[1] ?? 0) - 0.05) < 1e-12);
    assert.equal(accuracy?.best, 1);
    assert.equal(diff.datasetDiffers, true);
    assert.equal(diff.outputDiffers, false);
    assert.ok(diff.params.every((p) => !p.differs), 'same params');
    assert.ok(diff.inputs.every((i) => !i.differs), 'same signature');
    assert.equal(cards[0]?.version.packageDir, join(cards[0]?.version.storageDir ?? '', 'model'));
  } finally {
    await f.cleanup();
  }
});

test('a model logged by MLflow itself (an MLmodel file) can be registered too, without a signature', async () => {
  const f = await openRegistryFixture();
  try {
    const run = await f.store.tracking.createRun({ experimentId: '0', runName: 'sklearn' });
    await f.store.tracking.writeArtifact(run.info.runId, 'clf/MLmodel', 'flavors:\n  sklearn: {}\n');
    await f.store.tracking.writeArtifact(run.info.runId, 'clf/model.pkl', new Uint8Array(64));
    const v = await f.registry.registerVersion(run.info.runId, 'sk', { artifactPath: 'clf' });
    assert.equal(v.source, `runs:/${run.info.runId}/clf`);
    assert.equal(v.signature, null);
    assert.ok(existsSync(join(v.packageDir, 'model.pkl')));
  } finally {
    await f.cleanup();
  }
});

test('renaming a model keeps its versions, aliases, history and lineage under the new name', async () => {
  let now = 1_700_000_000_000;
  const f = await openRegistryFixture({ actor: 'alice', clock: () => (now += 1000) });
  try {
    const { LineageStore } = await import('../../../src/core/lineage/lineageStore');
    const runId = await trainedRun(f.store);
    await f.registry.registerVersion(runId, 'churn_v');
    await f.registry.setAlias('churn_v', 'champion', 1);
    const before = now;
    await f.registry.createModel('churn_vx');
    await assert.rejects(f.registry.renameModel('churn_v', 'churn_vx'), /Cannot rename model "churn_v" to "churn_vx": a model with that name already exists/);
    const renamed = await f.registry.renameModel('churn_v', 'churn');
    assert.deepEqual(renamed.aliases, { champion: 1 });
    assert.equal(f.registry.resolveUri('models:/churn@champion').version, 1);
    assert.throws(() => f.registry.resolveUri('models:/churn_v/1'), /no registered model "churn_v"/);
    assert.equal(f.registry.aliasAt('churn', 'champion', before)?.version, 1, 'history follows the model');
    assert.deepEqual(f.registry.auditLog({ name: 'churn' }).map((e) => e.action), ['model.created', 'version.registered', 'alias.set', 'model.renamed']);
    const lineage = new LineageStore(f.store.database);
    assert.deepEqual(lineage.downstream({ kind: 'run', id: runId }).map((h) => h.node.key), ['modelVersion:churn/1']);
    assert.equal(f.registry.getModel('churn_vx').versionCount, 0, 'the other model is untouched');
  } finally {
    await f.cleanup();
  }
});

test('a model\'s history numbers its own entries from #1, whatever other models logged before it', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    await f.registry.registerVersion(runId, 'older');
    await f.registry.setAlias('older', 'champion', 1);
    await f.registry.registerVersion(runId, 'fresh');
    await f.registry.setAlias('fresh', 'champion', 1);
    const fresh = f.registry.auditLog({ name: 'fresh' });
    assert.deepEqual(fresh.map((e) => [e.number, e.action]), [[1, 'model.created'], [2, 'version.registered'], [3, 'alias.set']]);
    assert.ok(fresh[0]!.seq > 1, 'the store-wide sequence number is not what the history shows');
    assert.deepEqual(f.registry.auditLog({ name: 'fresh', newestFirst: true, limit: 1 }).map((e) => e.number), [3], 'numbers do not depend on the page asked for');
  } finally {
    await f.cleanup();
  }
});

test('reviewer ≠ requester by default: the requester cannot approve their own review until the model allows it, and the refusal says how', async () => {
  const f = await openRegistryFixture();
  try {
    const runId = await trainedRun(f.store);
    for (let i = 0; i < 2; i++) await f.registry.registerVersion(runId, 'churn');
    await f.registry.setAlias('churn', 'champion', 1);
    await f.registry.setRequireReview('churn', true);
    assert.equal(describeReviewPolicy(f.registry.getModel('churn')), 'alias moves need approval by someone other than the requester');

    const request = await f.registry.requestReview('churn', 'champion', 2, 'f1 +3 points', { actor: 'bob' });
    await assert.rejects(
      f.registry.approveReview(request.reviewId, { actor: 'bob' }),
      (error: unknown) =>
        error instanceof TrackingError &&
        error.code === 'PERMISSION_DENIED' &&
        /Review #1 \(churn@champion → v2\) was requested by bob, and churn's review policy needs a different reviewer/.test(error.message) &&
        /mlops models self-approval churn on/.test(error.message),
    );
    assert.equal(f.registry.getModel('churn').aliases.champion, 1, 'nothing moved');
    assert.equal(f.registry.getReview(request.reviewId).status, 'PENDING', 'the review still waits');

    await f.registry.setSelfApproval('churn', true, { actor: 'carol' });
    assert.equal(describeReviewPolicy(f.registry.getModel('churn')), 'alias moves need an approved review (the requester may approve)');
    const approved = await f.registry.approveReview(request.reviewId, { actor: 'bob' });
    assert.equal(approved.decidedBy, 'bob');
    assert.equal(f.registry.getModel('churn').aliases.champion, 2);
    const settings = f.registry.auditLog({ name: 'churn' }).filter((e) => e.action === 'model.review_setting').map((e) => [e.actor, e.detail]);
    assert.deepEqual(settings.at(-1), ['carol', { allowSelfApproval: true }], 'the policy change is audited');
  } finally {
    await f.cleanup();
  }
});
