import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareRunItems, compareScope } from '../../../src/vscode/runs/compareRunsPicker';
import { syntheticRuns } from '../../webview/runsFakeHost';

describe('"Compare Runs" picker (nothing selected)', () => {
  test('lists runs by name with their experiment, status, start and main metrics, in the order searched', () => {
    const runs = syntheticRuns({ runs: 3 });
    const items = compareRunItems(runs, new Map([['1', 'churn']]), 'en-US');
    assert.deepEqual(items.map((i) => i.label), runs.map((r) => r.info.runName));
    assert.match(items[0]!.description, /^churn · finished · Nov 20, 2026/);
    assert.match(items[0]!.detail, /^val_accuracy 0\.\d+ · val_loss 0\.\d+ · accuracy 0\.\d+$/);
  });

  test('a trial leads with its study\'s objective; a study run says what it is', () => {
    const [first, second] = syntheticRuns({ runs: 2 });
    const trial = { ...first!, data: { ...first!.data, tags: [...first!.data.tags, { key: 'mlops.tune.objective', value: 'minimize val_loss' }] } };
    const study = { ...second!, data: { ...second!.data, metrics: [], tags: [...second!.data.tags, { key: 'mlops.kind', value: 'study' }] } };
    const [t, s] = compareRunItems([trial, study], new Map(), 'en-US');
    assert.match(t!.detail, /^val_loss /);
    assert.match(s!.detail, /hyperparameter study/);
    assert.match(s!.description, /^experiment 1 · /, 'an unknown experiment is named by id');
  });

  test('the picked runs become the compare scope; picking none opens nothing', () => {
    assert.equal(compareScope([]), undefined);
    assert.deepEqual(compareScope([{ runId: 'a', experimentId: '1' }, { runId: 'b', experimentId: '2' }, { runId: 'c', experimentId: '1' }]), {
      title: 'Compare 3 runs',
      experimentIds: ['1', '2'],
      compareRunIds: ['a', 'b', 'c'],
    });
    assert.equal(compareScope([{ runId: 'a', experimentId: '1' }])!.title, 'Compare 1 run');
  });
});
