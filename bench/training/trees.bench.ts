// Tree models against scikit-learn, side by side on the same machine and the same splits:
//  - accuracy (R² for regression) of `gbdt` vs HistGradientBoosting* and of `random_forest` vs
//    RandomForest*, all with their defaults, on scikit-learn's bundled datasets and the examples;
//  - fit time of 100 trees × 31 leaves on ROWS × 20 numeric rows (default 1,000,000) and of a
//    100-tree forest on 100,000 × 20 (scikit-learn with n_jobs=2 / its OpenMP threads);
//  - batch scoring throughput of the 100-tree booster (rows/s).
// scikit-learn comes from Debian's python3-sklearn (/usr/bin/python3); without it only our figures
// are printed. Same split for both: ours uses the validation split for early stopping (its
// default), scikit-learn gets train + validation and its own defaults (early stopping "auto").
// scikit-learn 1.2's random forests take no missing values: they get NaN → -1 (ours route NaN).
// Usage: node --import tsx bench/training/trees.bench.ts   (TREES_BENCH_ROWS=200000 for a quicker run)
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTable } from '../../src/core/data/tableReader';
import { compileEnsemble } from '../../src/core/modelPackage/treeEnsemble';
import { prepareData, type EncodedSplit, type PreparedData } from '../../src/core/training/datasetPreparation';
import { SeededRandom } from '../../src/core/training/seededRandom';
import type { ForestSpec, GbdtSpec } from '../../src/core/training/trainSpec';
import { parseTrainSpec } from '../../src/core/training/trainSpecParser';
import { trainGradientBoosting } from '../../src/core/training/trees/gradientBoosting';
import { trainRandomForest } from '../../src/core/training/trees/randomForest';
import { trainTreeModel } from '../../src/core/training/trees/treeModelTraining';

const ROOT = join(__dirname, '..', '..');
const ROWS = Number(process.env.TREES_BENCH_ROWS ?? 1_000_000);
const FOREST_ROWS = 100_000;
const WIDTH = 20;
const PYTHON = '/usr/bin/python3';
const work = mkdtempSync(join(tmpdir(), 'trees-bench-'));

const SKLEARN = String.raw`
import json, sys, time, numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.metrics import accuracy_score, r2_score
job = json.load(open(sys.argv[1]))
d = job['dir']
def load(name, rows):
    x = np.fromfile(f'{d}/{name}_x.bin', dtype='<f4').reshape(rows, job['width']).astype(np.float64)
    y = np.fromfile(f'{d}/{name}_y.bin', dtype='<f4').astype(np.float64)
    return x, y
xtr, ytr = load('train', job['train'])
xte, yte = load('test', job['test'])
cls = job['task'] == 'classification'
cat = np.array(job['categorical'], dtype=bool)
if job['model'] == 'gbdt':
    params = dict(random_state=0, categorical_features=cat if cat.any() else None, **job.get('params', {}))
    model = (HistGradientBoostingClassifier if cls else HistGradientBoostingRegressor)(**params)
else:
    xtr = np.nan_to_num(xtr, nan=-1.0); xte = np.nan_to_num(xte, nan=-1.0)
    model = (RandomForestClassifier if cls else RandomForestRegressor)(random_state=0, n_jobs=2, **job.get('params', {}))
t = time.perf_counter(); model.fit(xtr, ytr.astype(int) if cls else ytr); fit = time.perf_counter() - t
pred = model.predict(xte)
score = accuracy_score(yte.astype(int), pred) if cls else r2_score(yte, pred)
print(json.dumps({'score': float(score), 'fit_seconds': fit, 'iterations': int(getattr(model, 'n_iter_', 0) or 0)}))
`;

const BUNDLED = String.raw`
import sys, numpy as np
from sklearn import datasets
name, out = sys.argv[1], sys.argv[2]
data = getattr(datasets, 'load_' + name)()
cols = ['f%d' % i for i in range(data.data.shape[1])]
with open(out, 'w') as f:
    f.write(','.join(cols + ['target']) + '\n')
    for row, t in zip(data.data, data.target):
        f.write(','.join(repr(float(v)) for v in row) + ',' + (str(int(t)) if name != 'diabetes' else repr(float(t))) + '\n')
`;

function sklearnAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import sklearn'], { stdio: 'ignore' }).status === 0;
}

