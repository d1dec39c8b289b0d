import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { JOURNAL_FILE, SNAPSHOT_FILE } from '../../../src/core/store/durableDatabase';
import { readJournalFile } from '../../../src/core/store/journal';
import { StoreCorruptError } from '../../../src/core/store/storeErrors';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runCli } from '../lib/runCli';
import { tempStoreDir } from './testSupport';

const OPTIONS = { writerName: 'missing files test', staleRunAfterMs: 3_600_000 };

/** 400 acknowledged params on one run: the first 50 in the snapshot, the other 350 only in the journal. */
async function storeWith400(dir: string): Promise<string> {
  const store = await openWorkspaceStore({ dir, ...OPTIONS });
  const run = await store.tracking.createRun({ experimentId: '0', runName: 'r' });
  for (let i = 0; i < 400; i++) {
    await store.tracking.logBatch({ runId: run.info.runId, params: [{ key: `p${i}`, value: String(i) }] });
    if (i === 49) await store.checkpoint();
  }
  await store.close({ snapshot: false });
  return run.info.runId;
}

async function paramCount(dir: string, runId: string): Promise<number> {
  const store = await openWorkspaceStore({ dir, ...OPTIONS });
  try {
    return (await store.tracking.getRun(runId)).data.params.length;
  } finally {
    await store.close();
  }
}

function refusedAs(kind: string, pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StoreCorruptError, String(error));
    assert.equal(error.kind, kind);
    assert.match(error.message, pattern);
    return true;
  };
}

test('a deleted or emptied journal is refused, not opened with the snapshot\'s 50 of 400 writes; doctor --repair goes on from the snapshot and says so', async () => {
  for (const damage of ['delete', 'empty'] as const) {
    const { dir, cleanup } = tempStoreDir();
    try {
      const runId = await storeWith400(dir);
      const journal = join(dir, JOURNAL_FILE);
      if (damage === 'delete') rmSync(journal);
      else truncateSync(journal, 0);
      await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), refusedAs('journal-missing', new RegExp(`journal.log is damaged .*the journal is ${damage === 'delete' ? 'missing' : 'empty'}, but store.snapshot .* was written to.*mlops doctor --repair`)));
      const repair = runCli(['-w', dirname(dir), 'doctor', '--repair']);
      assert.equal(repair.status, 0, repair.stdout + repair.stderr);
      assert.match(repair.stdout, /repaired journal.log: started a new journal after store.snapshot \(record \d+\); the writes made since that checkpoint are lost/);
      assert.equal(await paramCount(dir, runId), 50);
    } finally {
      cleanup();
    }
  }
});

test('a deleted snapshot is named as missing (not as a damaged journal), with or without journal records after it', async () => {
  for (const records of [true, false]) {
    const { dir, cleanup } = tempStoreDir();
    try {
      const store = await openWorkspaceStore({ dir, ...OPTIONS });
      const run = await store.tracking.createRun({ experimentId: '0' });
      await store.checkpoint();
      if (records) await store.tracking.logBatch({ runId: run.info.runId, params: [{ key: 'after', value: 'checkpoint' }] });
      await store.close({ snapshot: false });
      rmSync(join(dir, SNAPSHOT_FILE));
      await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), refusedAs('snapshot-missing', /store\.snapshot is damaged .*the snapshot is missing, but journal\.log continues from record \d+.*put the newest store\.snapshot back/));
      const doctor = runCli(['-w', dirname(dir), 'doctor', '--repair']);
      assert.equal(doctor.status, 1, 'nothing can rebuild a snapshot: doctor says so and fails');
      assert.match(doctor.stdout, /DAMAGED\n.*the snapshot is missing/);
    } finally {
      cleanup();
    }
  }
});

test('an older snapshot put back under a newer journal is named, with the records that are in neither', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const store = await openWorkspaceStore({ dir, ...OPTIONS });
    const run = await store.tracking.createRun({ experimentId: '0' });
    await store.checkpoint();
    copyFileSync(join(dir, SNAPSHOT_FILE), join(dir, 'old.snapshot'));
    for (let i = 0; i < 5; i++) await store.tracking.logBatch({ runId: run.info.runId, params: [{ key: `p${i}`, value: 'v' }] });
    await store.checkpoint();
    await store.close({ snapshot: false });
    copyFileSync(join(dir, 'old.snapshot'), join(dir, SNAPSHOT_FILE));
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), refusedAs('snapshot-older', /the snapshot holds records up to (\d+), but journal\.log continues from record (\d+): records \d+–\d+ are in neither/));
  } finally {
    cleanup();
  }
});

test('one flipped byte in the last acknowledged journal record is refused, not dropped as a torn write; doctor --repair keeps the records before it', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    const runId = await storeWith400(dir);
    const journal = join(dir, JOURNAL_FILE);
    const last = readJournalFile(journal).records.at(-1);
    assert.ok(last);
    const bytes = readFileSync(journal);
    bytes[last.offset + 25] = (bytes[last.offset + 25] as number) ^ 0x01;
    writeFileSync(journal, bytes);
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), refusedAs('journal-record', new RegExp(`at byte offset ${last.offset}: the last journal record is whole but fails its checksum.*mlops doctor --repair`)));
    assert.deepEqual(readFileSync(journal), bytes, 'nothing was changed');

    const repair = runCli(['-w', dirname(dir), 'doctor', '--repair']);
    assert.equal(repair.status, 0, repair.stdout + repair.stderr);
    assert.match(repair.stdout, new RegExp(`repaired journal.log: kept the \\d+ records before byte offset ${last.offset}; lost the damaged record there .*kept as journal\\.log\\.damaged-`));
    assert.equal(await paramCount(dir, runId), 399);
    const aside = readdirSync(dir).find((name) => name.startsWith('journal.log.damaged-'));
    assert.ok(aside && statSync(join(dir, aside)).size === bytes.length, 'the damaged journal is kept whole');
  } finally {
    cleanup();
  }
});

test('an unreadable writer.lock a few seconds old is named as such, with what to do', async () => {
  const { dir, cleanup } = tempStoreDir();
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'writer.lock'), 'garbage, not a lock');
    await assert.rejects(openWorkspaceStore({ dir, ...OPTIONS }), /The writer lock .*writer\.lock cannot be read \(it is not a lock MLOps Studio writes: 19 bytes starting "garbage, not a lock", written \d+\.\d s ago\).*delete .*writer\.lock/);
  } finally {
    cleanup();
  }
});
