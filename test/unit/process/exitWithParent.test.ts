import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, describe, test } from 'node:test';
import { runCli } from '../lib/runCli';

const root = join(__dirname, '..', '..', '..');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const work = mkdtempSync(join(tmpdir(), 'mlops-orphans-'));
/** a private copy of the built bundles (cli.js forks worker.js and endpoint.js beside it), so a rebuild meanwhile cannot pull them away */
const bundles = join(work, 'dist');
/** every process a test started or found, killed at the end whatever happened */
const started = new Set<number>();
after(() => {
  for (const pid of started) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone, as it should be
    }
  }
  rmSync(work, { recursive: true, force: true });
});

/** A process that has exited is gone, also while it waits as a zombie for whoever reaps orphans. */
function isGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Live child processes of `parent` whose command line mentions `script`. */
function childrenRunning(parent: number, script: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(script) && !isGone(Number(name))) found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

/** Polls `probe` until it returns a value; fails with `what` when `ms` pass first. */
async function waitFor<T>(what: string, ms: number, probe: () => T | undefined): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) assert.fail(`gave up waiting ${ms / 1000} s for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the built CLI, as `mlops …` from a terminal, with its output collected as it comes. */
function startCli(args: readonly string[]): { child: ChildProcess; output: () => string } {
  const cli = join(bundles, 'cli.js');
  if (!existsSync(cli)) {
    const dist = join(root, 'dist');
    for (const name of ['cli.js', 'worker.js', 'endpoint.js']) assert.ok(existsSync(join(dist, name)), `dist/${name} is missing: build first (node esbuild.mjs)`);
    mkdirSync(bundles);
    for (const entry of readdirSync(dist, { withFileTypes: true })) if (entry.isFile()) copyFileSync(join(dist, entry.name), join(bundles, entry.name));
  }
  const child = spawn(process.execPath, [cli, '--workspace', work, ...args], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child.pid!);
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  return { child, output: () => output };
}

async function killAndExpectGone(parent: ChildProcess, orphan: number, what: string): Promise<void> {
  const exited = new Promise((resolve) => parent.once('exit', resolve));
  parent.kill('SIGKILL');
  await exited;
  await waitFor(`the ${what} (pid ${orphan}) to exit after its parent was killed`, 30_000, () => (isGone(orphan) ? true : undefined));
}

const penguins = (epochs: number, units: number, extra = ''): string =>
  `experiment: orphans\ndataset: ${join(root, 'examples', 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: ${units}}, {units: ${units}}]}\nepochs: ${epochs}\nearly_stopping: false\nseed: 7\n${extra}`;

describe('child processes exit when their parent dies', { skip: process.platform !== 'linux' && 'reads /proc' }, () => {
  test('a training worker stops when the engine running it is killed with SIGKILL (and the `mlops train` following it says so)', async () => {
    const spec = join(work, 'endless.train.yaml');
    // the most epochs a spec allows, of a wide network: ~15 minutes of work on a fast machine
    writeFileSync(spec, penguins(100_000, 128));
    const { child, output } = startCli(['train', spec, '--backend', 'js']);
    await waitFor('the first epoch to be reported', 180_000, () => {
      if (child.exitCode !== null) assert.fail(`mlops train exited early:\n${output()}`);
      return /epoch 1\//.test(output()) ? true : undefined;
    });
    // Trainings run in the engine (a closed terminal does not end them): the worker is the engine's child.
    const enginePid = (JSON.parse(readFileSync(join(work, '.mlops', 'server.json'), 'utf8')) as { pid: number }).pid;
    started.add(enginePid);
    const [worker] = await waitFor('the training worker process', 30_000, () => {
      const found = childrenRunning(enginePid, 'worker.js');
      return found.length > 0 ? found : undefined;
    });
    started.add(worker!);
    const commandExited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    process.kill(enginePid, 'SIGKILL');
    await waitFor(`the training worker (pid ${worker}) to exit after the engine was killed`, 30_000, () => (isGone(worker!) ? true : undefined));
    assert.equal(await commandExited, 1, 'mlops train fails, saying its engine stopped');
    assert.match(output(), /engine running this training stopped/);
  });

  test('an endpoint process stops when the `mlops serve` that owns it is killed with SIGKILL (the engine that runs it stops it)', async () => {
    const spec = join(work, 'small.train.yaml');
    writeFileSync(spec, penguins(2, 8, 'register:\n  model: orphan-penguins\n'));
    const trained = runCli(['--workspace', work, 'train', spec, '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
    const { child, output } = startCli(['--json', 'serve', 'models:/orphan-penguins/1']);
    const url = await waitFor('the endpoint to serve', 120_000, () => {
      if (child.exitCode !== null) assert.fail(`mlops serve exited early:\n${output()}`);
      return /"url": "([^"]+)"/.exec(output())?.[1];
    });
    assert.equal((await fetch(`${url}/ping`)).status, 200);
    // Endpoints run in the engine (it outlives windows and commands); `mlops serve` owns this one.
    const enginePid = (JSON.parse(readFileSync(join(work, '.mlops', 'server.json'), 'utf8')) as { pid: number }).pid;
    started.add(enginePid);
    const [endpoint] = childrenRunning(enginePid, 'endpoint.js');
    assert.ok(endpoint, 'the endpoint runs in a child process of the engine');
    started.add(endpoint);
    await killAndExpectGone(child, endpoint, 'endpoint process');
    await assert.rejects(fetch(`${url}/ping`), 'nobody answers on the port any more');
  });

  test('a script run (and what it started) stops when the `mlops run` that started it is killed with SIGKILL', async () => {
    // the script's own child in the background, as a data loader would be; its pid is what is printed
    const { child, output } = startCli(['run', '--', 'sh', '-c', 'sleep 1000 & echo "script child $!"; wait']);
    const pid = Number(
      await waitFor('the script to start', 120_000, () => {
        if (child.exitCode !== null) assert.fail(`mlops run exited early:\n${output()}`);
        return /script child (\d+)/.exec(output())?.[1];
      }),
    );
    started.add(pid);
    assert.equal(isGone(pid), false);
    await killAndExpectGone(child, pid, "script's background process");
  });

  test('a child whose main thread never yields still exits when its parent is killed', async () => {
    const parent = spawn(process.execPath, ['--import', TSX, join(root, 'test', 'fixtures', 'busyOrphanParent.ts')], { stdio: ['ignore', 'pipe', 'inherit'] });
    started.add(parent.pid!);
    let out = '';
    parent.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const busy = Number(await waitFor('the busy child to run', 60_000, () => /child (\d+)/.exec(out)?.[1]));
    started.add(busy);
    await killAndExpectGone(parent, busy, 'busy child');
  });
});
