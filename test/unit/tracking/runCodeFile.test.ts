import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { readGitSource } from '../../../src/core/tracking/gitSource';
import { fileAsRunSawIt, runCodeFile } from '../../../src/core/tracking/runCodeFile';
import type { Run } from '../../../src/core/tracking/trackingTypes';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

function runWithTags(tags: Record<string, string>): Run {
  return {
    info: { runId: 'a'.repeat(32), runName: 'r', experimentId: '1', userId: 'u', status: 'FINISHED', startTime: 0, endTime: null, lifecycleStage: 'active', artifactUri: 'file:///tmp/a', source: null, gitCommit: null, gitDirty: null, parentRunId: null, ownerPid: null, ownerHost: null, heartbeatTime: null },
    data: { metrics: [], params: [], tags: Object.entries(tags).map(([key, value]) => ({ key, value })) },
    inputs: { datasetInputs: [] },
  };
}

describe('the code a run ran', () => {
  test('which file: the spec of a training, the script of a command, the entry point an MLflow client named', () => {
    assert.deepEqual(runCodeFile(runWithTags({ 'mlops.spec': '/ws/penguins.train.yaml', 'mlops.command': 'x' }), '/ws'), { kind: 'spec', path: '/ws/penguins.train.yaml' });
    assert.deepEqual(runCodeFile(runWithTags({ 'mlops.command': 'python3 "src/train.py" --epochs 3' }), '/ws'), { kind: 'script', path: '/ws/src/train.py' });
    assert.deepEqual(runCodeFile(runWithTags({ 'mlflow.source.name': 'train.py' }), '/ws'), { kind: 'script', path: '/ws/train.py' });
    assert.equal(runCodeFile(runWithTags({ 'mlops.command': 'make all' }), '/ws'), undefined);
  });

  test('a script as the run saw it: the file at the run\'s commit with its uncommitted changes, whatever the tree holds now', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlops-run-code-'));
    git(dir, 'init', '-q');
    const script = join(dir, 'train.py');
    writeFileSync(script, 'lr = 0.1\nepochs = 5\n');
    git(dir, 'add', 'train.py');
    git(dir, 'commit', '-q', '-m', 'first');
    // the run starts with an uncommitted change
    writeFileSync(script, 'lr = 0.3\nepochs = 5\n');
    const atRun = await readGitSource(dir);
    assert.ok(atRun?.diff);
    // later: another commit and more edits
    writeFileSync(script, 'lr = 0.5\nepochs = 9\n');
    git(dir, 'commit', '-q', '-am', 'second');
    writeFileSync(script, 'lr = 0.9\n');

    assert.deepEqual(await fileAsRunSawIt(script, atRun.commit, atRun.diff), { text: 'lr = 0.3\nepochs = 5\n', withUncommitted: true });
    assert.deepEqual(await fileAsRunSawIt(script, atRun.commit), { text: 'lr = 0.1\nepochs = 5\n', withUncommitted: false });
    assert.equal(readFileSync(script, 'utf8'), 'lr = 0.9\n', 'the working tree is untouched');
    assert.equal(git(dir, 'status', '--porcelain', '--untracked-files=no').trim(), 'M train.py', 'the index is untouched');
    await assert.rejects(fileAsRunSawIt(join(dir, 'missing.py'), atRun.commit));
  });
});
