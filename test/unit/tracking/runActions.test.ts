import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CachingTrackingStore } from '../../../src/core/remote/cachingTrackingStore';
import { MlflowRestClient } from '../../../src/core/remote/mlflowRestClient';
import { isStarred, NOTE_TAG, noteOf, renameRun, runNameProblem, saveNote, setStarred } from '../../../src/core/tracking/runAnnotations';
import { runArtifactFolder } from '../../../src/core/tracking/runArtifactFolder';
import { deleteRuns, describeRuns, MARKED_KILLED_TAG, markRunKilled, restoreRuns, splitDeletable } from '../../../src/core/tracking/runLifecycle';
import { findRunLogs, pickLogArtifacts } from '../../../src/core/tracking/runLogs';
import type { TrackingStore } from '../../../src/core/tracking/trackingStore';
import { startFixture, type ServerFixture } from '../server/serverTestSupport';

/**
 * The run menu's actions (rename, star, note, delete/restore, mark killed, find logs) against the
 * workspace store itself and through the local server the way a second window reaches it: a menu
 * item must do the same thing in both.
 */
describe('run actions', () => {
  let fx: ServerFixture;
  before(async () => {
    fx = await startFixture({ insecureNoToken: false });
  });
  after(async () => {
    await fx.close();
  });

  const stores: readonly [string, () => TrackingStore][] = [
    ['the workspace store', () => fx.store.tracking],
    ['a client of the writer window’s server', () => new CachingTrackingStore(new MlflowRestClient({ url: fx.server.url, token: fx.server.token }))],
  ];

  for (const [where, storeOf] of stores) {
    test(`rename, star, note, delete, restore and mark killed through ${where}`, async () => {
      const tracking = storeOf();
      const local = fx.store.tracking;
      const experimentId = await local.createExperiment(`menu ${where}`);
      const a = await local.createRun({ experimentId, runName: 'first', ownerPid: null });
      const b = await local.createRun({ experimentId, runName: 'second', ownerPid: null });
      const runId = a.info.runId;

      assert.equal(await renameRun(tracking, a.info, '  better name  '), true);
      assert.equal((await local.getRun(runId)).info.runName, 'better name', 'the name is trimmed and stored');
      assert.equal((await local.getRun(runId)).data.tags.find((t) => t.key === 'mlflow.runName')?.value, 'better name', 'MLflow’s runName tag follows');
      assert.equal(await renameRun(tracking, (await local.getRun(runId)).info, 'better name'), false, 'the same name is no change');
      await assert.rejects(renameRun(tracking, a.info, '   '), /cannot be empty/);

      await setStarred(tracking, [runId, b.info.runId], true);
      assert.ok(isStarred(await local.getRun(runId)) && isStarred(await local.getRun(b.info.runId)));
      await setStarred(tracking, [runId], false);
      await setStarred(tracking, [runId], false); // unstarring an unstarred run is no error (MLflow fails deleting a missing tag)
      assert.equal(isStarred(await local.getRun(runId)), false);
      assert.equal(isStarred(await local.getRun(b.info.runId)), true, 'only the chosen run is unstarred');

      await saveNote(tracking, runId, '# Why\n\nlearning rate 3e-3 diverged\n');
      assert.equal(noteOf(await local.getRun(runId)), '# Why\n\nlearning rate 3e-3 diverged\n', 'a multi-line note round-trips');
      await saveNote(tracking, runId, '  \n');
      assert.equal((await local.getRun(runId)).data.tags.some((t) => t.key === NOTE_TAG), false, 'a blank note removes the tag');
      await saveNote(tracking, runId, '');
      await assert.rejects(saveNote(tracking, runId, 'x'.repeat(5001)), /at most 5000/);

      await deleteRuns(tracking, [runId]);
      assert.equal((await local.getRun(runId)).info.lifecycleStage, 'deleted');
      const deleted = await tracking.searchRuns({ experimentIds: [experimentId], viewType: 'DELETED_ONLY' });
      assert.deepEqual(deleted.runs.map((r) => r.info.runId), [runId], 'a deleted run can be listed to restore it');
      await restoreRuns(tracking, [runId]);
      assert.equal((await local.getRun(runId)).info.lifecycleStage, 'active');
      assert.equal((await local.getRun(runId)).info.runName, 'better name', 'restoring keeps the run as it was');

      assert.equal((await local.getRun(runId)).info.status, 'RUNNING');
      assert.equal(await markRunKilled(tracking, runId, 5_000_000), true);
      const killed = await local.getRun(runId);
      assert.equal(killed.info.status, 'KILLED');
      assert.equal(killed.info.endTime, 5_000_000);
      assert.equal(killed.data.tags.find((t) => t.key === MARKED_KILLED_TAG)?.value, 'true', 'the history says it was marked, not stopped');
      assert.equal(await markRunKilled(tracking, runId), false, 'an ended run stays as it is');
    });
  }

  test('a script run’s captured output is found; a crashed training run offers its stderr tail', async () => {
    const local = fx.store.tracking;
    const experimentId = await local.createExperiment('logs');
    const script = await local.createRun({ experimentId, runName: 'script', ownerPid: null });
    await local.writeArtifact(script.info.runId, 'logs/output.txt', 'epoch 1\nepoch 2\n');
    await local.writeArtifact(script.info.runId, 'model/weights.bin', new Uint8Array(4));
    await local.writeArtifact(script.info.runId, 'train.log', 'ok');
    const client = new MlflowRestClient({ url: fx.server.url, token: fx.server.token });
    for (const tracking of [local, client]) {
      const logs = await findRunLogs(tracking, await tracking.getRun(script.info.runId));
      assert.deepEqual(logs.map((l) => (l.kind === 'artifact' ? l.path : l.key)).sort(), ['logs/output.txt', 'train.log']);
    }

    const crashed = await local.createRun({ experimentId, runName: 'crashed', ownerPid: null });
    await local.logBatch({ runId: crashed.info.runId, tags: [{ key: 'mlops.error', value: 'worker exited with code 134' }, { key: 'mlops.stderr_tail', value: 'FATAL: out of memory' }] });
    const logs = await findRunLogs(local, await local.getRun(crashed.info.runId));
    assert.deepEqual(logs.map((l) => (l.kind === 'tag' ? [l.key, l.text] : l.path)), [['mlops.stderr_tail', 'FATAL: out of memory'], ['mlops.error', 'worker exited with code 134']]);

    const silent = await local.createRun({ experimentId, runName: 'silent', ownerPid: null });
    assert.deepEqual(await findRunLogs(local, await local.getRun(silent.info.runId)), [], 'no logs: the command says so instead of opening nothing');
  });

  test('the artifact folder is on this machine for the workspace store and its writer’s server, not for a team server', async () => {
    const run = await fx.store.tracking.createRun({ experimentId: '0', ownerPid: null });
    const local = runArtifactFolder(run.info);
    assert.ok(local.local && local.path === `${fx.dir}/artifacts/${run.info.runId}`, JSON.stringify(local));
    const viaServer = await new MlflowRestClient({ url: fx.server.url, token: fx.server.token }).getRun(run.info.runId);
    assert.deepEqual(runArtifactFolder(viaServer.info, { storeDir: fx.dir, serverUrl: fx.server.url }), { local: true, path: `${fx.dir}/artifacts/${run.info.runId}` });
    const remote = runArtifactFolder({ runId: 'r1', artifactUri: 's3://bucket/1/r1/artifacts' }, { serverUrl: 'https://mlflow.example.com' });
    assert.equal(remote.local, false);
    assert.match(remote.local ? '' : remote.reason, /kept by the tracking server https:\/\/mlflow\.example\.com at s3:\/\/bucket\/1\/r1\/artifacts/);
  });
});

