import type { SeededRandom } from '../seededRandom';
import { MISSING_BIN, type BinnedFeatures } from './featureBinning';

const BINS = 256;

/**
 * How one tree grows. Boosting and forests share the grower: every row carries C "gradient"
 * channels and a hessian, a node's score is Σ_c G_c² / (H + λ), and a split's gain is the
 * children's score minus the parent's. With gradients that is XGBoost/LightGBM's second-order
 * gain; with one-hot class indicators and unit hessians (λ = 0) it is exactly the decrease of
 * Gini impurity × rows, with the target and unit hessians the decrease of squared error.
 */
export interface GrowerOptions {
  readonly channels: number;
  readonly lambda: number;
  /** Infinity: no limit (the tree grows depth-first) */
  readonly maxLeafNodes: number;
  /** Infinity: no limit */
  readonly maxDepth: number;
  readonly minSamplesLeaf: number;
  /** smallest hessian sum a child may have (boosting: 1e-3, as scikit-learn) */
  readonly minHessian: number;
  /** features this tree may split on (column subsampling) */
  readonly treeFeatures: Int32Array;
  /**
   * 0: every node looks at all the tree's features, and a child's histogram is its parent's minus
   * its sibling's (only the smaller child is counted). k > 0: each node draws k of them (random
   * forests' max_features), counted afresh.
   */
  readonly featuresPerNode: number;
  readonly random: SeededRandom;
  /** categories are ordered by G / (H + smoothing) before the best prefix is searched (LightGBM's cat_smooth) */
  readonly categorySmoothing: number;
}

/** A grown tree in node arrays (node 0 is the root); thresholds are bins, mapped to values by the caller. */
export interface GrownTree {
  /** split feature, -1 for a leaf */
  readonly feature: number[];
  /** numeric split: bins ≤ this go left */
  readonly thresholdBin: number[];
  readonly missingLeft: boolean[];
  /** categorical split: the categories that go left (null for numeric splits and leaves) */
  readonly leftCategories: (number[] | null)[];
  readonly left: number[];
  readonly right: number[];
  /** gain of the node's split (0 for a leaf) */
  readonly gain: number[];
  /** per node: G_0 … G_{C-1}, H, rows */
  readonly sums: Float64Array[];
}

interface Split {
  readonly feature: number;
  readonly bin: number;
  readonly missingLeft: boolean;
  readonly categories: Uint8Array | null;
  readonly gain: number;
  readonly leftSums: Float64Array;
  readonly rightSums: Float64Array;
}

interface Candidate {
  readonly node: number;
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  hist: Float64Array | null;
  readonly split: Split;
}

/**
 * Grows one tree on the rows `rows` (indices into the binned matrix, repeats allowed: a bootstrap
 * sample), leaf-wise: the leaf whose best split gains most is split next, until maxLeafNodes
 * leaves or no split gains anything. `rows` is reordered in place.
 */
