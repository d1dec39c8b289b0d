import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../lib/runCli';
import { ROOT, penguinsFixture, type ServingFixture } from './servingTestSupport';

describe('mlops serve --features', () => {
  let f: ServingFixture;
  let workspace: string;
  before(async () => {
    f = await penguinsFixture();
    await f.store.close();
    workspace = dirname(f.dir);
    const recent = new Date(Date.now() - 3_600_000).toISOString();
    writeFileSync(join(workspace, 'measurements.csv'), `penguin_id,ts,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g\n7,${recent},40.1,18.2,190,3700\n`);
    writeFileSync(
      join(workspace, 'penguin-features.yaml'),
      'entities:\n  - name: penguin\n    join_keys: [penguin_id]\nsources:\n  - { name: src, path: measurements.csv, timestamp: ts }\nfeature_views:\n  - name: measurements\n    entities: [penguin]\n    source: src\n    ttl: 7d\n    features:\n      - { name: bill_length_mm, type: float }\n      - { name: body_mass_g, type: float }\n',
    );
    const materialized = runCli(['-w', workspace, 'features', 'materialize', '-f', join(workspace, 'penguin-features.yaml')]);
    assert.equal(materialized.status, 0, materialized.stderr);
  });
  after(async () => {
    await f?.cleanup();
  });

  it('says which views it looks up and fills inputs by entity key', async () => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src', 'cli', 'main.ts'), '--workspace', workspace, 'serve', 'models:/penguins/1', '--features', `${join(workspace, 'penguin-features.yaml')}:measurements`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/Ctrl\+C/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(stdout, /Looks up measurements from .*penguin-features\.yaml by entity key; inputs a request gives win\./, stderr);
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataframe_records: [{ penguin_id: 7, island: 'Dream', bill_depth_mm: 18.2, flipper_length_mm: 190, sex: 'male' }] }) });
      assert.equal(res.status, 200, await res.clone().text());
      assert.match(res.headers.get('x-feature-freshness') ?? '', /^measurements;oldest=/);
      const unknown = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ dataframe_records: [{ island: 'Dream', sex: 'male' }] }) });
      assert.equal(unknown.status, 400);
      assert.match(((await unknown.json()) as { message: string }).message, /no "penguin_id" to look up feature view "measurements"/);
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses views it cannot look up, naming them', () => {
    const bad = runCli(['--workspace', workspace, 'serve', 'models:/penguins/1', '--features', `${join(workspace, 'penguin-features.yaml')}:nope`]);
    assert.equal(bad.status, 2, bad.stderr);
    assert.match(bad.stderr, /penguin-features\.yaml has no feature view "nope"; it has: measurements/);
    const malformed = runCli(['--workspace', workspace, 'serve', 'models:/penguins/1', '--features', 'features.json']);
    assert.equal(malformed.status, 2);
    assert.match(malformed.stderr, /--features "features\.json": expected FEATURES\.yaml or FEATURES\.yaml:VIEW,VIEW/);
  });
});
