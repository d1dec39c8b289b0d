import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { profileFile } from '../../../src/core/profile/profileFile';
import { profileHtml } from '../../../src/core/profile/profileReport';
import { parseSavedProfile } from '../../../src/core/profile/savedProfile';
import { comparisonView, profileErrorView, profileView } from '../../../src/vscode/profile/profileViews';

const dir = mkdtempSync(join(tmpdir(), 'profile-panel-'));

test('the profile keeps the first 100 rows as text for the sample grid, no more', async () => {
  const path = join(dir, 'many.csv');
  writeFileSync(path, 'id,name\n' + Array.from({ length: 250 }, (_, i) => `${i},n${i}`).join('\n') + '\n');
  const view = profileView(await profileFile(path));
  assert.deepEqual(view.sample.columns, ['id', 'name']);
  assert.equal(view.sample.rows.length, 100);
  assert.deepEqual(view.sample.rows[0], ['0', 'n0']);
  assert.deepEqual(view.sample.rows[99], ['99', 'n99']);
});

test('empty cells in a numeric column are missing values, not type mismatches', async () => {
  const path = join(dir, 'gaps.csv');
  writeFileSync(path, 'x,y\n1,a\n,b\n3,\n4,d\n');
  const p = await profileFile(path);
  assert.equal(p.columns[0]!.missing, 1);
  assert.equal(p.columns[0]!.mismatches, undefined);
  assert.deepEqual(p.warnings.filter((w) => w.kind === 'typeMismatch'), []);
});

test('the HTML snapshot has no scripts and escapes cell text', async () => {
  const path = join(dir, 'evil.csv');
  writeFileSync(path, 'name,v\n"<script>alert(1)</script>",1\n"<img src=x onerror=alert(2)>",2\nc & d,3\n');
  const html = profileHtml(await profileFile(path, { displayName: 'evil.csv' }));
  assert.doesNotMatch(html, /<script/i);
  assert.doesNotMatch(html, /<img/i);
  assert.match(html, /&#60;script&#62;alert\(1\)&#60;\/script&#62;/);
  assert.match(html, /c &#38; d/);
  assert.match(html, /Content-Security-Policy" content="default-src 'none'/);
});

test('comparison view: per-column missing share, mean and distinct of both sides, and the drift flag', async () => {
  const rows = (shift: number, missingEvery: number): string =>
    'x,c\n' + Array.from({ length: 2000 }, (_, i) => `${i % missingEvery === 0 ? '' : (i % 100) + shift},${i % 3 === 0 ? 'a' : 'b'}`).join('\n') + '\n';
  writeFileSync(join(dir, 'train.csv'), rows(0, 1000));
  writeFileSync(join(dir, 'new.csv'), rows(50, 4));
  const view = comparisonView(await profileFile(join(dir, 'train.csv'), { displayName: 'train.csv' }), await profileFile(join(dir, 'new.csv'), { displayName: 'new.csv' }));
  assert.equal(view.baseline, 'train.csv');
  assert.equal(view.current, 'new.csv');
  const x = view.columns.find((c) => c.column === 'x')!;
  assert.equal(x.status, 'drifted');
  assert.equal(x.missingShare.baseline, 2 / 2000);
  assert.equal(x.missingShare.current, 500 / 2000);
  assert.ok(x.mean.current! - x.mean.baseline! > 45);
  assert.equal(x.distinct.baseline, 100);
  const c = view.columns.find((col) => col.column === 'c')!;
  assert.equal(c.status, 'same');
  assert.deepEqual(c.distinct, { baseline: 2, current: 2 });
  assert.deepEqual(c.mean, { baseline: null, current: null });
});

test('engine errors keep their place: file, line and column', () => {
  assert.deepEqual(profileErrorView('data/bad.csv line 4, column "b": a quoted field is never closed (missing ")'), {
    message: 'data/bad.csv line 4, column "b": a quoted field is never closed (missing ")',
    file: 'data/bad.csv',
    line: 4,
    column: 'b',
  });
  assert.deepEqual(profileErrorView('data/bad.csv line 3: expected 2 fields like the header, found 3').line, 3);
  assert.deepEqual(profileErrorView('r.jsonl line 2 column 7: not valid JSON (Unexpected token)').line, 2);
  assert.deepEqual(profileErrorView('data/none.csv does not exist'), { message: 'data/none.csv does not exist', file: null, line: null, column: null });
});

test('a saved profile reads back; anything else is refused with the file named', async () => {
  const path = join(dir, 'ok.csv');
  writeFileSync(path, 'a\n1\n2\n');
  const p = await profileFile(path);
  assert.equal(parseSavedProfile(JSON.stringify(p), 'ok.profile.json').rows, 2);
  assert.throws(() => parseSavedProfile('{"rows": 3}', 'other.json'), /other\.json is not a saved profile/);
  assert.throws(() => parseSavedProfile('not json', 'x.json'), /x\.json is not a saved profile: /);
});
