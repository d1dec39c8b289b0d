import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { DriftReport } from '../../../src/core/drift/driftTypes';
import { openAlerts, saveDriftReport } from '../../../src/core/monitoring/driftHistory';
import { loadMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { lineageFor, modelRegistryFor } from '../../../src/core/registry/registryAccess';
import { markInterruptedAttempts, retrainAttempts, runningAttempt } from '../../../src/core/retraining/retrainAttempts';
import { planRetrain, runRetrain, type RetrainOutcome } from '../../../src/core/retraining/retrainRunner';
import { attemptHeadline, planLines } from '../../../src/core/retraining/retrainText';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runTraining } from '../../../src/core/training/trainingRunner';

// Penguins split in two: odd rows are the data the models were trained on, even rows arrive later
// as the monitor's current data. Runs are tiny (a few epochs, the built-in js backend).
const examples = join(__dirname, '..', '..', '..', 'examples');
const root = mkdtempSync(join(tmpdir(), 'mlops-retrain-'));
let store: WorkspaceStore;

const lines = readFileSync(join(examples, 'data', 'penguins.csv'), 'utf8').trim().split('\n');
mkdirSync(join(root, 'data'));
writeFileSync(join(root, 'data', 'train.csv'), `${[lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 1)].join('\n')}\n`);
writeFileSync(join(root, 'data', 'current.csv'), `${[lines[0], ...lines.slice(1).filter((_, i) => i % 2 === 0)].join('\n')}\n`);
const common = 'experiment: penguins\ndataset: data/train.csv\ntarget: species\ntask: classification\nearly_stopping: false\nseed: 3\n';
// Sex alone cannot tell the species apart: this model is no better than guessing the most common one.
writeFileSync(join(root, 'weak.train.yaml'), `${common}features: [sex]\nmodel:\n  type: logistic_regression\nepochs: 1\noptimizer:\n  learning_rate: 0.001\n`);
writeFileSync(join(root, 'strong.train.yaml'), `${common}features: all\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 8\n`);
writeFileSync(join(root, 'broken.train.yaml'), `${common}features: [bill_length_mm, wingspan]\nepochs: 2\n`);

function monitor(name: string, retrain: string): string {
  const file = join(root, `${name}.monitor.yaml`);
  writeFileSync(file, `reference:\n  file: data/train.csv\ncurrent:\n  file: data/current.csv\nretrain:\n${retrain}`);
  return file;
}

/** A drift report as a monitor run stores it, built by hand. */
function driftReport(drifted: readonly string[]): DriftReport {
  const columns = ['bill_length_mm', 'flipper_length_mm', 'body_mass_g', 'island'].map((column) => ({
    column,
    kind: column === 'island' ? ('categorical' as const) : ('numeric' as const),
    test: 'ks' as const,
    statistic: 0.4,
    pValue: drifted.includes(column) ? 0.001 : 0.6,
    score: drifted.includes(column) ? 0.001 : 0.6,
    threshold: 0.05,
    drifted: drifted.includes(column),
    reason: 'chosen by hand',
    referenceCount: 172,
    currentCount: 172,
    referenceMissingShare: 0,
    currentMissingShare: 0,
    unseenCategories: [],
    histogram: { kind: 'categorical' as const, labels: [], reference: [], current: [] },
  }));
  return {
    reference: { name: 'data/train.csv', rows: 172 },
    current: { name: 'data/current.csv', rows: 172 },
    columns,
    driftedColumns: drifted.length,
    columnCount: columns.length,
    driftShare: drifted.length / columns.length,
    driftShareThreshold: 0.5,
    datasetDrift: drifted.length / columns.length >= 0.5,
    computeMs: 1,
    createdAt: Date.now(),
  };
}

async function trainAndRegister(spec: string, models: readonly string[]): Promise<void> {
  const result = await runTraining({ store: store.tracking, specPath: join(root, spec), backend: 'js' });
  for (const model of models) {
    await modelRegistryFor(store).registerVersion(result.runId, model, { actor: 'alice' });
    await modelRegistryFor(store).setAlias(model, 'champion', 1, { actor: 'alice' });
  }
}

function finished(outcome: RetrainOutcome): Extract<RetrainOutcome, { kind: 'finished' }> {
  assert.equal(outcome.kind, 'finished', outcome.kind === 'skipped' ? outcome.reason : outcome.kind);
  return outcome as Extract<RetrainOutcome, { kind: 'finished' }>;
}

