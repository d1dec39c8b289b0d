import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { RemoteServerError } from '../../../src/core/remote/mlflowHttp';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { InvalidArgumentError, NotFoundError, TrackingError } from '../../../src/core/tracking/trackingErrors';
import type { TrackingChange } from '../../../src/core/tracking/trackingTypes';
import { startFixture } from './serverTestSupport';

test('the REST client round-trips every tracking call through our server into the local store', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const client = new MlflowRestClient({ url: fx.server.url, token: fx.server.token });
  const changes: TrackingChange[] = [];
  const listening = client.onDidChange((c) => changes.push(c));
  try {
    // experiments
    const experimentId = await client.createExperiment('remote-exp', { tags: [{ key: 'team', value: 'ext' }] });
    await client.setExperimentTag(experimentId, 'purpose', 'demo');
    const experiment = await client.getExperiment(experimentId);
    assert.equal(experiment.name, 'remote-exp');
    assert.equal(experiment.artifactLocation, `mlflow-artifacts:/${experimentId}`);
    assert.deepEqual(experiment.tags, [{ key: 'team', value: 'ext' }, { key: 'purpose', value: 'demo' }]);
    assert.equal((await client.getExperimentByName('remote-exp'))?.experimentId, experimentId);
    assert.equal(await client.getExperimentByName('nope'), undefined);
    await assert.rejects(client.createExperiment('remote-exp'), (e: unknown) => e instanceof TrackingError && e.code === 'RESOURCE_ALREADY_EXISTS');
    await client.renameExperiment(experimentId, 'remote-exp-2');
    assert.equal((await fx.store.tracking.getExperiment(experimentId)).name, 'remote-exp-2', 'the write reached the local store');
    await client.deleteExperiment(experimentId);
    assert.deepEqual((await client.searchExperiments({ viewType: 'DELETED_ONLY' })).experiments.map((e) => e.experimentId), [experimentId]);
    await client.restoreExperiment(experimentId);
    assert.deepEqual((await client.searchExperiments({ filter: "name = 'remote-exp-2'" })).experiments.map((e) => e.name), ['remote-exp-2']);

    // runs
    const run = await client.createRun({ experimentId, runName: 'r1', tags: [{ key: 'k', value: 'v' }], source: { type: 'LOCAL', name: 'train.py' }, startTime: 1_000 });
    const runId = run.info.runId;
    assert.equal(run.info.runName, 'r1');
    assert.equal(run.info.artifactUri, `mlflow-artifacts:/${experimentId}/${runId}/artifacts`);
    assert.deepEqual(run.info.source, { type: 'LOCAL', name: 'train.py' });
    await client.logParam(runId, 'lr', '0.1');
    await client.setTag(runId, 'stage', 'dev');
    await client.logMetric(runId, { key: 'loss', value: NaN, step: 0, timestamp: 5 });
    await client.logMetric(runId, { key: 'loss', value: 0.5, step: 1, timestamp: 6 });
    await client.logBatch({
      runId,
      metrics: Array.from({ length: 2_500 }, (_, i) => ({ key: 'acc', value: i / 2_500, step: i, timestamp: 10 + i })),
      params: Array.from({ length: 150 }, (_, i) => ({ key: `p${i}`, value: String(i) })),
      tags: [{ key: 't', value: 'x' }],
    });
    await client.logMetricColumns(runId, 'lr_schedule', { steps: Float64Array.from([0, 1, 2]), values: Float64Array.from([0.1, Infinity, -Infinity]), timestamps: Float64Array.from([1, 2, 3]) });
    await client.logInputs(runId, [{ name: 'toy', digest: 'abc', sourceType: 'local', source: '{}', context: 'training' }]);
    await client.deleteTag(runId, 'stage');
    await assert.rejects(client.logParam(runId, 'lr', '0.2'), InvalidArgumentError);

    const got = await client.getRun(runId);
    assert.equal(got.data.params.length, 151);
    assert.equal(got.data.tags.some((t) => t.key === 'stage'), false);
    assert.deepEqual(got.inputs.datasetInputs, [{ name: 'toy', digest: 'abc', sourceType: 'local', source: '{}', context: 'training' }]);
    const local = await fx.store.tracking.getRun(runId);
    assert.equal(local.data.metrics.find((m) => m.key === 'acc')?.count, 2_500);

    const loss = await client.getMetricHistory(runId, 'loss');
    assert.ok(Number.isNaN(loss.points[0]?.value));
    assert.equal(loss.points[1]?.value, 0.5);
    assert.deepEqual([...(await client.getMetricColumns(runId, 'lr_schedule')).values], [0.1, Infinity, -Infinity]);
    const acc = await client.getMetricHistory(runId, 'acc', { maxPoints: 100, minStep: 100, maxStep: 1_099 });
    assert.equal(acc.total, 1_000);
    assert.ok(acc.downsampled && acc.points.length <= 100);

    const info = await client.updateRun(runId, { status: 'FINISHED', endTime: 2_000 });
    assert.equal(info.status, 'FINISHED');
    assert.equal(info.endTime, 2_000);
    const second = await client.createRun({ experimentId, runName: 'r2', startTime: 3_000 });
    await client.logMetric(second.info.runId, { key: 'loss', value: 0.1, timestamp: 1 });
    const search = await client.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.start_time ASC'], maxResults: 1 });
    assert.deepEqual(search.runs.map((r) => r.info.runName), ['r1']);
    assert.ok(search.nextPageToken);
    const next = await client.searchRuns({ experimentIds: [experimentId], orderBy: ['attributes.start_time ASC'], maxResults: 1, pageToken: search.nextPageToken });
    assert.deepEqual(next.runs.map((r) => r.info.runName), ['r2']);
    assert.deepEqual((await client.searchRuns({ filter: 'metrics.loss < 0.2' })).runs.map((r) => r.info.runName), ['r2'], 'no experiment ids: every experiment');
    await client.deleteRun(second.info.runId);
    assert.equal((await fx.store.tracking.getRun(second.info.runId)).info.lifecycleStage, 'deleted');
    await client.restoreRun(second.info.runId);
    await client.heartbeat(runId);

    // artifacts through the proxy
    await client.writeArtifact(runId, 'notes/readme.txt', 'hello');
    const folder = mkdtempSync(join(tmpdir(), 'remote-art-'));
    mkdirSync(join(folder, 'model', 'metadata'), { recursive: true });
    writeFileSync(join(folder, 'model', 'MLmodel'), 'flavors: {}\n');
    writeFileSync(join(folder, 'model', 'metadata', 'meta.json'), '{}');
    await client.logArtifact(runId, join(folder, 'model'));
    assert.deepEqual(await client.listArtifacts(runId), [{ path: 'model', isDir: true }, { path: 'notes', isDir: true }]);
    assert.deepEqual(await client.listArtifacts(runId, 'model'), await fx.store.tracking.listArtifacts(runId, 'model'), 'paths are relative to the run root, as locally');
    assert.equal((await client.readArtifact(runId, 'model/metadata/meta.json')).toString(), '{}');
    await assert.rejects(client.readArtifact(runId, 'model/none.bin'), NotFoundError);
    await assert.rejects(client.writeArtifact(runId, '../escape', 'x'), InvalidArgumentError);

    const stats = await client.stats();
    assert.equal(stats.runs, 2);
    assert.equal(stats.experiments, 2);
    await assert.rejects(client.getRun('f'.repeat(32)), NotFoundError);
    assert.ok(changes.some((c) => c.kind === 'metrics' && c.runId === runId));
  } finally {
    listening.dispose();
    await fx.close();
  }
});

test('the REST client says clearly when the server refuses the token or cannot be reached', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const url = fx.server.url;
  try {
    const wrong = new MlflowRestClient({ url, token: 'not-the-token-at-all' });
    await assert.rejects(wrong.getExperiment('0'), (e: unknown) => e instanceof RemoteServerError && e.status === 401 && /refused the request \(check the token\)/.test(e.message));
  } finally {
    await fx.close();
  }
  const gone = new MlflowRestClient({ url, timeoutMs: 2_000 });
  await assert.rejects(gone.getExperiment('0'), (e: unknown) => e instanceof RemoteServerError && e.status === null && e.message.startsWith(`Cannot reach the MLflow server at ${url}`));
});
