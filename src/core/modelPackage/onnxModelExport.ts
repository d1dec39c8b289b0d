import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onnx } from 'onnx-proto';
import type { DenseLayerShape, DenseWeights } from '../training/networkArchitecture';
import type { FittedFeature, FittedPreprocessing } from '../training/preprocessing';
import { TREE_PACKAGE_FILES, type ModelSignature } from './modelPackageFormat';
import { loadModelPackage, readPackageNetwork } from './modelPackageLoader';
import type { SerializedTree, TreeEnsembleJson } from './treeEnsemble';

/*
 * A model package as an ONNX model that any ONNX runtime scores as `mlops predict` does.
 * Inputs are one tensor per column, [N, 1]: float for numbers (NaN = missing), string for
 * categories ("" = missing). Outputs: `predicted_<target>` (the label, or the value [N, 1]) and,
 * for classifiers, `probabilities` [N, classes]. The preprocessing is in the graph: imputation and
 * scaling in double, one-hot through ai.onnx.ml LabelEncoder + OneHot, each layer computed in
 * double and stored as float (as the product's scorer does); trees are one ai.onnx.ml
 * TreeEnsemble (opset 5: numeric and category-set splits, missing values routed), summed in double.
 * What ONNX cannot do: refuse a category unseen in training (one_hot.handle_unknown: error). An
 * unseen category scores as the product scores it with handle_unknown: ignore.
 */

const T = onnx.TensorProto.DataType;
const A = onnx.AttributeProto.AttributeType;
const OPSET = 17;
const ML_OPSET = 5;

type AttributeValue = number | string | { ints: readonly number[] } | { floats: readonly number[] } | { strings: readonly string[] } | { tensor: onnx.ITensorProto };

function attribute(name: string, value: AttributeValue): onnx.IAttributeProto {
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: A.INT, i: value } : { name, type: A.FLOAT, f: value };
  if (typeof value === 'string') return { name, type: A.STRING, s: Buffer.from(value) };
  if ('ints' in value) return { name, type: A.INTS, ints: [...value.ints] };
  if ('floats' in value) return { name, type: A.FLOATS, floats: [...value.floats] };
  if ('strings' in value) return { name, type: A.STRINGS, strings: value.strings.map((s) => Buffer.from(s)) };
  return { name, type: A.TENSOR, t: value.tensor };
}

function doubles(values: ArrayLike<number>, dims: readonly number[] = [values.length]): onnx.ITensorProto {
  return { dims: [...dims], dataType: T.DOUBLE, doubleData: Array.from(values) };
}

function int64s(values: readonly number[], dims: readonly number[] = [values.length]): onnx.ITensorProto {
  return { dims: [...dims], dataType: T.INT64, int64Data: [...values] };
}

/** Builds a graph: unique tensor names, constants as initializers, nodes in order. */
class GraphBuilder {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private count = 0;

  private fresh(hint: string): string {
    this.count++;
    return `${hint}_${this.count}`;
  }

  constant(tensor: onnx.ITensorProto, hint = 'const'): string {
    const name = this.fresh(hint);
    this.initializers.push({ ...tensor, name });
    return name;
  }

  op(opType: string, inputs: readonly string[], attributes: Readonly<Record<string, AttributeValue>> = {}, options: { domain?: string; output?: string } = {}): string {
    const output = options.output ?? this.fresh(opType.toLowerCase());
    this.nodes.push({
      opType,
      ...(options.domain ? { domain: options.domain } : {}),
      input: [...inputs],
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  toDouble(input: string): string {
    return this.op('Cast', [input], { to: T.DOUBLE });
  }

  toFloat(input: string, output?: string): string {
    return this.op('Cast', [input], { to: T.FLOAT }, output ? { output } : {});
  }
}

function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } } };
}

