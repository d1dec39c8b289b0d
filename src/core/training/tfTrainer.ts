import type * as TF from '@tensorflow/tfjs';
import type { EncodedSplit } from './datasetPreparation';
import type { DenseLayerShape, DenseWeights } from './networkArchitecture';
import { scoreOutputs, targetScaling } from './epochScoring';
import { SeededRandom } from './seededRandom';
import type { BatchLossColumns, TrainProgressEvent } from './trainingEvents';
import type { EarlyStoppingSpec, TaskKind, TrainSpec } from './trainSpec';

type Tf = typeof TF;

export interface TrainNetworkInput {
  readonly layers: readonly DenseLayerShape[];
  readonly initial: readonly DenseWeights[];
  readonly task: TaskKind;
  readonly classCount: number;
  readonly classWeights: Float32Array;
  readonly train: EncodedSplit;
  readonly validation: EncodedSplit;
  readonly spec: Pick<TrainSpec, 'epochs' | 'batchSize' | 'optimizer' | 'earlyStopping' | 'seed' | 'logEveryNBatches'>;
  /** how often a long epoch flushes batch losses to the parent */
  readonly flushIntervalMs?: number;
}

export interface TrainedNetwork {
  readonly layers: readonly DenseLayerShape[];
  /** final weights; a regressor's output layer already maps back to target units */
  readonly weights: DenseWeights[];
  readonly epochsRun: number;
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** metrics of the epoch whose weights were kept */
  readonly finalMetrics: Record<string, number>;
  readonly samplesPerSecond: number;
}

/**
 * Trains a dense network with TensorFlow.js ops on the active backend, with explicit variables
 * rather than tf.layers: every random draw (shuffle, dropout) comes from a seeded generator,
 * which model.fit does not allow, and the loop controls what is streamed and when.
 */
