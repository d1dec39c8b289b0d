import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { MetricSummary, Run, RunStatus, Tag } from '../../../src/core/tracking/trackingTypes';
import type * as TreeModule from '../../../src/vscode/experiments/experimentsTreeProvider';
import type { StoreService } from '../../../src/vscode/store/storeService';

// The tree provider imports `vscode`: load it with the stand-in.
require('../../support/loadWithFakeVscode.cjs');

interface Item {
  label: string;
  description?: string;
  collapsibleState: number;
  contextValue?: string;
  iconPath?: { id: string };
  command?: { command: string; arguments?: unknown[] };
  accessibilityInformation?: { label: string };
}

let n = 0;
function run(options: { name: string; status?: RunStatus; parent?: string; metrics?: Record<string, number>; tags?: Record<string, string>; params?: Record<string, string> }): Run {
  n++;
  const runId = n.toString(16).padStart(32, '0');
  const tags: Tag[] = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value }));
  const metrics: MetricSummary[] = Object.entries(options.metrics ?? {}).map(([key, value]) => ({ key, value, step: 0, timestamp: 0, min: value, max: value, count: 1 }));
  return {
    info: {
      runId,
      runName: options.name,
      experimentId: '1',
      userId: 'u',
      status: options.status ?? 'FINISHED',
      startTime: 1000 - n,
      endTime: 2000,
      lifecycleStage: 'active',
      artifactUri: 'file:///tmp/a',
      source: null,
      gitCommit: null,
      gitDirty: null,
      parentRunId: options.parent ?? null,
      ownerPid: null,
      ownerHost: null,
      heartbeatTime: null,
    },
    data: { metrics, params: Object.entries(options.params ?? {}).map(([key, value]) => ({ key, value })), tags },
    inputs: { datasetInputs: [] },
  };
}

/** A study of `values.length` trials over val_rmse (minimize); `pruned` trials were stopped early. */
function study(values: number[], options: { pruned?: number[]; recordedBest?: boolean; status?: RunStatus } = {}): { study: Run; trials: Run[] } {
  const s = run({ name: 'mpg-sweep', status: options.status ?? 'FINISHED', tags: { 'mlops.kind': 'study', 'mlops.tune.objective': 'minimize val_rmse' } });
  const trials = values.map((v, i) =>
    run({
      name: `mpg-sweep-trial-${i}`,
      parent: s.info.runId,
      status: options.pruned?.includes(i) ? 'KILLED' : 'FINISHED',
      metrics: { test_rmse: v + 0.5, val_rmse: v },
      // trials carry their study's objective as well (the Runs panel reads it)
      tags: { 'mlops.tune.trial': String(i), 'mlops.tune.study': s.info.runId, 'mlops.tune.objective': 'minimize val_rmse', ...(options.pruned?.includes(i) ? { 'mlops.tune.pruned': 'true (epoch 7)' } : {}) },
    }),
  );
  return { study: s, trials };
}

