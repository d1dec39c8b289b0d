import assert from 'node:assert/strict';
import { copyFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { httpEngine } from '../../../src/core/engine/engineClient';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { openAlerts } from '../../../src/core/monitoring/driftHistory';
import { resolveMonitor, runMonitor } from '../../../src/core/monitoring/monitorRunner';
import { followRetrain } from '../../../src/core/retraining/retrainFollow';
import { retrainAttempts } from '../../../src/core/retraining/retrainAttempts';
import { retrainJobsKeepAlive } from '../../../src/core/retraining/retrainJobs';
import { startFixture } from '../server/serverTestSupport';
import { REPO_ROOT } from '../store/testSupport';

function csv(path: string, shift: number): void {
  const lines = ['x,colour'];
  for (let i = 0; i < 300; i++) lines.push(`${(i % 50) + shift},${shift ? 'blue' : ['red', 'blue', 'green'][i % 3]}`);
  writeFileSync(path, lines.join('\n') + '\n');
}

test('a client reads the Monitors view, the drift panel and a report through the holder as the holder reads them; bad params are refused with a reason', async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    csv(join(workspace, 'ref.csv'), 0);
    csv(join(workspace, 'moved.csv'), 30);
    writeFileSync(join(workspace, 'shop.monitor.yaml'), 'reference:\n  file: ref.csv\ncurrent:\n  file: moved.csv\n');
    const client = httpEngine(fx.server.url, fx.server.token);
    const result = await runMonitor(await resolveMonitor(workspace, 'shop'), { engine: client });
    assert.equal(result.tripped, true);
    assert.equal(result.reportId, 1);

    const tree = await client.call('monitoring.treeState', { monitors: [{ name: 'shop', retrain: true }, { name: 'never' }] });
    assert.deepEqual(tree, await inProcessEngine(fx.store).call('monitoring.treeState', { monitors: [{ name: 'shop', retrain: true }, { name: 'never' }] }));
    assert.deepEqual(tree.map((m) => [m.name, m.last?.datasetDrift ?? null, m.openAlerts, m.lastRetrain]), [['shop', true, 1, null], ['never', null, 0, null]]);
    const panel = await client.call('monitoring.driftPanelState', { monitor: 'shop' });
    assert.equal(panel.history.length, 1);
    assert.equal(panel.newest?.id, 1);
    assert.deepEqual(panel.newest.report.columns.map((c) => [c.column, c.drifted]), [['x', true], ['colour', true]]);
    assert.equal((await client.call('monitoring.report', { id: 1, monitor: 'other' })), null, 'a report of another monitor is not shown');

    assert.deepEqual(await client.call('monitoring.acknowledgeAlerts', { monitor: 'shop' }), { acknowledged: 1 });
    assert.equal(openAlerts(fx.store, 'shop').length, 0);

    await assert.rejects(client.call('monitoring.history', { monitor: '' }), /monitor must be a non-empty string/);
    await assert.rejects(client.call('monitoring.trafficRecords', { endpoint: 'shop', window: { last: -3 } }), /window\.last must be a positive integer/);
    await assert.rejects(client.call('monitoring.startRetrain', { monitorFile: join(workspace, 'shop.monitor.yaml'), backend: 'gpu-please' as never }), /backend must be one of/);
    await assert.rejects(client.call('monitoring.startRetrain', { monitorFile: join(workspace, 'shop.monitor.yaml') }), /monitor shop has no retraining policy/);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});

test('a retraining attempt started by a client runs in the holder, reports progress, and the client cancels it there', { timeout: 300_000 }, async () => {
  const fx = await startFixture({ insecureNoToken: false });
  const workspace = dirname(fx.dir);
  try {
    copyFileSync(join(REPO_ROOT, 'examples', 'data', 'penguins.csv'), join(workspace, 'penguins.csv'));
    writeFileSync(join(workspace, 'slow.train.yaml'), 'experiment: penguins\ndataset: penguins.csv\ntarget: species\ntask: classification\nmodel:\n  type: mlp\n  layers: [{units: 8}]\nepochs: 100000\nearly_stopping: false\n');
    const file = join(workspace, 'p.monitor.yaml');
    writeFileSync(file, 'reference:\n  file: penguins.csv\ncurrent:\n  file: penguins.csv\nretrain:\n  spec: slow.train.yaml\n  model: penguins\n  data: spec\n');
    const client = httpEngine(fx.server.url, fx.server.token);
    const started = await client.call('monitoring.startRetrain', { monitorFile: file, backend: 'js' });
    assert.equal(started.kind, 'started');
    assert.ok(started.kind === 'started');
    assert.equal(retrainAttempts(fx.store, 'p')[0]?.status, 'running', 'the holder recorded the attempt before answering');
    assert.equal(retrainJobsKeepAlive(fx.store), `retraining attempt #${started.attemptId} running`, 'an engine stays up while an attempt runs, followed or not');
    const again = await client.call('monitoring.startRetrain', { monitorFile: file, backend: 'js', ignoreCooldown: true });
    assert.deepEqual(again, { kind: 'skipped', monitor: 'p', reason: `attempt #${started.attemptId} of monitor p is still running` });

    // Cancel once training reports an epoch: the attempt is well under way in the holder.
    const cancel = new AbortController();
    const steps: string[] = [];
    const attempt = await followRetrain(client, started.attemptId, {
      signal: cancel.signal,
      onProgress: (p) => {
        steps.push(p.step);
        if (p.step.startsWith('training · epoch')) cancel.abort();
      },
    });
    assert.equal(attempt.status, 'cancelled');
    assert.match(attempt.reason, /^cancelled while training/);
    assert.deepEqual(steps.slice(0, 2), ['reading the training spec', 'preparing the data']);
    assert.equal(retrainAttempts(fx.store, 'p')[0]?.status, 'cancelled');
    assert.equal(retrainJobsKeepAlive(fx.store), undefined);
  } finally {
    await fx.server.close();
    await fx.close();
  }
});
