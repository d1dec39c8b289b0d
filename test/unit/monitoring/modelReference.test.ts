import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { datasetDigest } from '../../../src/core/data/tableReader';
import { runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { parseMonitorSpec } from '../../../src/core/monitoring/monitorSpecParser';
import { openRegistryFixture } from '../registry/registryTestSupport';

/** A finished run that trained on `dataset` (recorded with its digest) and holds a small model package. */
async function runThatTrainedOn(fixture: Awaited<ReturnType<typeof openRegistryFixture>>, dataset: string): Promise<string> {
  const { store } = fixture;
  const run = await store.tracking.createRun({ experimentId: '0', runName: 'trained' });
  const runId = run.info.runId;
  await store.tracking.logInputs(runId, [{ name: 'shop.csv', digest: datasetDigest(readFileSync(dataset)), sourceType: 'local', source: dataset, context: 'training' }]);
  const json = (value: unknown): string => JSON.stringify(value, null, 2);
  const manifest = { format: 'mlops-studio-model', formatVersion: 1, createdAt: new Date().toISOString(), task: 'classification', target: 'colour', modelType: 'mlp', flavor: 'tfjs-layers', files: {}, backend: 'js', datasetDigest: 'x', dataset, parameters: 1, metrics: {} };
  await store.tracking.writeArtifact(runId, 'model/MLmodel.json', json(manifest));
  await store.tracking.writeArtifact(runId, 'model/signature.json', json({ inputs: [{ name: 'x', type: 'double', optional: false }], output: { task: 'classification', target: 'colour', classes: ['red', 'blue'] } }));
  await store.tracking.writeArtifact(runId, 'model/weights.bin', new Uint8Array(10));
  await store.tracking.updateRun(runId, { status: 'FINISHED', endTime: Date.now() });
  return runId;
}

test("a monitor's reference can be a model version's training data, checked against the recorded digest", async () => {
  const fixture = await openRegistryFixture();
  try {
    const folder = join(fixture.dir, '..');
    const train = join(folder, 'train.csv');
    const fresh = join(folder, 'fresh.csv');
    writeFileSync(train, 'x,colour\n' + Array.from({ length: 200 }, (_, i) => `${i % 40},${i % 3 ? 'red' : 'blue'}`).join('\n') + '\n');
    writeFileSync(fresh, 'x,colour\n' + Array.from({ length: 200 }, (_, i) => `${(i % 40) + 25},${i % 5 ? 'red' : 'blue'}`).join('\n') + '\n');
    const runId = await runThatTrainedOn(fixture, train);
    await fixture.registry.registerVersion(runId, 'shop');
    const spec = parseMonitorSpec('reference:\n  model: models:/shop/1\ncurrent:\n  file: fresh.csv\n', join(folder, 'shop.monitor.yaml'));
    const result = await runMonitor(spec, { store: fixture.store });
    assert.match(result.report.reference.name, /models:\/shop\/1 training data/);
    assert.equal(result.report.columns.find((c) => c.column === 'x')?.drifted, true);
    const { lineageFor } = await import('../../../src/core/registry/registryAccess');
    const watchers = lineageFor(fixture.store).downstream({ kind: 'modelVersion', id: 'shop/1' });
    assert.deepEqual(watchers.map((h) => [h.node.key, h.node.label]), [['monitor:shop', 'monitor shop']], 'the monitor joins the version\'s lineage');
    // the same through a worker process that reads the files itself (how VS Code runs monitors)
    const { runChildJob } = await import('../../../src/core/process/childJob');
    const viaWorker = await runMonitor(spec, {
      store: fixture.store,
      compute: (reference, current) => runChildJob('drift', { reference: { kind: 'file', path: reference.path, name: reference.name }, current: { kind: 'file', path: current.path, name: current.name }, options: spec.options }),
    });
    assert.deepEqual(viaWorker.report.columns.map((c) => c.score), result.report.columns.map((c) => c.score));
    // the training file changed after the run: the monitor refuses to compare with the wrong data
    writeFileSync(train, 'x,colour\n1,red\n');
    await assert.rejects(runMonitor(spec, { store: fixture.store }), /changed since run [0-9a-f]{32} trained on it/);
  } finally {
    await fixture.cleanup();
  }
});
