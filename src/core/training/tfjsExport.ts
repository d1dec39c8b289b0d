import type * as TF from '@tensorflow/tfjs';
import type { DenseLayerShape, DenseWeights } from './networkArchitecture';

/** A TensorFlow.js layers model as files: model.json (topology + weights manifest) and weights.bin. */
export interface TfjsModelFiles {
  readonly modelJson: string;
  readonly weightsBin: Uint8Array;
}

/**
 * Builds a tf.sequential of Dense layers holding the trained weights and serializes it in memory
 * (tf.io.withSaveHandler), so the package loads with tf.loadLayersModel anywhere TensorFlow.js runs.
 * Dropout is training-only and left out.
 */
export async function exportTfjsModel(layers: readonly DenseLayerShape[], weights: readonly DenseWeights[]): Promise<TfjsModelFiles> {
  const tf: typeof TF = await import('@tensorflow/tfjs');
  const model = tf.sequential({ name: 'mlops_model' });
  layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        name: `dense_${i + 1}`,
        units: layer.units,
        activation: layer.activation,
        useBias: true,
        ...(i === 0 ? { inputShape: [layer.inputs] } : {}),
      }),
    );
  });
  const tensors = weights.flatMap((w, i) => {
    const layer = layers[i] as DenseLayerShape;
    return [tf.tensor2d(w.kernel, [layer.inputs, layer.units]), tf.tensor1d(w.bias)];
  });
  model.setWeights(tensors);
  tf.dispose(tensors);
  let files: TfjsModelFiles | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const data = artifacts.weightData;
      const buffer = data === undefined ? new ArrayBuffer(0) : Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: 'layers-model',
        generatedBy: artifacts.generatedBy ?? `TensorFlow.js tfjs-layers v${tf.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      files = { modelJson: JSON.stringify(modelJson), weightsBin: new Uint8Array(buffer) };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  if (!files) throw new Error('TensorFlow.js did not hand over the saved model');
  return files;
}
