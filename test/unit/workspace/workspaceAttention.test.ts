import assert from 'node:assert/strict';
import { test } from 'node:test';
import { acknowledgeAlerts, saveDriftReport } from '../../../src/core/monitoring/driftHistory';
import type { DriftReport } from '../../../src/core/drift/driftTypes';
import { readWorkspaceAttention } from '../../../src/core/workspace/workspaceAttention';
import { openRegistryFixture, trainedRun } from '../registry/registryTestSupport';

const LIMITS = { models: 6, reviews: 10, alerts: 10 };

test('the dashboard’s start of the day: models newest first with champion first, reviews oldest first, one alert a monitor, acknowledged ones gone', async () => {
  let now = Date.UTC(2026, 11, 1);
  const f = await openRegistryFixture({ actor: 'alice', clock: () => now });
  try {
    const runId = await trainedRun(f.store);
    for (let i = 0; i < 3; i++) await f.registry.registerVersion(runId, 'churn');
    await f.registry.setAlias('churn', 'challenger', 3);
    await f.registry.setAlias('churn', 'champion', 2);
    await f.registry.setRequireReview('churn', true);
    await f.registry.requestReview('churn', 'champion', 3, 'better recall', { actor: 'bob' });
    now += 60_000;
    await f.registry.registerVersion(runId, 'housing');

    // only the fields the store keeps in columns matter here
    const report = { createdAt: now, reference: { name: 'train.csv' }, current: { name: 'traffic' }, datasetDrift: true, driftShare: 0.25, driftedColumns: 3, columnCount: 12 } as unknown as DriftReport;
    await saveDriftReport(f.store, 'traffic', report, 'older alert');
    await saveDriftReport(f.store, 'traffic', { ...report, createdAt: now + 1 } as DriftReport, '3 of 12 columns drifted');
    await saveDriftReport(f.store, 'nightly', report, '1 of 4 columns drifted');

    let attention = readWorkspaceAttention(f.store, LIMITS);
    assert.deepEqual(attention.models.map((m) => m.name), ['housing', 'churn'], 'the model changed last comes first');
    assert.equal(attention.modelCount, 2);
    assert.deepEqual(attention.models.find((m) => m.name === 'churn')?.aliases, [{ alias: 'champion', version: 2 }, { alias: 'challenger', version: 3 }]);
    assert.deepEqual(attention.pendingReviews.map((r) => [r.name, r.alias, r.version, r.previousVersion, r.requestedBy]), [['churn', 'champion', 3, 2, 'bob']]);
    assert.deepEqual(attention.alerts.map((a) => [a.monitor, a.message]).sort(), [['nightly', '1 of 4 columns drifted'], ['traffic', '3 of 12 columns drifted']]);

    await acknowledgeAlerts(f.store, 'traffic');
    attention = readWorkspaceAttention(f.store, { ...LIMITS, models: 1 });
    assert.deepEqual(attention.alerts.map((a) => a.monitor), ['nightly']);
    assert.deepEqual(attention.models.map((m) => m.name), ['housing'], 'the limit holds');
    assert.equal(attention.modelCount, 2, 'and the count says how many there are');
  } finally {
    await f.cleanup();
  }
});