export function growTree(data: BinnedFeatures, grad: Float32Array, hess: Float32Array, rows: Int32Array, options: GrowerOptions): GrownTree {
  const C = options.channels;
  const S = C + 2;
  const histSize = data.features * BINS * S;
  const pool: Float64Array[] = [];
  // a pooled histogram is cleared only where the node's features will count (their used bins)
  const acquire = (features: Int32Array): Float64Array => {
    const h = pool.pop();
    if (!h) return new Float64Array(histSize);
    clearHistogram(h, data, features, S);
    return h;
  };
  const release = (h: Float64Array | null): void => {
    if (h) pool.push(h);
  };
  const subtract = options.featuresPerNode === 0;
  const scratch = new Int32Array(rows.length);
  const ordered = C === 1 ? { grad: new Float32Array(rows.length), hess: new Float32Array(rows.length) } : undefined;
  const tree: GrownTree = { feature: [], thresholdBin: [], missingLeft: [], leftCategories: [], left: [], right: [], gain: [], sums: [] };
  const addNode = (sums: Float64Array): number => {
    tree.feature.push(-1);
    tree.thresholdBin.push(0);
    tree.missingLeft.push(false);
    tree.leftCategories.push(null);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.gain.push(0);
    tree.sums.push(sums);
    return tree.feature.length - 1;
  };
  // a forest's per-node draw: a partial Fisher–Yates over a permutation kept between nodes
  const drawFrom = Int32Array.from(options.treeFeatures);
  const nodeFeatures = (): Int32Array => {
    if (subtract || options.featuresPerNode >= drawFrom.length) return options.treeFeatures;
    const k = options.featuresPerNode;
    for (let i = 0; i < k; i++) {
      const j = i + options.random.int(drawFrom.length - i);
      const t = drawFrom[i] as number;
      drawFrom[i] = drawFrom[j] as number;
      drawFrom[j] = t;
    }
    return drawFrom.subarray(0, k);
  };

  const rootSums = new Float64Array(S);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as number;
    for (let c = 0; c < C; c++) rootSums[c] = (rootSums[c] as number) + (grad[r * C + c] as number);
    rootSums[C] = (rootSums[C] as number) + (hess[r] as number);
  }
  rootSums[C + 1] = rows.length;
  const root = addNode(rootSums);
  const candidates: Candidate[] = [];
  let leaves = 1;

  /** Counts a node's histogram (or takes the one given) and queues the node if it has a split worth making. */
  const consider = (node: number, start: number, end: number, depth: number, given: Float64Array | null): void => {
    const sums = tree.sums[node] as Float64Array;
    const count = end - start;
    if (depth >= options.maxDepth || count < 2 * options.minSamplesLeaf || count < 2) {
      release(given);
      return;
    }
    const features = nodeFeatures();
    let hist = given;
    if (!hist) {
      hist = acquire(features);
      buildHistogram(hist, data, grad, hess, rows, start, end, features, C, ordered);
    }
    const split = bestSplit(hist, data, features, sums, options);
    if (!split || !(split.gain > 1e-12)) {
      release(hist);
      return;
    }
    if (!subtract) {
      release(hist);
      hist = null;
    }
    candidates.push({ node, start, end, depth, hist, split });
  };
  consider(root, 0, rows.length, 0, null);

  const bounded = Number.isFinite(options.maxLeafNodes);
  while (candidates.length > 0 && leaves < options.maxLeafNodes) {
    // best first when the leaves are counted; otherwise any order gives the same tree
    let pick = candidates.length - 1;
    if (bounded) for (let i = 0; i < candidates.length; i++) if ((candidates[i] as Candidate).split.gain > (candidates[pick] as Candidate).split.gain) pick = i;
    const candidate = candidates[pick] as Candidate;
    candidates[pick] = candidates[candidates.length - 1] as Candidate;
    candidates.pop();
    const { node, start, end, depth, split } = candidate;
    const mid = partition(data, rows, scratch, start, end, split);
    const left = addNode(split.leftSums);
    const right = addNode(split.rightSums);
    tree.feature[node] = split.feature;
    tree.thresholdBin[node] = split.bin;
    tree.missingLeft[node] = split.missingLeft;
    tree.gain[node] = split.gain;
    tree.left[node] = left;
    tree.right[node] = right;
    if (split.categories) {
      const list: number[] = [];
      for (let b = 0; b < BINS - 1; b++) if (split.categories[b]) list.push(b);
      tree.leftCategories[node] = list;
    }
    leaves++;
    let leftHist: Float64Array | null = null;
    let rightHist: Float64Array | null = null;
    if (subtract && candidate.hist) {
      // count the smaller child; the larger one is what the parent had left
      const leftSmaller = mid - start <= end - mid;
      const small = acquire(options.treeFeatures);
      buildHistogram(small, data, grad, hess, rows, leftSmaller ? start : mid, leftSmaller ? mid : end, options.treeFeatures, C, ordered);
      const large = candidate.hist;
      subtractInto(large, small, data, options.treeFeatures, S);
      leftHist = leftSmaller ? small : large;
      rightHist = leftSmaller ? large : small;
    }
    consider(left, start, mid, depth + 1, leftHist);
    consider(right, mid, end, depth + 1, rightHist);
  }
  for (const c of candidates) release(c.hist);
  return tree;
}

/** hist[f][b][·] += for every row of [start, end): its channels, its hessian, 1 */
function buildHistogram(
  hist: Float64Array,
  data: BinnedFeatures,
  grad: Float32Array,
  hess: Float32Array,
  rows: Int32Array,
  start: number,
  end: number,
  features: Int32Array,
  C: number,
  ordered: { grad: Float32Array; hess: Float32Array } | undefined,
): void {
  const n = data.rows;
  const bins = data.bins;
  if (C === 1 && ordered) {
    // the node's gradients gathered once, read in order by every feature
    const og = ordered.grad;
    const oh = ordered.hess;
    for (let i = start; i < end; i++) {
      const r = rows[i] as number;
      og[i - start] = grad[r] as number;
      oh[i - start] = hess[r] as number;
    }
    for (let k = 0; k < features.length; k++) {
      const f = features[k] as number;
      buildHistogram1(hist, bins, f * n, f * BINS * 3, og, oh, rows, start, end);
    }
    return;
  }
  const S = C + 2;
  for (let k = 0; k < features.length; k++) {
    const f = features[k] as number;
    const base = f * BINS * S;
    const offset = f * n;
    for (let i = start; i < end; i++) {
      const r = rows[i] as number;
      const o = base + (bins[offset + r] as number) * S;
      const g = r * C;
      for (let c = 0; c < C; c++) hist[o + c] = (hist[o + c] as number) + (grad[g + c] as number);
      hist[o + C] = (hist[o + C] as number) + (hess[r] as number);
      hist[o + C + 1] = (hist[o + C + 1] as number) + 1;
    }
  }
}

