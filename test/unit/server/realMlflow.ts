import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

// A real MLflow tracking server for tests that compare against the real thing. Found as
// /work/shared/mlflow/README.md asks: $MLFLOW_PYTHONPATH, then ../shared/mlflow beside the repo
// (source archive + start-server.sh), then an importable `mlflow`; otherwise a one-line reason.

const REPO = resolve(__dirname, '..', '..', '..');
const SHARED = join(REPO, '..', 'shared', 'mlflow');

export interface RealMlflow {
  readonly url: string;
  readonly version: string;
  stop(): Promise<void>;
}

type Launch = { kind: 'script'; script: string } | { kind: 'module'; python: string; pythonPath: string | undefined };

/** Debian's interpreter sees the apt packages; another python3 on PATH may not. */
function python(): string {
  return existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function imports(py: string, pythonPath: string | undefined): boolean {
  const env = { ...process.env, ...(pythonPath === undefined ? {} : { PYTHONPATH: pythonPath }) };
  return spawnSync(py, ['-c', 'import mlflow.server.handlers'], { env, stdio: 'ignore', timeout: 60_000 }).status === 0;
}

/** How to start MLflow here, or why it cannot be. */
export function findMlflow(): Launch | { reason: string } {
  const py = python();
  const fromEnv = process.env.MLFLOW_PYTHONPATH;
  if (fromEnv) {
    return imports(py, fromEnv) ? { kind: 'module', python: py, pythonPath: fromEnv } : { reason: `MLFLOW_PYTHONPATH is set but ${py} cannot import mlflow.server from it` };
  }
  const script = join(SHARED, 'start-server.sh');
  if (existsSync(script)) return { kind: 'script', script };
  if (imports(py, undefined)) return { kind: 'module', python: py, pythonPath: undefined };
  return { reason: 'no MLflow here (set MLFLOW_PYTHONPATH, put the archive at ../shared/mlflow, or pip install mlflow)' };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function output(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health`, { signal: AbortSignal.timeout(2_000) })).ok;
  } catch {
    return false;
  }
}

function stopGroup(pid: number): Promise<void> {
  try {
    process.kill(-pid, 'SIGTERM');
  } catch {
    return Promise.resolve();
  }
  // gunicorn stops its workers first; wait until the group is gone (bounded).
  return new Promise((done) => {
    const deadline = Date.now() + 15_000;
    const check = (): void => {
      try {
        process.kill(-pid, 0);
      } catch {
        done();
        return;
      }
      if (Date.now() > deadline) {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
        done();
        return;
      }
      setTimeout(check, 100);
    };
    check();
  });
}

/**
 * Starts MLflow on a fresh SQLite store with proxied artifacts (as start-server.sh does); resolves
 * once /health answers, or a string saying why it could not start.
 */
export async function startRealMlflow(launch: Launch): Promise<RealMlflow | string> {
  const data = mkdtempSync(join(tmpdir(), 'mlflow-diff-'));
  const cleanup = (): void => rmSync(data, { recursive: true, force: true });
  if (launch.kind === 'script') {
    const child = spawn('bash', [launch.script, data, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const { code, stdout, stderr } = await output(child);
    const match = /MLFLOW_URL=(\S+) MLFLOW_PID=(\d+)/.exec(stdout);
    if (code !== 0 || !match) {
      cleanup();
      return `start-server.sh failed (exit ${String(code)}): ${stderr.trim().split('\n').slice(-1)[0] ?? ''}`;
    }
    const url = match[1] as string;
    const pid = Number(match[2]);
    const version = (await (await fetch(`${url}/version`)).text()).trim();
    return { url, version, stop: async () => { await stopGroup(pid); cleanup(); } };
  }
  const port = await freePort();
  const env = { ...process.env, ...(launch.pythonPath === undefined ? {} : { PYTHONPATH: launch.pythonPath }) };
  const args = ['-m', 'mlflow', 'server', '--backend-store-uri', `sqlite:///${join(data, 'mlflow.db')}`, '--artifacts-destination', join(data, 'artifacts'), '--host', '127.0.0.1', '--port', String(port), '--workers', '1'];
  const child = spawn(launch.python, args, { env, detached: true, stdio: 'ignore' });
  const pid = child.pid as number;
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (!(await answers(url))) {
    if (exited || Date.now() > deadline) {
      await stopGroup(pid);
      cleanup();
      return exited ? 'mlflow server exited before answering /health' : 'mlflow server did not answer /health within 60 s';
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const version = (await (await fetch(`${url}/version`)).text()).trim();
  return { url, version, stop: async () => { await stopGroup(pid); cleanup(); } };
}

/**
 * Finds and starts a real MLflow for test `t`, or skips it with the one-line reason MLflow is not
 * there (a user's machine without MLflow must not fail the suite for that alone).
 */
export async function realMlflowOrSkip(t: { skip(message: string): void }): Promise<RealMlflow | undefined> {
  const found = findMlflow();
  if ('reason' in found) {
    t.skip(found.reason);
    return undefined;
  }
  const mlflow = await startRealMlflow(found);
  if (typeof mlflow === 'string') {
    t.skip(mlflow);
    return undefined;
  }
  return mlflow;
}

/** How to run Python with the `mlflow` client importable (for pyfunc and `mlflow models predict`). */
export interface MlflowPython {
  readonly python: string;
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Finds the stock `mlflow` Python client, in the order the shared README asks; the archive is
 * unpacked where start-server.sh unpacks it (or, while that is half-done, into a folder of our own).
 */
export function findMlflowPython(): MlflowPython | { reason: string } {
  const py = python();
  const withPath = (pythonPath: string | undefined): MlflowPython => ({ python: py, env: { ...process.env, ...(pythonPath === undefined ? {} : { PYTHONPATH: pythonPath }) } });
  const fromEnv = process.env.MLFLOW_PYTHONPATH;
  if (fromEnv) return imports(py, fromEnv) ? withPath(fromEnv) : { reason: `MLFLOW_PYTHONPATH is set but ${py} cannot import mlflow from it` };
  const archive = join(SHARED, 'mlflow-2.12.2-src.tgz');
  if (existsSync(archive)) {
    let src = process.env.MLFLOW_SRC_DIR ?? join(process.env.TMPDIR ?? '/tmp', 'mlflow-2.12.2-src');
    if (!existsSync(join(src, '.unpacked'))) {
      src = mkdtempSync(join(tmpdir(), 'mlflow-src-'));
      if (spawnSync('tar', ['xzf', archive, '-C', src], { stdio: 'ignore' }).status !== 0) return { reason: `could not unpack ${archive}` };
    }
    const pythonPath = `${join(src, 'mlflow-v2.12.2')}:${join(src, 'deps', 'querystring-parser-1.2.4')}`;
    return imports(py, pythonPath) ? withPath(pythonPath) : { reason: `${py} cannot import mlflow from ${archive}: install the apt packages listed in ../shared/mlflow/README.md` };
  }
  if (imports(py, undefined)) return withPath(undefined);
  return { reason: 'no MLflow here (set MLFLOW_PYTHONPATH, put the archive at ../shared/mlflow, or pip install mlflow)' };
}
