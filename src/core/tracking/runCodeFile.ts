import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { GIT_COMMIT_TAG } from './gitSource';
import type { Run } from './trackingTypes';

/** The file that defines a run: its training spec, or the script it ran. */
export interface RunCodeFile {
  readonly kind: 'spec' | 'script';
  /** absolute path in the workspace */
  readonly path: string;
}

const SCRIPT_FILE = /\.(py|r|R|jl|js|mjs|ts|sh|ipynb)$/;
const GIT_TIMEOUT_MS = 10_000;

/**
 * Which file a run came from: `mlops.spec` for a training (or a trial), the script named in the
 * command of a script run, or MLflow's `mlflow.source.name` for a run logged by a script's own
 * client. Relative paths are taken from `workspaceRoot` (where scripts run).
 */
export function runCodeFile(run: Run, workspaceRoot: string): RunCodeFile | undefined {
  const tag = (key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;
  const absolute = (path: string): string => (isAbsolute(path) ? path : resolve(workspaceRoot, path));
  const spec = tag('mlops.spec');
  if (spec) return { kind: 'spec', path: absolute(spec) };
  const command = tag('mlops.command');
  const script = command?.split(/\s+/).map((word) => word.replace(/^["']|["']$/g, '')).find((word) => SCRIPT_FILE.test(word));
  if (script) return { kind: 'script', path: absolute(script) };
  const source = tag('mlflow.source.name');
  if (source && SCRIPT_FILE.test(source)) return { kind: 'script', path: absolute(source) };
  return undefined;
}

/** The commit a run recorded, if any. */
export function runCommit(run: Run): string | undefined {
  return run.info.gitCommit ?? run.data.tags.find((t) => t.key === GIT_COMMIT_TAG)?.value ?? undefined;
}

function git(cwd: string, args: readonly string[], env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    execFile('git', [...args], { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true, maxBuffer: 32 * 1024 * 1024, encoding: 'utf8', ...(env ? { env: { ...process.env, ...env } } : {}) }, (error, stdout, stderr) => {
      if (error) reject(new Error(stderr.trim() || error.message));
      else resolvePromise(stdout);
    });
  });
}

/**
 * `path` as it was when a run started: the file at `commit`, with the run's uncommitted diff
 * applied when it had one. Works in a scratch index, so the user's index and tree are untouched.
 * Rejects when the commit or the file is not in the repository.
 */
export async function fileAsRunSawIt(path: string, commit: string, uncommittedDiff?: string): Promise<{ text: string; withUncommitted: boolean }> {
  const cwd = dirname(path);
  const root = (await git(cwd, ['rev-parse', '--show-toplevel'])).trim();
  const inRepo = relative(root, path).split(sep).join('/');
  if (!uncommittedDiff) return { text: await git(root, ['show', `${commit}:${inRepo}`]), withUncommitted: false };
  const scratch = await mkdtemp(join(tmpdir(), 'mlops-run-code-'));
  try {
    const env = { GIT_INDEX_FILE: join(scratch, 'index') };
    await git(root, ['read-tree', commit], env);
    const patch = join(scratch, 'uncommitted.diff');
    await writeFile(patch, uncommittedDiff);
    // A diff cut at the size cap does not apply: the committed file is the best there is then.
    const applied = await git(root, ['apply', '--cached', '--whitespace=nowarn', patch], env).then(() => true, () => false);
    return { text: await git(root, ['show', `:${inRepo}`], env), withUncommitted: applied };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
