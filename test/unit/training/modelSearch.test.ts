import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { findBestModel } from '../../../src/core/training/modelSearch';
import { budgetOutcome } from '../../../src/core/training/modelSearchOutcome';

const examples = join(__dirname, '..', '..', '..', 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-search-'));
let workspace: WorkspaceStore;
before(async () => {
  workspace = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'model search tests' });
});
after(async () => {
  await workspace.close();
  rmSync(work, { recursive: true, force: true });
});

describe('find best model', () => {
  test('tries a linear baseline, boosted trees, a random forest and MLPs as child runs and ranks them by validation error', async () => {
    const spec = join(work, 'mpg.train.yaml');
    // no task: the first run tells it (regression), then the linear baseline joins
    writeFileSync(spec, `experiment: search\ndataset: ${join(examples, 'data', 'auto-mpg.csv')}\ntarget: mpg\nfeatures: {exclude: [name]}\nepochs: 15\n`);
    const updates: number[] = [];
    const result = await findBestModel({ store: workspace.tracking, specPath: spec, backend: 'js', onUpdate: (_, done) => updates.push(done) });
    assert.equal(result.metric, 'val_rmse');
    assert.deepEqual(updates, [1, 2, 3, 4, 5, 6, 7]);
    const labels = result.leaderboard.map((e) => e.label).sort();
    assert.deepEqual(labels, ['MLP 128-64 dropout 0.2', 'MLP 16', 'MLP 64', 'MLP 64-32', 'boosted trees', 'linear regression', 'random forest']);
    const values = result.leaderboard.map((e) => e.value as number);
    assert.deepEqual(values, [...values].sort((a, b) => a - b), 'ranked best first');
    assert.ok(result.leaderboard.every((e, i) => e.rank === i + 1 && e.state === 'complete'));
    const parent = await workspace.tracking.getRun(result.parentRunId);
    assert.equal(parent.info.status, 'FINISHED');
    assert.equal(parent.data.tags.find((t) => t.key === 'mlops.model_search.best_run')?.value, result.leaderboard[0]?.runId);
    const child = await workspace.tracking.getRun(result.leaderboard[0]?.runId as string);
    assert.equal(child.info.parentRunId, result.parentRunId);
    // the search's CPU-seconds are its candidates' together
    let cpu = 0;
    for (const entry of result.leaderboard) cpu += (await workspace.tracking.getRun(entry.runId as string)).data.metrics.find((m) => m.key === 'cpu_seconds')?.value ?? Number.NaN;
    assert.ok(cpu > 0);
    assert.ok(Math.abs((parent.data.metrics.find((m) => m.key === 'cpu_seconds')?.value ?? -1) - cpu) < 1e-9, 'parent cpu_seconds = sum of the candidates');
  });

  test('candidates past the time budget are listed as skipped, and the search says the time budget stopped it', async () => {
    const result = await findBestModel({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), backend: 'js', budgetSeconds: 0.001, costBudget: 1000, prices: { cpuHour: 1, gbHour: 0, gpuHour: 0 } });
    assert.equal(result.leaderboard.filter((e) => e.state === 'complete').length, 1, 'the first candidate always runs');
    assert.ok(result.leaderboard.slice(1).every((e) => e.state === 'skipped' && e.error === 'time budget used up (0.001 s)'));
    assert.equal(result.stoppedBy, 'time');
    assert.match(budgetOutcome(result) ?? '', /^Stopped: the time budget \(0\.001 s\) was spent — \d+ s after 1 of 7 candidates\.$/);
    const parent = await workspace.tracking.getRun(result.parentRunId);
    assert.equal(parent.data.tags.find((t) => t.key === 'mlops.model_search.stopped_by')?.value, 'time');
  });

  test('a cost budget stops the search once the candidates cost that much together, and it says so', async () => {
    const prices = { cpuHour: 1, gbHour: 0, gpuHour: 0 };
    // one candidate costs far more than a billionth: the first is the only one tried
    const result = await findBestModel({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), backend: 'js', budgetSeconds: 3600, costBudget: 1e-9, prices });
    assert.equal(result.stoppedBy, 'cost');
    const tried = result.leaderboard.filter((e) => e.state !== 'skipped');
    assert.equal(tried.length, 1);
    const spent = result.spent.cost as number;
    const parent = await workspace.tracking.getRun(result.parentRunId);
    assert.ok(Math.abs((parent.data.metrics.find((m) => m.key === 'cost')?.value ?? -1) - spent) < 1e-12, 'spent = the parent run\'s cost');
    assert.ok(result.leaderboard.filter((e) => e.state === 'skipped').every((e) => /^cost budget used up \([\d.e-]+ of 1e-9\)$/.test(e.error ?? '')), JSON.stringify(result.leaderboard.map((e) => e.error)));
    assert.match(budgetOutcome(result) ?? '', /^Stopped: the cost budget \(1e-9\) was spent — [\d.e-]+ after 1 of 7 candidates\.$/);
    assert.equal(parent.data.tags.find((t) => t.key === 'mlops.model_search.stopped_by')?.value, 'cost');
    assert.equal(parent.data.params.find((p) => p.key === 'cost_budget')?.value, '1e-9');

    // a search every candidate of which fits the budgets names no budget
    const roomy = await findBestModel({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), backend: 'js', candidates: [{ label: 'MLP 4', model: { type: 'mlp', layers: [{ units: 4 }] } }], costBudget: 1000, prices });
    assert.equal(roomy.stoppedBy, undefined);
    assert.equal(budgetOutcome(roomy), undefined);
  });

  test('a cost budget without a price is refused before any run starts', async () => {
    const before = (await workspace.tracking.searchRuns()).runs.length;
    await assert.rejects(findBestModel({ store: workspace.tracking, specPath: join(examples, 'penguins.train.yaml'), backend: 'js', costBudget: 0.01 }), /a cost budget needs a price/);
    assert.equal((await workspace.tracking.searchRuns()).runs.length, before);
  });
});
