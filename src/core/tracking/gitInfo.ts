import { execFile } from 'node:child_process';

export interface GitInfo {
  readonly commit: string;
  readonly dirty: boolean;
}

function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', [...args], { cwd, timeout: 5_000, windowsHide: true }, (error, stdout) => resolve(error ? undefined : stdout));
  });
}

/** The commit checked out in `cwd` and whether tracked files differ from it; undefined outside git. */
export async function readGitInfo(cwd: string): Promise<GitInfo | undefined> {
  const head = await git(cwd, ['rev-parse', 'HEAD']);
  if (head === undefined) return undefined;
  const status = await git(cwd, ['status', '--porcelain', '--untracked-files=no']);
  return { commit: head.trim(), dirty: (status ?? '').trim().length > 0 };
}
