import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import { crc32, crc32Portable } from '../../../src/core/store/crc32';
import { Journal, parseJournal, readJournalFile } from '../../../src/core/store/journal';
import { StoreCorruptError } from '../../../src/core/store/storeErrors';

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

test('a flipped byte is either reported (with its record offset) or, only in the last record, dropped as a torn tail', async () => {
  await fc.assert(
    fc.asyncProperty(PAYLOADS, fc.nat(), fc.integer({ min: 1, max: 255 }), async (payloads, at, mask) => {
      const { bytes, offsets } = await writeJournal(payloads);
      const index = 8 + (at % (bytes.length - 8)); // the 8-byte file header has its own check
      const damaged = Buffer.from(bytes);
      damaged[index] = (damaged[index] as number) ^ mask;
      const hit = offsets.filter((o) => o <= index).length - 1;
      try {
        const result = parseJournal(damaged, 'journal.log');
        assert.equal(hit, payloads.length - 1, `damage in record ${hit} of ${payloads.length} was not reported`);
        assert.equal(result.records.length, payloads.length - 1);
        result.records.forEach((r, i) => assert.deepEqual(r.payload, payloads[i]));
        assert.equal(result.warnings.length, 1);
      } catch (error) {
        if (!(error instanceof StoreCorruptError)) throw error;
        assert.equal(error.offset, offsets[hit]);
      }
    }),
    { numRuns: 300 },
  );
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
