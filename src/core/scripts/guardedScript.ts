/**
 * Runs in a worker process (the `script` job): starts a user's command line in a shell of its own
 * process group, with this process's stdout and stderr (pipes the host reads), and reports how it
 * ended. A script cannot be made to watch its parent, so this process does: when the host dies,
 * the script's whole group is killed with this process (src/core/process/exitWithParent.ts).
 */
import { spawn } from 'node:child_process';
import { killWithParent } from '../process/exitWithParent';

export interface GuardedScriptInput {
  command: string;
  cwd: string;
  env: Record<string, string>;
}

export interface GuardedScriptExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** Streams one event, `{ pid }` of the shell (its process group on POSIX), then resolves with the exit. */
export function runGuardedScript(input: GuardedScriptInput, emit: (payload: { pid: number | undefined }) => void): Promise<GuardedScriptExit> {
  const child = spawn(input.command, { cwd: input.cwd, env: input.env, shell: true, stdio: ['ignore', 'inherit', 'inherit'], detached: process.platform !== 'win32' });
  const unregister = child.pid !== undefined && process.platform !== 'win32' ? killWithParent(-child.pid) : (): void => undefined;
  emit({ pid: child.pid });
  return new Promise((resolve) => {
    child.on('error', (error) => {
      unregister();
      process.stderr.write(`\nmlops: could not start "${input.command}": ${error.message}\n`);
      resolve({ code: 127, signal: null });
    });
    child.on('exit', (code, signal) => {
      unregister();
      resolve({ code, signal });
    });
  });
}
