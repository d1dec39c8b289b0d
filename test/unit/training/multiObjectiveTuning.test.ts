import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openWorkspaceStore, type WorkspaceStore } from '../../../src/core/store/workspaceStore';
import { crowdingDistances, dominates, hypervolume, nonDominatedRanks } from '../../../src/core/training/paretoFront';
import { SpecError } from '../../../src/core/training/specErrors';
import { PARETO_FRONT_ARTIFACT, type ParetoFrontRecord } from '../../../src/core/training/studyFront';
import { makeSampler, type TrialRecord } from '../../../src/core/training/tuneSamplers';
import type { TuneObjective, TuneSpec } from '../../../src/core/training/tuneSpec';
import { parseTuneSpec } from '../../../src/core/training/tuneSpecParser';
import { runTuning } from '../../../src/core/training/tuningRunner';

const examples = join(__dirname, '..', '..', '..', 'examples');

describe('Pareto fronts', () => {
  test('dominance, ranks and crowding follow NSGA-II', () => {
    assert.ok(dominates([1, 2], [1, 3]));
    assert.ok(!dominates([1, 2], [1, 2]), 'equal points do not dominate each other');
    assert.ok(!dominates([0, 3], [1, 2]), 'a trade-off is not dominance');
    assert.deepEqual(nonDominatedRanks([[1, 3], [2, 2], [3, 1], [3, 3], [4, 4]]), [0, 0, 0, 1, 2]);
    const crowding = crowdingDistances([[1, 3], [2, 2], [3, 1]]);
    assert.equal(crowding[0], Infinity);
    assert.equal(crowding[2], Infinity);
    assert.equal(crowding[1], 2, 'the middle point spans both ranges');
  });

  test('hypervolume is exact in two and three objectives and ignores dominated points and points past the reference', () => {
    assert.equal(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4]), 6);
    assert.equal(hypervolume([[1, 3], [2, 2], [3, 1], [3, 3], [5, 0]], [4, 4]), 6);
    assert.equal(hypervolume([[1, 1, 1]], [2, 2, 2]), 1);
    // two boxes of 1×2×2 and 2×1×2 overlapping in 1×1×2: 4 + 4 − 2
    assert.equal(hypervolume([[1, 0, 0], [0, 1, 0]], [2, 2, 2]), 6);
  });
});

// ZDT1 in five dimensions, evaluated directly: f1 = x0, f2 = g·(1 − √(f1/g)), both minimized;
// its true front is f2 = 1 − √f1 (all other x at 0)
const zdtParams: TuneSpec['params'] = Array.from({ length: 5 }, (_, i) => [`x${i}`, { type: 'uniform', low: 0, high: 1 }] as const);
function zdt1(p: Readonly<Record<string, unknown>>): number[] {
  const x = zdtParams.map(([key]) => p[key] as number);
  const f1 = x[0] as number;
  const g = 1 + (9 / (x.length - 1)) * x.slice(1).reduce((a, b) => a + b, 0);
  return [f1, g * (1 - Math.sqrt(f1 / g))];
}
const zdtObjectives: TuneObjective[] = [{ metric: 'f1', direction: 'minimize' }, { metric: 'f2', direction: 'minimize' }];

function searchZdt(sampler: TuneSpec['sampler'], seed: number, trials: number): number {
  const s = makeSampler({ sampler, params: zdtParams, seed, startupTrials: 10, gridPoints: 3, objective: zdtObjectives[0] as TuneObjective, objectives: zdtObjectives, populationSize: 10 });
  const history: TrialRecord[] = [];
  for (let n = 0; n < trials; n++) {
    const params = s.next(history) as Record<string, unknown>;
    const values = zdt1(params);
    history.push({ number: n, params, state: 'complete', value: values[0] as number, values, intermediate: new Map() });
  }
  return hypervolume(history.map((t) => t.values as number[]), [1.1, 11]);
}