function writeSplit(dir: string, name: string, split: EncodedSplit): void {
  writeFileSync(join(dir, `${name}_x.bin`), Buffer.from(split.x.buffer, split.x.byteOffset, split.x.byteLength));
  writeFileSync(join(dir, `${name}_y.bin`), Buffer.from(split.y.buffer, split.y.byteOffset, split.y.byteLength));
}

function concat(a: EncodedSplit, b: EncodedSplit): EncodedSplit {
  const x = new Float32Array(a.x.length + b.x.length);
  x.set(a.x);
  x.set(b.x, a.x.length);
  const y = new Float32Array(a.count + b.count);
  y.set(a.y);
  y.set(b.y, a.count);
  return { x, y, count: a.count + b.count };
}

interface SklearnResult {
  readonly score: number;
  readonly fit_seconds: number;
  readonly iterations: number;
}

/** scikit-learn on train + validation (it splits its own validation rows when it stops early), scored on the same test rows. */
function sklearn(name: string, data: PreparedData, model: 'gbdt' | 'random_forest', params: Record<string, unknown> = {}): SklearnResult {
  const dir = join(work, `${name}-${model}`);
  mkdirSync(dir, { recursive: true });
  const train = concat(data.train, data.validation);
  writeSplit(dir, 'train', train);
  writeSplit(dir, 'test', data.test);
  const job = { dir, width: data.preprocessing.width, train: train.count, test: data.test.count, task: data.task, model, params, categorical: data.preprocessing.features.map((f) => f.kind === 'categorical') };
  writeFileSync(join(dir, 'job.json'), JSON.stringify(job));
  writeFileSync(join(work, 'sk.py'), SKLEARN);
  return JSON.parse(execFileSync(PYTHON, [join(work, 'sk.py'), join(dir, 'job.json')], { encoding: 'utf8', maxBuffer: 1 << 20 })) as SklearnResult;
}

function score(data: PreparedData, out: Float32Array): number {
  const y = data.test.y;
  if (data.task === 'classification') {
    const k = data.classes.length;
    let correct = 0;
    for (let i = 0; i < y.length; i++) {
      let arg = 0;
      for (let c = 1; c < k; c++) if ((out[i * k + c] as number) > (out[i * k + arg] as number)) arg = c;
      if (arg === y[i]) correct++;
    }
    return correct / y.length;
  }
  let mean = 0;
  for (const v of y) mean += v;
  mean /= y.length;
  let residual = 0;
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    residual += ((y[i] as number) - (out[i] as number)) ** 2;
    total += ((y[i] as number) - mean) ** 2;
  }
  return 1 - residual / total;
}

async function prepared(csv: string, specText: string): Promise<{ data: PreparedData; spec: ReturnType<typeof parseTrainSpec>['spec'] }> {
  const parsed = parseTrainSpec(`dataset: ${csv}\n${specText}`, join(work, 'bench.train.yaml'));
  const table = await readTable(parsed.spec.dataset, { columnKinds: parsed.spec.columnKinds });
  return { data: prepareData(table, parsed.spec, 'bench.train.yaml', parsed.locate), spec: parsed.spec };
}

