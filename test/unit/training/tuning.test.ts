import Ajv from 'ajv';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { SpecError } from '../../../src/core/training/specErrors';
import { makePruner } from '../../../src/core/training/tunePruners';
import { makeSampler, type TrialRecord } from '../../../src/core/training/tuneSamplers';
import type { TuneSpec } from '../../../src/core/training/tuneSpec';
import { parseTuneSpec } from '../../../src/core/training/tuneSpecParser';
import { runTuning } from '../../../src/core/training/tuningRunner';

const examples = join(__dirname, '..', '..', '..', 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-tune-'));
let workspace: WorkspaceStore;
before(async () => {
  workspace = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'tuning tests' });
});
after(async () => {
  await workspace.close();
  rmSync(work, { recursive: true, force: true });
});

const space: TuneSpec['params'] = [
  ['lr', { type: 'log_uniform', low: 1e-4, high: 1e-1 }],
  ['units', { type: 'int', low: 4, high: 64, log: true }],
  ['dropout', { type: 'uniform', low: 0, high: 0.5 }],
  ['optimizer', { type: 'categorical', choices: ['adam', 'sgd'] }],
];
const base = { params: space, seed: 3, startupTrials: 10, gridPoints: 3, objective: { metric: 'f', direction: 'minimize' as const } };
const record = (number: number, params: Record<string, unknown>, value: number, state: TrialRecord['state'] = 'complete'): TrialRecord => ({ number, params, state, value, intermediate: new Map() });

// Branin on [-5, 10] × [0, 15]; minimum 0.397887
function branin(p: Readonly<Record<string, unknown>>): number {
  const x = p.x as number;
  const y = p.y as number;
  return (y - (5.1 / (4 * Math.PI ** 2)) * x * x + (5 / Math.PI) * x - 6) ** 2 + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x) + 10;
}

describe('search samplers', () => {
  test('random values respect each distribution', () => {
    const sampler = makeSampler({ ...base, sampler: 'random' });
    for (let i = 0; i < 200; i++) {
      const p = sampler.next([]) as Record<string, number | string>;
      assert.ok((p.lr as number) >= 1e-4 && (p.lr as number) <= 1e-1);
      assert.ok(Number.isInteger(p.units) && (p.units as number) >= 4 && (p.units as number) <= 64);
      assert.ok((p.dropout as number) >= 0 && (p.dropout as number) <= 0.5);
      assert.ok(p.optimizer === 'adam' || p.optimizer === 'sgd');
    }
  });

  test('a grid visits every combination exactly once, then reports it is exhausted', () => {
    const sampler = makeSampler({ ...base, sampler: 'grid', params: [['units', { type: 'int', low: 8, high: 32, log: false }], ['optimizer', { type: 'categorical', choices: ['adam', 'sgd'] }]] });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(JSON.stringify(sampler.next([])));
    assert.equal(seen.size, 6);
    assert.ok(seen.has(JSON.stringify({ units: 20, optimizer: 'sgd' })));
    assert.equal(sampler.next([]), undefined);
  });

  test('TPE finds better values than random search at an equal budget (Branin, 30 trials, 10 seeds)', () => {
    const params: TuneSpec['params'] = [
      ['x', { type: 'uniform', low: -5, high: 10 }],
      ['y', { type: 'uniform', low: 0, high: 15 }],
    ];
    const meanBest = (sampler: 'tpe' | 'random'): number => {
      let total = 0;
      for (let seed = 0; seed < 10; seed++) {
        const s = makeSampler({ ...base, params, seed, sampler });
        const history: TrialRecord[] = [];
        for (let n = 0; n < 30; n++) {
          const p = s.next(history) as Record<string, unknown>;
          history.push(record(n, p, branin(p)));
        }
        total += Math.min(...history.map((h) => h.value as number));
      }
      return total / 10;
    };
    const tpe = meanBest('tpe');
    const random = meanBest('random');
    assert.ok(tpe < random, `TPE ${tpe} vs random ${random}`);
  });

  test('TPE proposes categories that did well more often than ones that did badly', () => {
    const sampler = makeSampler({ ...base, sampler: 'tpe', params: [['optimizer', { type: 'categorical', choices: ['adam', 'sgd', 'rmsprop'] }]] });
    const history = Array.from({ length: 20 }, (_, n) => record(n, { optimizer: ['adam', 'sgd', 'rmsprop'][n % 3] }, n % 3 === 1 ? 0.1 : 1));
    const picks = Array.from({ length: 30 }, () => (sampler.next(history) as { optimizer: string }).optimizer);
    assert.ok(picks.filter((p) => p === 'sgd').length > 20, picks.join(','));
  });
});

