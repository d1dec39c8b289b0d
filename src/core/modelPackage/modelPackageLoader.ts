import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DenseLayerShape, DenseWeights, LayerActivation } from '../training/networkArchitecture';
import { transformRecords, type FittedPreprocessing } from '../training/preprocessing';
import { denseForward } from './denseForward';
import { PACKAGE_FILES, PACKAGE_FORMAT, TREE_PACKAGE_FILES, type ModelManifest, type ModelSignature } from './modelPackageFormat';
import { compileEnsemble, type TreeEnsembleJson } from './treeEnsemble';

export type Prediction =
  | { readonly label: string; readonly probabilities: Readonly<Record<string, number>> }
  | { readonly value: number };

export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly signature: ModelSignature;
  readonly preprocessing: FittedPreprocessing;
  /** a network's layers (empty for a tree ensemble) */
  readonly layers: readonly DenseLayerShape[];
  /** Scores JSON records keyed by input column (missing or null = impute, like training). */
  predict(rows: readonly Readonly<Record<string, unknown>>[]): Prediction[];
  /** Raw outputs (probabilities per class, or the value) for rows already encoded by the preprocessing. */
  predictEncoded(x: Float32Array, rows: number): Float32Array;
}

interface TfjsModelJson {
  modelTopology: { config?: { layers?: { class_name: string; config: { units?: number; activation?: string; use_bias?: boolean } }[] } };
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string }[] }[];
}

/** Loads a model package folder (the run's `model/` artifact) for scoring, without TensorFlow.js. */
export async function loadModelPackage(dir: string): Promise<LoadedModel> {
  // An external version (registered through the MLflow REST API from an s3:// URI or a folder
  // without a package) has no package folder; say so rather than look for one in the cwd.
  if (dir === '') throw new Error('This model version has no model package here: it is an external version, registered from a source that is not an MLOps Studio model package. Register a run that trained a model to serve or score it.');
  const readJson = async <T>(name: string): Promise<T> => {
    try {
      return JSON.parse(await readFile(join(dir, name), 'utf8')) as T;
    } catch (error) {
      throw new Error(`${join(dir, name)}: cannot read the model package file (${(error as Error).message})`, { cause: error });
    }
  };
  const manifest = await readJson<ModelManifest>(PACKAGE_FILES.manifest);
  if (manifest.format !== PACKAGE_FORMAT) throw new Error(`${dir} is not an MLOps Studio model package (format "${String(manifest.format)}")`);
  const signature = await readJson<ModelSignature>(PACKAGE_FILES.signature);
  const preprocessing = await readJson<FittedPreprocessing>(PACKAGE_FILES.preprocessing);
  let layers: DenseLayerShape[] = [];
  let predictEncoded: (x: Float32Array, rows: number) => Float32Array;
  if (manifest.flavor === 'tree-ensemble') {
    const ensemble = compileEnsemble(await readJson<TreeEnsembleJson>(TREE_PACKAGE_FILES.trees));
    predictEncoded = ensemble.predict;
  } else {
    const dense = await readDenseModel(dir, await readJson<TfjsModelJson>(PACKAGE_FILES.tfjsModel));
    layers = dense.layers;
    predictEncoded = (x, rows) => denseForward(dense.layers, dense.weights, x, rows);
  }
  return {
    manifest,
    signature,
    preprocessing,
    layers,
    predictEncoded,
    predict: (rows) => {
      const out = predictEncoded(transformRecords(preprocessing, rows), rows.length);
      if (signature.output.task === 'regression') return Array.from(out, (value) => ({ value }));
      const classes = signature.output.classes;
      const k = classes.length;
      return rows.map((_, r) => {
        const probabilities: Record<string, number> = {};
        let best = 0;
        for (let c = 0; c < k; c++) {
          probabilities[classes[c] as string] = out[r * k + c] as number;
          if ((out[r * k + c] as number) > (out[r * k + best] as number)) best = c;
        }
        return { label: classes[best] as string, probabilities };
      });
    },
  };
}

/** Reads the Dense-only Sequential topology and its float32 weights from model.json + weights files. */
async function readDenseModel(dir: string, modelJson: TfjsModelJson): Promise<{ layers: DenseLayerShape[]; weights: DenseWeights[] }> {
  const topology = (modelJson.modelTopology.config?.layers ?? []).filter((l) => l.class_name !== 'InputLayer');
  const specs = modelJson.weightsManifest.flatMap((g) => g.weights);
  const buffers = await Promise.all(modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
  const all = Buffer.concat(buffers);
  // copy into an aligned buffer: Float32Array views need 4-byte alignment
  const bytes = new Uint8Array(all.length);
  bytes.set(all);
  let offset = 0;
  const arrays = specs.map((spec) => {
    if (spec.dtype !== 'float32') throw new Error(`weight ${spec.name} is ${spec.dtype}; only float32 models are supported`);
    const length = spec.shape.reduce((a, b) => a * b, 1);
    const array = new Float32Array(bytes.buffer, offset, length);
    offset += length * 4;
    return { spec, array };
  });
  const layers: DenseLayerShape[] = [];
  const weights: DenseWeights[] = [];
  topology.forEach((layer, i) => {
    if (layer.class_name !== 'Dense') throw new Error(`layer ${i + 1} is a ${layer.class_name}; the scorer handles Dense layers only`);
    const kernel = arrays[i * 2];
    const bias = arrays[i * 2 + 1];
    if (!kernel || !bias || kernel.spec.shape.length !== 2) throw new Error(`model.json: weights of layer ${i + 1} are missing`);
    layers.push({ inputs: kernel.spec.shape[0] as number, units: kernel.spec.shape[1] as number, activation: (layer.config.activation ?? 'linear') as LayerActivation, dropout: 0 });
    weights.push({ kernel: kernel.array, bias: bias.array });
  });
  return { layers, weights };
}

/** A package folder's network (its Dense layers and float32 weights), for exports to other formats. */
export async function readPackageNetwork(dir: string): Promise<{ layers: DenseLayerShape[]; weights: DenseWeights[] }> {
  const modelJson = JSON.parse(await readFile(join(dir, PACKAGE_FILES.tfjsModel), 'utf8')) as TfjsModelJson;
  return readDenseModel(dir, modelJson);
}