async function accuracyRows(hasSklearn: boolean): Promise<Record<string, unknown>[]> {
  const sets: { name: string; csv: string; spec: string }[] = [];
  if (hasSklearn) {
    for (const name of ['breast_cancer', 'wine', 'iris', 'digits', 'diabetes']) {
      const csv = join(work, `${name}.csv`);
      writeFileSync(join(work, 'bundled.py'), BUNDLED);
      execFileSync(PYTHON, [join(work, 'bundled.py'), name, csv]);
      sets.push({ name, csv, spec: `target: target\ntask: ${name === 'diabetes' ? 'regression' : 'classification'}\n` });
    }
  }
  const data = join(ROOT, 'examples', 'data');
  sets.push({ name: 'penguins', csv: join(data, 'penguins.csv'), spec: 'target: species\n' });
  sets.push({ name: 'seattle-weather', csv: join(data, 'seattle-weather.csv'), spec: 'target: weather\nfeatures:\n  exclude: [date]\n' });
  sets.push({ name: 'auto-mpg', csv: join(data, 'auto-mpg.csv'), spec: 'target: mpg\ntask: regression\nfeatures:\n  exclude: [name]\n' });
  const rows: Record<string, unknown>[] = [];
  for (const set of sets) {
    for (const model of ['gbdt', 'random_forest'] as const) {
      const { data: prepared_, spec } = await prepared(set.csv, `${set.spec}model:\n  type: ${model}\n`);
      const started = performance.now();
      const trained = await trainTreeModel(spec.model.trees as GbdtSpec | ForestSpec, prepared_, spec, () => undefined);
      const fitSeconds = (performance.now() - started) / 1000;
      const ours = score(prepared_, trained.predict(prepared_.test.x, prepared_.test.count));
      // the same rows and stopping rule as scikit-learn: train + validation, no early stopping
      const sameRows = { ...prepared_, train: concat(prepared_.train, prepared_.validation), validation: { x: new Float32Array(0), y: new Float32Array(0), count: 0 } };
      const same = await trainTreeModel(spec.model.trees as GbdtSpec | ForestSpec, sameRows, { ...spec, earlyStopping: false }, () => undefined);
      const oursSameRows = score(prepared_, same.predict(prepared_.test.x, prepared_.test.count));
      const theirs = hasSklearn ? sklearn(set.name, prepared_, model) : undefined;
      const row = {
        dataset: set.name,
        model,
        task: prepared_.task,
        metric: prepared_.task === 'classification' ? 'accuracy' : 'r2',
        rows: { train: prepared_.train.count, validation: prepared_.validation.count, test: prepared_.test.count },
        ours: { score: ours, fit_seconds: fitSeconds, iterations: trained.bestEpoch },
        ours_same_rows_no_early_stopping: { score: oursSameRows },
        sklearn: theirs ?? null,
      };
      rows.push(row);
      console.log(
        `${set.name.padEnd(16)} ${model.padEnd(13)} ${row.metric.padEnd(8)} ours ${ours.toFixed(4)} (${fitSeconds.toFixed(2)} s; same rows as sklearn ${oursSameRows.toFixed(4)})` +
          (theirs ? `  sklearn ${theirs.score.toFixed(4)} (${theirs.fit_seconds.toFixed(2)} s)  Δ ${((ours - theirs.score) * 100).toFixed(1)} pt` : ''),
      );
    }
  }
  return rows;
}

/** ROWS × 20 numeric features; the class depends on a few interactions and thresholds, plus noise. */
function synthetic(rows: number, seed: number): PreparedData {
  const random = new SeededRandom(seed);
  const make = (count: number): EncodedSplit => {
    const x = new Float32Array(count * WIDTH);
    const y = new Float32Array(count);
    for (let r = 0; r < count; r++) {
      for (let c = 0; c < WIDTH; c++) x[r * WIDTH + c] = random.next() * 2 - 1;
      const o = r * WIDTH;
      const s = (x[o] as number) * (x[o + 1] as number) * 3 + ((x[o + 2] as number) > 0.3 ? 1 : -0.5) + (x[o + 3] as number) - (x[o + 4] as number) ** 2 + (random.next() - 0.5);
      y[r] = s > 0 ? 1 : 0;
    }
    return { x, y, count };
  };
  const features = Array.from({ length: WIDTH }, (_, i) => ({ name: `f${i}`, kind: 'numeric' as const, fill: 0, center: 0, scale: 1 }));
  return {
    task: 'classification',
    classes: ['0', '1'],
    preprocessing: { encoding: 'native', features, width: WIDTH, encodedNames: features.map((f) => f.name) },
    featureColumns: [],
    train: make(rows),
    validation: make(0),
    test: make(Math.min(100_000, rows / 10)),
    droppedRows: 0,
    warnings: [],
    classWeights: Float32Array.of(1, 1),
  };
}

