import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_FILE, SNAPSHOT_FILE } from '../../../src/core/store/durableDatabase';
import { readJournalFile } from '../../../src/core/store/journal';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from './testSupport';

test('checkpoints keep the journal short even when writers never pause, and nothing is lost across them', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test', checkpointRecords: 25 });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    // Four lanes that always have a write in flight: the journal is never idle.
    const lanes = [0, 1, 2, 3].map(async (lane) => {
      for (let i = 0; i < 150; i++) await store.tracking.logMetric(info.runId, { key: `lane${lane}`, value: i, step: i });
    });
    await Promise.all(lanes);
    const journalRecords = readJournalFile(join(dir, JOURNAL_FILE)).records.length;
    assert.ok(journalRecords < 150, `the journal holds ${journalRecords} of 600 records: checkpoints did not keep up`);
    assert.ok(statSync(join(dir, SNAPSHOT_FILE)).size > 0);
    await store.close({ snapshot: false });
    const reopened = await openWorkspaceStore({ dir, writerName: 'test' });
    for (let lane = 0; lane < 4; lane++) {
      const history = await reopened.tracking.getMetricHistory(info.runId, `lane${lane}`);
      assert.deepEqual(history.points.map((p) => p.value), Array.from({ length: 150 }, (_, i) => i));
    }
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('group commit: writes issued together share one fsync, and each resolves only once it is durable', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, writerName: 'test' });
    const { info } = await store.tracking.createRun({ experimentId: '0' });
    const before = store.database.journalSyncs;
    let resolvedBeforeSync = 0;
    const writes = Array.from({ length: 100 }, (_, i) =>
      store.tracking.logMetric(info.runId, { key: `k${i % 7}`, value: i, step: i }).then(() => {
        if (store.database.journalSyncs === before) resolvedBeforeSync++;
      }),
    );
    await Promise.all(writes);
    assert.equal(store.database.journalSyncs - before, 1, '100 writes in one tick, one fsync');
    assert.equal(resolvedBeforeSync, 0, 'no write was acknowledged before the fsync');
    await store.close();
  } finally {
    cleanup();
  }
});
