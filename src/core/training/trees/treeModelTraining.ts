import type { FeatureImportanceFile } from '../../modelPackage/modelPackageFormat';
import { compileEnsemble, type TreeEnsembleJson } from '../../modelPackage/treeEnsemble';
import type { PreparedData } from '../datasetPreparation';
import type { TrainProgressEvent } from '../trainingEvents';
import type { ForestSpec, GbdtSpec, TrainSpec } from '../trainSpec';
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
  const features = names.map((name, f) => ({ name, importance: trained.importance[f] ?? 0 })).sort((a, b) => b.importance - a.importance);
  return {
    epochsRun: trained.iterationsRun,
    bestEpoch: trained.bestIteration,
    stoppedEarly: trained.stoppedEarly,
    finalMetrics: trained.finalMetrics,
    samplesPerSecond: trained.samplesPerSecond,
    ensemble: trained.ensemble,
    predict: compiled.predict,
    leaves: trained.ensemble.trees.reduce((n, t) => n + t.feature.filter((f) => f < 0).length, 0),
    importance: { kind: 'gain', features },
  };
}