describe('pruners', () => {
  const withCurve = (number: number, curve: number[], state: TrialRecord['state'] = 'complete'): TrialRecord => ({ number, params: {}, state, intermediate: new Map(curve.map((v, i) => [i + 1, v])) });
  const lower = (v: number): number => v;

  test('median: a trial worse than the median of finished trials at the same epoch is stopped, after warm-up and enough trials', () => {
    const pruner = makePruner({ type: 'median', warmupEpochs: 2, minTrials: 3 });
    const finished = [withCurve(0, [1, 0.8, 0.6, 0.5]), withCurve(1, [1, 0.7, 0.5, 0.4]), withCurve(2, [1, 0.9, 0.7, 0.6])];
    const bad = withCurve(3, [1, 1, 0.95], 'running');
    const good = withCurve(4, [1, 0.6, 0.4], 'running');
    const all = [...finished, bad, good];
    assert.equal(pruner.shouldPrune(bad, 2, all, lower), false, 'still warming up');
    assert.equal(pruner.shouldPrune(bad, 3, all, lower), true);
    assert.equal(pruner.shouldPrune(good, 3, all, lower), false);
    assert.equal(pruner.shouldPrune(bad, 3, [finished[0]!, bad], lower), false, 'too few trials to judge');
  });

  test('successive halving keeps the best third at each rung', () => {
    const pruner = makePruner({ type: 'successive_halving', minEpochs: 2, reductionFactor: 3 });
    const trials = [withCurve(0, [1, 0.2]), withCurve(1, [1, 0.5]), withCurve(2, [1, 0.9], 'running')];
    assert.equal(pruner.shouldPrune(trials[2]!, 2, trials, lower), true);
    assert.equal(pruner.shouldPrune(trials[0]!, 2, trials, lower), false);
    assert.equal(pruner.shouldPrune(trials[2]!, 1, trials, lower), false, 'epoch 1 is not a rung');
  });
});

describe('search specs', () => {
  test('a tune file names its train spec; defaults fill the rest; direction follows the metric', () => {
    const spec = parseTuneSpec('train: m.train.yaml\nobjective: {metric: val_accuracy}\nparams:\n  optimizer.learning_rate: {type: log_uniform, low: 0.001, high: 0.1}\n', '/w/m.tune.yaml');
    assert.equal(spec.trainSpecPath, '/w/m.train.yaml');
    assert.deepEqual(spec.objective, { metric: 'val_accuracy', direction: 'maximize' });
    assert.equal(spec.sampler, 'tpe');
    assert.equal(spec.trials, 20);
    assert.deepEqual(spec.pruner, { type: 'none' });
  });

  test('a `tune:` section inside a train spec tunes that spec', () => {
    const spec = parseTuneSpec('dataset: d.csv\ntarget: y\ntune:\n  sampler: random\n  params:\n    batch_size: {type: categorical, choices: [16, 32]}\n', '/w/m.train.yaml');
    assert.equal(spec.trainSpecPath, '/w/m.train.yaml');
    assert.equal(spec.sampler, 'random');
  });

  test('the tune schema is draft-07, compiles, and every field has a description', () => {
    const schema = JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'schemas', 'tune.schema.json'), 'utf8')) as { $schema: string; properties: Record<string, { description?: string }> };
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    new Ajv({ strict: false }).compile(schema);
    assert.deepEqual(Object.entries(schema.properties).filter(([, p]) => !p.description).map(([k]) => k), []);
  });

  test('mistakes point at the line', () => {
    assert.throws(
      () => parseTuneSpec('train: m.train.yaml\nparams:\n  lr: {type: loguniform, low: 0.1, high: 1}\n', '/w/m.tune.yaml'),
      (e: unknown) => e instanceof SpecError && e.issues.some((i) => i.line === 3),
    );
    assert.throws(() => parseTuneSpec('train: m.train.yaml\nparams:\n  lr: {type: uniform, low: 2, high: 1}\n', '/w/m.tune.yaml'), /low \(2\) must not exceed high \(1\)/);
  });
});

