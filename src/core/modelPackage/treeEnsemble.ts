/**
 * Tree ensembles as the model package stores them (`model/trees.json`) and as they are scored.
 * Inputs are the native encoding of the preprocessing: a numeric column as its value, a
 * categorical one as its category index, NaN when missing (or an unseen category).
 */
export interface SerializedTree {
  /** which raw output this tree adds to (boosting: the class of a multiclass model; else 0) */
  readonly output: number;
  /** split feature per node, -1 for a leaf */
  readonly feature: readonly number[];
  /** numeric split: x ≤ threshold goes left (unused for leaves and categorical splits) */
  readonly threshold: readonly number[];
  /** 1: a missing value goes left */
  readonly missingLeft: readonly number[];
  readonly left: readonly number[];
  readonly right: readonly number[];
  /** `valueWidth` numbers per node (meaningful at leaves) */
  readonly value: readonly number[];
  /** categorical splits: node index → category indices that go left */
  readonly leftCategories?: Readonly<Record<string, readonly number[]>>;
}

export interface TreeEnsembleJson {
  readonly format: 'mlops-tree-ensemble';
  readonly formatVersion: 1;
  readonly kind: 'gbdt' | 'random_forest';
  readonly task: 'classification' | 'regression';
  /** encoded input columns */
  readonly width: number;
  /** raw outputs per row: classes for multiclass boosting and forests' classes; 1 otherwise */
  readonly outputs: number;
  /** numbers per leaf: `outputs` for a forest classifier, 1 otherwise */
  readonly valueWidth: number;
  /** raw score every row starts from (boosting's prior), per output */
  readonly baseline: readonly number[];
  /** boosting sums the trees; a forest averages them */
  readonly combine: 'sum' | 'mean';
  /** raw scores → outputs: probabilities of a binary (sigmoid) or multiclass (softmax) booster, else as is */
  readonly link: 'identity' | 'sigmoid' | 'softmax';
  readonly trees: readonly SerializedTree[];
}

/** The ensemble in flat typed arrays, every tree's nodes one after the other. */
export interface CompiledEnsemble {
  readonly json: TreeEnsembleJson;
  /** probabilities per class (classification) or the value (regression), row-major */
  predict(x: Float32Array, rows: number): Float32Array;
}

/** Ensembles up to this many nodes are scored by generated code; bigger ones (deep forests) by walking the arrays. */
const GENERATED_NODES = 200_000;

type TreeScorer = (x: Float32Array, rows: number, width: number, raw: Float64Array, K: number, bits: Uint32Array) => void;

/**
 * One JavaScript function per tree, its splits as nested ifs over the row's cells (a row loop
 * inside): V8 compiles them to plain compares and jumps, several times faster than walking node
 * arrays. Only numbers from the package reach the source (each checked to be one).
 */
function generatedScorers(json: TreeEnsembleJson, bitsetOf: (tree: number, node: number) => number): TreeScorer[] | undefined {
  if (json.valueWidth !== 1 || json.trees.reduce((n, t) => n + t.feature.length, 0) > GENERATED_NODES) return undefined;
  const num = (v: unknown): string => {
    if (typeof v !== 'number' || Number.isNaN(v)) throw new Error(`trees.json: ${JSON.stringify(v)} is not a number`);
    return v === Number.MAX_VALUE ? 'Infinity' : String(v);
  };
  return json.trees.map((tree, t) => {
    const out = num(tree.output);
    const walk = (node: number, depth: number): string => {
      if (depth > 10_000) throw new Error('trees.json: a tree is too deep (a cycle?)');
      const f = tree.feature[node] as number;
      if (f < 0) return `raw[o + ${out}] += ${num(tree.value[node])};`;
      const cell = `x[b + ${num(f)}]`;
      const missingLeft = tree.missingLeft[node] === 1;
      const set = bitsetOf(t, node);
      const test =
        set >= 0
          ? `(v = ${cell}, v !== v ? ${missingLeft} : (c = v | 0, c >= 0 && c < 256 && ((bits[${set} + (c >> 5)] >>> (c & 31)) & 1) === 1))`
          : missingLeft
            ? `!(${cell} > ${num(tree.threshold[node])})`
            : `${cell} <= ${num(tree.threshold[node])}`;
      return `if (${test}) { ${walk(tree.left[node] as number, depth + 1)} } else { ${walk(tree.right[node] as number, depth + 1)} }`;
    };
    const body = `for (let r = 0; r < rows; r++) { const b = r * width; const o = r * K; let v = 0; let c = 0; ${walk(0, 0)} }`;
    return new Function('x', 'rows', 'width', 'raw', 'K', 'bits', body) as TreeScorer;
  });
}

