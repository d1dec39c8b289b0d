import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { inProcessEngine } from '../../../src/core/engine/engineInProcess';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import type { Tag } from '../../../src/core/tracking/trackingTypes';
import type * as TreeModule from '../../../src/vscode/experiments/experimentsTreeProvider';
import type { StoreService } from '../../../src/vscode/store/storeService';
import { tempStoreDir } from '../store/testSupport';

// The tree provider imports `vscode`: load it with the stand-in.
require('../../support/loadWithFakeVscode.cjs');

interface Item {
  id?: string;
  label: string;
  description?: string;
  contextValue?: string;
  iconPath?: { id: string; color?: { id: string } };
  accessibilityInformation?: { label: string };
  tooltip?: { value: string };
  collapsibleState: number;
}

/**
 * Through the engine the Experiments view reads each run as its row needs it (`runs.list`), not
 * with every param and metric, and a row's tooltip reads the whole run on hover; a team's MLflow
 * server has no engine and sends whole runs. The rows — labels, descriptions, icons, menus,
 * tooltips, studies and their trials — must read the same either way.
 */
describe('the Experiments view through the engine’s list of runs', () => {
  let store: WorkspaceStore;
  let cleanup: () => void;
  let tree: typeof TreeModule;
  let experimentId: string;

  before(async () => {
    const temp = tempStoreDir('mlops-tree-list-');
    cleanup = temp.cleanup;
    store = await openWorkspaceStore({ dir: temp.dir, writerName: 'tree list test' });
    tree = await import('../../../src/vscode/experiments/experimentsTreeProvider');
    const t = store.tracking;
    experimentId = await t.createExperiment('penguins');
    let clock = 1_700_000_000_000;
    const run = async (name: string, options: { tags?: Record<string, string>; metrics?: Record<string, number>; params?: Record<string, string>; parent?: string; status?: 'FINISHED' | 'KILLED' | 'RUNNING' } = {}): Promise<string> => {
      clock += 1000;
      const tags: Tag[] = Object.entries(options.tags ?? {}).map(([key, value]) => ({ key, value }));
      const { info } = await t.createRun({ experimentId, runName: name, startTime: clock, ownerPid: null, tags, ...(options.parent ? { parentRunId: options.parent } : {}) });
      await t.logBatch({
        runId: info.runId,
        metrics: Object.entries(options.metrics ?? {}).map(([key, value]) => ({ key, value, timestamp: clock, step: 0 })),
        params: Object.entries(options.params ?? {}).map(([key, value]) => ({ key, value })),
      });
      if (options.status !== 'RUNNING') await t.updateRun(info.runId, { status: options.status ?? 'FINISHED', endTime: clock + 500 });
      return info.runId;
    };
    // A wide run: many params and user tags; its headline metric comes after twenty others, and a confusion matrix among them.
    const wide: Record<string, number> = {};
    for (let i = 0; i < 20; i++) wide[`m${String(i).padStart(2, '0')}`] = i / 7;
    for (let i = 0; i < 4; i++) wide[`test_confusion_${i}`] = i;
    wide.test_accuracy = 0.912345;
    const params: Record<string, string> = {};
    for (let i = 0; i < 40; i++) params[`p${i}`] = `v${i}`;
    await run('wide', { metrics: wide, params, tags: { team: 'a', owner: 'b', 'mlops.starred': 'true', 'mlflow.note.content': 'diverged after epoch 3', 'mlops.spec': 'penguins.train.yaml' } });
    await run('failed', { status: 'KILLED', tags: { 'mlops.error': 'out of memory' }, metrics: { loss: 2.5 } });
    await run('live', { status: 'RUNNING', metrics: { val_loss: 0.7, epoch: 3 } });
    // A study of one objective: trials under it, one pruned, the best marked.
    const study = await run('mpg-sweep', { tags: { 'mlops.kind': 'study', 'mlops.tune.objective': 'minimize val_rmse' }, metrics: { best_val_rmse: 2.4 } });
    for (const [i, value] of [3.1, 2.4, 1.9].entries()) {
      const pruned = i === 2;
      await run(`mpg-sweep-trial-${i}`, { parent: study, status: pruned ? 'KILLED' : 'FINISHED', metrics: { test_rmse: value + 0.5, val_rmse: value, ...Object.fromEntries(Array.from({ length: 15 }, (_, k) => [`a${k}`, k])) }, tags: { 'mlops.tune.trial': String(i), 'mlops.tune.objective': 'minimize val_rmse', ...(pruned ? { 'mlops.tune.pruned': 'true (epoch 7)' } : {}) } });
    }
    // A study of two objectives: a Pareto front, not one best; the objectives are the trials' own late metrics.
    const multi = await run('acc-cost', { tags: { 'mlops.kind': 'study', 'mlops.tune.objective': 'maximize val_accuracy', 'mlops.tune.objectives': 'maximize val_accuracy, minimize cost' }, metrics: { pareto_hypervolume: 0.42 } });
    for (const [i, [accuracy, cost]] of [[0.9, 3], [0.8, 1], [0.7, 2]].entries()) {
      const filler = Object.fromEntries(Array.from({ length: 14 }, (_, k) => [`b${String(k).padStart(2, '0')}`, k]));
      await run(`acc-cost-trial-${i}`, { parent: multi, metrics: { ...filler, val_accuracy: accuracy as number, cost: cost as number }, tags: { 'mlops.tune.trial': String(i), 'mlops.tune.objectives': 'maximize val_accuracy, minimize cost', ...(i < 2 ? { 'mlops.tune.pareto': 'true' } : {}) } });
    }
    // A study written before objectives were tags: its objective in params.
    await run('old-study', { tags: { 'mlops.kind': 'study' }, params: { 'objective.metric': 'val_loss', 'objective.direction': 'minimize', lr: '0.1' }, metrics: { best_val_loss: 0.3 } });
    // A text evaluation reviewed by people.
    await run('summaries', { tags: { 'mlops.evaluation': 'text' }, metrics: { bleu: 0.31, rougeL_f: 0.4, feedback_count: 12, feedback_mean_rating: 3.8 } });
    const gone = await run('gone', { metrics: { accuracy: 0.5 } });
    await t.deleteRun(gone);
  });
  after(async () => {
    await store.close();
    cleanup();
  });

  /** Every row of the experiment as VS Code would render it, trials and deleted runs included. */
  async function rows(origin: 'engine' | 'remote'): Promise<Item[]> {
    const access = origin === 'engine'
      ? { state: 'client', origin, dir: store.dir, url: 'http://127.0.0.1:1', token: null, tracking: store.tracking, engine: inProcessEngine(store), message: '' }
      : { state: 'client', origin, url: 'http://127.0.0.1:1', token: null, tracking: store.tracking, message: 'a team server' };
    const provider = new tree.ExperimentsTreeProvider({ access: async () => access, onDidChange: () => ({ dispose() {} }) } as unknown as StoreService);
    const out: Item[] = [];
    const walk = async (parent: TreeModule.ExperimentsNode | undefined): Promise<void> => {
      for (const node of await provider.getChildren(parent)) {
        // VS Code resolves an item when the pointer rests on it: a list row's tooltip comes then.
        const item = (await provider.resolveTreeItem(provider.getTreeItem(node), node)) as unknown as Item;
        out.push({ id: item.id, label: item.label, description: item.description, contextValue: item.contextValue, iconPath: item.iconPath, accessibilityInformation: item.accessibilityInformation, tooltip: item.tooltip && { value: item.tooltip.value }, collapsibleState: item.collapsibleState });
        await walk(node);
      }
    };
    await walk(undefined);
    provider.dispose();
    return out;
  }

  test('rows read from runs.list are the rows read from whole runs', async () => {
    const listed = await rows('engine');
    const whole = await rows('remote');
    assert.ok(listed.length >= 15, `every run, trial and the deleted one: ${listed.map((r) => r.label).join(', ')}`);
    assert.deepEqual(listed, whole);
    // The rows that depend on fields beyond the first few metrics read as a user expects.
    const byLabel = new Map(listed.map((r) => [r.label, r]));
    assert.equal(byLabel.get('wide')?.description, '★ test_accuracy 0.9123 · ✎');
    assert.equal(byLabel.get('mpg-sweep')?.description, 'val_rmse 2.4 best of 3');
    assert.equal(byLabel.get('acc-cost')?.description, 'Pareto front 2 of 3');
    assert.equal(byLabel.get('summaries')?.description, 'bleu 0.31 · rated 3.8/5 · 12 reviewed');
  });

  test('runs.list leaves out what no row shows: user params and tags, metrics other than the headline and objectives', async () => {
    const { runs } = await inProcessEngine(store).call('runs.list', { experimentId, viewType: 'ACTIVE_ONLY', maxResults: 200 });
    const wide = runs.find((r) => r.info.runName === 'wide');
    assert.ok(wide);
    assert.deepEqual(wide.data.params, []);
    assert.deepEqual(wide.data.tags.map((t) => t.key).filter((k) => !k.startsWith('mlflow.') && !k.startsWith('mlops.')), []);
    assert.ok(wide.data.tags.some((t) => t.key === 'mlops.spec'), 'commands on the row read its spec');
    assert.deepEqual(wide.data.metrics.map((m) => m.key), ['test_accuracy'], 'the headline metric; the tooltip’s come on hover');
    const deleted = await inProcessEngine(store).call('runs.list', { experimentId, viewType: 'DELETED_ONLY', maxResults: 200 });
    assert.deepEqual(deleted.runs.map((r) => r.info.runName), ['gone']);
    await assert.rejects(inProcessEngine(store).call('runs.list', { experimentId, viewType: 'ALL' as 'ACTIVE_ONLY', maxResults: 200 }), /viewType must be ACTIVE_ONLY or DELETED_ONLY/);
    await assert.rejects(inProcessEngine(store).call('runs.list', { experimentId, viewType: 'ACTIVE_ONLY', maxResults: 0 }), /maxResults must be a whole number/);
  });
});
