import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

/** The OS account name, or "unknown" where the platform has none (some containers). */
export function osUser(): string {
  try {
    return userInfo().username || 'unknown';
  } catch {
    return 'unknown';
  }
}

/** Names the actor for a whole process (a CI job, a service account) instead of the repository's git user. */
export const ACTOR_ENV = 'MLOPS_ACTOR';

/** Who the audit log names for changes made here: $MLOPS_ACTOR, else git's user.name in `cwd`, else the OS user. */
export function resolveActor(cwd: string): Promise<string> {
  return actorFromEnv() ?? resolveGitActor(cwd);
}

/** $MLOPS_ACTOR as it is now (VS Code sets it from `mlops.user.name`, which can change at any time). */
export function actorFromEnv(): Promise<string> | undefined {
  const fromEnv = process.env[ACTOR_ENV]?.trim();
  return fromEnv ? Promise.resolve(fromEnv) : undefined;
}

/** git's user.name in `cwd`, else the OS user: slow (a process), so callers may keep the answer. */
export function resolveGitActor(cwd: string): Promise<string> {
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.name'], { cwd, timeout: 5_000, windowsHide: true }, (error, stdout) => {
      const name = error ? '' : stdout.trim();
      resolve(name !== '' ? name : osUser());
    });
  });
}