export async function trainNetwork(input: TrainNetworkInput, emit: (event: TrainProgressEvent) => void): Promise<TrainedNetwork> {
  const tf: Tf = await import('@tensorflow/tfjs');
  const { layers, task, train, validation, spec } = input;
  const width = layers[0]?.inputs ?? 0;
  const random = new SeededRandom(spec.seed);
  const shuffleRandom = random.fork();
  const dropoutRandom = random.fork();

  // Regression learns a standardized target (mpg in the tens, prices in the thousands train badly otherwise).
  const { mean: yMean, std: yStd } = task === 'regression' ? targetScaling(train.y) : { mean: 0, std: 1 };

  const variables = input.initial.map((w, i) => {
    const layer = layers[i] as DenseLayerShape;
    return { kernel: tf.variable(tf.tensor2d(w.kernel, [layer.inputs, layer.units])), bias: tf.variable(tf.tensor1d(w.bias)) };
  });
  const trainable = variables.flatMap((v) => [v.kernel, v.bias]);
  const xTrain = tf.tensor2d(train.x, [train.count, width]);
  const yTrain = targetTensor(tf, train.y, task, input.classCount, yMean, yStd);
  const weightTrain = task === 'classification' ? tf.tensor1d(Float32Array.from(train.y, (c) => input.classWeights[c] ?? 1)) : undefined;
  const xValidation = validation.count > 0 ? tf.tensor2d(validation.x, [validation.count, width]) : undefined;
  // train metrics (accuracy/rmse) are measured on a bounded prefix of the shuffled training split
  const probeCount = Math.min(train.count, 10_000);
  const xProbe = tf.tensor2d(train.x.subarray(0, probeCount * width), [probeCount, width]);
  const optimizer = makeOptimizer(tf, spec.optimizer);

  const forward = (x: TF.Tensor2D, masks?: readonly (TF.Tensor2D | undefined)[]): TF.Tensor2D => {
    let h = x;
    variables.forEach((v, i) => {
      const layer = layers[i] as DenseLayerShape;
      const z = tf.add(tf.matMul(h, v.kernel), v.bias) as TF.Tensor2D;
      h = layer.activation === 'softmax' ? z : (activate(tf, z, layer.activation) as TF.Tensor2D);
      const mask = masks?.[i];
      if (mask) h = tf.mul(h, mask);
    });
    return h; // logits for classifiers (softmax is fused into the loss)
  };
  const lossOf = (out: TF.Tensor2D, y: TF.Tensor, weights?: TF.Tensor1D): TF.Scalar => {
    let loss = task === 'classification' ? tf.losses.softmaxCrossEntropy(y, out, weights) : tf.losses.meanSquaredError(y, out);
    if (spec.optimizer.l2 > 0) {
      for (const v of variables) loss = tf.add(loss, tf.mul(spec.optimizer.l2, tf.sum(tf.square(v.kernel))));
    }
    return loss as TF.Scalar;
  };

  const batchSize = Math.min(spec.batchSize, Math.max(train.count, 1));
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const flushInterval = input.flushIntervalMs ?? 1000;
  const early = spec.earlyStopping;
  const monitor = early ? resolveMonitor(early, task, validation.count > 0) : undefined;
  let best = monitor?.higherIsBetter ? -Infinity : Infinity;
  let bestEpoch = 0;
  let bestWeights: Float32Array[] | undefined;
  let bestMetrics: Record<string, number> = {};
  let lastMetrics: Record<string, number> = {};
  let epochsWithoutImprovement = 0;
  let stoppedEarly = false;
  let epochsRun = 0;
  let samples = 0;
  let trainingMs = 0;
  let step = 0;

  try {
    for (let epoch = 1; epoch <= spec.epochs; epoch++) {
      const epochStart = performance.now();
      shuffleRandom.shuffle(order);
      let pending: BatchLossColumns = { steps: [], values: [], timestamps: [] };
      let lastFlush = Date.now();
      let lossSum = 0;
      for (let b = 0; b < batchesPerEpoch; b++) {
        const rows = order.subarray(b * batchSize, Math.min((b + 1) * batchSize, train.count));
        const batchLoss = tf.tidy(() => {
          const index = tf.tensor1d(rows, 'int32');
          const xb = tf.gather(xTrain, index) as TF.Tensor2D;
          const yb = tf.gather(yTrain, index);
          const wb = weightTrain ? (tf.gather(weightTrain, index) as TF.Tensor1D) : undefined;
          const masks = layers.map((layer) => (layer.dropout > 0 ? dropoutMask(tf, dropoutRandom, rows.length, layer.units, layer.dropout) : undefined));
          const cost = optimizer.minimize(() => lossOf(forward(xb, masks), yb, wb), true, trainable);
          return (cost as TF.Scalar).dataSync()[0] as number;
        });
        lossSum += batchLoss * rows.length;
        step++;
        if (step % spec.logEveryNBatches === 0) {
          pending.steps.push(step);
          pending.values.push(task === 'regression' ? batchLoss * yStd * yStd : batchLoss);
          pending.timestamps.push(Date.now());
        }
        if (Date.now() - lastFlush >= flushInterval && b < batchesPerEpoch - 1) {
          emit({ type: 'progress', epoch, epochs: spec.epochs, batch: b + 1, batchesPerEpoch, batchLoss: pending });
          pending = { steps: [], values: [], timestamps: [] };
          lastFlush = Date.now();
        }
      }
      trainingMs += performance.now() - epochStart;
      samples += train.count;
      epochsRun = epoch;
      const metrics = epochMetrics(tf, {
        task,
        trainLoss: lossSum / Math.max(train.count, 1),
        yStd,
        yMean,
        forward,
        probe: { x: xProbe, y: train.y.subarray(0, probeCount) },
        ...(xValidation ? { validation: { x: xValidation, y: validation.y } } : {}),
        classCount: input.classCount,
      });
      lastMetrics = metrics;
      const samplesPerSecond = samples / (trainingMs / 1000);
      emit({ type: 'progress', epoch, epochs: spec.epochs, batch: batchesPerEpoch, batchesPerEpoch, batchLoss: pending, epochMetrics: metrics, samplesPerSecond });
      if (!early || !monitor) continue;
      const value = metrics[monitor.key] ?? NaN;
      const improved = monitor.higherIsBetter ? value > best + early.minDelta : value < best - early.minDelta;
      if (improved || bestEpoch === 0) {
        best = value;
        bestEpoch = epoch;
        bestMetrics = metrics;
        epochsWithoutImprovement = 0;
        if (early.restoreBestWeights) bestWeights = trainable.map((v) => v.dataSync().slice() as Float32Array);
      } else if (++epochsWithoutImprovement >= early.patience) {
        stoppedEarly = true;
        break;
      }
    }
    if (early && early.restoreBestWeights && bestWeights) {
      bestWeights.forEach((w, i) => {
        const v = trainable[i] as TF.Variable;
        v.assign(tf.tensor(w, v.shape));
      });
    }
    const weights = variables.map((v) => ({ kernel: v.kernel.dataSync().slice() as Float32Array, bias: v.bias.dataSync().slice() as Float32Array }));
    if (task === 'regression') foldTargetScaling(weights[weights.length - 1] as DenseWeights, yMean, yStd);
    const kept = early && early.restoreBestWeights && bestWeights ? bestMetrics : lastMetrics;
    return {
      layers,
      weights,
      epochsRun,
      bestEpoch: early && early.restoreBestWeights && bestWeights ? bestEpoch : epochsRun,
      stoppedEarly,
      finalMetrics: kept,
      samplesPerSecond: samples / (trainingMs / 1000),
    };
  } finally {
    tf.dispose([xTrain, yTrain, xProbe, ...(weightTrain ? [weightTrain] : []), ...(xValidation ? [xValidation] : []), ...trainable]);
    optimizer.dispose();
  }
}

