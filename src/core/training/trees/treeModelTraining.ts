import type { FeatureImportanceFile } from '../../modelPackage/modelPackageFormat';
import { compileEnsemble, type TreeEnsembleJson } from '../../modelPackage/treeEnsemble';
import type { EncodedSplit, PreparedData } from '../datasetPreparation';
import { SeededRandom } from '../seededRandom';
import type { TrainProgressEvent } from '../trainingEvents';
import type { ForestSpec, GbdtSpec, TaskKind, TrainSpec } from '../trainSpec';
import { trainGradientBoosting } from './gradientBoosting';
import { trainRandomForest } from './randomForest';
import { checkCategoryCounts, type TreeTrainingInput } from './treeTraining';

export interface TrainedTreeModel {
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  readonly finalMetrics: Record<string, number>;
  readonly samplesPerSecond: number;
  readonly ensemble: TreeEnsembleJson;
  /** the packaged model's scorer (what serving will run), for the test evaluation */
  readonly predict: (x: Float32Array, rows: number) => Float32Array;
  /** leaves over all trees (the manifest's `parameters`) */
  readonly leaves: number;
  readonly importance: FeatureImportanceFile;
}

const PERMUTATION_REPEATS = 3;
/** Permutation importance looks at this many test rows at most (a sample, seeded). */
const PERMUTATION_ROWS = 10_000;

/**
 * Permutation importance on the test split (as scikit-learn's permutation_importance): how much
 * the loss rises when one column's values are shuffled among the rows, breaking its link to the
 * target but not its distribution. Unlike split gain it measures what the model relies on for
 * rows it never trained on.
 */
function permutationImportance(
  predict: (x: Float32Array, rows: number) => Float32Array,
  test: EncodedSplit,
  width: number,
  task: TaskKind,
  classCount: number,
  seed: number,
): { metric: 'log_loss' | 'mse'; rows: number; increase: Float64Array } {
  const random = new SeededRandom(seed + 1);
  const rows = Math.min(test.count, PERMUTATION_ROWS);
  const picked = rows < test.count ? random.shuffle(Int32Array.from({ length: test.count }, (_, i) => i)).subarray(0, rows) : Int32Array.from({ length: rows }, (_, i) => i);
  const x = new Float32Array(rows * width);
  const y = new Float32Array(rows);
  picked.forEach((r, i) => {
    x.set(test.x.subarray(r * width, (r + 1) * width), i * width);
    y[i] = test.y[r] as number;
  });
  const loss = (out: Float32Array): number => {
    let sum = 0;
    for (let i = 0; i < rows; i++) sum += task === 'classification' ? -Math.log(Math.max(out[i * classCount + (y[i] as number)] as number, 1e-15)) : ((out[i] as number) - (y[i] as number)) ** 2;
    return sum / rows;
  };
  const base = loss(predict(x, rows));
  const increase = new Float64Array(width);
  const column = new Float32Array(rows);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  for (let f = 0; f < width; f++) {
    for (let i = 0; i < rows; i++) column[i] = x[i * width + f] as number;
    let total = 0;
    for (let repeat = 0; repeat < PERMUTATION_REPEATS; repeat++) {
      random.shuffle(order);
      for (let i = 0; i < rows; i++) x[i * width + f] = column[order[i] as number] as number;
      total += loss(predict(x, rows)) - base;
    }
    for (let i = 0; i < rows; i++) x[i * width + f] = column[i] as number;
    increase[f] = total / PERMUTATION_REPEATS;
  }
  return { metric: task === 'classification' ? 'log_loss' : 'mse', rows, increase };
}

/** Trains the spec's tree model on natively encoded data (prepareData does that for tree models). */
export async function trainTreeModel(trees: GbdtSpec | ForestSpec, data: PreparedData, spec: Pick<TrainSpec, 'earlyStopping' | 'seed'>, emit: (event: TrainProgressEvent) => void): Promise<TrainedTreeModel> {
  const names = data.preprocessing.features.map((f) => f.name);
  const categoryCounts = data.preprocessing.features.map((f) => (f.kind === 'categorical' ? f.categories.length : 0));
  checkCategoryCounts(categoryCounts, names);
  const common = {
    task: data.task,
    classCount: data.classes.length,
    classWeights: data.classWeights,
    train: data.train,
    validation: data.validation,
    width: data.preprocessing.width,
    categoryCounts,
    earlyStopping: spec.earlyStopping,
    seed: spec.seed,
  };
  const trained =
    trees.type === 'gbdt'
      ? await trainGradientBoosting({ ...common, model: trees } satisfies TreeTrainingInput<GbdtSpec>, emit)
      : await trainRandomForest({ ...common, model: trees } satisfies TreeTrainingInput<ForestSpec>, emit);
  const compiled = compileEnsemble(trained.ensemble);
  const permutation = data.test.count > 0 ? permutationImportance(compiled.predict, data.test, data.preprocessing.width, data.task, data.classes.length, spec.seed) : undefined;
  const features = names
    .map((name, f) => ({ name, importance: trained.importance[f] ?? 0, ...(permutation ? { permutation: permutation.increase[f] ?? 0 } : {}) }))
    .sort((a, b) => b.importance - a.importance);
  return {
    epochsRun: trained.iterationsRun,
    bestEpoch: trained.bestIteration,
    stoppedEarly: trained.stoppedEarly,
    finalMetrics: trained.finalMetrics,
    samplesPerSecond: trained.samplesPerSecond,
    ensemble: trained.ensemble,
    predict: compiled.predict,
    leaves: trained.ensemble.trees.reduce((n, t) => n + t.feature.filter((f) => f < 0).length, 0),
    importance: { kind: 'gain', features, ...(permutation ? { permutation: { metric: permutation.metric, rows: permutation.rows, repeats: PERMUTATION_REPEATS } } : {}) },
  };
}
