import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32, crc32Portable } from '../../../src/core/store/crc32';
import { Journal, JOURNAL_HEADER_BYTES, parseJournal, readJournalFile } from '../../../src/core/store/journal';
import { StoreCorruptError } from '../../../src/core/store/storeErrors';
import { openWorkspaceStore } from '../../../src/core/store/workspaceStore';
import { tempStoreDir } from './testSupport';

async function writeJournal(payloads: readonly Buffer[]): Promise<{ bytes: Buffer; offsets: number[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'journal-'));
  try {
    const path = join(dir, 'journal.log');
    const journal = await Journal.open(path, 0);
    await Promise.all(payloads.map((p, i) => journal.append(i + 1, p)));
    await journal.close();
    const bytes = readFileSync(path);
    return { bytes, offsets: readJournalFile(path).records.map((r) => r.offset) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const PAYLOADS = fc.array(fc.uint8Array({ minLength: 0, maxLength: 64 }).map((a) => Buffer.from(a)), { minLength: 1, maxLength: 12 });

test('a journal cut anywhere yields exactly the records that were complete, never a damaged one', async () => {
  await fc.assert(
    fc.asyncProperty(PAYLOADS, fc.double({ min: 0, max: 1, noNaN: true }), async (payloads, where) => {
      const { bytes, offsets } = await writeJournal(payloads);
      const cut = Math.floor(where * bytes.length);
      const result = parseJournal(bytes.subarray(0, cut), 'journal.log');
      const complete = payloads.filter((p, i) => (offsets[i] as number) + 20 + p.length <= cut).length;
      assert.equal(result.records.length, complete);
      result.records.forEach((r, i) => assert.deepEqual(r.payload, payloads[i]));
    }),
    { numRuns: 150 },
  );
});

test('a flipped byte anywhere, the last record included, is reported with the offset of what it hit', async () => {
  await fc.assert(
    fc.asyncProperty(PAYLOADS, fc.nat(), fc.integer({ min: 1, max: 255 }), async (payloads, at, mask) => {
      const { bytes, offsets } = await writeJournal(payloads);
      const index = at % bytes.length;
      const damaged = Buffer.from(bytes);
      damaged[index] = (damaged[index] as number) ^ mask;
      // the magic (0–7; "MLOPSJ02" flipped to "MLOPSJ01" reads as the old header, whose first
      // record then fails at 8), the header's base sequence number and its checksum (8–19), or a record
      const expected = index < 8 ? [0, 8] : index < JOURNAL_HEADER_BYTES ? [8] : [offsets.filter((o) => o <= index).at(-1)];
      assert.throws(
        () => parseJournal(damaged, 'journal.log'),
        (error: unknown) => error instanceof StoreCorruptError && expected.includes(error.offset),
        `a flipped byte at ${index} was not reported at ${expected.join(' or ')}`,
      );
    }),
    { numRuns: 300 },
  );
});

test('a last record whose end was never written (zeros from a block boundary) is a torn write, dropped with a warning', async () => {
  const payloads = [Buffer.from('first'), Buffer.alloc(10_000, 7)];
  const { bytes, offsets } = await writeJournal(payloads);
  const last = offsets[1] as number;
  const boundary = Math.ceil((last + 100) / 4096) * 4096;
  const torn = Buffer.from(bytes);
  torn.fill(0, boundary);
  const result = parseJournal(torn, 'journal.log');
  assert.deepEqual(result.records.map((r) => r.payload.toString()), ['first']);
  assert.equal(result.validLength, last);
  assert.match(result.warnings[0] as string, /dropped a torn last record/);
  // The same record with one byte changed and no zeros is damage, not a torn write.
  const flipped = Buffer.from(bytes);
  flipped[boundary + 10] = 8;
  assert.throws(() => parseJournal(flipped, 'journal.log'), /the last journal record is whole but fails its checksum.*mlops doctor --repair/);
});

test('the portable CRC-32 agrees with the native one', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(), (bytes, seedIndex) => {
      const previous = crc32(Buffer.from([seedIndex & 0xff]));
      assert.equal(crc32Portable(bytes, previous), crc32(bytes, previous));
    }),
    { numRuns: 500 },
  );
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
});

test('a journal in the first format (8-byte header, no base sequence number) is still read, and a store opens on it', async () => {
  const { bytes } = await writeJournal([Buffer.from('one'), Buffer.from('two')]);
  const v1 = Buffer.concat([Buffer.from('MLOPSJ01', 'latin1'), bytes.subarray(JOURNAL_HEADER_BYTES)]);
  const result = parseJournal(v1, 'journal.log');
  assert.deepEqual(result.records.map((r) => [r.seq, r.payload.toString(), r.offset]), [[1, 'one', 8], [2, 'two', 8 + 20 + 3]]);
  assert.equal(result.validLength, v1.length);
  assert.deepEqual(result.warnings, []);

  const { dir, cleanup } = tempStoreDir();
  try {
    let store = await openWorkspaceStore({ dir, writerName: 'format test' });
    await store.tracking.createExperiment('kept');
    await store.close({ snapshot: false });
    const path = join(dir, 'journal.log');
    const current = readFileSync(path);
    writeFileSync(path, Buffer.concat([Buffer.from('MLOPSJ01', 'latin1'), current.subarray(JOURNAL_HEADER_BYTES)]));
    store = await openWorkspaceStore({ dir, writerName: 'format test' });
    assert.ok((await store.tracking.searchExperiments()).experiments.some((e) => e.name === 'kept'));
    await store.close();
    assert.equal(readFileSync(path).subarray(0, 8).toString('latin1'), 'MLOPSJ02', 'the next checkpoint writes the current header');
  } finally {
    cleanup();
  }
});