/** A column's value as the network sees it: imputed and scaled (numbers) or one-hot (categories), float [N, width]. */
function oneHotFeature(g: GraphBuilder, feature: FittedFeature, input: string): string {
  if (feature.kind === 'numeric') {
    const x = g.toDouble(input);
    const filled = g.op('Where', [g.op('IsNaN', [x]), g.constant(doubles([feature.fill], []), 'fill'), x]);
    const scaled = g.op('Div', [g.op('Sub', [filled, g.constant(doubles([feature.center], []), 'center')]), g.constant(doubles([feature.scale], []), 'scale')]);
    return g.toFloat(scaled);
  }
  const k = feature.categories.length;
  // "" (missing) takes the fitted fill; unseen and unfilled missing map to k, whose one-hot column is cut off
  const keys = [...feature.categories];
  const values = feature.categories.map((_, i) => i);
  if (feature.fill !== null && !keys.includes('')) {
    keys.push('');
    values.push(feature.categories.indexOf(feature.fill));
  }
  const index = g.op('LabelEncoder', [input], { keys_strings: { strings: keys }, values_int64s: { ints: values }, default_int64: k }, { domain: 'ai.onnx.ml' });
  const hot = g.op('OneHot', [index, g.constant(int64s([k + 1], [1]), 'depth'), g.constant({ dims: [2], dataType: T.FLOAT, floatData: [0, 1] }, 'onoff')], { axis: -1 });
  const flat = g.op('Squeeze', [hot, g.constant(int64s([1]), 'axes')]);
  return g.op('Slice', [flat, g.constant(int64s([0]), 'starts'), g.constant(int64s([k]), 'ends'), g.constant(int64s([1]), 'axes')]);
}

/** A column as trees see it: the number (NaN missing) or the category's index (NaN missing or unseen), float [N, 1]. */
function nativeFeature(g: GraphBuilder, feature: FittedFeature, input: string): string {
  if (feature.kind === 'numeric') return input;
  return g.op('LabelEncoder', [input], { keys_strings: { strings: feature.categories }, values_floats: { floats: feature.categories.map((_, i) => i) }, default_float: Number.NaN }, { domain: 'ai.onnx.ml' });
}

function activation(g: GraphBuilder, z: string, kind: DenseLayerShape['activation']): string {
  switch (kind) {
    case 'relu':
      return g.op('Relu', [z]);
    case 'tanh':
      return g.op('Tanh', [z]);
    case 'sigmoid':
      return g.op('Sigmoid', [z]);
    case 'softmax':
      return g.op('Softmax', [z], { axis: 1 });
    case 'elu': {
      // Elu in double is not in every runtime: z > 0 ? z : exp(z) - 1
      const negative = g.op('Sub', [g.op('Exp', [z]), g.constant(doubles([1], []), 'one')]);
      return g.op('Where', [g.op('Greater', [z, g.constant(doubles([0], []), 'zero')]), z, negative]);
    }
    default:
      return z;
  }
}

/** Each layer in double from float inputs, stored as float: the product's denseForward. */
function network(g: GraphBuilder, x: string, layers: readonly DenseLayerShape[], weights: readonly DenseWeights[]): string {
  let input = x;
  layers.forEach((layer, l) => {
    const w = weights[l] as DenseWeights;
    const z = g.op('Add', [g.op('MatMul', [g.toDouble(input), g.constant(doubles(w.kernel, [layer.inputs, layer.units]), 'kernel')]), g.constant(doubles(w.bias, [layer.units]), 'bias')]);
    input = g.toFloat(activation(g, z, layer.activation));
  });
  return input;
}