describe('running a search', () => {
  test('trials run in parallel as child runs of a study run that records the best', async () => {
    const train = join(work, 'small.train.yaml');
    writeFileSync(train, `experiment: tuning\ndataset: ${join(examples, 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: 8}]}\nepochs: 3\nearly_stopping: false\n`);
    const tune = join(work, 'small.tune.yaml');
    writeFileSync(tune, 'train: small.train.yaml\nobjective: {metric: val_loss}\nsampler: random\ntrials: 4\nparallel: 2\nparams:\n  optimizer.learning_rate: {type: log_uniform, low: 0.001, high: 0.1}\n  model.layers.0.units: {type: int, low: 2, high: 16}\n');
    let maxRunning = 0;
    const result = await runTuning({ store: workspace.tracking, tuneSpecPath: tune, backend: 'js', prices: { cpuHour: 1, gbHour: 0.5, gpuHour: 0 }, onProgress: (p) => (maxRunning = Math.max(maxRunning, p.running)) });
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.trials.length, 4);
    assert.equal(maxRunning, 2, 'two trials ran at once');
    assert.ok(result.trials.every((t) => t.state === 'complete' && t.value !== undefined));
    const bestValue = Math.min(...result.trials.map((t) => t.value as number));
    assert.equal(result.best?.value, bestValue);

    const study = await workspace.tracking.getRun(result.studyRunId);
    assert.equal(study.info.status, 'FINISHED');
    const tags = Object.fromEntries(study.data.tags.map((t) => [t.key, t.value]));
    assert.equal(tags['mlops.tune.best_run'], result.best?.runId);
    const params = Object.fromEntries(study.data.params.map((p) => [p.key, p.value]));
    assert.equal(params['best.model.layers.0.units'], String(result.best?.params['model.layers.0.units']));
    // the study's CPU-seconds and cost are its trials' together
    const total = { cpu_seconds: 0, cost: 0 };
    for (const trial of result.trials) {
      const run = await workspace.tracking.getRun(trial.runId as string);
      for (const key of ['cpu_seconds', 'cost'] as const) total[key] += run.data.metrics.find((m) => m.key === key)?.value ?? Number.NaN;
      assert.equal(run.info.parentRunId, result.studyRunId);
      assert.equal(run.data.params.find((p) => p.key === 'optimizer.learning_rate')?.value, String(trial.params['optimizer.learning_rate']));
      // what the sampler chose, as params of their own, and what the trial is judged by: the Runs panel leads with them
      assert.equal(run.data.params.find((p) => p.key === 'tune.model.layers.0.units')?.value, String(trial.params['model.layers.0.units']));
      assert.equal(run.data.params.find((p) => p.key === 'tune.optimizer.learning_rate')?.value, String(trial.params['optimizer.learning_rate']));
      assert.equal(run.data.tags.find((t) => t.key === 'mlops.tune.objective')?.value, 'minimize val_loss');
    }
    assert.ok(total.cpu_seconds > 0 && total.cost > 0, JSON.stringify(total));
    for (const key of ['cpu_seconds', 'cost'] as const) assert.ok(Math.abs((study.data.metrics.find((m) => m.key === key)?.value ?? -1) - total[key]) < 1e-9, `study ${key}`);
    const trials = JSON.parse((await workspace.tracking.readArtifact(result.studyRunId, 'study/trials.json')).toString()) as { trials: unknown[] };
    assert.equal(trials.trials.length, 4);
  });

  test('a search over a field the spec does not allow is refused before any run starts', async () => {
    const tune = join(work, 'wrong.tune.yaml');
    writeFileSync(tune, 'train: small.train.yaml\nparams:\n  optimizer.learning_rat: {type: uniform, low: 0.01, high: 0.1}\n');
    const before = (await workspace.tracking.searchRuns()).runs.length;
    await assert.rejects(runTuning({ store: workspace.tracking, tuneSpecPath: tune }), (e: unknown) => e instanceof SpecError && /unknown field `optimizer\.learning_rat`/.test(e.message));
    assert.equal((await workspace.tracking.searchRuns()).runs.length, before);
  });
});
