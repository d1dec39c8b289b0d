// The engine in real VS Code: one process holds the workspace store; the window, a second window
// and the CLI are its clients. With a window open the CLI trains, registers, serves, predicts and
// lists, and the window shows each result as it happens; a reload keeps an endpoint answering;
// two windows and several CLI writers at once lose nothing.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXTENSION_DIR, launchBrowser, makeWorkspace, mlops, mlopsView, openMlopsViews, openWorkbench, closeWorkbench, reloadWorkbench, screenshot, treeRows, waitForText, withWorkbench } from './lib/workbench.mjs';

/** `mlops …` in the background (a terminal beside VS Code), with its output collected. */
function mlopsAsync(workspace, ...args) {
  const child = spawn(process.execPath, [join(EXTENSION_DIR, 'dist', 'cli.js'), '-w', workspace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, output: () => ({ stdout, stderr }) };
}

async function until(what, probe, ms = 60_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Opens a collapsed view pane (a click on an open one would close it). */
async function expand(pane) {
  const header = pane.locator('.pane-header');
  if ((await header.getAttribute('aria-expanded')) !== 'true') await header.click();
}

function enginePid(workspace) {
  return JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8')).pid;
}

describe('the MLOps engine with VS Code open', () => {
  let browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('the CLI trains, registers, serves, predicts and lists while the window shows each result; a reload keeps the endpoint answering', { timeout: 420_000 }, async () => {
    const workspace = makeWorkspace('engine');
    await withWorkbench(browser, workspace, 'engine', async (page) => {
      await openMlopsViews(page);
      const experiments = mlopsView(page, 'Experiments');

      // No store yet: the CLI creates it (and starts the engine); the open window follows.
      const train = mlopsAsync(workspace, 'train', join(workspace, 'penguins.train.yaml'), '--quiet');
      assert.equal(await train.exited, 0, train.output().stderr);
      await waitForText(treeRows(experiments).first(), /penguins/, 60_000);
      const runId = JSON.parse(mlops(workspace, '--json', 'runs', 'list')).runs[0].info.runId;

      mlops(workspace, 'models', 'register', runId, '--name', 'penguins', '--actor', 'alice');
      mlops(workspace, 'models', 'alias', 'set', 'penguins', 'champion', '1', '--actor', 'alice');
      const models = mlopsView(page, 'Models');
      await expand(models);
      await waitForText(models.locator('.pane-body'), /penguins/, 60_000);
      assert.match(mlops(workspace, 'models', 'list'), /penguins/);

      // `mlops serve` runs its endpoint in the engine: the window's Endpoints view lists it.
      const serve = mlopsAsync(workspace, 'serve', 'models:/penguins@champion');
      try {
        const url = await until('mlops serve to print its address', () => /at (http:\/\/127\.0\.0\.1:\d+)/.exec(serve.output().stdout)?.[1]);
        const body = /-d '(.*)'/.exec(serve.output().stdout)?.[1];
        const endpoints = mlopsView(page, 'Endpoints');
        await expand(endpoints);
        await waitForText(endpoints.locator('.pane-body'), /penguins-champion/, 60_000);
        await screenshot(page, 'engine-cli-results-live');

        const predicted = mlopsAsync(workspace, 'predict', 'models:/penguins@champion', join(workspace, 'data', 'penguins.csv'), '-o', join(workspace, 'predictions.csv'));
        assert.equal(await predicted.exited, 0, predicted.output().stderr);

        // Traffic while the window reloads: the endpoint is the engine's, not the window's.
        let answered = 0;
        const failures = [];
        let sending = true;
        const client = (async () => {
          while (sending) {
            try {
              const res = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
              if (res.status === 200) answered++;
              else failures.push(`HTTP ${res.status}`);
              await res.arrayBuffer();
            } catch (error) {
              failures.push(String(error));
            }
          }
        })();
        await until('traffic to flow', () => answered > 20);
        const engineBefore = enginePid(workspace);
        await reloadWorkbench(page);
        const afterReload = answered;
        await until('traffic after the reload', () => answered > afterReload + 20);
        const endpointsAgain = mlopsView(page, 'Endpoints');
        await expand(endpointsAgain);
        await waitForText(endpointsAgain.locator('.pane-body'), /penguins-champion\s*v1 · [1-9]/, 60_000);
        sending = false;
        await client;
        assert.deepEqual(failures, [], 'every request was answered while the window reloaded');
        assert.equal(enginePid(workspace), engineBefore, 'the reloaded window found the same engine');
        await screenshot(page, 'engine-endpoint-after-reload');
      } finally {
        serve.child.kill('SIGINT');
        assert.equal(await serve.exited, 0, serve.output().stderr);
      }
    });
  });

  test('two windows and three CLI writers at once: one engine, nothing lost, both windows see every run', { timeout: 300_000 }, async () => {
    const workspace = makeWorkspace('engine-two');
    mlops(workspace, 'engine', 'start');
    const first = await openWorkbench(browser, workspace);
    const second = await openWorkbench(browser, workspace);
    try {
      await openMlopsViews(first.page);
      await openMlopsViews(second.page);
      const writers = [0, 1, 2].map((w) =>
        (async () => {
          const start = mlopsAsync(workspace, 'log', 'start', '-e', 'together', '-n', `writer-${w}`, '--owner-pid', '0');
          assert.equal(await start.exited, 0, start.output().stderr);
          const runId = start.output().stdout.trim();
          for (let step = 0; step < 10; step++) {
            const point = mlopsAsync(workspace, 'log', 'metric', runId, 'loss', String(1 / (step + 1)), '--step', String(step));
            assert.equal(await point.exited, 0, point.output().stderr);
          }
          const end = mlopsAsync(workspace, 'log', 'end', runId);
          assert.equal(await end.exited, 0, end.output().stderr);
          return runId;
        })(),
      );
      const runIds = await Promise.all(writers);
      // Read back as an MLflow client would, from the engine's REST API.
      const { url, token } = JSON.parse(readFileSync(join(workspace, '.mlops', 'server.json'), 'utf8'));
      for (const runId of runIds) {
        const res = await fetch(`${url}/api/2.0/mlflow/metrics/get-history?run_id=${runId}&metric_key=loss`, { headers: { Authorization: `Bearer ${token}` } });
        const { metrics } = await res.json();
        assert.deepEqual(metrics.map((m) => m.step).sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `run ${runId} has each of its 10 points once`);
      }
      for (const page of [first.page, second.page]) {
        const experiments = mlopsView(page, 'Experiments');
        await waitForText(experiments.locator('.pane-body'), /together/, 60_000);
      }
      assert.match(mlops(workspace, 'engine', 'status'), /MLOps engine holds/);
      await screenshot(second.page, 'engine-second-window');
    } finally {
      await closeWorkbench(first);
      await closeWorkbench(second);
    }
  });
});