function targetTensor(tf: Tf, y: Float32Array, task: TaskKind, classCount: number, mean: number, std: number): TF.Tensor {
  if (task === 'classification') return tf.tidy(() => tf.cast(tf.oneHot(tf.tensor1d(Int32Array.from(y), 'int32'), classCount), 'float32'));
  return tf.tensor2d(Float32Array.from(y, (v) => (v - mean) / std), [y.length, 1]);
}

/** Inverted dropout: kept units are scaled by 1/(1-p) so inference needs no rescaling. */
function dropoutMask(tf: Tf, random: SeededRandom, rows: number, units: number, rate: number): TF.Tensor2D {
  const mask = new Float32Array(rows * units);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < mask.length; i++) mask[i] = random.next() < rate ? 0 : keep;
  return tf.tensor2d(mask, [rows, units]);
}

function activate(tf: Tf, z: TF.Tensor, activation: DenseLayerShape['activation']): TF.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'elu':
      return tf.elu(z);
    default:
      return z;
  }
}

function makeOptimizer(tf: Tf, options: TrainSpec['optimizer']): TF.Optimizer {
  switch (options.name) {
    case 'sgd':
      return options.momentum > 0 ? tf.train.momentum(options.learningRate, options.momentum) : tf.train.sgd(options.learningRate);
    case 'rmsprop':
      return tf.train.rmsprop(options.learningRate, 0.9, options.momentum);
    case 'adagrad':
      return tf.train.adagrad(options.learningRate);
    default:
      return tf.train.adam(options.learningRate);
  }
}

interface EpochMetricInput {
  task: TaskKind;
  trainLoss: number;
  yMean: number;
  yStd: number;
  classCount: number;
  forward: (x: TF.Tensor2D) => TF.Tensor2D;
  probe: { x: TF.Tensor2D; y: Float32Array };
  validation?: { x: TF.Tensor2D; y: Float32Array };
}

/** loss (mean over the epoch's batches) plus accuracy or rmse, and the same on the validation split. */
function epochMetrics(tf: Tf, input: EpochMetricInput): Record<string, number> {
  const { task, yStd, yMean } = input;
  // reported losses are in target units squared for regression, like Keras on an unscaled target
  const metrics: Record<string, number> = { loss: task === 'regression' ? input.trainLoss * yStd * yStd : input.trainLoss };
  const score = (split: { x: TF.Tensor2D; y: Float32Array }, prefix: string): void => {
    const out = tf.tidy(() => input.forward(split.x).dataSync().slice() as Float32Array);
    scoreOutputs(metrics, prefix, task, out, split.y, input.classCount, { mean: yMean, std: yStd });
  };
  score(input.probe, '');
  if (input.validation) score(input.validation, 'val_');
  return metrics;
}

export function resolveMonitor(early: EarlyStoppingSpec, task: TaskKind, hasValidation: boolean): { key: string; higherIsBetter: boolean } {
  let key: string = early.monitor;
  if (task === 'regression') key = key.replace('accuracy', 'rmse');
  else key = key.replace('rmse', 'accuracy');
  if (!hasValidation) key = key.replace(/^val_/, '');
  return { key, higherIsBetter: key.endsWith('accuracy') };
}

/** Makes the output layer predict in target units: y = (xW + b)·std + mean. */
export function foldTargetScaling(layer: DenseWeights, mean: number, std: number): void {
  for (let i = 0; i < layer.kernel.length; i++) layer.kernel[i] = (layer.kernel[i] as number) * std;
  for (let i = 0; i < layer.bias.length; i++) layer.bias[i] = (layer.bias[i] as number) * std + mean;
}
