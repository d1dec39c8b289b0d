import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { Run } from '../../../src/core/tracking/trackingTypes';
import { trainingStepText } from '../../../src/core/training/trainingLength';
import { prunedText } from '../../../src/vscode/experiments/studyTrials';
import { mlopsInProcess } from '../lib/runCliInProcess';

// Issue #20: a tree model has boosting rounds or trees, not epochs, wherever a user reads about it.
const examples = join(__dirname, '..', '..', '..', 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-tree-words-'));
after(() => rmSync(work, { recursive: true, force: true }));
const data = join(work, 'data');
mkdirSync(data);
copyFileSync(join(examples, 'data', 'seattle-weather.csv'), join(data, 'seattle-weather.csv'));
copyFileSync(join(examples, 'data', 'penguins.csv'), join(data, 'penguins.csv'));

interface RunJson {
  data: { params: { key: string; value: string }[]; metrics: { key: string; value: number }[] };
}

async function ok(...args: string[]): Promise<string> {
  const r = await mlopsInProcess(work, ...args);
  assert.equal(r.code, 0, `mlops ${args.join(' ')}: ${r.err}`);
  return r.out;
}
async function run(runId: string): Promise<{ params: Record<string, string>; metrics: Record<string, number> }> {
  const shown = JSON.parse(await ok('--json', 'runs', 'show', runId)) as RunJson;
  return {
    params: Object.fromEntries(shown.data.params.map((p) => [p.key, p.value])),
    metrics: Object.fromEntries(shown.data.metrics.map((m) => [m.key, m.value])),
  };
}
function spec(name: string, model: string): string {
  const path = join(work, name);
  // what a data scientist leaves in a spec when switching it from a network to trees
  writeFileSync(path, `dataset: data/seattle-weather.csv\ntarget: weather\nfeatures: [precipitation, temp_max, temp_min, wind]\nmodel:\n${model}\noptimizer:\n  name: adam\nepochs: 50\nbatch_size: 32\nearly_stopping:\n  patience: 5\nseed: 7\n`);
  return path;
}

describe('tree models in words a user reads', () => {
  test('a boosted-tree run: mlops train counts boosting rounds, the run logs iterations, and the model card says "Boosting rounds: N of M, stopped early"', async () => {
    const trained = await mlopsInProcess(work, 'train', spec('gbdt.train.yaml', '  type: gbdt\n  max_iter: 300'), '--backend', 'js');
    assert.equal(trained.code, 0, trained.err);
    assert.match(trained.err, /boosting round \d+\/300 · loss/, 'progress counts boosting rounds');
    const line = /^run ([0-9a-f]{32}) FINISHED \(.*\)$/m.exec(trained.out);
    assert.ok(line, trained.out);
    assert.match(line[0], /, \d+ boosting rounds, stopped early\)$/);
    assert.doesNotMatch(trained.out, /epoch/i);
    // only the warning about the spec's own network settings names them
    assert.deepEqual(trained.err.split('\n').filter((l) => /epoch/i.test(l)), ['mlops: warning: `optimizer`, `epochs`, `batch_size`: network settings, ignored by the gbdt model (it grows `model.max_iter` boosting rounds with `model.learning_rate`)']);
    const runId = line[1] as string;

    const { params, metrics } = await run(runId);
    assert.ok((metrics.best_iteration as number) < (metrics.iterations_run as number), JSON.stringify(metrics));
    for (const key of Object.keys(params)) assert.doesNotMatch(key, /^(epochs|batch_size|optimizer\.)/, 'no network params');
    for (const key of Object.keys(metrics)) assert.doesNotMatch(key, /epoch/, 'no epoch metrics');

    await ok('models', 'register', runId, '--name', 'weather', '--actor', 'alice');
    const shown = await ok('models', 'show', 'weather', '1');
    assert.match(shown, new RegExp(`^training {2}boosting rounds: ${metrics.best_iteration} of 300, stopped early \\(the best of ${metrics.iterations_run} grown\\)$`, 'm'));
    assert.doesNotMatch(shown, /epoch/i);
    const card = JSON.parse(await ok('--json', 'models', 'show', 'weather', '1')) as { trainedFor: unknown; trainingMetricsAt: string };
    assert.deepEqual(card.trainedFor, { label: 'Boosting rounds', value: `${metrics.best_iteration} of 300, stopped early (the best of ${metrics.iterations_run} grown)` });
    assert.equal(card.trainingMetricsAt, `After boosting round ${metrics.best_iteration}`);
  });

  test('a random forest run: mlops train counts trees, and neither its params nor its card mention epochs or early stopping', async () => {
    const trained = await mlopsInProcess(work, 'train', spec('forest.train.yaml', '  type: random_forest\n  n_estimators: 12'), '--backend', 'js');
    assert.equal(trained.code, 0, trained.err);
    const line = /^run ([0-9a-f]{32}) FINISHED \(.*\)$/m.exec(trained.out);
    assert.ok(line, trained.out);
    assert.match(line[0], /, 12 trees\)$/);
    const runId = line[1] as string;
    const { params, metrics } = await run(runId);
    assert.equal(metrics.trees, 12);
    assert.equal(params.early_stopping, undefined, 'a forest grows all its trees');
    assert.equal(params.epochs, undefined);
    await ok('models', 'register', runId, '--name', 'forest', '--actor', 'alice');
    const shown = await ok('models', 'show', 'forest', '1');
    assert.match(shown, /^training {2}trees: 12$/m);
    assert.doesNotMatch(shown, /epoch/i);
    const card = JSON.parse(await ok('--json', 'models', 'show', 'forest', '1')) as { trainingMetricsAt: string };
    assert.equal(card.trainingMetricsAt, 'All 12 trees');
  });

  test('Find Best Model: a boosted-tree winner\'s spec (written next to the data, and kept by its run) has no network settings, says what it left out, and trains the same trees again', async () => {
    const r = await mlopsInProcess(work, '--json', 'find-best-model', join(data, 'penguins.csv'), '--target', 'species', '--time-budget', '0.001', '--backend', 'js');
    assert.equal(r.code, 0, r.err);
    const search = JSON.parse(r.out) as { spec: string; leaderboard: { label: string; runId?: string; state: string }[] };
    const winner = search.leaderboard[0];
    assert.equal(winner?.label, 'boosted trees', 'the first candidate of a search without a task');
    const text = readFileSync(search.spec, 'utf8');
    assert.match(text, /^model:\n {2}type: gbdt$/m);
    for (const field of [/^epochs:/m, /^batch_size:/m, /^optimizer:/m, /^ {2}impute:/m, /^ {2}standardize:/m]) assert.doesNotMatch(text, field, `${field} in:\n${text}`);
    assert.match(text, /^early_stopping:\n {2}patience: 10$/m, 'a booster stops early: kept');
    assert.match(text, /^# Left out as the gbdt model does not use them: optimizer, epochs, batch_size, preprocessing\.impute, preprocessing\.standardize\.$/m);

    const retrained = JSON.parse(await ok('--json', 'train', search.spec, '--backend', 'js')) as { runId: string; modelDir: string; epochsRun: number; unit: string };
    assert.equal(retrained.unit, 'boosting round', 'what epochsRun counts, for a script reading it');
    assert.deepEqual((await run(retrained.runId)).params, (await run(winner?.runId as string)).params, 'the same settings');
    await ok('models', 'register', winner?.runId as string, '--name', 'penguins-best', '--actor', 'alice');
    const card = JSON.parse(await ok('--json', 'models', 'show', 'penguins-best', '1')) as { files: { packageDir: string; spec: string } };
    assert.equal(readFileSync(join(retrained.modelDir, 'trees.json'), 'utf8'), readFileSync(join(card.files.packageDir, 'trees.json'), 'utf8'), 'the same trees');
    // the winning run keeps the spec it trained (the card's spec, Re-run), not the search's base spec
    const kept = readFileSync(card.files.spec, 'utf8');
    assert.match(kept, /^model:\n {2}type: gbdt$/m);
    assert.doesNotMatch(kept, /^(epochs|batch_size|optimizer):/m);
  });

  test('tuning a booster: a pruned trial says at which boosting round it was stopped, on the terminal and in the Experiments view', async () => {
    const train = spec('tuned.train.yaml', '  type: gbdt\n  max_iter: 40');
    const tune = join(work, 'tuned.tune.yaml');
    // two learning rates far apart: the one behind is stopped at a rung (round 3 or later); which
    // rung depends on which rate the grid tries first
    writeFileSync(tune, `train: ${train}\nobjective:\n  metric: val_loss\n  direction: minimize\nsampler: grid\ntrials: 2\nparallel: 1\npruner:\n  type: successive_halving\n  min_epochs: 3\n  reduction_factor: 2\nparams:\n  model.learning_rate: {type: categorical, choices: [0.3, 0.001]}\n`);
    const r = await mlopsInProcess(work, 'tune', tune, '--backend', 'js');
    assert.equal(r.code, 0, r.err);
    const round = /^trial +\d+ {2}pruned at boosting round (\d+)\b/m.exec(r.err)?.[1];
    assert.ok(round && Number(round) >= 3, `a trial was pruned after its first rung (min_epochs 3), in boosting rounds:\n${r.err}`);
    assert.doesNotMatch(r.err.split('\n').filter((l) => l.startsWith('trial')).join('\n'), /epoch/);
    const runs = (JSON.parse(await ok('--json', 'runs', 'list', '-e', 'tuned')) as { runs: Run[] }).runs;
    const pruned = runs.filter((one) => one.data.tags.some((t) => t.key === 'mlops.tune.pruned'));
    assert.deepEqual(pruned.map(prunedText), [`pruned at boosting round ${round}`], 'the trial\'s row in the Experiments view');
  });

  test('the status bar counts what the model grows', () => {
    assert.equal(trainingStepText({ unit: 'boosting round', phase: 'training', epoch: 3, epochs: 300 }), 'boosting round 3/300');
    assert.equal(trainingStepText({ unit: 'tree', phase: 'training', epoch: 40, epochs: 100 }), 'tree 40/100');
    assert.equal(trainingStepText({ unit: 'epoch', phase: 'training', epoch: 3, epochs: 60 }), 'epoch 3/60');
    assert.equal(trainingStepText({ unit: 'tree', phase: 'starting', epoch: 0, epochs: 100 }), 'starting');
  });
});
