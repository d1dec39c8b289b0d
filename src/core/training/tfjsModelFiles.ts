import type { DenseLayerShape, DenseWeights } from './networkArchitecture';

/** A TensorFlow.js layers model as files: model.json (topology + weights manifest) and weights.bin. */
export interface TfjsModelFiles {
  readonly modelJson: string;
  readonly weightsBin: Uint8Array;
}

const TFJS_LAYERS_VERSION = '4.22.0';

/**
 * Writes a Sequential stack of Dense layers in TensorFlow.js' layers-model format — the same JSON
 * tf.LayersModel.save() produces (a test compares them) — without loading TensorFlow.js, so a
 * worker on the built-in trainer never pays for it. tf.loadLayersModel reads the result.
 */
export function tfjsModelFiles(layers: readonly DenseLayerShape[], weights: readonly DenseWeights[]): TfjsModelFiles {
  const config = layers.map((layer, i) => ({
    class_name: 'Dense',
    config: {
      units: layer.units,
      activation: layer.activation,
      use_bias: true,
      kernel_initializer: { class_name: 'VarianceScaling', config: { scale: 1, mode: 'fan_avg', distribution: 'normal', seed: null } },
      bias_initializer: { class_name: 'Zeros', config: {} },
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
      name: `dense_${i + 1}`,
      trainable: true,
      ...(i === 0 ? { batch_input_shape: [null, layer.inputs], dtype: 'float32' } : {}),
    },
  }));
  const specs = layers.flatMap((layer, i) => [
    { name: `dense_${i + 1}/kernel`, shape: [layer.inputs, layer.units], dtype: 'float32' },
    { name: `dense_${i + 1}/bias`, shape: [layer.units], dtype: 'float32' },
  ]);
  const floats = weights.reduce((n, w) => n + w.kernel.length + w.bias.length, 0);
  const data = new Float32Array(floats);
  let offset = 0;
  for (const w of weights) {
    data.set(w.kernel, offset);
    offset += w.kernel.length;
    data.set(w.bias, offset);
    offset += w.bias.length;
  }
  const modelJson = {
    modelTopology: { class_name: 'Sequential', config: { name: 'mlops_model', layers: config }, keras_version: `tfjs-layers ${TFJS_LAYERS_VERSION}`, backend: 'tensor_flow.js' },
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${TFJS_LAYERS_VERSION}`,
    convertedBy: null,
    weightsManifest: [{ paths: ['weights.bin'], weights: specs }],
  };
  // weights.bin is little-endian float32, which Float32Array is on every supported host
  return { modelJson: JSON.stringify(modelJson), weightsBin: new Uint8Array(data.buffer) };
}
