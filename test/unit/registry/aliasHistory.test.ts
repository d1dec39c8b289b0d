import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openRegistryFixture, trainedRun } from './registryTestSupport';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 0, 1, 12);

test('which version held @champion on a date: moves, a review, a delete and a version deletion', async () => {
  let now = T0;
  const f = await openRegistryFixture({ actor: 'alice', clock: () => now });
  try {
    const runId = await trainedRun(f.store);
    for (let i = 0; i < 4; i++) await f.registry.registerVersion(runId, 'churn');
    now = T0 + 1 * DAY;
    await f.registry.setAlias('churn', 'champion', 1);
    now = T0 + 3 * DAY;
    await f.registry.setAlias('churn', 'champion', 2, { actor: 'bob' });
    now = T0 + 5 * DAY;
    await f.registry.setRequireReview('churn', true);
    const review = await f.registry.requestReview('churn', 'champion', 3, 'better recall', { actor: 'bob' });
    now = T0 + 6 * DAY;
    await f.registry.approveReview(review.reviewId, { actor: 'carol' });
    now = T0 + 8 * DAY;
    await f.registry.deleteAlias('churn', 'champion');
    now = T0 + 9 * DAY;
    await f.registry.setRequireReview('churn', false);
    await f.registry.setAlias('churn', 'champion', 4);
    now = T0 + 10 * DAY;
    await f.registry.deleteVersion('churn', 4);

    const at = (days: number): number | undefined => f.registry.aliasAt('churn', 'champion', T0 + days * DAY)?.version;
    assert.equal(at(0.5), undefined, 'before it was ever set');
    assert.equal(at(1), 1, 'at the very moment it was set');
    assert.equal(at(2), 1);
    assert.equal(at(3), 2, 'at the moment of a move the new version holds');
    assert.equal(at(5.5), 2, 'a pending review changes nothing');
    assert.equal(at(7), 3);
    assert.equal(at(8.5), undefined, 'deleted alias');
    assert.equal(at(9.5), 4);
    assert.equal(at(11), undefined, 'deleting the version removed the alias');
    assert.equal(f.registry.aliasAt('churn', 'champion', new Date(T0 + 7 * DAY))?.setBy, 'carol', 'the approver moved it');

    assert.deepEqual(
      f.registry.aliasHistory('churn', 'champion').map((h) => [h.version, (h.from - T0) / DAY, h.until === null ? null : (h.until - T0) / DAY, h.setBy]),
      [
        [1, 1, 3, 'alice'],
        [2, 3, 6, 'bob'],
        [3, 6, 8, 'carol'],
        [4, 9, 10, 'alice'],
      ],
    );
    assert.deepEqual(f.registry.aliasHistory('nobody', 'champion'), []);
    assert.throws(() => f.registry.aliasAt('churn', 'champ ion', T0), /Alias "champ ion" is not valid/);
  } finally {
    await f.cleanup();
  }
});

test('history outlives the model: after deleting it, the log still answers for the old dates', async () => {
  let now = T0;
  const f = await openRegistryFixture({ actor: 'alice', clock: () => now });
  try {
    const runId = await trainedRun(f.store);
    await f.registry.registerVersion(runId, 'churn');
    await f.registry.registerVersion(runId, 'churn');
    now += DAY;
    await f.registry.setAlias('churn', 'champion', 2);
    now += DAY;
    await f.registry.deleteModel('churn');
    assert.equal(f.registry.aliasAt('churn', 'champion', T0 + 1.5 * DAY)?.version, 2);
    assert.equal(f.registry.aliasAt('churn', 'champion', T0 + 2.5 * DAY), undefined);
    assert.equal(f.registry.auditLog({ name: 'churn' }).at(-1)?.action, 'model.deleted');
  } finally {
    await f.cleanup();
  }
});