describe('multi-objective samplers', () => {
  for (const sampler of ['tpe', 'nsga2'] as const) {
    test(`${sampler} finds a front with more hypervolume than random search at 50 trials (ZDT1, 10 seeds)`, () => {
      const mean = (name: TuneSpec['sampler']): number => Array.from({ length: 10 }, (_, seed) => searchZdt(name, seed, 50)).reduce((a, b) => a + b, 0) / 10;
      const found = mean(sampler);
      const random = mean('random');
      assert.ok(found > random, `${sampler} ${found} vs random ${random}`);
    });
  }

  test('a maximized objective counts higher values as better', () => {
    // the same toy problem with f2 negated and maximized: TPE must still move towards low f2
    const objectives: TuneObjective[] = [{ metric: 'f1', direction: 'minimize' }, { metric: 'neg_f2', direction: 'maximize' }];
    const s = makeSampler({ sampler: 'tpe', params: zdtParams, seed: 1, startupTrials: 10, gridPoints: 3, objective: objectives[0] as TuneObjective, objectives });
    const history: TrialRecord[] = [];
    for (let n = 0; n < 50; n++) {
      const params = s.next(history) as Record<string, unknown>;
      const [f1, f2] = zdt1(params) as [number, number];
      history.push({ number: n, params, state: 'complete', value: f1, values: [f1, -f2], intermediate: new Map() });
    }
    const late = history.slice(30).map((t) => -(t.values?.[1] as number));
    const early = history.slice(0, 10).map((t) => -(t.values?.[1] as number));
    const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
    assert.ok(mean(late) < mean(early), `late f2 ${mean(late)} vs random start ${mean(early)}`);
  });
});

describe('multi-objective specs', () => {
  test('`objectives` lists several metrics; directions default by metric; `objective` is the first', () => {
    const spec = parseTuneSpec('train: m.train.yaml\nobjectives:\n  - {metric: val_accuracy}\n  - {metric: cost, direction: minimize, reference: 0.01}\nparams:\n  epochs: {type: int, low: 2, high: 8}\n', '/w/m.tune.yaml');
    assert.deepEqual(spec.objectives, [{ metric: 'val_accuracy', direction: 'maximize' }, { metric: 'cost', direction: 'minimize', reference: 0.01 }]);
    assert.deepEqual(spec.objective, { metric: 'val_accuracy', direction: 'maximize' });
  });

  test('a single `objective` works as before', () => {
    const spec = parseTuneSpec('train: m.train.yaml\nobjective: {metric: val_loss}\nparams:\n  epochs: {type: int, low: 2, high: 8}\n', '/w/m.tune.yaml');
    assert.deepEqual(spec.objectives, [{ metric: 'val_loss', direction: 'minimize' }]);
  });

  const refused = (text: string, field: string, message: RegExp): void => {
    assert.throws(() => parseTuneSpec(`train: m.train.yaml\n${text}params:\n  epochs: {type: int, low: 2, high: 8}\n`, '/w/m.tune.yaml'), (e: unknown) => e instanceof SpecError && e.issues.some((i) => i.field === field) && message.test(e.message));
  };

  test('mistakes name the field and what is allowed', () => {
    refused('objective: {metric: val_loss}\nobjectives: [{metric: val_loss}, {metric: cost}]\n', 'objectives', /either `objective`.*or `objectives`/);
    refused('objectives: [{metric: cost}, {metric: cost}]\n', 'objectives[1].metric', /already an objective/);
    refused('objectives: [{metric: val_accuracy}, {metric: cost}]\npruner: median\n', 'pruner', /several objectives cannot prune \(allowed: none\)/);
    refused('objectives: [{metric: val_accuracy, direction: up}]\n', 'objectives[0].direction', /minimize.*maximize/);
    refused('objectives: [{metric: val_accuracy}, {metric: cost}]\nsampler: nsga3\n', 'sampler', /nsga2/);
  });
});