describe('run action helpers', () => {
  test('confirmations name the runs, and say how many more there are', () => {
    const run = (runName: string, runId = `${runName}-0123456789`): { runName: string; runId: string } => ({ runName, runId });
    assert.equal(describeRuns([run('a')]), '"a"');
    assert.equal(describeRuns([run('a'), run('b')]), '"a" and "b"');
    assert.equal(describeRuns([run('a'), run('b'), run('c')]), '"a", "b" and "c"');
    assert.equal(describeRuns([run('a'), run('b'), run('c'), run('d'), run('e')]), '"a", "b", "c" and 2 more');
    assert.equal(describeRuns([run('', 'abcdef0123456789')]), '"abcdef01"', 'a run without a name is called by its id');
  });

  test('running runs are not deleted; deleted ones are not deleted again', () => {
    const run = (status: 'RUNNING' | 'FINISHED', lifecycleStage: 'active' | 'deleted' = 'active'): { info: { status: typeof status; lifecycleStage: typeof lifecycleStage } } => ({ info: { status, lifecycleStage } });
    const done = run('FINISHED');
    const live = run('RUNNING');
    const gone = run('FINISHED', 'deleted');
    assert.deepEqual(splitDeletable([done, live, gone]), { deletable: [done], running: [live] });
  });

  test('run names: empty and over-long names are refused with a reason', () => {
    assert.equal(runNameProblem('ok'), undefined);
    assert.match(runNameProblem(' \t') ?? '', /cannot be empty/);
    assert.match(runNameProblem('x'.repeat(5001)) ?? '', /at most 5000/);
  });

  test('log files: everything in a logs folder and log-named files, not models or data', () => {
    const entries = [
      { path: 'logs/output.txt', isDir: false },
      { path: 'logs/worker-2.txt', isDir: false },
      { path: 'logs', isDir: true },
      { path: 'stdout.txt', isDir: false },
      { path: 'stderr', isDir: false },
      { path: 'fit.log', isDir: false },
      { path: 'model/model.json', isDir: false },
      { path: 'data/output.csv', isDir: false },
      { path: 'catalog.txt', isDir: false },
    ];
    assert.deepEqual(pickLogArtifacts(entries).map((e) => e.path), ['logs/output.txt', 'logs/worker-2.txt', 'stdout.txt', 'stderr', 'fit.log']);
  });
});