/** All trees as one ai.onnx.ml TreeEnsemble (opset 5) over double inputs, then baseline, averaging and link in double. */
function treeEnsemble(g: GraphBuilder, x: string, json: TreeEnsembleJson): string {
  const K = json.outputs;
  // A leaf holds one weight for one target in ONNX: a forest classifier's K-wide leaves become K
  // copies of the tree, one per class.
  const copies: { tree: SerializedTree; target: number; column: number }[] = [];
  for (const tree of json.trees) {
    if (json.valueWidth === 1) copies.push({ tree, target: tree.output, column: 0 });
    else for (let k = 0; k < json.valueWidth; k++) copies.push({ tree, target: k, column: k });
  }
  const featureIds: number[] = [];
  const splits: number[] = [];
  const modes: number[] = [];
  const trueIds: number[] = [];
  const trueLeafs: number[] = [];
  const falseIds: number[] = [];
  const falseLeafs: number[] = [];
  const missingTrue: number[] = [];
  const membership: number[] = [];
  const leafTargets: number[] = [];
  const leafWeights: number[] = [];
  const roots: number[] = [];
  for (const { tree, target, column } of copies) {
    const nodeIndex = new Map<number, number>();
    const leafIndex = new Map<number, number>();
    const leaf = (i: number): number => {
      let at = leafIndex.get(i);
      if (at === undefined) {
        at = leafTargets.length;
        leafIndex.set(i, at);
        leafTargets.push(target);
        leafWeights.push(tree.value[i * json.valueWidth + column] as number);
      }
      return at;
    };
    const interior = tree.feature.map((f, i) => (f >= 0 ? i : -1)).filter((i) => i >= 0);
    for (const i of interior) nodeIndex.set(i, featureIds.length + nodeIndex.size);
    if (interior.length === 0) {
      // a tree that is one leaf: a split whose two branches both end in it
      const only = leaf(0);
      roots.push(featureIds.length);
      featureIds.push(0);
      splits.push(0);
      modes.push(0);
      trueIds.push(only);
      trueLeafs.push(1);
      falseIds.push(only);
      falseLeafs.push(1);
      missingTrue.push(1);
      continue;
    }
    roots.push(nodeIndex.get(0) as number);
    for (const i of interior) {
      const categories = tree.leftCategories?.[String(i)];
      featureIds.push(tree.feature[i] as number);
      splits.push(categories ? 0 : (tree.threshold[i] as number));
      modes.push(categories ? 6 : 0); // BRANCH_MEMBER (the category set goes left) : BRANCH_LEQ
      if (categories) membership.push(...(membership.length > 0 ? [Number.NaN] : []), ...(categories.length > 0 ? categories : [-1]));
      missingTrue.push(tree.missingLeft[i] as number);
      for (const [child, ids, leafs] of [[tree.left[i] as number, trueIds, trueLeafs], [tree.right[i] as number, falseIds, falseLeafs]] as const) {
        const isLeaf = (tree.feature[child] as number) < 0;
        ids.push(isLeaf ? leaf(child) : (nodeIndex.get(child) as number));
        leafs.push(isLeaf ? 1 : 0);
      }
    }
  }
  const sums = g.op(
    'TreeEnsemble',
    [g.toDouble(x)],
    {
      aggregate_function: 1, // SUM; a forest's mean is taken below (K copies per tree would skew AVERAGE)
      post_transform: 0,
      n_targets: K,
      tree_roots: { ints: roots },
      nodes_featureids: { ints: featureIds },
      nodes_splits: { tensor: doubles(splits) },
      nodes_modes: { tensor: { dims: [modes.length], dataType: T.UINT8, int32Data: modes } },
      nodes_truenodeids: { ints: trueIds },
      nodes_trueleafs: { ints: trueLeafs },
      nodes_falsenodeids: { ints: falseIds },
      nodes_falseleafs: { ints: falseLeafs },
      nodes_missing_value_tracks_true: { ints: missingTrue },
      ...(membership.length > 0 ? { membership_values: { tensor: doubles(membership) } } : {}),
      leaf_targetids: { ints: leafTargets },
      leaf_weights: { tensor: doubles(leafWeights) },
    },
    { domain: 'ai.onnx.ml' },
  );
  let raw = g.op('Add', [sums, g.constant(doubles(Array.from({ length: K }, (_, k) => json.baseline[k] ?? 0), [1, K]), 'baseline')]);
  if (json.combine === 'mean' && json.trees.length > 0) raw = g.op('Div', [raw, g.constant(doubles([json.trees.length], []), 'trees')]);
  if (json.link === 'sigmoid') {
    const p = g.op('Sigmoid', [raw]);
    return g.toFloat(g.op('Concat', [g.op('Sub', [g.constant(doubles([1], []), 'one'), p]), p], { axis: 1 }));
  }
  if (json.link === 'softmax') return g.toFloat(g.op('Softmax', [raw], { axis: 1 }));
  return g.toFloat(raw);
}

