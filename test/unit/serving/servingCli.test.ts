import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../lib/runCli';
import { PENGUINS_CSV, ROOT, penguinsFixture, type ServingFixture } from './servingTestSupport';

describe('mlops serve / mlops predict', () => {
  let f: ServingFixture;
  let workspace: string;
  before(async () => {
    f = await penguinsFixture();
    await f.store.close();
    workspace = dirname(f.dir);
  });
  after(async () => {
    await f?.cleanup();
  });

  it('predict writes predictions beside the file and says where', () => {
    const out = join(workspace, 'out.csv');
    const r = runCli(['--workspace', workspace, 'predict', 'models:/penguins@champion', PENGUINS_CSV, '-o', out]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /344 predictions written to .*out\.csv/);
    assert.equal(readFileSync(out, 'utf8').trim().split('\n').length, 345);
    const missing = runCli(['--workspace', workspace, 'predict', 'models:/penguins@nope', PENGUINS_CSV]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no alias "nope"/);
  });

  it('serve prints the URL and a curl example, answers, and stops on Ctrl+C', async () => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src', 'cli', 'main.ts'), '--workspace', workspace, 'serve', 'models:/penguins@champion', '--log-max-rows', '2000', '--log-max-days', '7'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const deadline = Date.now() + 30_000;
      while (!/Ctrl\+C/.test(stdout) && Date.now() < deadline && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 50));
      assert.match(stdout, /Serving models:\/penguins@champion \(version 1\) at http:\/\/127\.0\.0\.1:\d+/, stderr);
      assert.match(stdout, /curl -si http:\/\/127\.0\.0\.1:\d+\/invocations/);
      assert.match(stdout, /curl -s http:\/\/127\.0\.0\.1:\d+\/feedback .*"request_id": "<X-Request-Id>"/);
      assert.match(stdout, /Request log: .*[/\\]\.mlops[/\\]requests[/\\]penguins-champion \(the newest 2,000 requests, at most 7 days; --log-max-rows, --log-max-days\)/);
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
      const body = /-d '(.*)'/.exec(stdout)?.[1] as string;
      const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      assert.equal(res.status, 200);
      assert.equal(((await res.json()) as { predictions: unknown[] }).predictions.length, 1);
      child.kill('SIGINT');
      assert.equal(await exited, 0, stderr);
      await assert.rejects(fetch(`${url}/ping`));
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('serve refuses a request-log retention that keeps nothing, naming the flag', () => {
    const rows = runCli(['--workspace', workspace, 'serve', 'models:/penguins@champion', '--log-max-rows', '0']);
    assert.equal(rows.status, 2, rows.stderr);
    assert.match(rows.stderr, /--log-max-rows must be a whole number of requests, at least 1, got "0"/);
    const days = runCli(['--workspace', workspace, 'serve', 'models:/penguins@champion', '--log-max-days', 'soon']);
    assert.equal(days.status, 2, days.stderr);
    assert.match(days.stderr, /--log-max-days must be a number of days above 0, got "soon"/);
  });

  it('serve stops on SIGTERM while clients keep sending requests', async () => {
    const child = spawn(process.execPath, ['--import', pathToFileURL(require.resolve('tsx')).href, join(ROOT, 'src', 'cli', 'main.ts'), '--workspace', workspace, 'serve', 'models:/penguins@champion'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          if (/Ctrl\+C/.test(stdout)) resolve();
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout)?.[1] as string;
      const body = /-d '(.*)'/.exec(stdout)?.[1] as string;
      let answered = 0;
      let onEnough: () => void = () => undefined;
      const enough = new Promise<void>((resolve) => (onEnough = resolve));
      const client = async (): Promise<void> => {
        for (;;) {
          try {
            const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
            await res.arrayBuffer();
          } catch {
            return; // the endpoint went away
          }
          if (++answered === 50) onEnough();
        }
      };
      const clients = Array.from({ length: 4 }, () => client());
      await enough;
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      await Promise.all(clients);
      assert.match(stderr, /SIGTERM: stopping the endpoint/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
