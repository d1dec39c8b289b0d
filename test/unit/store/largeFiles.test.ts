import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import type { RequestLogEntry } from '../../../src/core/serving/endpointTypes';
import { RequestLog } from '../../../src/core/serving/requestLog';
import { endpointLogFolder, listSegments } from '../../../src/core/serving/requestLogFiles';
import { encodeFrame } from '../../../src/core/serving/requestLogFormat';
import { DurableDatabase } from '../../../src/core/store/durableDatabase';
import { Journal, parseJournal, readJournalFile } from '../../../src/core/store/journal';
import { tempStoreDir } from './testSupport';

const FOUR_GIB = 2 ** 32;

/** Why a file with a hole past 4 GiB cannot be made cheaply here, or undefined when it can. */
function sparseFilesUnsupported(dir: string): string | undefined {
  const probe = join(dir, 'sparse-probe');
  try {
    const fd = openSync(probe, 'w');
    try {
      ftruncateSync(fd, FOUR_GIB + 4096);
    } finally {
      closeSync(fd);
    }
    const { size, blocks } = statSync(probe);
    if (size !== FOUR_GIB + 4096) return `the file system did not extend a file to ${FOUR_GIB + 4096} bytes`;
    if (blocks * 512 > 64 * 1024 * 1024) return 'the file system does not keep holes (a 4 GiB hole used real space)';
    return undefined;
  } catch (error) {
    return `cannot make a 4 GiB sparse file here (${(error as Error).message})`;
  } finally {
    rmSync(probe, { force: true });
  }
}

test('a series file past 4 GiB is appended to, read and replayed at its real offsets', async (t) => {
  const { dir, cleanup } = tempStoreDir();
  try {
    mkdirSync(dir, { recursive: true });
    const unsupported = sparseFilesUnsupported(dir);
    if (unsupported) {
      t.skip(unsupported);
      return;
    }
    const file = 'series/big.bin';
    const first = Buffer.from('first point, at offset 0.');
    let db = await DurableDatabase.open({ dir, migrations: [] });
    await db.commit({ statements: [], appends: [{ file, bytes: first }] });
    // A series that has grown past 4 GiB: a hole (zeros) up to just past the 4 GiB mark, as far
    // as the store is concerned written there by earlier commits.
    const big = FOUR_GIB + 1000;
    await db.commit({ statements: [{ sql: 'UPDATE store_series SET length = ? WHERE file = ?', params: [big, file] }] });
    await db.close();
    const fd = openSync(join(dir, file), 'r+');
    ftruncateSync(fd, big);
    closeSync(fd);

    db = await DurableDatabase.open({ dir, migrations: [] });
    assert.equal(db.fileLength(file), big);
    const tail = Buffer.from('a point past the 4 GiB mark');
    await db.commit({ statements: [], appends: [{ file, bytes: tail }] });
    assert.equal(db.fileLength(file), big + tail.length);
    assert.deepEqual(await db.readFile(file, big, big + tail.length), tail);
    assert.deepEqual(await db.readFile(file, 0, first.length), first);
    await assert.rejects(db.readFile(file), /series\/big\.bin is too large to read in one piece: 4294968323 bytes/);
    // Closed as a crash would leave it: the append is only in the journal and is replayed at its offset.
    await db.close({ snapshot: false });
    const onDisk = openSync(join(dir, file), 'r+');
    ftruncateSync(onDisk, big); // the replay must write it again, at the same place
    closeSync(onDisk);

    db = await DurableDatabase.open({ dir, migrations: [] });
    assert.equal(db.fileLength(file), big + tail.length);
    assert.deepEqual(await db.readFile(file, big, big + tail.length), tail);
    assert.equal(statSync(join(dir, file)).size, big + tail.length);
    await db.close();
  } finally {
    cleanup();
  }
});