// The boosting hot loop on its own: one channel, three doubles per bin.
function buildHistogram1(hist: Float64Array, bins: Uint8Array, offset: number, base: number, og: Float32Array, oh: Float32Array, rows: Int32Array, start: number, end: number): void {
  for (let i = start; i < end; i++) {
    const o = base + (bins[offset + (rows[i] as number)] as number) * 3;
    const j = i - start;
    hist[o] = (hist[o] as number) + (og[j] as number);
    hist[o + 1] = (hist[o + 1] as number) + (oh[j] as number);
    hist[o + 2] = (hist[o + 2] as number) + 1;
  }
}

/** large -= small over the bins in use (a feature's real bins and its missing bin) */
function subtractInto(large: Float64Array, small: Float64Array, data: BinnedFeatures, features: Int32Array, S: number): void {
  for (let k = 0; k < features.length; k++) {
    const f = features[k] as number;
    const base = f * BINS * S;
    const used = base + (data.binCount[f] as number) * S;
    for (let i = base; i < used; i++) large[i] = (large[i] as number) - (small[i] as number);
    const missing = base + MISSING_BIN * S;
    for (let i = missing; i < missing + S; i++) large[i] = (large[i] as number) - (small[i] as number);
  }
}

function clearHistogram(hist: Float64Array, data: BinnedFeatures, features: Int32Array, S: number): void {
  for (let k = 0; k < features.length; k++) {
    const f = features[k] as number;
    const base = f * BINS * S;
    hist.fill(0, base, base + (data.binCount[f] as number) * S);
    hist.fill(0, base + MISSING_BIN * S, base + BINS * S);
  }
}

function score(sums: Float64Array, C: number, lambda: number): number {
  const h = (sums[C] as number) + lambda;
  if (h <= 0) return 0;
  let s = 0;
  for (let c = 0; c < C; c++) s += (sums[c] as number) ** 2;
  return s / h;
}

/** The best split of a node over `features`, or undefined when no split respects the leaf limits. */
function bestSplit(hist: Float64Array, data: BinnedFeatures, features: Int32Array, sums: Float64Array, options: GrowerOptions): Split | undefined {
  const C = options.channels;
  const S = C + 2;
  const parentScore = score(sums, C, options.lambda);
  // the best split so far as scalars and two preallocated sum vectors: no object per improvement
  let bestGain = -Infinity;
  let bestFeature = -1;
  let bestBin = 0;
  let bestMissingLeft = false;
  let bestCategories: Uint8Array | null = null;
  const bestLeft = new Float64Array(S);
  const bestRight = new Float64Array(S);
  const left = new Float64Array(S);
  const right = new Float64Array(S);
  const missing = new Float64Array(S);
  const withMissing = new Float64Array(S);
  const msl = options.minSamplesLeaf;
  const minH = options.minHessian;
  const lambda = options.lambda;
  const consider = (feature: number, bin: number, missingLeft: boolean, categories: Uint8Array | null, l: Float64Array, r: Float64Array): void => {
    if ((l[C + 1] as number) < msl || (r[C + 1] as number) < msl || (l[C] as number) < minH || (r[C] as number) < minH) return;
    const gain = score(l, C, lambda) + score(r, C, lambda) - parentScore;
    if (gain <= bestGain) return;
    bestGain = gain;
    bestFeature = feature;
    bestBin = bin;
    bestMissingLeft = missingLeft;
    bestCategories = categories ? categories.slice() : null;
    bestLeft.set(l);
    bestRight.set(r);
  };
  for (let k = 0; k < features.length; k++) {
    const f = features[k] as number;
    const base = f * BINS * S;
    const nb = data.binCount[f] as number;
    for (let s = 0; s < S; s++) missing[s] = hist[base + MISSING_BIN * S + s] as number;
    const hasMissing = (missing[C + 1] as number) > 0;
    if (data.categorical[f]) {
      categoricalSplits(hist, base, nb, f, sums, missing, hasMissing, options, consider);
      continue;
    }
    left.fill(0);
    for (let b = 0; b < nb; b++) {
      const o = base + b * S;
      // an empty bin splits the rows as the bin before it did (small nodes of deep trees are mostly empty bins)
      if ((hist[o + C + 1] as number) === 0 && b < nb - 1) continue;
      for (let s = 0; s < S; s++) left[s] = (left[s] as number) + (hist[o + s] as number);
      if (b === nb - 1 && !hasMissing) break;
      // missing values to the right …
      for (let s = 0; s < S; s++) right[s] = (sums[s] as number) - (left[s] as number);
      if (b < nb - 1 || hasMissing) consider(f, b, !hasMissing && (left[C + 1] as number) >= (right[C + 1] as number), null, left, right);
      // … and to the left
      if (hasMissing && b < nb - 1) {
        for (let s = 0; s < S; s++) {
          withMissing[s] = (left[s] as number) + (missing[s] as number);
          right[s] = (sums[s] as number) - (withMissing[s] as number);
        }
        consider(f, b, true, null, withMissing, right);
      }
    }
  }
  return bestFeature < 0 ? undefined : { feature: bestFeature, bin: bestBin, missingLeft: bestMissingLeft, categories: bestCategories, gain: bestGain, leftSums: bestLeft, rightSums: bestRight };
}

