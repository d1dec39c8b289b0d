import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { runScriptAsExperiment } from '../../../src/core/scripts/scriptRun';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { runTraining } from '../../../src/core/training/trainingRunner';
import { MAX_DIFF_BYTES, readGitSource, UNCOMMITTED_DIFF_ARTIFACT } from '../../../src/core/tracking/gitSource';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

function repoWithOneCommit(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mlops-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'remote', 'add', 'origin', 'https://example.com/team/model.git');
  writeFileSync(join(dir, 'train.py'), 'lr = 0.1\n');
  git(dir, 'add', 'train.py');
  git(dir, 'commit', '-q', '-m', 'first');
  return dir;
}

describe('the code a run remembers (git source)', () => {
  test('a clean tree gives the commit, branch and remote, not dirty, no diff', async () => {
    const dir = repoWithOneCommit();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const source = await readGitSource(dir);
    assert.deepEqual(source, { commit: head, branch: 'main', repoUrl: 'https://example.com/team/model.git', dirty: false });
  });

  test('a changed tracked file makes the tree dirty and the diff shows the change; an untracked file alone does not', async () => {
    const dir = repoWithOneCommit();
    writeFileSync(join(dir, 'notes.txt'), 'untracked\n');
    assert.equal((await readGitSource(dir))?.dirty, false);
    writeFileSync(join(dir, 'train.py'), 'lr = 0.3\n');
    const source = await readGitSource(dir);
    assert.equal(source?.dirty, true);
    assert.match(source?.diff ?? '', /^-lr = 0\.1$/m);
    assert.match(source?.diff ?? '', /^\+lr = 0\.3$/m);
    assert.equal(source?.diffTruncated, false);
  });

  test('a huge uncommitted change is cut at the cap, and says so', async () => {
    const dir = repoWithOneCommit();
    writeFileSync(join(dir, 'train.py'), `${'x = 1\n'.repeat(Math.ceil((MAX_DIFF_BYTES * 2) / 6))}`);
    const source = await readGitSource(dir);
    assert.equal(source?.dirty, true);
    assert.equal(source?.diffTruncated, true);
    assert.ok(Buffer.byteLength(source?.diff ?? '') <= MAX_DIFF_BYTES);
  });

  test('a folder outside any git repository records nothing and does not fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-nogit-'));
    assert.equal(await readGitSource(dir), undefined);
  });

  test('a repository without a commit yet records nothing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-git-empty-'));
    git(dir, 'init', '-q');
    assert.equal(await readGitSource(dir), undefined);
  });
});

describe('a script run as an experiment remembers its code', () => {
  let store: WorkspaceStore;
  let experimentId: string;
  const storeDir = mkdtempSync(join(tmpdir(), 'mlops-git-store-'));
  before(async () => {
    store = await openWorkspaceStore({ dir: join(storeDir, '.mlops'), writerName: 'git source test' });
    experimentId = await store.tracking.createExperiment('scripts');
  });
  after(async () => {
    await store.close();
  });

  test('from a dirty tree: commit, branch and dirty tags, and the uncommitted diff as an artifact', async () => {
    const dir = repoWithOneCommit();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(join(dir, 'train.py'), 'lr = 0.5\n');
    const result = await runScriptAsExperiment({ store: store.tracking, command: `${JSON.stringify(process.execPath)} -e "0"`, cwd: dir, experimentId });
    const run = await store.tracking.getRun(result.runId);
    const tag = (key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;
    assert.equal(run.info.gitCommit, head);
    assert.equal(run.info.gitDirty, true);
    assert.equal(tag('mlflow.source.git.commit'), head);
    assert.equal(tag('mlflow.source.git.branch'), 'main');
    assert.equal(tag('mlops.git.dirty'), 'true');
    assert.match((await store.tracking.readArtifact(result.runId, UNCOMMITTED_DIFF_ARTIFACT)).toString('utf8'), /^\+lr = 0\.5$/m);
  });

  test('from a folder outside git: the run works and has no git tags', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-nogit-run-'));
    const result = await runScriptAsExperiment({ store: store.tracking, command: `${JSON.stringify(process.execPath)} -e "0"`, cwd: dir, experimentId });
    const run = await store.tracking.getRun(result.runId);
    assert.equal(result.status, 'FINISHED');
    assert.equal(run.info.gitCommit, null);
    assert.equal(run.data.tags.some((t) => t.key.startsWith('mlflow.source.git') || t.key === 'mlops.git.dirty'), false);
  });
});

describe('a training run remembers its code', () => {
  let store: WorkspaceStore;
  const storeDir = mkdtempSync(join(tmpdir(), 'mlops-git-train-store-'));
  before(async () => {
    store = await openWorkspaceStore({ dir: join(storeDir, '.mlops'), writerName: 'git source training test' });
  });
  after(async () => {
    await store.close();
  });

  test('a spec edited since its commit: the run has the commit, dirty=true and the spec change in code/uncommitted.diff', async () => {
    const examples = join(__dirname, '..', '..', '..', 'examples');
    const dir = repoWithOneCommit();
    const specPath = join(dir, 'penguins.train.yaml');
    const text = readFileSync(join(examples, 'penguins.train.yaml'), 'utf8').replace('data/penguins.csv', join(examples, 'data', 'penguins.csv')).replace('epochs: 60', 'epochs: 2');
    writeFileSync(specPath, text);
    git(dir, 'add', 'penguins.train.yaml');
    git(dir, 'commit', '-q', '-m', 'spec');
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(specPath, text.replace('learning_rate: 0.01', 'learning_rate: 0.02'));
    const result = await runTraining({ store: store.tracking, specPath });
    const run = await store.tracking.getRun(result.runId);
    const tag = (key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;
    assert.equal(tag('mlflow.source.git.commit'), head);
    assert.equal(tag('mlops.git.dirty'), 'true');
    assert.equal(run.info.gitDirty, true);
    assert.match((await store.tracking.readArtifact(result.runId, UNCOMMITTED_DIFF_ARTIFACT)).toString('utf8'), /^\+ {2}learning_rate: 0\.02$/m);
  });
});