async function speedRows(hasSklearn: boolean): Promise<Record<string, unknown>> {
  const boostData = synthetic(ROWS, 1);
  const gbdt: GbdtSpec = { type: 'gbdt', learningRate: 0.1, maxIter: 100, maxLeafNodes: 31, maxDepth: null, minSamplesLeaf: 20, l2Regularization: 0, subsample: 1, colsample: 1, maxBins: 255 };
  const common = { task: 'classification' as const, classCount: 2, classWeights: boostData.classWeights, width: WIDTH, categoryCounts: new Array<number>(WIDTH).fill(0), earlyStopping: false as const, seed: 1 };
  let started = performance.now();
  const boosted = await trainGradientBoosting({ ...common, train: boostData.train, validation: boostData.validation, model: gbdt }, () => undefined);
  const boostSeconds = (performance.now() - started) / 1000;
  const compiled = compileEnsemble(boosted.ensemble);
  const boostScore = score(boostData, compiled.predict(boostData.test.x, boostData.test.count));
  const boostSk = hasSklearn ? sklearn('speed-gbdt', boostData, 'gbdt', { max_iter: 100, early_stopping: false }) : undefined;
  console.log(`gbdt ${ROWS.toLocaleString('en-US')}×${WIDTH}, 100 trees × 31 leaves: ours ${boostSeconds.toFixed(1)} s (accuracy ${boostScore.toFixed(4)})` + (boostSk ? `  sklearn ${boostSk.fit_seconds.toFixed(1)} s (accuracy ${boostSk.score.toFixed(4)})  → ${(boostSk.fit_seconds / boostSeconds).toFixed(2)}× sklearn's speed` : ''));

  // batch scoring: the 100-tree booster over ROWS rows already encoded (a first pass compiles the scorer)
  compiled.predict(boostData.test.x, boostData.test.count);
  started = performance.now();
  compiled.predict(boostData.train.x, boostData.train.count);
  const scoringSeconds = (performance.now() - started) / 1000;
  const rowsPerSecond = boostData.train.count / scoringSeconds;
  console.log(`scoring with 100 trees: ${Math.round(rowsPerSecond).toLocaleString('en-US')} rows/s (one thread)`);

  const forestData = synthetic(FOREST_ROWS, 2);
  const forest: ForestSpec = { type: 'random_forest', nEstimators: 100, maxDepth: null, maxLeafNodes: null, minSamplesLeaf: 1, maxFeatures: 'sqrt', bootstrap: true, maxBins: 255 };
  started = performance.now();
  const grown = await trainRandomForest({ ...common, train: forestData.train, validation: forestData.validation, model: forest }, () => undefined);
  const forestSeconds = (performance.now() - started) / 1000;
  const forestScore = score(forestData, compileEnsemble(grown.ensemble).predict(forestData.test.x, forestData.test.count));
  const forestSk = hasSklearn ? sklearn('speed-forest', forestData, 'random_forest', { n_estimators: 100 }) : undefined;
  console.log(`random forest ${FOREST_ROWS.toLocaleString('en-US')}×${WIDTH}, 100 trees: ours ${forestSeconds.toFixed(1)} s (accuracy ${forestScore.toFixed(4)})` + (forestSk ? `  sklearn n_jobs=2 ${forestSk.fit_seconds.toFixed(1)} s (accuracy ${forestSk.score.toFixed(4)})  → ${(forestSk.fit_seconds / forestSeconds).toFixed(2)}× sklearn's speed` : ''));
  return {
    gbdt: { rows: ROWS, width: WIDTH, trees: 100, leaves: 31, ours: { fit_seconds: boostSeconds, accuracy: boostScore }, sklearn: boostSk ?? null },
    scoring: { trees: 100, rows: boostData.train.count, rows_per_second: rowsPerSecond },
    random_forest: { rows: FOREST_ROWS, width: WIDTH, trees: 100, ours: { fit_seconds: forestSeconds, accuracy: forestScore }, sklearn: forestSk ?? null },
  };
}

async function main(): Promise<void> {
  const hasSklearn = sklearnAvailable();
  const load = loadavg().map((l) => l.toFixed(2));
  console.log(`${cpus().length} cores, load average ${load.join(' ')}; ${hasSklearn ? `scikit-learn ${execFileSync(PYTHON, ['-c', 'import sklearn; print(sklearn.__version__)'], { encoding: 'utf8' }).trim()} (${PYTHON})` : `no scikit-learn at ${PYTHON}: our figures only`}`);
  try {
    const accuracy = await accuracyRows(hasSklearn);
    const speed = await speedRows(hasSklearn);
    const out = join(ROOT, 'bench', 'results', 'trees.json');
    writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), cores: cpus().length, loadAverageAtStart: load, loadAverageAtEnd: loadavg().map((l) => l.toFixed(2)), sklearn: hasSklearn, accuracy, speed }, null, 2)}\n`);
    console.log(`saved ${out}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
