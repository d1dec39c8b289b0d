import { execFile } from 'node:child_process';
import type { TrackingStore } from './trackingStore';
import type { Tag } from './trackingTypes';

/** MLflow's own tag names, so a run logged here reads the same in MLflow's UI. */
export const GIT_COMMIT_TAG = 'mlflow.source.git.commit';
export const GIT_BRANCH_TAG = 'mlflow.source.git.branch';
export const GIT_REPO_URL_TAG = 'mlflow.source.git.repoURL';
/** MLflow has no tag for it: "true" when tracked files differed from the commit at run start. */
export const GIT_DIRTY_TAG = 'mlops.git.dirty';
/** Artifact holding `git diff HEAD` of a dirty tree. */
export const UNCOMMITTED_DIFF_ARTIFACT = 'code/uncommitted.diff';

/** A generated file or a data dump checked in by mistake must not fill the store run after run. */
export const MAX_DIFF_BYTES = 512 * 1024;
const GIT_TIMEOUT_MS = 5_000;

/** What a run remembers of the code that made it. */
export interface GitSource {
  readonly commit: string;
  /** undefined on a detached HEAD */
  readonly branch?: string;
  /** the `origin` remote, if any */
  readonly repoUrl?: string;
  readonly dirty: boolean;
  /** `git diff HEAD` of tracked files when dirty (capped at MAX_DIFF_BYTES) */
  readonly diff?: string;
  readonly diffTruncated?: boolean;
}

interface GitOutput {
  readonly stdout: string;
  readonly truncated: boolean;
}

// No shell: arguments go to git as they are; a hung git (a lock, a network filesystem) is killed.
function git(cwd: string, args: readonly string[], maxBuffer = 1024 * 1024): Promise<GitOutput | undefined> {
  return new Promise((resolve) => {
    execFile('git', [...args], { cwd, timeout: GIT_TIMEOUT_MS, windowsHide: true, maxBuffer, encoding: 'utf8' }, (error, stdout) => {
      if (!error) resolve({ stdout, truncated: false });
      // Too much output: keep what came, the caller marks it cut.
      else if ((error as NodeJS.ErrnoException).code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER') resolve({ stdout, truncated: true });
      else resolve(undefined);
    });
  });
}

/**
 * The commit, branch, remote and uncommitted changes of the git work tree containing `cwd`;
 * undefined when `cwd` is not in a git repository, git is missing, or HEAD has no commit yet.
 * Never throws: a run is not worth failing over its provenance.
 */
export async function readGitSource(cwd: string): Promise<GitSource | undefined> {
  const head = await git(cwd, ['rev-parse', '--verify', '-q', 'HEAD']);
  const commit = head?.stdout.trim();
  if (!commit) return undefined;
  const [branch, remote, status] = await Promise.all([
    git(cwd, ['symbolic-ref', '--short', '-q', 'HEAD']),
    git(cwd, ['config', '--get', 'remote.origin.url']),
    git(cwd, ['status', '--porcelain', '--untracked-files=no']),
  ]);
  const dirty = (status?.stdout ?? '').trim().length > 0;
  let diff: GitOutput | undefined;
  if (dirty) diff = await git(cwd, ['diff', 'HEAD', '--no-color', '--no-ext-diff', '--binary'], MAX_DIFF_BYTES);
  const branchName = branch?.stdout.trim();
  const repoUrl = remote?.stdout.trim();
  const diffText = diff ? capDiff(diff.stdout) : undefined;
  return {
    commit,
    ...(branchName ? { branch: branchName } : {}),
    ...(repoUrl ? { repoUrl } : {}),
    dirty,
    ...(diffText !== undefined && diffText.text.length > 0 ? { diff: diffText.text, diffTruncated: diff?.truncated === true || diffText.cut } : {}),
  };
}

function capDiff(text: string): { text: string; cut: boolean } {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= MAX_DIFF_BYTES) return { text, cut: false };
  return { text: bytes.subarray(0, MAX_DIFF_BYTES).toString('utf8'), cut: true };
}

/** The tags a run gets from its git source (MLflow's names, plus the dirty flag). */
export function gitSourceTags(source: GitSource): Tag[] {
  return [
    { key: GIT_COMMIT_TAG, value: source.commit },
    ...(source.branch ? [{ key: GIT_BRANCH_TAG, value: source.branch }] : []),
    ...(source.repoUrl ? [{ key: GIT_REPO_URL_TAG, value: source.repoUrl }] : []),
    { key: GIT_DIRTY_TAG, value: String(source.dirty) },
  ];
}

/** The `createRun` fields for a git source: the commit and dirty flag as columns, the rest as tags. */
export function gitRunFields(source: GitSource | undefined): { gitCommit?: string; gitDirty?: boolean; tags: Tag[] } {
  if (!source) return { tags: [] };
  return { gitCommit: source.commit, gitDirty: source.dirty, tags: gitSourceTags(source) };
}

/** Keeps a dirty tree's diff on the run; a cut diff says so at its end. */
export async function writeUncommittedDiff(store: TrackingStore, runId: string, source: GitSource | undefined): Promise<void> {
  if (!source?.diff) return;
  const note = source.diffTruncated ? `\n# mlops: diff cut at ${MAX_DIFF_BYTES} bytes\n` : '';
  await store.writeArtifact(runId, UNCOMMITTED_DIFF_ARTIFACT, source.diff + note);
}
