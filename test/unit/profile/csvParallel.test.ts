import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { findSplits } from '../../../src/core/profile/csvParallel';
import { profileCsv, profileCsvOnePass } from '../../../src/core/profile/csvProfiler';
import { fieldText, scanCsvFile } from '../../../src/core/profile/csvScanner';
import type { DataProfile } from '../../../src/core/profile/profileTypes';

const dir = mkdtempSync(join(tmpdir(), 'profile-parallel-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
const split = { minRangeBytes: 0 };

/**
 * Deep equality of two profiles; moments and Pearson merge with other rounding, so numbers must
 * agree to 1e-9 relative (everything else — counts, distincts, tops, samples below their cap,
 * exact quantiles, lines — must be identical). Compacted KLL sketches (> 256 values) merge into
 * another approximation: those percentiles must agree within 2% in rank.
 */
function assertSameProfile(actual: DataProfile, expected: DataProfile): void {
  const walk = (a: unknown, e: unknown, at: string): void => {
    const summary = e as { quantilesExact?: boolean; percentiles?: number[]; min: number; max: number } | null;
    if (summary?.quantilesExact === false && summary.percentiles) {
      const got = (a as { percentiles: number[] }).percentiles;
      const want = summary.percentiles;
      const slack = 0.01 * (summary.max - summary.min);
      // within 2% in rank: between the expected percentiles two steps either side
      want.forEach((q, i) => {
        const lo = want[Math.max(0, i - 2)]! - slack;
        const hi = want[Math.min(100, i + 2)]! + slack;
        assert.ok(got[i]! >= lo && got[i]! <= hi, `${at}.percentiles.${i}: ${got[i]} vs ${q}`);
      });
      const { percentiles: _a, ...restA } = a as Record<string, unknown>;
      const { percentiles: _e, ...restE } = e as Record<string, unknown>;
      return walk(restA, restE, at + '(without percentiles)');
    }
    if (typeof e === 'number' && typeof a === 'number') {
      if (Number.isNaN(e)) return assert.ok(Number.isNaN(a), at);
      assert.ok(a === e || Math.abs(a - e) <= 1e-9 * Math.max(1, Math.abs(e)), `${at}: ${a} vs ${e}`);
      return;
    }
    if (e !== null && typeof e === 'object') {
      assert.ok(a !== null && typeof a === 'object', at);
      const keys = new Set([...Object.keys(e), ...Object.keys(a as object)]);
      for (const k of keys) {
        if (at === '' && (k === 'elapsedMs' || k === 'createdAt')) continue;
        walk((a as Record<string, unknown>)[k], (e as Record<string, unknown>)[k], `${at}.${k}`);
      }
      return;
    }
    assert.equal(a, e, at);
  };
  walk(actual, expected, '');
}

/** Rows with numbers, text, quoted commas, "" escapes, quoted newlines, missing cells and a duplicate. */
function mixedRows(n: number, eol = '\n'): string {
  const lines = ['id,x,y,city,note,when'];
  for (let i = 0; i < n; i++) {
    const note = i % 97 === 0 ? `"line one${eol}line two, with comma${eol}and ""quotes"""` : i % 13 === 0 ? '' : `n${i % 7}`;
    const x = i % 31 === 0 ? 'NA' : ((i * 7919) % 1000) / 10;
    lines.push(`${i % 500 === 499 ? 1 : i},${x},${(i % 17) - 8},${['"Vila Real, Norte"', 'Porto', 'Faro'][i % 3]},${note},2024-01-${String((i % 28) + 1).padStart(2, '0')}`);
  }
  return lines.join(eol) + eol;
}

test('2 and 3 ranges give the single pass profile: quoted newlines and commas, CRLF, BOM, missing cells', async () => {
  const fixtures = [
    file('lf.csv', mixedRows(3000)),
    file('crlf.csv', '\ufeff' + mixedRows(3000, '\r\n')),
    file('small.csv', mixedRows(40)),
  ];
  for (const path of fixtures) {
    const one = await profileCsvOnePass(path, { target: 'y' });
    for (const workers of [2, 3]) assertSameProfile(await profileCsv(path, { target: 'y' }, { workers, ...split }), one);
  }
  const one = await profileCsvOnePass(fixtures[0]!);
  assert.equal(one.rows, 3000);
  assert.equal(one.duplicates.rows, 0);
  assert.ok(one.columns.find((c) => c.name === 'note')?.top?.some((t) => t.value === 'line one\nline two, with comma\nand "quotes"'));
});

test('a quoted field with many lines across the middle: the split is moved past it, never inside it', async () => {
  const rows = ['a,text'];
  for (let i = 0; i < 1000; i++) rows.push(`${i},short`);
  rows.push(`1000,"${Array.from({ length: 400 }, (_, k) => `inside ${k}`).join('\n')}"`);
  for (let i = 1001; i < 2000; i++) rows.push(`${i},short`);
  const text = rows.join('\n') + '\n';
  const path = file('multiline.csv', text);
  const quoteStart = text.indexOf('"');
  const quoteEnd = text.indexOf('"', quoteStart + 1);
  const middle = Math.floor(text.length / 2);
  assert.ok(quoteStart < middle && middle < quoteEnd, 'the fixture puts the middle inside the quoted field');
  const [, cut] = await findSplits(path, text.length, 2);
  assert.ok(cut! > quoteEnd, `cut ${cut} after the closing quote at ${quoteEnd}`);
  const parallel = await profileCsv(path, {}, { workers: 2, ...split });
  assertSameProfile(parallel, await profileCsvOnePass(path));
  assert.equal(parallel.rows, 2000);
  assert.equal(parallel.columns[0]!.numeric!.max, 1999);
});

test('a stray quote in an unquoted field fools the parity pass: the bad cut is detected and one pass is used', async () => {
  const rows = ['h,text'];
  rows.push(`0,5'10"`); // a literal quote: parity is now wrong
  for (let i = 1; i < 1000; i++) rows.push(`${i},short`);
  rows.push(`1000,"${Array.from({ length: 400 }, (_, k) => `inside ${k}`).join('\n')}"`);
  for (let i = 1001; i < 2000; i++) rows.push(`${i},short`);
  const text = rows.join('\n') + '\n';
  const path = file('stray.csv', text);
  const open = text.indexOf('"', text.indexOf('1000,'));
  const close = text.indexOf('"', open + 1);
  const [, cut] = await findSplits(path, text.length, 2);
  assert.ok(cut! > open && cut! < close, 'parity puts the cut inside the quoted field');
  const parallel = await profileCsv(path, {}, { workers: 2, ...split });
  assertSameProfile(parallel, await profileCsvOnePass(path));
  assert.equal(parallel.rows, 2000);
  assert.equal(parallel.columns[1]!.distinct, 3);
});

test('every range boundary is a row boundary: the ranges together hold every row once', async () => {
  const text = mixedRows(5000);
  const path = file('ranges.csv', text);
  const bounds = await findSplits(path, text.length, 4);
  let rows = 0;
  for (let i = 0; i < 4; i++) {
    const result = await scanCsvFile(path, {
      range: { start: bounds[i]!, end: bounds[i + 1]!, ...(i > 0 ? { header: ['id', 'x', 'y', 'city', 'note', 'when'] } : {}) },
      onHeader: () => undefined,
      onRow: () => void rows++,
    });
    assert.equal(result.crossedEnd, false);
  }
  assert.equal(rows, 5000);
});

test('a later range reports type mismatches and duplicates with the file\'s line numbers', async () => {
  const rows = ['v,k'];
  for (let i = 0; i < 3000; i++) rows.push(`${i},${i % 10}`);
  rows.push('oops,1', '5,5', '5,5');
  const path = file('late.csv', rows.join('\n') + '\n');
  const parallel = await profileCsv(path, {}, { workers: 3, ...split });
  assert.deepEqual(parallel.columns[0]!.mismatches, { count: 1, firstLine: 3002, firstValue: 'oops' });
  assert.equal(parallel.duplicates.rows, 2); // "5,5" twice, once already at line 7
  assertSameProfile(parallel, await profileCsvOnePass(path));
});

test('malformed input in a later range still names the file\'s line and column', async () => {
  const rows = ['a,b'];
  for (let i = 0; i < 3000; i++) rows.push(`${i},${i}`);
  const ragged = [...rows.slice(0, 2800), '7', ...rows.slice(2800)];
  await assert.rejects(profileCsv(file('ragged.csv', ragged.join('\n') + '\n'), {}, { workers: 2, ...split }), /ragged\.csv line 2801: expected 2 fields like the header, found 1/);
  await assert.rejects(profileCsv(file('quote.csv', rows.join('\n') + '\n9,"x\n'), {}, { workers: 3, ...split }), /quote\.csv line 3002, column "b": a quoted field is never closed/);
  await assert.rejects(profileCsv(file('after.csv', [...rows.slice(0, 2500), '1,"2"x', ...rows.slice(2500)].join('\r\n')), {}, { workers: 2, ...split }), /after\.csv line 2501, column "b": unexpected character "x" after a closing quote/);
  // two bad rows in two ranges: the first in the file is reported, as in one pass
  const twice = [...rows.slice(0, 500), '1', ...rows.slice(500, 2800), '2,2,2', ...rows.slice(2800)];
  await assert.rejects(profileCsv(file('twice.csv', twice.join('\n') + '\n'), {}, { workers: 2, ...split }), /twice\.csv line 501: expected 2 fields/);
});

test('a Latin-1 byte is refused with its line and column, in one pass and in a later range, instead of profiling a U+FFFD category', async () => {
  const rows = ['name,city'];
  for (let i = 0; i < 3000; i++) rows.push(`${i},Paris`);
  const latin1 = Buffer.concat([Buffer.from([...rows.slice(0, 2700), '7,Montr'].join('\n')), Buffer.from([0xe9]), Buffer.from('al\n' + rows.slice(2700).join('\n') + '\n')]);
  const path = join(dir, 'latin1.csv');
  writeFileSync(path, latin1);
  const expected = /latin1\.csv line 2701, column "city": byte 0xE9 after "Montr" is not valid UTF-8 .* save it as UTF-8/;
  await assert.rejects(profileCsvOnePass(path), expected);
  await assert.rejects(profileCsv(path, {}, { workers: 2, ...split }), expected);
  // a multi-byte character cut by a read boundary is still valid
  const utf8 = file('utf8.csv', ['name,city', ...Array.from({ length: 2000 }, (_, i) => `${i},Montréal ☃`)].join('\n') + '\n');
  const cities = new Set<string>();
  const scanned = await scanCsvFile(utf8, { chunkBytes: 1000, onHeader: () => {}, onRow: (row) => void cities.add(fieldText(row, 1)) });
  assert.equal(scanned.rows, 2000);
  assert.deepEqual([...cities], ['Montréal ☃']);
});

test('a named pipe is refused before it is opened (opening it would wait for a writer forever)', { skip: process.platform === 'win32' }, async () => {
  const fifo = join(dir, 'pipe.csv');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(profileCsv(fifo), /pipe\.csv is a named pipe \(FIFO\), not a regular file/);
  await assert.rejects(scanCsvFile(fifo, { onHeader: () => {}, onRow: () => {} }), /named pipe/);
});

test('tiny files: empty, header only, one row, no final newline', async () => {
  await assert.rejects(profileCsv(file('empty.csv', ''), {}, { workers: 2, ...split }), /empty\.csv is empty/);
  for (const [name, text] of [['header.csv', 'a,b\n'], ['one.csv', 'a,b\n1,x\n'], ['nonl.csv', 'a,b\n1,x\n2,y']] as const) {
    const path = file(name, text);
    assertSameProfile(await profileCsv(path, {}, { workers: 3, ...split }), await profileCsvOnePass(path));
  }
  const one = await profileCsv(join(dir, 'one.csv'), {}, { workers: 2, ...split });
  assert.equal(one.rows, 1);
  assert.deepEqual(one.head.rows, [['1', 'x']]);
});

test('progress adds up over the ranges, and cancelling stops the workers', async () => {
  const path = file('progress.csv', mixedRows(20_000));
  const seen: number[] = [];
  const p = await profileCsv(path, { onProgress: (e) => seen.push(e.bytesDone) }, { workers: 2, ...split });
  assert.equal(seen.at(-1), p.bytes);
  const controller = new AbortController();
  const cancelled = profileCsv(path, { signal: controller.signal, onProgress: () => controller.abort() }, { workers: 2, ...split });
  await assert.rejects(cancelled, /Profiling .*progress\.csv was cancelled/);
});
