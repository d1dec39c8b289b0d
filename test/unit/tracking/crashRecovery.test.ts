import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { FAILURE_REASON_TAG } from '../../../src/core/tracking/localTrackingStore';
import { deadPid, tempStoreDir } from '../store/testSupport';

test('on open, a RUNNING run whose process died is marked FAILED with an end time and the reason; live ones are left alone', async () => {
  const { dir, cleanup } = tempStoreDir();
  const alive = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    let store = await openWorkspaceStore({ dir, writerName: 'test' });
    const gone = await deadPid();
    const orphan = await store.tracking.createRun({ experimentId: '0', ownerPid: gone, runName: 'orphan' });
    const living = await store.tracking.createRun({ experimentId: '0', ownerPid: alive.pid as number, runName: 'living' });
    const finished = await store.tracking.createRun({ experimentId: '0', ownerPid: gone, runName: 'finished' });
    await store.tracking.updateRun(finished.info.runId, { status: 'FINISHED' });
    await store.close();

    // A fresh heartbeat protects the run for a while, even though its process is gone.
    store = await openWorkspaceStore({ dir, writerName: 'test', staleRunAfterMs: 60_000 });
    assert.equal((await store.tracking.getRun(orphan.info.runId)).info.status, 'RUNNING');
    await store.close();

    store = await openWorkspaceStore({ dir, writerName: 'test', staleRunAfterMs: 0 });
    const failed = await store.tracking.getRun(orphan.info.runId);
    assert.equal(failed.info.status, 'FAILED');
    assert.equal(failed.info.endTime, orphan.info.heartbeatTime);
    const reason = failed.data.tags.find((t) => t.key === FAILURE_REASON_TAG)?.value ?? '';
    assert.match(reason, new RegExp(`^The process that owned this run \\(pid ${gone} on host .+\\) ended without finishing it`));
    assert.equal((await store.tracking.getRun(living.info.runId)).info.status, 'RUNNING');
    assert.equal((await store.tracking.getRun(finished.info.runId)).info.status, 'FINISHED');
    assert.equal((await store.tracking.stats()).activeRuns, 1);
    await store.close();
  } finally {
    alive.kill();
    cleanup();
  }
});