function outputs(g: GraphBuilder, scores: string, signature: ModelSignature): onnx.IValueInfoProto[] {
  const output = signature.output;
  const predicted = `predicted_${output.target}`;
  if (output.task === 'regression') {
    g.op('Identity', [scores], {}, { output: predicted });
    return [valueInfo(predicted, T.FLOAT, ['N', 1])];
  }
  g.op('Identity', [scores], {}, { output: 'probabilities' });
  const best = g.op('ArgMax', ['probabilities'], { axis: 1, keepdims: 0 });
  g.op('LabelEncoder', [best], { keys_int64s: { ints: output.classes.map((_, i) => i) }, values_strings: { strings: output.classes }, default_string: '' }, { domain: 'ai.onnx.ml', output: predicted });
  return [valueInfo(predicted, T.STRING, ['N']), valueInfo('probabilities', T.FLOAT, ['N', output.classes.length])];
}

/** The ONNX model (serialized ModelProto) of a model package. */
export async function onnxModelBytes(packageDir: string, options: { source?: string } = {}): Promise<Uint8Array> {
  const model = await loadModelPackage(packageDir);
  const g = new GraphBuilder();
  const preprocessing: FittedPreprocessing = model.preprocessing;
  const native = preprocessing.encoding === 'native';
  const inputs = preprocessing.features.map((f) => valueInfo(f.name, f.kind === 'numeric' ? T.FLOAT : T.STRING, ['N', 1]));
  const columns = preprocessing.features.map((f) => (native ? nativeFeature(g, f, f.name) : oneHotFeature(g, f, f.name)));
  const x = columns.length === 1 ? (columns[0] as string) : g.op('Concat', columns, { axis: 1 });
  let scores: string;
  if (model.manifest.flavor === 'tree-ensemble') {
    const json = JSON.parse(await readFile(join(packageDir, TREE_PACKAGE_FILES.trees), 'utf8')) as TreeEnsembleJson;
    scores = treeEnsemble(g, x, json);
  } else {
    const { layers, weights } = await readPackageNetwork(packageDir);
    scores = network(g, x, layers, weights);
  }
  const outs = outputs(g, scores, model.signature);
  const proto = onnx.ModelProto.create({
    // IR 10 (ONNX 1.16) is the first to know ai.onnx.ml opset 5, whose TreeEnsemble handles category sets
    irVersion: 10,
    opsetImport: [
      { domain: '', version: OPSET },
      { domain: 'ai.onnx.ml', version: ML_OPSET },
    ],
    producerName: 'MLOps Studio',
    producerVersion: '1',
    docString: `${model.manifest.modelType} predicting ${model.signature.output.target}${options.source ? ` (${options.source})` : ''}; inputs: one [N, 1] tensor per column, NaN or "" when missing`,
    graph: { name: 'mlops_studio_model', node: g.nodes, initializer: g.initializers, input: inputs, output: outs },
    metadataProps: [
      { key: 'task', value: model.signature.output.task },
      { key: 'target', value: model.signature.output.target },
      ...(options.source ? [{ key: 'source', value: options.source }] : []),
    ],
  });
  return onnx.ModelProto.encode(proto).finish();
}

/** Writes `outFile` (.onnx) through a temp file beside it; refuses to overwrite an existing file. */
export async function exportOnnxModel(packageDir: string, outFile: string, options: { source?: string } = {}): Promise<{ file: string; bytes: number }> {
  if (existsSync(outFile)) throw new Error(`${outFile} already exists; choose a new file name for the export`);
  const bytes = await onnxModelBytes(packageDir, options);
  const temp = `${outFile}.export-${process.pid}`;
  try {
    await writeFile(temp, bytes);
    await rename(temp, outFile);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
  return { file: outFile, bytes: bytes.length };
}