describe('a study with two objectives', () => {
  const work = mkdtempSync(join(tmpdir(), 'mlops-pareto-'));
  let workspace: WorkspaceStore;
  before(async () => {
    workspace = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'pareto tests' });
    writeFileSync(join(work, 'small.train.yaml'), `experiment: pareto\ndataset: ${join(examples, 'data', 'penguins.csv')}\ntarget: species\nmodel: {type: mlp, layers: [{units: 8}]}\nepochs: 3\nearly_stopping: false\n`);
  });
  after(async () => {
    await workspace.close();
    rmSync(work, { recursive: true, force: true });
  });

  test('records its Pareto front (tags, artifact) and hypervolume; the front trials beat every other trial somewhere', async () => {
    const tune = join(work, 'cost.tune.yaml');
    writeFileSync(tune, 'train: small.train.yaml\nobjectives:\n  - {metric: val_accuracy, direction: maximize}\n  - {metric: cost, direction: minimize}\nsampler: tpe\nstartup_trials: 3\ntrials: 5\nparallel: 2\nparams:\n  epochs: {type: int, low: 1, high: 8}\n  model.layers.0.units: {type: int, low: 2, high: 32}\n');
    const result = await runTuning({ store: workspace.tracking, tuneSpecPath: tune, backend: 'js', prices: { cpuHour: 2, gbHour: 0, gpuHour: 0 } });
    assert.equal(result.status, 'FINISHED');
    assert.equal(result.trials.length, 5);
    const front = result.paretoFront as ParetoFrontRecord;
    assert.ok(front.front.length >= 1);

    const study = await workspace.tracking.getRun(result.studyRunId);
    const metric = (run: typeof study, key: string): number | undefined => run.data.metrics.find((m) => m.key === key)?.value;
    const tag = (run: typeof study, key: string): string | undefined => run.data.tags.find((t) => t.key === key)?.value;
    assert.equal(tag(study, 'mlops.tune.objectives'), 'maximize val_accuracy, minimize cost');
    assert.equal(tag(study, 'mlops.tune.objective'), 'maximize val_accuracy', 'the first objective, for what reads one');
    assert.ok((metric(study, 'pareto_hypervolume') ?? 0) > 0);
    assert.equal(metric(study, 'pareto_front_size'), front.front.length);
    const artifact = JSON.parse((await workspace.tracking.readArtifact(result.studyRunId, PARETO_FRONT_ARTIFACT)).toString()) as ParetoFrontRecord;
    assert.deepEqual(artifact.front.map((t) => t.number), front.front.map((t) => t.number));
    assert.equal(artifact.hypervolume, metric(study, 'pareto_hypervolume'));

    // judged by what the runs themselves recorded: front trials are tagged and not dominated; the others are dominated by a front trial
    const trials = await Promise.all(result.trials.map(async (t) => workspace.tracking.getRun(t.runId as string)));
    const point = (run: typeof study): [number, number] => [-(metric(run, 'val_accuracy') as number), metric(run, 'cost') as number];
    const onFront = trials.filter((r) => tag(r, 'mlops.tune.pareto') === 'true');
    assert.deepEqual(onFront.map((r) => r.info.runId).sort(), front.front.map((t) => t.runId).sort());
    for (const r of trials) {
      const dominated = trials.some((q) => dominates(point(q), point(r)));
      assert.equal(dominated, !onFront.includes(r), `${r.info.runName} ${JSON.stringify(point(r))}`);
    }
  });

  test('cost as an objective without a price is refused before any run starts, naming the field', async () => {
    const tune = join(work, 'unpriced.tune.yaml');
    writeFileSync(tune, 'train: small.train.yaml\nobjectives: [{metric: val_accuracy}, {metric: cost}]\nparams:\n  epochs: {type: int, low: 1, high: 4}\n');
    const before = (await workspace.tracking.searchRuns()).runs.length;
    await assert.rejects(runTuning({ store: workspace.tracking, tuneSpecPath: tune, backend: 'js' }), (e: unknown) => e instanceof SpecError && /objectives\[1\]\.metric: "cost" needs a price/.test(e.message));
    assert.equal((await workspace.tracking.searchRuns()).runs.length, before);
  });
});
