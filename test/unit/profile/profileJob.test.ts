import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runChildJob } from '../../../src/core/process/childJob';
import type { DataProfile } from '../../../src/core/profile/profileTypes';
import { compareProfiles } from '../../../src/core/profile/profileCompare';
import { profileFile } from '../../../src/core/profile/profileFile';
import { profileHtml, profileMarkdown } from '../../../src/core/profile/profileReport';

const dir = mkdtempSync(join(tmpdir(), 'profile-job-'));
const workerEntry = join(__dirname, '../../../src/core/process/workerMain.ts');

test('the profile worker job streams progress and returns the profile', async () => {
  const path = join(dir, 'w.csv');
  writeFileSync(path, 'a,b\n' + Array.from({ length: 5000 }, (_, i) => `${i},${i % 3}`).join('\n') + '\n');
  const events: unknown[] = [];
  const profile = (await runChildJob('profile', { path, target: 'b' }, { workerEntry, onEvent: (e) => events.push(e) })) as DataProfile;
  assert.equal(profile.rows, 5000);
  assert.equal(profile.target?.column, 'b');
  assert.ok(events.length >= 1);
});

test('JSON Lines: types, missing keys, and a bad line named', async () => {
  const path = join(dir, 'r.jsonl');
  writeFileSync(path, '{"x": 1, "s": "a"}\n{"x": 2.5, "s": "b"}\n{"s": "a"}\n{"x": 4, "s": null, "extra": true}\n');
  const p = await profileFile(path);
  assert.equal(p.format, 'jsonl');
  assert.deepEqual(p.columns.map((c) => [c.name, c.type, c.missing]), [['x', 'float', 1], ['s', 'string', 1], ['extra', 'boolean', 3]]);
  assert.equal(p.columns[0]!.numeric!.mean, 7.5 / 3);
  writeFileSync(join(dir, 'bad.jsonl'), '{"x": 1}\n{"x": }\n');
  await assert.rejects(profileFile(join(dir, 'bad.jsonl')), /bad\.jsonl line 2.*not valid JSON/);
});

test('comparing train vs new data flags the shifted column only', async () => {
  const rows = (shift: number): string => 'x,y,c\n' + Array.from({ length: 3000 }, (_, i) => `${(i % 100) + shift},${i % 50},${i % 4 === 0 ? 'a' : 'b'}`).join('\n') + '\n';
  writeFileSync(join(dir, 'train.csv'), rows(0));
  writeFileSync(join(dir, 'new.csv'), rows(60));
  const comparison = compareProfiles(await profileFile(join(dir, 'train.csv')), await profileFile(join(dir, 'new.csv')));
  const status = Object.fromEntries(comparison.columns.map((c) => [c.column, c.status]));
  assert.deepEqual(status, { x: 'drifted', y: 'same', c: 'same' });
});

test('Markdown and HTML reports', async () => {
  writeFileSync(join(dir, 'h.csv'), 'name,v\n"<script>",1\nb,2\nc,3\n');
  const p = await profileFile(join(dir, 'h.csv'));
  assert.match(profileMarkdown(p), /\| v \| integer \| 0\.0% \| 3 \|/);
  const html = profileHtml(p);
  assert.ok(!html.includes('<script>"'));
  assert.match(html, /&#60;script&#62;/);
});

test('Parquet: the same statistics as the CSV of the same data', async () => {
  const { writeParquet } = await import('../data/parquetWriter');
  const path = join(dir, 'p.parquet');
  writeFileSync(path, writeParquet([
    { name: 'x', type: 'double', values: [2, 4, 4, 4, 5, 5, 7, 9] },
    { name: 'g', type: 'string', values: ['a', 'b', null, 'a', 'a', 'b', 'a', 'a'] },
  ]));
  const p = await profileFile(path);
  assert.equal(p.format, 'parquet');
  assert.equal(p.rows, 8);
  assert.equal(p.columns[0]!.numeric!.mean, 5);
  assert.ok(Math.abs(p.columns[0]!.numeric!.std - Math.sqrt(32 / 7)) < 1e-12);
  assert.equal(p.columns[1]!.missing, 1);
  assert.deepEqual(p.columns[1]!.top, [{ value: 'a', count: 5 }, { value: 'b', count: 2 }]);
});
