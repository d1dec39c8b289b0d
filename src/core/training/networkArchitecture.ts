import type { SeededRandom } from './seededRandom';
import type { Activation, TaskKind, TrainSpec } from './trainSpec';

export type LayerActivation = Activation | 'softmax';

/** One dense layer: y = activation(x·W + b), W stored row-major [inputs × units]. */
export interface DenseLayerShape {
  readonly inputs: number;
  readonly units: number;
  readonly activation: LayerActivation;
  /** training-time dropout applied to this layer's output */
  readonly dropout: number;
}

export interface DenseWeights {
  readonly kernel: Float32Array;
  readonly bias: Float32Array;
}

/**
 * The layers of every model family: logistic/linear regression are the output layer alone, an
 * MLP puts its hidden layers in front. Classifiers end in softmax (probabilities), regressors in
 * a linear unit.
 */
export function buildArchitecture(spec: Pick<TrainSpec, 'model'>, task: TaskKind, inputWidth: number, classCount: number): DenseLayerShape[] {
  if (spec.model.type === 'logistic_regression' && task !== 'classification') throw new Error('model type logistic_regression needs a classification task; use linear_regression');
  if (spec.model.type === 'linear_regression' && task !== 'regression') throw new Error('model type linear_regression needs a regression task; use logistic_regression');
  const layers: DenseLayerShape[] = [];
  let inputs = inputWidth;
  for (const hidden of spec.model.layers) {
    layers.push({ inputs, units: hidden.units, activation: hidden.activation, dropout: hidden.dropout });
    inputs = hidden.units;
  }
  layers.push(task === 'classification' ? { inputs, units: classCount, activation: 'softmax', dropout: 0 } : { inputs, units: 1, activation: 'linear', dropout: 0 });
  return layers;
}

/** Glorot-uniform kernels and zero biases, drawn from the seeded generator (Keras' default init). */
export function initialWeights(layers: readonly DenseLayerShape[], random: SeededRandom): DenseWeights[] {
  return layers.map((layer) => {
    const limit = Math.sqrt(6 / (layer.inputs + layer.units));
    const kernel = new Float32Array(layer.inputs * layer.units);
    for (let i = 0; i < kernel.length; i++) kernel[i] = (random.next() * 2 - 1) * limit;
    return { kernel, bias: new Float32Array(layer.units) };
  });
}

export function parameterCount(layers: readonly DenseLayerShape[]): number {
  return layers.reduce((n, l) => n + l.inputs * l.units + l.units, 0);
}
