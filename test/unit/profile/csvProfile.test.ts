import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { profileCsv } from '../../../src/core/profile/csvProfiler';
import type { ColumnProfile, DataProfile } from '../../../src/core/profile/profileTypes';

const dir = mkdtempSync(join(tmpdir(), 'profile-test-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}
function column(profile: DataProfile, name: string): ColumnProfile {
  const c = profile.columns.find((col) => col.name === name);
  assert.ok(c, `column ${name}`);
  return c;
}
const close = (actual: number | null | undefined, expected: number, digits = 10): void => {
  assert.ok(actual !== null && actual !== undefined && Math.abs(actual - expected) < 10 ** -digits, `${actual} ≈ ${expected}`);
};

// BOM, CRLF, a quoted comma, escaped quotes, one missing cell.
const SMALL = '\ufeffx,y,a,b,c,note\r\n2,1,p,u,k,"hello, world"\r\n4,2,p,u,k,"say ""hi"""\r\n4,3,p,u,k,\r\n4,4,p,v,k,plain\r\n5,5,q,v,k,plain\r\n5,6,q,v,k,plain\r\n7,7,q,v,k,plain\r\n9,8,q,v,k,plain\r\n';

test('numbers worked out by hand: mean, std, quantiles, Pearson, Spearman, Cramér\'s V', async () => {
  const p = await profileCsv(file('small.csv', SMALL));
  assert.equal(p.rows, 8);
  assert.deepEqual(p.columns.map((c) => c.type), ['integer', 'integer', 'string', 'string', 'string', 'string']);
  const x = column(p, 'x').numeric!;
  // x = 2,4,4,4,5,5,7,9: mean 40/8 = 5; squared deviations 9+1+1+1+0+0+4+16 = 32; sample variance 32/7
  assert.equal(x.mean, 5);
  close(x.std, Math.sqrt(32 / 7));
  assert.equal(x.min, 2);
  assert.equal(x.max, 9);
  // type-7 quantiles: p25 at h=1.75 → 4; median at h=3.5 → (4+5)/2; p75 at h=5.25 → 5 + 0.25·(7−5)
  assert.equal(x.percentiles[25], 4);
  assert.equal(x.percentiles[50], 4.5);
  assert.equal(x.percentiles[75], 5.5);
  assert.ok(x.quantilesExact);
  // Pearson(x, y): Σdx·dy = 34, Σdx² = 32, Σdy² = 42
  const pear = p.correlations.pearson;
  close(pear.values[pear.columns.indexOf('x')]![pear.columns.indexOf('y')], 34 / Math.sqrt(32 * 42));
  // Spearman: ranks of x = 1,3,3,3,5.5,5.5,7,8 against 1..8: Σ = 39.5, Σrx² dev = 39.5, Σry² dev = 42
  const sp = p.correlations.spearman;
  close(sp.values[0]![1], 39.5 / Math.sqrt(39.5 * 42));
  // Cramér's V(a, b): table [[3,1],[0,4]], expected [[1.5,2.5],[1.5,2.5]]: χ² = 1.5+0.9+1.5+0.9 = 4.8; V = √(4.8/8)
  const cv = p.correlations.cramersV;
  close(cv.values[cv.columns.indexOf('a')]![cv.columns.indexOf('b')], Math.sqrt(4.8 / 8));
  const note = column(p, 'note');
  assert.equal(note.missing, 1);
  close(note.missingShare, 1 / 8);
  assert.deepEqual(note.top?.slice(0, 3), [
    { value: 'plain', count: 5 },
    { value: 'hello, world', count: 1 },
    { value: 'say "hi"', count: 1 },
  ]);
  assert.equal(column(p, 'a').distinct, 2);
  assert.ok(p.warnings.some((w) => w.kind === 'constant' && w.column === 'c'));
  assert.equal(p.duplicates.rows, 0);
  assert.deepEqual(p.head.rows[1], ['4', '2', 'p', 'u', 'k', 'say "hi"']);
});

test('target association and suspected leakage', async () => {
  const rows = ['id,y,leak,noise,grp'];
  for (let i = 0; i < 60; i++) rows.push(`${i},${i % 7},${(i % 7) * 2 + 1},${(i * 37) % 11},${i % 2 === 0 ? 'even' : 'odd'}`);
  const p = await profileCsv(file('leak.csv', rows.join('\n') + '\n'), { target: 'y' });
  assert.equal(p.target?.column, 'y');
  const leak = p.target?.associations.find((a) => a.column === 'leak');
  close(leak?.value, 1, 9);
  assert.ok(p.warnings.some((w) => w.kind === 'leakage' && w.column === 'leak'));
  assert.ok(!p.warnings.some((w) => w.kind === 'leakage' && w.column === 'noise'));
  assert.equal(p.target?.associations.find((a) => a.column === 'grp')?.measure, 'eta');
});

test('duplicate rows are counted by hashing', async () => {
  const p = await profileCsv(file('dups.csv', 'a,b\n1,x\n2,y\n1,x\n1,x\n2,z\n'));
  assert.equal(p.duplicates.rows, 2);
  assert.ok(p.warnings.some((w) => w.kind === 'duplicates'));
});

test('a column numeric in the first rows with text later: mismatches named with their line', async () => {
  const rows = ['v'];
  for (let i = 0; i < 2100; i++) rows.push(String(i));
  rows.push('oops');
  const p = await profileCsv(file('mixed.csv', rows.join('\n')));
  const v = column(p, 'v');
  assert.equal(v.type, 'integer');
  assert.deepEqual(v.mismatches, { count: 1, firstLine: 2102, firstValue: 'oops' });
});

test('large streams: KLL quantiles within 1% rank, HyperLogLog within 3%, rows spanning reads', async () => {
  const n = 120_000;
  const rows = ['u,k'];
  for (let i = 0; i < n; i++) rows.push(`${(i * 7919) % n},key${i}`);
  const path = file('big.csv', rows.join('\n') + '\n');
  const { scanCsvFile } = await import('../../../src/core/profile/csvScanner');
  let seen = 0;
  await scanCsvFile(path, { chunkBytes: 1000, onHeader: () => undefined, onRow: () => void seen++ });
  assert.equal(seen, n);
  const p = await profileCsv(path);
  const u = column(p, 'u').numeric!;
  assert.ok(!u.quantilesExact);
  for (const q of [10, 50, 90]) assert.ok(Math.abs(u.percentiles[q]! - (q / 100) * n) < 0.01 * n, `p${q} = ${u.percentiles[q]}`);
  const k = column(p, 'k');
  assert.equal(k.distinctExact, false);
  assert.ok(Math.abs(k.distinct - n) < 0.03 * n, `distinct ${k.distinct}`);
  assert.ok(p.warnings.some((w) => w.kind === 'highCardinality' && w.column === 'k'));
});

test('malformed files name the line and column', async () => {
  await assert.rejects(profileCsv(file('unclosed.csv', 'a,b\n1,2\n3,"oops\n')), /unclosed\.csv line 3, column "b": a quoted field is never closed/);
  await assert.rejects(profileCsv(file('count.csv', 'a,b\n1,2\n3\n')), /count\.csv line 3: expected 2 fields like the header, found 1/);
  await assert.rejects(profileCsv(file('after.csv', 'a,b\n1,"2"x\n')), /after\.csv line 2, column "b": unexpected character "x" after a closing quote/);
  await assert.rejects(profileCsv(file('empty.csv', '')), /empty\.csv is empty/);
  await assert.rejects(profileCsv(join(dir, 'absent.csv')), /absent\.csv does not exist/);
  await assert.rejects(profileCsv(file('t.csv', 'a\n1\n'), { target: 'nope' }), /target column "nope" is not in .*t\.csv; its columns are: a/);
});
