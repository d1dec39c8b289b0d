import assert from 'node:assert/strict';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_FILE, SNAPSHOT_FILE } from '../../../src/core/store/durableDatabase';
import { readJournalFile } from '../../../src/core/store/journal';
import { StoreCorruptError } from '../../../src/core/store/storeErrors';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from './testSupport';

const OPTIONS = { writerName: 'corruption test', staleRunAfterMs: 3_600_000 };

/** A store whose last 10 writes are only in the journal (as after a crash), one param per write. */
async function storeWithJournal(dir: string): Promise<{ runId: string }> {
  const store = await openWorkspaceStore({ dir, ...OPTIONS });
  const run = await store.tracking.createRun({ experimentId: '0', runName: 'r' });
  await store.checkpoint();
  for (let i = 0; i < 10; i++) await store.tracking.logBatch({ runId: run.info.runId, params: [{ key: `p${i}`, value: `v${i}` }], metrics: [{ key: 'm', value: i, step: i }] });
  await store.close({ snapshot: false });
  return { runId: run.info.runId };
}

function flipByte(path: string, offset: number): void {
  const bytes = readFileSync(path);
  bytes[offset] = (bytes[offset] as number) ^ 0x5a;
  writeFileSync(path, bytes);
}

test('a torn last journal record is dropped with a warning; everything before it is kept', async () => {
  for (const cut of [1, 7, 19, 25]) {
    const { dir, cleanup } = tempStoreDir();
    try {
      const { runId } = await storeWithJournal(dir);
      const journal = join(dir, JOURNAL_FILE);
      truncateSync(journal, readFileSync(journal).length - cut);
      const store = await openWorkspaceStore({ dir, ...OPTIONS });
      const run = await store.tracking.getRun(runId);
      assert.deepEqual(run.data.params.map((p) => p.key).sort(), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7', 'p8']);
      assert.equal((await store.tracking.getMetricHistory(runId, 'm')).points.length, 9);
      assert.equal(store.warnings.length, 1);
      assert.match(store.warnings[0] as string, /dropped a torn last record at byte offset \d+/);
      await store.close();
    } finally {
      cleanup();
    }
  }
});

test('damage in the middle of the journal is a clear error naming the file and byte offset, and changes nothing', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    await storeWithJournal(dir);
    const journal = join(dir, JOURNAL_FILE);
    const records = readJournalFile(journal).records;
    const victim = records[4];
    assert.ok(victim);
    flipByte(journal, victim.offset + 30);
    const before = readFileSync(journal);
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), (error: unknown) => {
      assert.ok(error instanceof StoreCorruptError);
      assert.equal(error.offset, victim.offset);
      assert.ok(error.message.includes(journal));
      assert.match(error.message, /at byte offset \d+: a journal record fails its checksum but valid records follow it/);
      return true;
    });
    assert.deepEqual(readFileSync(journal), before, 'the damaged journal is left for the user to inspect');
    // The failed open released the lock: fixing the file (here: restoring the byte) makes it open.
    flipByte(journal, victim.offset + 30);
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    await store.close();
  } finally {
    cleanup();
  }
});

test('a truncated or damaged snapshot fails with a clear error instead of losing data', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    await store.tracking.createExperiment('precious');
    await store.close();
    const snapshot = join(dir, SNAPSHOT_FILE);
    const good = readFileSync(snapshot);
    truncateSync(snapshot, good.length - 100);
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), /store\.snapshot is damaged at byte offset \d+: the snapshot is truncated/);
    writeFileSync(snapshot, good);
    flipByte(snapshot, 5000);
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), /store\.snapshot is damaged at byte offset 24: the snapshot fails its checksum/);
    writeFileSync(snapshot, good);
    const reopened = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.ok(await reopened.tracking.getExperimentByName('precious'));
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('a series file shorter than recorded is reported, not silently shortened', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    const run = await store.tracking.createRun({ experimentId: '0' });
    await store.tracking.logBatch({ runId: run.info.runId, metrics: Array.from({ length: 200 }, (_, i) => ({ key: 'loss', value: i, step: i })) });
    await store.close();
    truncateSync(join(dir, 'series', run.info.runId, '1.f64'), 100);
    const reopened = await openWorkspaceStore({ dir, ...OPTIONS });
    await assert.rejects(reopened.tracking.getMetricHistory(run.info.runId, 'loss'), /1\.f64 is damaged at byte offset 100: the series file is shorter than recorded \(100 of 4800 bytes\)/);
    await reopened.close();
  } finally {
    cleanup();
  }
});

test('a journal that is not ours is refused', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    await store.close();
    writeFileSync(join(dir, JOURNAL_FILE), 'hello world, not a journal');
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), /journal\.log is damaged at byte offset 0: the journal header is not recognised/);
  } finally {
    cleanup();
  }
});

test('reopening replays the journal exactly once, including after a checkpoint in the middle', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS, checkpointRecords: 3 });
    const run = await store.tracking.createRun({ experimentId: '0' });
    for (let i = 0; i < 20; i++) await store.tracking.logMetric(run.info.runId, { key: 'x', value: i, step: i });
    await store.close({ snapshot: false });
    for (let reopen = 0; reopen < 3; reopen++) {
      const again = await openWorkspaceStore({ dir, ...OPTIONS });
      const history = await again.tracking.getMetricHistory(run.info.runId, 'x');
      assert.deepEqual(history.points.map((p) => p.value), Array.from({ length: 20 }, (_, i) => i));
      await again.close({ snapshot: reopen % 2 === 0 });
    }
  } finally {
    cleanup();
  }
});

test('the schema is versioned and a store from a newer version is refused with a clear message', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    assert.ok(store.database.schemaVersion >= 100);
    await store.database.commit({ statements: [{ sql: "INSERT INTO store_migrations VALUES (999, 'from the future', 0)" }] });
    await store.close();
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), /written by a newer version of MLOps Studio \(schema steps 999 are unknown here\)/);
  } finally {
    cleanup();
  }
});