/** Flattens the trees once; scoring is then a loop over typed arrays per tree, rows inside. */
export function compileEnsemble(json: TreeEnsembleJson): CompiledEnsemble {
  const nodes = json.trees.reduce((n, t) => n + t.feature.length, 0);
  const feature = new Int32Array(nodes);
  const threshold = new Float64Array(nodes);
  // left child at 2·node, right child at 2·node + 1
  const children = new Int32Array(2 * nodes);
  const missingRight = new Uint8Array(nodes);
  // categorical splits: offset of the node's 8-word bitset in `categoryBits`, -1 for numeric
  const categorySet = new Int32Array(nodes).fill(-1);
  const vw = json.valueWidth;
  const value = new Float64Array(nodes * vw);
  const roots = new Int32Array(json.trees.length);
  const outputOf = new Int32Array(json.trees.length);
  const bitsets: number[] = [];
  const bitsetAt = new Map<string, number>();
  let at = 0;
  json.trees.forEach((tree, t) => {
    roots[t] = at;
    outputOf[t] = tree.output;
    for (let i = 0; i < tree.feature.length; i++) {
      const g = at + i;
      feature[g] = tree.feature[i] as number;
      threshold[g] = tree.threshold[i] as number;
      children[2 * g] = at + (tree.left[i] as number);
      children[2 * g + 1] = at + (tree.right[i] as number);
      missingRight[g] = tree.missingLeft[i] === 1 ? 0 : 1;
      for (let c = 0; c < vw; c++) value[g * vw + c] = tree.value[i * vw + c] as number;
      const categories = tree.leftCategories?.[String(i)];
      if (categories) {
        categorySet[g] = bitsets.length;
        bitsetAt.set(`${t}:${i}`, bitsets.length);
        const words = new Array<number>(8).fill(0);
        for (const c of categories) words[c >> 5] = ((words[c >> 5] as number) | (1 << (c & 31))) >>> 0;
        bitsets.push(...words);
      }
    }
    at += tree.feature.length;
  });
  const categoryBits = Uint32Array.from(bitsets);
  const K = json.outputs;
  const width = json.width;
  const generated = generatedScorers(json, (t, node) => bitsetAt.get(`${t}:${node}`) ?? -1);
  return {
    json,
    predict: (x, rows) => {
      const raw = new Float64Array(rows * K);
      for (let r = 0; r < rows; r++) for (let k = 0; k < K; k++) raw[r * K + k] = json.baseline[k] ?? 0;
      if (generated) {
        for (const score of generated) score(x, rows, width, raw, K, categoryBits);
        return finish(raw, rows, json);
      }
      // trees outside, rows inside: a tree's nodes stay in cache while every row walks it
      for (let t = 0; t < roots.length; t++) {
        const root = roots[t] as number;
        const out = outputOf[t] as number;
        for (let r = 0; r < rows; r++) {
          const base = r * width;
          let node = root;
          let f = feature[node] as number;
          while (f >= 0) {
            const v = x[base + f] as number;
            const set = categorySet[node] as number;
            let side: number;
            // numeric: right when above the threshold, or missing and not sent left (NaN compares false)
            if (set < 0) side = +(v > (threshold[node] as number)) | (+(v !== v) & (missingRight[node] as number));
            else if (v !== v) side = missingRight[node] as number;
            else {
              const c = v | 0;
              side = c >= 0 && c < 256 && ((categoryBits[set + (c >> 5)] as number) & (1 << (c & 31))) !== 0 ? 0 : 1;
            }
            node = children[2 * node + side] as number;
            f = feature[node] as number;
          }
          if (vw === 1) raw[r * K + out] = (raw[r * K + out] as number) + (value[node] as number);
          else for (let k = 0; k < vw; k++) raw[r * K + k] = (raw[r * K + k] as number) + (value[node * vw + k] as number);
        }
      }
      return finish(raw, rows, json);
    },
  };
}

function finish(raw: Float64Array, rows: number, json: TreeEnsembleJson): Float32Array {
  const K = json.outputs;
  const n = json.trees.length;
  if (json.combine === 'mean' && n > 0) for (let i = 0; i < raw.length; i++) raw[i] = (raw[i] as number) / n;
  if (json.link === 'identity') return Float32Array.from(raw);
  if (json.link === 'sigmoid') {
    const out = new Float32Array(rows * 2);
    for (let r = 0; r < rows; r++) {
      const p = 1 / (1 + Math.exp(-(raw[r] as number)));
      out[r * 2] = 1 - p;
      out[r * 2 + 1] = p;
    }
    return out;
  }
  const out = new Float32Array(rows * K);
  for (let r = 0; r < rows; r++) {
    let max = -Infinity;
    for (let k = 0; k < K; k++) max = Math.max(max, raw[r * K + k] as number);
    let sum = 0;
    for (let k = 0; k < K; k++) sum += Math.exp((raw[r * K + k] as number) - max);
    for (let k = 0; k < K; k++) out[r * K + k] = Math.exp((raw[r * K + k] as number) - max) / sum;
  }
  return out;
}
