import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildArchitecture, initialWeights } from '../../../src/core/training/networkArchitecture';
import { SeededRandom } from '../../../src/core/training/seededRandom';
import { tfjsModelFiles } from '../../../src/core/training/tfjsModelFiles';

describe('the TensorFlow.js model files of a package', () => {
  const layers = buildArchitecture({ model: { type: 'mlp', layers: [{ units: 8, activation: 'tanh', dropout: 0.2 }, { units: 4, activation: 'relu', dropout: 0 }] } }, 'classification', 5, 3);
  const weights = initialWeights(layers, new SeededRandom(1));

  test('are what tf.LayersModel.save() writes for the same network', async () => {
    await tf.setBackend('cpu');
    const model = tf.sequential({ name: 'mlops_model' });
    layers.forEach((l, i) => model.add(tf.layers.dense({ name: `dense_${i + 1}`, units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [l.inputs] } : {}) })));
    model.setWeights(weights.flatMap((w, i) => [tf.tensor2d(w.kernel, [layers[i]!.inputs, layers[i]!.units]), tf.tensor1d(w.bias)]));
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (artifacts) => ((saved = artifacts), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const ours = JSON.parse(tfjsModelFiles(layers, weights).modelJson) as { modelTopology: unknown; weightsManifest: { weights: unknown }[] };
    assert.deepEqual(ours.modelTopology, saved?.modelTopology);
    assert.deepEqual(ours.weightsManifest[0]?.weights, saved?.weightSpecs);
    const data = saved?.weightData as ArrayBuffer;
    assert.deepEqual(Buffer.from(tfjsModelFiles(layers, weights).weightsBin), Buffer.from(data));
  });

  test('load with tf.loadLayersModel and predict with the weights given', async () => {
    const files = tfjsModelFiles(layers, weights);
    const json = JSON.parse(files.modelJson) as { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
    const model = await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0]!.weights, weightData: files.weightsBin.slice().buffer }));
    const out = Array.from((model.predict(tf.ones([1, 5])) as tf.Tensor).dataSync());
    assert.equal(out.length, 3);
    assert.ok(Math.abs(out.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax output');
  });
});