test('a journal longer than 4 GiB (zeros of an unfinished write past the mark) opens with every acknowledged record', async (t) => {
  const { dir, cleanup } = tempStoreDir();
  try {
    mkdirSync(dir, { recursive: true });
    const unsupported = sparseFilesUnsupported(dir);
    if (unsupported) {
      t.skip(unsupported);
      return;
    }
    let db = await DurableDatabase.open({ dir, migrations: [] });
    await db.commit({ statements: [{ sql: 'CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)' }] });
    await db.commit({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['acknowledged', 'kept'] }] });
    await db.close({ snapshot: false });
    const journal = join(dir, 'journal.log');
    const records = statSync(journal).size;
    // The file grew past 2^32 bytes, but what lies there was never written (a hole reads as zeros):
    // the length of the whole file no longer fits 32 bits, which is what made such stores unreadable.
    const fd = openSync(journal, 'r+');
    ftruncateSync(fd, FOUR_GIB + 4096);
    closeSync(fd);

    db = await DurableDatabase.open({ dir, migrations: [] });
    assert.deepEqual(db.rows('SELECT k, v FROM kv'), [['acknowledged', 'kept']]);
    assert.match(db.warnings.join(' '), new RegExp(`dropped a torn last record at byte offset ${records} \\(${FOUR_GIB + 4096 - records} bytes`));
    assert.equal(statSync(journal).size, records, 'cut back to its last whole record before the next append');
    await db.commit({ statements: [{ sql: 'INSERT INTO kv (k, v) VALUES (?, ?)', params: ['after', 'reopen'] }] });
    await db.close({ snapshot: false });
    db = await DurableDatabase.open({ dir, migrations: [] });
    assert.deepEqual(db.rows('SELECT k FROM kv ORDER BY k'), [['acknowledged'], ['after']]);
    await db.close();
  } finally {
    cleanup();
  }
});

test('a journal read a window at a time gives the same records, whatever the window size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'journal-window-'));
  try {
    const path = join(dir, 'journal.log');
    await fc.assert(
      fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 700 }), async (payloads, windowBytes) => {
        rmSync(path, { force: true });
        const journal = await Journal.open(path, 0);
        await Promise.all(payloads.map((p, i) => journal.append(i + 1, p)));
        await journal.close();
        const whole = parseJournal(readFileSync(path), path);
        const windowed = readJournalFile(path, windowBytes);
        assert.equal(windowed.validLength, whole.validLength);
        assert.deepEqual(
          windowed.records.map((r) => [r.seq, r.offset, Buffer.from(r.payload)]),
          payloads.map((p, i) => [i + 1, whole.records[i]?.offset, Buffer.from(p)]),
        );
      }),
      { numRuns: 100 },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a request-log segment with entries past 4 GiB is read, counted and appended to at their real offsets', async (t) => {
  const { dir, cleanup } = tempStoreDir();
  try {
    mkdirSync(dir, { recursive: true });
    const unsupported = sparseFilesUnsupported(dir);
    if (unsupported) {
      t.skip(unsupported);
      return;
    }
    const request = (id: string, time: number): RequestLogEntry => ({ requestId: id, time, version: 1, status: 200, latencyMs: 1, rows: 1, inputs: [{ x: time }], outputs: [0] });
    const log = new RequestLog(dir);
    log.append('shop', 'm', [request('before the hole', 1)]);
    await log.close();
    const folder = endpointLogFolder(dir, 'shop');
    const path = join(folder, listSegments(folder)[0]?.name ?? '');
    // An entry past the 4 GiB mark, after a hole (zeros, as damage would leave): it is read once,
    // the scan crossing the hole a window at a time, and kept at its offset.
    const far = FOUR_GIB + 64 * 1024;
    const { inputs, outputs, ...rest } = request('past 4 GiB', 2);
    const frame = encodeFrame({ ...rest, modelName: 'm' }, JSON.stringify(inputs), JSON.stringify(outputs));
    const fd = openSync(path, 'r+');
    writeSync(fd, frame, 0, frame.length, far);
    closeSync(fd);

    // (a segment this big is never written: a writer closes one at 8 MiB; here it goes on writing it)
    const reader = new RequestLog(dir, { segmentBytes: Number.MAX_SAFE_INTEGER });
    assert.deepEqual([...reader.newestFirst('shop')].map((e) => e.requestId), ['past 4 GiB', 'before the hole']);
    reader.append('shop', 'm', [request('appended', 3)]);
    await reader.flushed();
    assert.equal(listSegments(folder).length, 1);
    const size = statSync(path).size;
    assert.ok(size > far + frame.length, `appended after the entry past 4 GiB (file now ${size} bytes)`);
    assert.deepEqual([...reader.newestFirst('shop', { since: 2 })].map((e) => [e.requestId, e.time]), [['appended', 3], ['past 4 GiB', 2]]);
    assert.equal(reader.answeredRows('shop'), 3);
    await reader.close();
  } finally {
    cleanup();
  }
});