before(async () => {
  store = await openWorkspaceStore({ dir: join(root, '.mlops'), writerName: 'retrain tests' });
  await trainAndRegister('weak.train.yaml', ['wins', 'reviewed', 'broken']);
  await trainAndRegister('strong.train.yaml', ['loses']);
});
after(async () => {
  await store.close();
  rmSync(root, { recursive: true, force: true });
});

describe('retraining on a drift alert', () => {
  test('the candidate wins: it is registered, @champion moves to it, and the audit log, lineage and run record why', async () => {
    const file = monitor('wins', '  spec: strong.train.yaml\n  model: wins\n  data: append_current\n  promote: auto\n  min_improvement: 0.05\n');
    const report = driftReport(['bill_length_mm', 'flipper_length_mm', 'island']);
    const reportId = await saveDriftReport(store, 'wins', report, 'Monitor wins: dataset drift');
    const alert = openAlerts(store, 'wins')[0];
    assert.ok(alert);
    const progress: string[] = [];
    const outcome = finished(await runRetrain(await loadMonitorSpec(file), { store, trigger: { kind: 'alert', reportId }, backend: 'js', onProgress: (p) => progress.push(p.message) }));
    const attempt = outcome.attempt;

    assert.equal(attempt.status, 'promoted', attempt.reason);
    assert.deepEqual(attempt.trigger, { kind: 'alert', alertId: alert.id, reportId });
    assert.equal(attempt.version, 2);
    assert.equal(attempt.championVersion, 1);
    assert.equal(attempt.metric, 'test_accuracy');
    assert.ok((attempt.candidateScore ?? 0) > (attempt.championScore ?? 1) + 0.05, `${attempt.candidateScore} vs ${attempt.championScore}`);
    const registry = modelRegistryFor(store);
    assert.equal(registry.getModel('wins').aliases.champion, 2);
    assert.match(attemptHeadline(attempt), /^wins: v2 beat v1 on test_accuracy [\d.]+ vs [\d.]+ \(higher is better; by [\d.]+, needed 0\.05\) → @champion moved to v2$/);
    assert.ok(progress.includes('preparing the data') && progress.some((p) => p.startsWith('evaluating v2 and v1 on holdout')), progress.join(' | '));

    // the audit log: the move says which attempt made it and why; the decision has both scores
    const log = registry.auditLog({ name: 'wins' });
    const moved = log.find((e) => e.action === 'alias.moved');
    assert.equal(moved?.actor, 'retrain:wins');
    assert.deepEqual([moved?.detail.from, moved?.detail.to, moved?.detail.attempt], [1, 2, attempt.id]);
    const decided = log.find((e) => e.action === 'retrain.decided');
    assert.ok(decided);
    const detail = decided.detail as { outcome: string; candidate: { version: number; score: number }; champion: { version: number; score: number }; reason: string; holdout: { rows: number } };
    assert.equal(detail.outcome, 'promoted');
    assert.deepEqual(detail.candidate, { version: 2, score: attempt.candidateScore });
    assert.deepEqual(detail.champion, { version: 1, score: attempt.championScore });
    assert.equal(detail.reason, attempt.reason);
    assert.equal(registry.getVersion('wins', 2).tags.find((t) => t.key === 'mlops.retrain.outcome')?.value, 'promoted');

    // the run: tagged with its trigger, carrying the drift report; lineage monitor → run → version
    const run = await store.tracking.getRun(attempt.runId as string);
    const tags = Object.fromEntries(run.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags['mlops.retrain.monitor'], 'wins');
    assert.equal(tags['mlops.retrain.alert_id'], String(alert.id));
    assert.equal(tags['mlops.retrain.report_id'], String(reportId));
    assert.deepEqual(JSON.parse((await store.tracking.readArtifact(run.info.runId, 'retrain/drift_report.json')).toString('utf8')), report);
    const lineage = lineageFor(store);
    assert.deepEqual(lineage.children({ kind: 'monitor', id: 'wins' }).map((s) => [s.node.id, s.relation]), [[run.info.runId, 'triggered']]);
    assert.ok(lineage.children({ kind: 'run', id: run.info.runId }).some((s) => s.node.id === 'wins/2' && s.relation === 'registered'));

    // the candidate trained on the old data plus the current data minus the holdout it was scored on
    const trainRows = readFileSync(join(store.dir, 'retraining', String(attempt.id), 'train.csv'), 'utf8').trim().split('\n').length - 1;
    const holdoutRows = readFileSync(join(store.dir, 'retraining', String(attempt.id), 'holdout.csv'), 'utf8').trim().split('\n').length - 1;
    assert.equal(holdoutRows, Math.round(172 * 0.2));
    assert.equal(trainRows, 172 + 172 - holdoutRows);
  });

  test('the cool-down stops a second attempt; after it (or when a person forces it) one may start', async () => {
    const spec = await loadMonitorSpec(join(root, 'wins.monitor.yaml'));
    const again = await runRetrain(spec, { store, backend: 'js' });
    assert.equal(again.kind, 'skipped');
    assert.match(again.kind === 'skipped' ? again.reason : '', /^cool-down: monitor wins last retrained at .*; the next attempt may start after /);
    assert.equal(retrainAttempts(store, 'wins').length, 1);
    assert.match((await planRetrain(spec, { store })).blockedBy ?? '', /^cool-down/);
    assert.equal((await planRetrain(spec, { store, clock: () => Date.now() + 25 * 3_600_000 })).blockedBy, undefined);
    assert.equal((await planRetrain(spec, { store, ignoreCooldown: true })).blockedBy, undefined);
  });

  test('the candidate loses: it stays registered, @champion stays, and the decision is recorded', async () => {
    const file = monitor('loses', '  spec: weak.train.yaml\n  model: loses\n  data: append_current\n  promote: auto\n');
    const outcome = finished(await runRetrain(await loadMonitorSpec(file), { store, backend: 'js' }));
    const attempt = outcome.attempt;
    assert.equal(attempt.status, 'kept');
    assert.deepEqual(attempt.trigger, { kind: 'manual' });
    assert.match(attempt.reason, /^v2 did not beat v1 on test_accuracy [\d.]+ vs [\d.]+ \(higher is better; worse by [\d.]+\); kept v1$/);
    const registry = modelRegistryFor(store);
    assert.equal(registry.getModel('loses').aliases.champion, 1);
    assert.deepEqual(registry.listVersions('loses').map((v) => v.version), [2, 1]);
    const log = registry.auditLog({ name: 'loses' });
    assert.equal(log.filter((e) => e.action.startsWith('alias.')).length, 1, 'only the first alias.set by alice');
    assert.equal((log.find((e) => e.action === 'retrain.decided')?.detail as { outcome?: string }).outcome, 'kept');
  });

  test('a boosted-tree candidate\'s progress counts boosting rounds, not epochs', async () => {
    await trainAndRegister('weak.train.yaml', ['boosted']);
    writeFileSync(join(root, 'boosted.train.yaml'), `${common}features: all\nmodel:\n  type: gbdt\n  max_iter: 20\n`);
    const file = monitor('boosted', '  spec: boosted.train.yaml\n  model: boosted\n  data: append_current\n  promote: auto\n');
    const steps: string[] = [];
    finished(await runRetrain(await loadMonitorSpec(file), { store, backend: 'js', onProgress: (p) => steps.push(p.step) }));
    assert.ok(steps.includes('training · boosting round 20/20'), steps.join(' | '));
    assert.deepEqual(steps.filter((step) => /epoch/.test(step)), []);
  });

  test('promote: review files a review request instead of moving the alias; one attempt at a time per monitor', async () => {
    const file = monitor('reviewed', '  spec: strong.train.yaml\n  model: reviewed\n  data: replace_current\n  promote: review\n');
    const spec = await loadMonitorSpec(file);
    const [a, b] = await Promise.all([runRetrain(spec, { store, backend: 'js' }), runRetrain(spec, { store, backend: 'js' })]);
    const skipped = [a, b].find((o) => o.kind === 'skipped');
    assert.match(skipped?.kind === 'skipped' ? skipped.reason : 'nothing was skipped', /^attempt #\d+ of monitor reviewed is still running$/);
    const attempt = finished([a, b].find((o) => o.kind === 'finished') as RetrainOutcome).attempt;
    assert.equal(attempt.status, 'review_requested', attempt.reason);
    const registry = modelRegistryFor(store);
    const reviews = registry.listReviews({ name: 'reviewed', status: 'PENDING' });
    assert.equal(reviews.length, 1);
    assert.deepEqual([reviews[0]?.alias, reviews[0]?.version, reviews[0]?.previousVersion, reviews[0]?.reviewId], ['champion', 2, 1, attempt.reviewId]);
    assert.match(reviews[0]?.comment ?? '', /^Retraining \(monitor reviewed, attempt #\d+\): v2 beat v1 on test_accuracy/);
    assert.equal(registry.getModel('reviewed').aliases.champion, 1, 'the alias waits for a person');
    assert.match(attemptHeadline(attempt), new RegExp(`→ review #${attempt.reviewId} requested to move @champion to v2$`));
    // a person approves: the alias moves then
    await registry.approveReview(attempt.reviewId as number, { actor: 'bob' });
    assert.equal(registry.getModel('reviewed').aliases.champion, 2);
  });

  test('a failed training is recorded, alerts once, and the next failure does not alert again', async () => {
    const file = monitor('broken', '  spec: broken.train.yaml\n  model: broken\n  data: append_current\n  promote: auto\n');
    const spec = await loadMonitorSpec(file);
    const first = finished(await runRetrain(spec, { store, backend: 'js' })).attempt;
    assert.equal(first.status, 'failed');
    assert.match(first.reason, /^failed while training: /);
    assert.match(first.error ?? '', /wingspan/);
    assert.equal(first.version, null);
    const alerts = openAlerts(store, 'broken');
    assert.equal(alerts.length, 1);
    assert.match(alerts[0]?.message ?? '', new RegExp(`^Retraining for monitor broken failed \\(attempt #${first.id}\\): .*wingspan`));
    const failedEntry = modelRegistryFor(store).auditLog({ name: 'broken' }).find((e) => e.action === 'retrain.failed');
    assert.equal((failedEntry?.detail as { step?: string }).step, 'training');

    const second = finished(await runRetrain(spec, { store, backend: 'js', ignoreCooldown: true })).attempt;
    assert.equal(second.status, 'failed');
    assert.equal(openAlerts(store, 'broken').length, 1, 'still the one alert');
    assert.equal(retrainAttempts(store, 'broken').length, 2);
    assert.deepEqual(modelRegistryFor(store).listVersions('broken').map((v) => v.version), [1]);
    assert.equal(modelRegistryFor(store).getModel('broken').aliases.champion, 1);
  });

  test('a training spec that became invalid fails the attempt (recorded, cool-down applies) instead of erroring on every alert', async () => {
    writeFileSync(join(root, 'invalid.train.yaml'), `${common}epochs: many\n`);
    const spec = await loadMonitorSpec(monitor('invalid', '  spec: invalid.train.yaml\n  model: nobody\n  data: spec\n'));
    const attempt = finished(await runRetrain(spec, { store, backend: 'js' })).attempt;
    assert.equal(attempt.status, 'failed');
    assert.match(attempt.reason, /^failed while reading the training spec: .*invalid\.train\.yaml:7:\d+: `epochs` must be integer/);
    assert.equal(openAlerts(store, 'invalid').length, 1);
    assert.equal((await runRetrain(spec, { store, backend: 'js' })).kind, 'skipped');
    assert.equal(modelRegistryFor(store).findModel('nobody'), undefined, 'no model was created');
  });

  test('a dry run says what would happen and changes nothing', async () => {
    const file = monitor('dry', '  spec: strong.train.yaml\n  model: wins\n  data: spec\n  holdout_fraction: 0.5\n  promote: auto\n');
    const runsBefore = (await store.tracking.searchRuns({})).runs.length;
    const versionsBefore = modelRegistryFor(store).listVersions('wins').length;
    const outcome = await runRetrain(await loadMonitorSpec(file), { store, dryRun: true });
    assert.equal(outcome.kind, 'planned');
    const text = planLines(outcome.plan).join('\n');
    assert.match(text, /train {6}strong\.train\.yaml on the spec's dataset data\/train\.csv/);
    assert.match(text, /holdout {4}50% of the labelled rows of data\/current\.csv\n/);
    assert.match(text, /compare {4}new version vs @champion \(v2\) on test_accuracy \(higher is better\)/);
    assert.match(text, /It would start now\.$/);
    assert.equal(retrainAttempts(store, 'dry').length, 0);
    assert.equal(modelRegistryFor(store).listVersions('wins').length, versionsBefore);
    assert.equal((await store.tracking.searchRuns({})).runs.length, runsBefore);
  });

  test('an attempt left running by a process that is gone blocks nothing', async () => {
    await store.database.commit({
      statements: [{ sql: "INSERT INTO retrain_attempts (id, monitor, started_at, status, trigger_kind, pid, model, alias, reason) VALUES (999, 'ghost', 1, 'running', 'alert', 999999999, 'm', 'champion', '')", params: [] }],
    });
    assert.equal(runningAttempt(store, 'ghost')?.id, 999);
    await markInterruptedAttempts(store, 'ghost', 2);
    assert.equal(runningAttempt(store, 'ghost'), undefined);
    assert.match(retrainAttempts(store, 'ghost')[0]?.error ?? '', /^interrupted: the process that ran it \(pid 999999999\) ended/);
  });
});