describe('the Experiments tree: studies and their trials', () => {
  let tree: typeof TreeModule;
  let provider: TreeModule.ExperimentsTreeProvider;
  before(async () => {
    tree = await import('../../../src/vscode/experiments/experimentsTreeProvider');
    provider = new tree.ExperimentsTreeProvider({ onDidChange: () => ({ dispose() {} }) } as unknown as StoreService);
  });
  const itemOf = (node: TreeModule.ExperimentsNode): Item => provider.getTreeItem(node) as unknown as Item;

  test('trials are nested under their study, not listed beside it; other runs stay on top', async () => {
    const { study: s, trials } = study([3.1, 2.4, 2.9]);
    const plain = run({ name: 'baseline', metrics: { test_rmse: 3.3 } });
    const nodes = tree.runNodes([...trials, s, plain]);
    assert.deepEqual(nodes.map((node) => itemOf(node).label), ['mpg-sweep', 'baseline'], 'only the study and the plain run at the top');
    const studyItem = itemOf(nodes[0]!);
    assert.equal(studyItem.collapsibleState, 1, 'the study can be expanded');
    const children = await provider.getChildren(nodes[0]);
    assert.deepEqual(children.map((c) => itemOf(c).label), ['trial 0', 'trial 1', 'trial 2'], 'trials are called by their number: their long names were cut off');
    assert.equal(itemOf(nodes[1]!).collapsibleState, 0);
  });

  test('the study shows its objective at its best and its trial count; the best trial is marked', async () => {
    const { study: s, trials } = study([3.1, 2.4, 2.9]);
    const [node] = tree.runNodes([s, ...trials]);
    assert.equal(itemOf(node!).description, 'val_rmse 2.4 best of 3');
    assert.match(itemOf(node!).contextValue ?? '', /^mlops\.run.*\.study$/, 'a study offers Show Leaderboard');
    const children = (await provider.getChildren(node)).map(itemOf);
    assert.equal(children[1]!.description, 'best · val_rmse 2.4', 'the best trial says so, with the objective');
    assert.equal(children[1]!.iconPath?.id, 'verified-filled');
    assert.equal(children[0]!.description, 'val_rmse 3.1', 'a trial shows the objective, not the first metric it has (test_rmse)');
    assert.ok(!children[0]!.description?.includes('best') && !children[2]!.description?.includes('best'), 'only one best');
  });

  test('a study that maximizes picks the highest; the best recorded by the study wins over a recomputation', async () => {
    const s = run({ name: 'acc-sweep', tags: { 'mlops.tune.objective': 'maximize val_accuracy' } });
    const low = run({ name: 't0', parent: s.info.runId, metrics: { val_accuracy: 0.81 }, tags: { 'mlops.tune.trial': '0' } });
    const high = run({ name: 't1', parent: s.info.runId, metrics: { val_accuracy: 0.93 }, tags: { 'mlops.tune.trial': '1' } });
    const [node] = tree.runNodes([s, low, high]);
    assert.equal(itemOf(node!).description, 'val_accuracy 0.93 best of 2');
    const recorded = run({ name: 'acc-sweep-2', tags: { 'mlops.tune.objective': 'maximize val_accuracy', 'mlops.tune.best_run': low.info.runId } });
    const a = run({ name: 'a', parent: recorded.info.runId, metrics: { val_accuracy: 0.81 }, tags: { 'mlops.tune.trial': '0' } });
    const [other] = tree.runNodes([recorded, a]);
    assert.equal((await provider.getChildren(other)).length, 1);
  });

  test('pruned trials say "pruned", never "killed", and are never the best even with the lowest value', async () => {
    const { study: s, trials } = study([3.1, 1.2, 2.9], { pruned: [1] });
    const [node] = tree.runNodes([s, ...trials]);
    const children = (await provider.getChildren(node)).map(itemOf);
    const pruned = children[1]!;
    assert.equal(pruned.description, 'pruned · val_rmse 1.2');
    assert.match(pruned.accessibilityInformation?.label ?? '', /pruned at epoch 7/);
    assert.doesNotMatch(pruned.accessibilityInformation?.label ?? '', /killed/);
    assert.equal(children[2]!.description, 'best · val_rmse 2.9');
    assert.equal(itemOf(node!).description, 'val_rmse 2.9 best of 3');
  });

  test('a study with several objectives marks its Pareto-front trials, not one best, and says how large its front is', async () => {
    const objectives = { 'mlops.tune.objective': 'maximize val_accuracy', 'mlops.tune.objectives': 'maximize val_accuracy, minimize cost' };
    const s = run({ name: 'cost-sweep', tags: { 'mlops.kind': 'study', ...objectives, 'mlops.tune.best_run': 'x' }, metrics: { pareto_hypervolume: 0.0042 } });
    const trial = (i: number, accuracy: number, cost: number, front: boolean): Run =>
      run({ name: `cost-sweep-trial-${i}`, parent: s.info.runId, metrics: { val_accuracy: accuracy, cost }, tags: { 'mlops.tune.trial': String(i), ...objectives, ...(front ? { 'mlops.tune.pareto': 'true' } : {}) } });
    const trials = [trial(0, 0.95, 0.02, true), trial(1, 0.9, 0.03, false), trial(2, 0.85, 0.01, true)];
    const [node] = tree.runNodes([s, ...trials]);
    const studyItem = itemOf(node!);
    assert.equal(studyItem.description, 'Pareto front 2 of 3');
    const tooltip = (provider.getTreeItem(node!) as unknown as { tooltip: { value: string } }).tooltip.value;
    assert.match(tooltip, /2 objectives: maximize `val_accuracy`, minimize `cost` over 3 trials; its Pareto front has 2 \(hypervolume 0\.0042\)/);
    const children = (await provider.getChildren(node)).map(itemOf);
    assert.deepEqual(children.map((c) => c.description), ['front · val_accuracy 0.95 · cost 0.02', 'val_accuracy 0.9 · cost 0.03', 'front · val_accuracy 0.85 · cost 0.01'], 'each trial shows every objective');
    assert.deepEqual(children.map((c) => c.iconPath?.id), ['debug-breakpoint-log', 'pass', 'debug-breakpoint-log']);
    assert.ok(children.every((c) => !c.description?.includes('best')), 'no single best');
    assert.match(children[0]!.accessibilityInformation?.label ?? '', /on the Pareto front/);
  });

  test('a running study with no finished trial yet shows its metric and trial count, and is running', async () => {
    const { study: s, trials } = study([], { status: 'RUNNING' });
    const running = run({ name: 'mpg-sweep-trial-0', parent: s.info.runId, status: 'RUNNING', tags: { 'mlops.tune.trial': '0' } });
    const [node] = tree.runNodes([s, ...trials, running]);
    assert.equal(itemOf(node!).description, 'running · val_rmse · 1 trial');
  });

  test('a click on a run opens it; a child of a plain parent run keeps its name without the parent’s prefix', async () => {
    const parent = run({ name: 'search' });
    const child = run({ name: 'search-linear', parent: parent.info.runId, metrics: { test_accuracy: 0.9 } });
    const [node] = tree.runNodes([child, parent]);
    const item = itemOf(node!);
    assert.equal(item.command?.command, 'mlops.openRun');
    assert.equal(item.command?.arguments?.[0], node, 'the command gets the clicked node');
    const [childNode] = await provider.getChildren(node);
    assert.equal(itemOf(childNode!).label, 'linear');
    assert.equal(itemOf(childNode!).command?.command, 'mlops.openRun');
  });

  test('a trial whose study is not listed (deleted, or beyond the newest 200) stays on top with its full name', () => {
    const orphan = run({ name: 'old-sweep-trial-4', parent: 'f'.repeat(32), tags: { 'mlops.tune.trial': '4' } });
    const nodes = tree.runNodes([orphan]);
    assert.equal(nodes.length, 1);
    assert.equal(itemOf(nodes[0]!).label, 'old-sweep-trial-4');
  });
});
