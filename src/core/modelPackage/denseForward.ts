import type { DenseLayerShape, DenseWeights } from '../training/networkArchitecture';

/**
 * Forward pass of a dense network over Float32Array rows, in plain JavaScript: for the small
 * models trained here it costs microseconds per row, without loading TensorFlow.js (perf notes:
 * ~10 µs per row vs ~150 µs for a tfjs predict call). Softmax outputs are probabilities.
 */
export function denseForward(layers: readonly DenseLayerShape[], weights: readonly DenseWeights[], x: Float32Array, rows: number): Float32Array {
  let input = x;
  layers.forEach((layer, l) => {
    const { kernel, bias } = weights[l] as DenseWeights;
    const { inputs, units } = layer;
    const out = new Float32Array(rows * units);
    const acc = new Float64Array(units);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < units; u++) acc[u] = bias[u] as number;
      const base = r * inputs;
      for (let i = 0; i < inputs; i++) {
        const xi = input[base + i] as number;
        if (xi === 0) continue; // one-hot inputs are mostly zeros
        const k = i * units;
        for (let u = 0; u < units; u++) acc[u] = (acc[u] as number) + xi * (kernel[k + u] as number);
      }
      const o = r * units;
      if (layer.activation === 'softmax') {
        let max = -Infinity;
        for (let u = 0; u < units; u++) max = Math.max(max, acc[u] as number);
        let sum = 0;
        for (let u = 0; u < units; u++) {
          const e = Math.exp((acc[u] as number) - max);
          acc[u] = e;
          sum += e;
        }
        for (let u = 0; u < units; u++) out[o + u] = (acc[u] as number) / sum;
      } else {
        for (let u = 0; u < units; u++) out[o + u] = activation(acc[u] as number, layer.activation);
      }
    }
    input = out;
  });
  return input;
}

/** A layer's activation of one pre-activation value (linear and softmax logits pass through). */
export function activation(z: number, kind: DenseLayerShape['activation']): number {
  switch (kind) {
    case 'relu':
      return z > 0 ? z : 0;
    case 'tanh':
      return Math.tanh(z);
    case 'sigmoid':
      return 1 / (1 + Math.exp(-z));
    case 'elu':
      return z > 0 ? z : Math.exp(z) - 1;
    default:
      return z;
  }
}
