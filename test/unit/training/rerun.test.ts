import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { compareRunMetrics, isReproducibleMetric, rerunTraining } from '../../../src/core/training/rerun';
import { runTraining } from '../../../src/core/training/trainingRunner';
import { runCli } from '../lib/runCli';

const examples = join(__dirname, '..', '..', '..', 'examples');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test', '-c', 'user.email=test@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd, encoding: 'utf8' });
}

describe('compareRunMetrics', () => {
  test('equal values match, a changed one does not, speed and machine load are not compared, a metric only one run has is left out', () => {
    const m = (key: string, value: number): { key: string; value: number; timestamp: number; step: number } => ({ key, value, timestamp: 0, step: 0 });
    const compared = compareRunMetrics([m('test_accuracy', 0.97), m('loss', 0.2), m('train_samples_per_second', 900), m('system/cpu_utilization_percentage', 30), m('peak_rss_megabytes', 60), m('cost', 0.01), m('old_only', 1)], [m('test_accuracy', 0.97), m('loss', 0.25), m('train_samples_per_second', 1200), m('system/cpu_utilization_percentage', 40), m('peak_rss_megabytes', 80), m('cost', 0.02)]);
    assert.deepEqual(compared.map((c) => [c.key, c.equal]), [['loss', false], ['test_accuracy', true]]);
  });
});

describe('Re-run… of a training', () => {
  let store: WorkspaceStore;
  const storeDir = mkdtempSync(join(tmpdir(), 'mlops-rerun-store-'));
  before(async () => {
    store = await openWorkspaceStore({ dir: join(storeDir, '.mlops'), writerName: 'rerun test' });
  });
  after(async () => {
    await store.close();
  });

  test('an older run is trained again at its commit in a worktree (untracked data borrowed), as a linked run with the same metrics; the workspace is untouched', async () => {
    const repo = mkdtempSync(join(tmpdir(), 'mlops-rerun-repo-'));
    git(repo, 'init', '-q');
    // the data is kept out of git, as it often is
    writeFileSync(join(repo, '.gitignore'), 'data/\n');
    mkdirSync(join(repo, 'data'));
    copyFileSync(join(examples, 'data', 'penguins.csv'), join(repo, 'data', 'penguins.csv'));
    const specPath = join(repo, 'penguins.train.yaml');
    const v1 = readFileSync(join(examples, 'penguins.train.yaml'), 'utf8').replace('epochs: 60', 'epochs: 2');
    writeFileSync(specPath, v1);
    git(repo, 'add', '.gitignore', 'penguins.train.yaml');
    git(repo, 'commit', '-q', '-m', 'v1');
    const first = git(repo, 'rev-parse', 'HEAD').trim();
    const original = await runTraining({ store: store.tracking, engine: inProcessEngine(store), storeDir: store.dir, specPath, backend: 'js' });

    // the code moves on: a new commit and an uncommitted edit
    writeFileSync(specPath, v1.replace('epochs: 2', 'epochs: 3'));
    git(repo, 'commit', '-q', '-am', 'v2');
    const edited = v1.replace('epochs: 2', 'epochs: 3').replace('learning_rate: 0.01', 'learning_rate: 0.05');
    writeFileSync(specPath, edited);

    const result = await rerunTraining({ store: store.tracking, engine: inProcessEngine(store), storeDir: store.dir, runId: original.runId, workspaceRoot: repo });
    assert.equal(result.where, 'worktree');
    assert.equal(result.commit, first);
    assert.equal(result.matched, true, JSON.stringify(result.compared));
    assert.ok(result.compared.some((c) => c.key === 'test_accuracy'));
    const learned = (m: Readonly<Record<string, number>>): Record<string, number> => Object.fromEntries(Object.entries(m).filter(([k]) => isReproducibleMetric(k)));
    assert.deepEqual(learned(result.training.metrics), learned(original.metrics), 'what was learned is the same (timings differ by nature)');

    const rerun = await store.tracking.getRun(result.training.runId);
    const tag = (key: string): string | undefined => rerun.data.tags.find((t) => t.key === key)?.value;
    assert.equal(tag('mlops.rerun.of'), original.runId);
    assert.equal(tag('mlops.rerun.matched'), 'true');
    assert.equal(tag('mlops.spec'), specPath, 'the re-run belongs to the original spec');
    assert.equal(tag('mlflow.source.git.commit'), first);
    const { lineageFor } = await import('../../../src/core/registry/registryAccess');
    assert.deepEqual(lineageFor(store).children({ kind: 'run', id: original.runId }).filter((s) => s.relation === 'reproduced').map((s) => s.node.id), [result.training.runId], 'the lineage links the original to the re-run');

    assert.equal(readFileSync(specPath, 'utf8'), edited, 'the workspace spec is as the user left it');
    assert.equal(git(repo, 'worktree', 'list').trim().split('\n').length, 1, 'the temporary worktree is gone');
  });
});

describe('mlops runs rerun', () => {
  test('outside git, after the spec changed: trains the spec the run kept, reports the metrics reproduced, and leaves no copy behind', () => {
    const ws = mkdtempSync(join(tmpdir(), 'mlops-rerun-cli-'));
    const specPath = join(ws, 'penguins.train.yaml');
    const v1 = readFileSync(join(examples, 'penguins.train.yaml'), 'utf8').replace('data/penguins.csv', join(examples, 'data', 'penguins.csv')).replace('epochs: 60', 'epochs: 2');
    writeFileSync(specPath, v1);
    const trained = runCli(['--workspace', ws, '--json', 'train', specPath, '--backend', 'js']);
    assert.equal(trained.status, 0, trained.stderr);
    const runId = (JSON.parse(trained.stdout) as { runId: string }).runId;
    writeFileSync(specPath, v1.replace('epochs: 2', 'epochs: 3'));

    const r = runCli(['--workspace', ws, '--json', 'runs', 'rerun', runId]);
    assert.equal(r.status, 0, r.stderr);
    const result = JSON.parse(r.stdout) as { rerunOf: string; where: string; matched: boolean; compared: { key: string; equal: boolean }[] };
    assert.equal(result.rerunOf, runId);
    assert.equal(result.where, 'copy');
    assert.equal(result.matched, true);
    assert.ok(result.compared.some((c) => c.key === 'test_accuracy' && c.equal));
    assert.deepEqual(readdirSync(ws).filter((f) => f.includes('rerun')), [], 'the copy of the kept spec is removed');
    assert.match(readFileSync(specPath, 'utf8'), /epochs: 3/);

    const notTraining = runCli(['--workspace', ws, 'runs', 'rerun', 'ffffffffffffffffffffffffffffffff']);
    assert.notEqual(notTraining.status, 0);
  });
});