/**
 * Categories ordered by their mean gradient (smoothed), then the best prefix goes left — Fisher's
 * ordering, exact for one channel. For several channels (a forest's classes) the order follows
 * the node's most frequent class.
 */
function categoricalSplits(
  hist: Float64Array,
  base: number,
  nb: number,
  feature: number,
  sums: Float64Array,
  missing: Float64Array,
  hasMissing: boolean,
  options: GrowerOptions,
  consider: (feature: number, bin: number, missingLeft: boolean, categories: Uint8Array | null, l: Float64Array, r: Float64Array) => void,
): void {
  const C = options.channels;
  const S = C + 2;
  let channel = 0;
  for (let c = 1; c < C; c++) if ((sums[c] as number) > (sums[channel] as number)) channel = c;
  const present: number[] = [];
  for (let b = 0; b < nb; b++) if ((hist[base + b * S + C + 1] as number) > 0) present.push(b);
  if (present.length + (hasMissing ? 1 : 0) < 2) return;
  const ratio = (b: number): number => (hist[base + b * S + channel] as number) / ((hist[base + b * S + C] as number) + options.categorySmoothing);
  present.sort((a, b) => ratio(a) - ratio(b));
  const left = new Float64Array(S);
  const right = new Float64Array(S);
  const withMissing = new Float64Array(S);
  const mask = new Uint8Array(BINS);
  for (let j = 0; j < present.length; j++) {
    const b = present[j] as number;
    mask[b] = 1;
    for (let s = 0; s < S; s++) left[s] = (left[s] as number) + (hist[base + b * S + s] as number);
    if (j < present.length - 1 || hasMissing) {
      for (let s = 0; s < S; s++) right[s] = (sums[s] as number) - (left[s] as number);
      consider(feature, 0, !hasMissing && (left[C + 1] as number) >= (right[C + 1] as number), mask, left, right);
    }
    if (hasMissing && j < present.length - 1) {
      for (let s = 0; s < S; s++) {
        withMissing[s] = (left[s] as number) + (missing[s] as number);
        right[s] = (sums[s] as number) - (withMissing[s] as number);
      }
      consider(feature, 0, true, mask, withMissing, right);
    }
  }
}

/** Stable partition of rows[start, end) into [left | right]; returns where the right part starts. */
function partition(data: BinnedFeatures, rows: Int32Array, scratch: Int32Array, start: number, end: number, split: Split): number {
  const offset = split.feature * data.rows;
  const bins = data.bins;
  let l = start;
  let r = 0;
  const cats = split.categories;
  const threshold = split.bin;
  const missingLeft = split.missingLeft;
  for (let i = start; i < end; i++) {
    const row = rows[i] as number;
    const b = bins[offset + row] as number;
    const goesLeft = b === MISSING_BIN ? missingLeft : cats ? cats[b] === 1 : b <= threshold;
    if (goesLeft) rows[l++] = row;
    else scratch[r++] = row;
  }
  rows.set(scratch.subarray(0, r), l);
  return l;
}

/** The leaf a binned row reaches (how boosting updates the training rows' scores after a tree). */
export function leafOfBinned(tree: GrownTree, data: BinnedFeatures, row: number): number {
  let node = 0;
  for (;;) {
    const f = tree.feature[node] as number;
    if (f < 0) return node;
    const b = data.bins[f * data.rows + row] as number;
    const cats = tree.leftCategories[node];
    const goesLeft = b === MISSING_BIN ? (tree.missingLeft[node] as boolean) : cats ? cats.includes(b) : b <= (tree.thresholdBin[node] as number);
    node = goesLeft ? (tree.left[node] as number) : (tree.right[node] as number);
  }
}
