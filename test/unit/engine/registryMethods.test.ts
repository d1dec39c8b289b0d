import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { engineRegistryBackend } from '../../../src/core/engine/engineRegistryBackend';
import { modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { startTrackingServer } from '../../../src/core/server/trackingServer';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { NotFoundError, TrackingError } from '../../../src/core/tracking/trackingErrors';
import { trainedRun } from '../registry/registryTestSupport';
import { tempStoreDir } from '../store/testSupport';

// Issue #17: the workspace registry — reviews, audit log, model cards included — answered by the
// store's holder for a client process, with the client's user named on every change.

async function withHolder(body: (fixture: { store: WorkspaceStore; url: string; token: string }) => Promise<void>): Promise<void> {
  const { dir, cleanup } = tempStoreDir('mlops-engine-registry-');
  const store = await openWorkspaceStore({ dir, writerName: 'registry engine test' });
  const server = await startTrackingServer({ store });
  const actorEnv = process.env.MLOPS_ACTOR;
  delete process.env.MLOPS_ACTOR;
  try {
    await body({ store, url: server.url, token: server.token as string });
  } finally {
    if (actorEnv !== undefined) process.env.MLOPS_ACTOR = actorEnv;
    await server.close();
    await store.close();
    cleanup();
  }
}

test('a client registers, reviews and promotes through the holder; the holder records the client as the actor of each change', async () => {
  await withHolder(async ({ store, url, token }) => {
    const runA = await trainedRun(store, { name: 'first', accuracy: 0.8 });
    const runB = await trainedRun(store, { name: 'second', accuracy: 0.9 });
    const registry = engineRegistryBackend(httpEngine(url, token), 'the test store');

    assert.equal((await registry.registerVersion(runA, 'penguins', { actor: 'alice' })).version, 1);
    assert.equal((await registry.registerVersion(runB, 'penguins', { actor: 'alice', description: 'more data' })).version, 2);
    await registry.setAlias('penguins', 'champion', 1, { actor: 'alice' });
    await registry.setRequireReview('penguins', true, { actor: 'alice' });

    // Moving the alias now needs a review: the registry's own refusal, as a registry error the CLI maps to exit 2.
    const refused = await registry.setAlias('penguins', 'champion', 2, { actor: 'bob' }).then(() => undefined, (error: unknown) => error);
    assert.ok(refused instanceof TrackingError, String(refused));
    assert.match(refused.message, /^Model "penguins" requires a review to move an alias: @champion was not set to version 2\./);

    const review = await registry.requestReview('penguins', 'champion', 2, 'newer data', { actor: 'bob' });
    assert.equal(review.status, 'PENDING');
    const selfApproval = await registry.approveReview(review.reviewId, { actor: 'bob' }).then(() => 'approved', (error: Error) => error.message);
    assert.match(selfApproval, /was requested by bob, and penguins's review policy needs a different reviewer/);
    const approved = await registry.approveReview(review.reviewId, { actor: 'carol', comment: 'ok' });
    assert.equal(approved.decidedBy, 'carol');
    assert.deepEqual((await registry.getModel('penguins')).aliases, { champion: 2 });
    assert.deepEqual(await registry.pendingReviews(), []);

    // What the holder keeps names the client's users, and reads the same through the client.
    const log = modelRegistryFor(store).auditLog({ name: 'penguins' });
    assert.deepEqual(
      log.map((e) => `${e.actor} ${e.action}`),
      ['alice model.created', 'alice version.registered', 'alice version.registered', 'alice alias.set', 'alice model.review_setting', 'bob review.requested', 'carol review.approved', 'carol alias.moved'],
    );
    assert.deepEqual(await registry.auditLog({ name: 'penguins' }), log);
    const holdings = await registry.aliasHistory('penguins', 'champion');
    assert.deepEqual(holdings.map((h) => [h.version, h.setBy, h.until === null]), [[1, 'alice', false], [2, 'carol', true]]);
    assert.equal((await registry.aliasAt('penguins', 'champion', Date.now()))?.version, 2);
    assert.equal(await registry.aliasAt('penguins', 'champion', 1), undefined);

    // The Models view's two round trips.
    const overview = await registry.overview();
    assert.deepEqual(overview.models.map((m) => [m.name, m.versionCount]), [['penguins', 2]]);
    const detail = await registry.modelDetail('penguins');
    assert.deepEqual(detail.versions.map((v) => v.version), [2, 1], 'newest first');
    assert.equal(detail.metrics[runB]?.find((m) => m.key === 'test_accuracy')?.value, 0.9);
    assert.equal((await registry.modelDetail('gone')).model, null);
  });
});

test('model cards and the dashboard attention read the same through the holder as in its own process', async () => {
  await withHolder(async ({ store, url, token }) => {
    const runA = await trainedRun(store, { name: 'first', accuracy: 0.8 });
    const runB = await trainedRun(store, { name: 'second', accuracy: 0.9 });
    const local = modelRegistryFor(store);
    await local.registerVersion(runA, 'penguins', { actor: 'alice' });
    await local.registerVersion(runB, 'penguins', { actor: 'alice' });
    await local.setRequireReview('penguins', true, { actor: 'alice' });
    await local.requestReview('penguins', 'champion', 2, 'first champion', { actor: 'bob' });

    const remote = await httpEngine(url, token).call('registry.modelCards', { name: 'penguins', versions: [1, '2'] });
    assert.deepEqual(remote, await inProcessEngine(store).call('registry.modelCards', { name: 'penguins', versions: [1, 2] }));
    assert.deepEqual(remote.cards.map((c) => [c.version.version, c.evaluation['test_accuracy'], c.run.runName]), [[1, 0.8, 'first'], [2, 0.9, 'second']]);
    assert.deepEqual(remote.pendingReviews.map((r) => [r.reviewId, r.requestedBy]), [[1, 'bob']]);

    const attention = await httpEngine(url, token).call('workspace.attention', { limits: { models: 5, reviews: 5, alerts: 5 } });
    assert.deepEqual(attention.models.map((m) => [m.name, m.versionCount, m.latestVersion]), [['penguins', 2, 2]]);
    assert.deepEqual(attention.pendingReviews.map((r) => `${r.name}@${r.alias} → v${r.version} by ${r.requestedBy}`), ['penguins@champion → v2 by bob']);
  });
});

test('without an explicit actor a change is named after the client side (its $MLOPS_ACTOR, else git user.name where it runs), never the holder', async () => {
  await withHolder(async ({ store, url, token }) => {
    const run = await trainedRun(store);
    // The client's own folder with its own git user: what a window or a terminal elsewhere would have.
    const clientDir = mkdtempSync(join(tmpdir(), 'mlops-client-'));
    try {
      execFileSync('git', ['init', '-q'], { cwd: clientDir });
      execFileSync('git', ['config', 'user.name', 'Client Person'], { cwd: clientDir });
      const registry = engineRegistryBackend(httpEngine(url, token), 'the test store', { actorDir: clientDir });
      await registry.registerVersion(run, 'penguins');
      process.env.MLOPS_ACTOR = 'ci-bot';
      await registry.setAlias('penguins', 'champion', 1);
      delete process.env.MLOPS_ACTOR;
      assert.deepEqual(modelRegistryFor(store).auditLog({ name: 'penguins' }).map((e) => `${e.actor} ${e.action}`), ['Client Person model.created', 'Client Person version.registered', 'ci-bot alias.set']);
    } finally {
      rmSync(clientDir, { recursive: true, force: true });
    }
  });
});

test('the holder refuses a change without an actor and malformed params, with a reason; a missing model is a NotFoundError in the client', async () => {
  await withHolder(async ({ store, url, token }) => {
    await trainedRun(store);
    const engine = httpEngine(url, token);
    await assert.rejects(engine.call('registry.setAlias', { name: 'penguins', alias: 'champion', version: 1 } as never), /a registry change needs its actor/);
    await assert.rejects(engine.call('registry.getVersion', { name: '', version: 1 }), /name must be a non-empty string/);
    await assert.rejects(engine.call('registry.listReviews', { status: 'MAYBE' as never }), /status must be one of PENDING, APPROVED, REJECTED, CANCELLED/);
    await assert.rejects(engine.call('registry.decideReview', { reviewId: 1, decision: 'shrug' as never, actor: 'x' }), /decision must be approve, reject or cancel/);
    const missing = await engineRegistryBackend(engine, 'the test store').getModel('nope').then(() => undefined, (error: unknown) => error);
    assert.ok(missing instanceof NotFoundError, String(missing));
    assert.match(missing.message, /No registered model "nope" \(the registry is empty\)/);
  });
});
