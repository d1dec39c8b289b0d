import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../lib/runCli';

test('mlops profile and mlops features from a terminal', () => {
  const dir = mkdtempSync(join(tmpdir(), 'features-cli-'));
  writeFileSync(join(dir, 'data.csv'), 'x,y,label\n1,2,a\n2,4,b\n3,6,a\n4,8,b\n');
  const profile = runCli(['profile', join(dir, 'data.csv'), '--target', 'y', '--html', join(dir, 'p.html'), '--save', join(dir, 'p.json')]);
  assert.equal(profile.status, 0, profile.stderr);
  assert.match(profile.stdout, /4 rows · 3 columns/);
  assert.match(profile.stdout, /\*\*leakage\*\* "x" predicts the target "y"/);
  assert.ok(readFileSync(join(dir, 'p.html'), 'utf8').startsWith('<!doctype html>'));
  const compared = runCli(['--json', 'profile', join(dir, 'data.csv'), '--compare', join(dir, 'p.json')]);
  assert.equal(compared.status, 0, compared.stderr);
  assert.deepEqual((JSON.parse(compared.stdout) as { columns: { status: string }[] }).columns.map((c) => c.status), ['same', 'same', 'same']);
  const bad = runCli(['profile', join(dir, 'missing.csv')]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /missing\.csv does not exist/);

  writeFileSync(join(dir, 'events.csv'), 'user,ts,clicks\nu1,2024-01-01T00:00:00Z,3\nu1,2024-01-03T00:00:00Z,5\n');
  writeFileSync(join(dir, 'features.yaml'), 'entities:\n  - name: user\n    join_keys: [user]\nsources:\n  - name: events\n    path: events.csv\n    timestamp: ts\nfeature_views:\n  - name: activity\n    entities: [user]\n    source: events\n    ttl: 1d\n    features:\n      - name: clicks\n        type: integer\n');
  writeFileSync(join(dir, 'entities.csv'), 'user,event_timestamp\nu1,2024-01-01T12:00:00Z\nu1,2024-01-02T12:00:00Z\n');
  const materialized = runCli(['-w', dir, 'features', 'materialize']);
  assert.equal(materialized.status, 0, materialized.stderr);
  assert.ok(existsSync(join(dir, '.mlops', 'features', 'activity', 'online.json')));
  const built = runCli(['-w', dir, 'features', 'get-training-set', join(dir, 'entities.csv'), '--features', 'activity:clicks', '-o', join(dir, 'train.csv')]);
  assert.equal(built.status, 0, built.stderr);
  assert.equal(readFileSync(join(dir, 'train.csv'), 'utf8'), 'user,event_timestamp,clicks\nu1,2024-01-01T12:00:00Z,3\nu1,2024-01-02T12:00:00Z,\n');
  const lineage = runCli(['-w', dir, 'lineage', 'featureSet:activity']);
  assert.match(lineage.stdout, /materialized ← .*events\.csv/);
  assert.match(lineage.stdout, /built → .*train\.csv/);
});

test('a materialization is recorded as a run with what it used and cost; a failed one as FAILED with the reason', () => {
  const dir = mkdtempSync(join(tmpdir(), 'features-run-'));
  writeFileSync(join(dir, 'events.csv'), 'user,ts,clicks\nu1,2024-01-01T00:00:00Z,3\nu2,2024-01-03T00:00:00Z,5\nu1,2024-01-04T00:00:00Z,7\n');
  const spec = (path: string): string => `entities:\n  - name: user\n    join_keys: [user]\nsources:\n  - name: events\n    path: ${path}\n    timestamp: ts\nfeature_views:\n  - name: activity\n    entities: [user]\n    source: events\n    ttl: 1d\n    features:\n      - name: clicks\n        type: integer\n`;
  writeFileSync(join(dir, 'features.yaml'), spec('events.csv'));
  const done = runCli(['-w', dir, 'features', 'materialize', '--cpu-hour-price', '3.6']);
  assert.equal(done.status, 0, done.stderr);
  assert.match(done.stdout, /recorded as run [0-9a-f]+ \(experiment feature-materialization\)/);
  type Listed = { runs: { info: { runName: string; status: string }; data: { metrics: { key: string; value: number }[]; params: { key: string; value: string }[]; tags: { key: string; value: string }[] } }[] };
  const list = (): Listed => JSON.parse(runCli(['-w', dir, '--json', 'runs', 'list', '--experiment', 'feature-materialization']).stdout) as Listed;
  const [run] = list().runs;
  assert.ok(run);
  assert.equal(run.info.status, 'FINISHED');
  assert.equal(run.info.runName, 'materialize activity');
  const metric = (key: string): number | undefined => run.data.metrics.find((m) => m.key === key)?.value;
  assert.equal(metric('rows'), 3);
  assert.equal(metric('entities'), 2);
  assert.ok((metric('cpu_seconds') ?? 0) > 0, 'CPU-seconds measured');
  assert.ok((metric('peak_rss_megabytes') ?? 0) > 10, 'peak memory measured');
  assert.ok((metric('cost') ?? 0) > 0, 'priced at 3.6 per CPU-hour');
  assert.ok(run.data.metrics.some((m) => m.key.startsWith('system/')), 'system metrics sampled');
  assert.equal(run.data.tags.find((t) => t.key === 'mlops.kind')?.value, 'materialization');

  writeFileSync(join(dir, 'features.yaml'), spec('gone.csv'));
  const failed = runCli(['-w', dir, 'features', 'materialize']);
  assert.equal(failed.status, 1);
  const failedRun = list().runs.find((r) => r.info.status === 'FAILED');
  assert.ok(failedRun, 'the failed attempt is a run too');
  assert.match(failedRun.data.tags.find((t) => t.key === 'mlops.error')?.value ?? '', /gone\.csv/);
});
