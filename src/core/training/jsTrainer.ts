import { scoreOutputs, targetScaling } from './epochScoring';
import type { DenseLayerShape, DenseWeights } from './networkArchitecture';
import { SeededRandom } from './seededRandom';
import { createArena, makeGemm } from './simdGemm';
import { foldTargetScaling, resolveMonitor, type TrainedNetwork, type TrainNetworkInput } from './tfTrainer';
import type { BatchLossColumns, TrainProgressEvent } from './trainingEvents';
import type { TrainSpec } from './trainSpec';
// The same activation the served model applies, so training and serving cannot drift apart.
import { activation } from '../modelPackage/denseForward';

/**
 * The same training as tfTrainer (same layers, losses, optimizers, seeded shuffles and dropout,
 * early stopping) written directly over float32 arrays in one WebAssembly memory: no per-op
 * dispatch and no tensor allocation per batch. The three products per layer (forward, weight
 * gradient, input gradient) run in the SIMD kernel of simdGemm.ts; everything else is plain loops.
 * Weights are stored [inputs × units], like a tfjs Dense kernel.
 */
export async function trainNetworkJs(input: TrainNetworkInput, emit: (event: TrainProgressEvent) => void): Promise<TrainedNetwork> {
  const { task, train, validation, spec } = input;
  const L = input.layers.length;
  // The output layer is computed 8 columns wide (zero weights in the padding, masked out of the
  // loss) so its products stay in the SIMD kernel instead of a scalar edge loop.
  const outUnits = (input.layers[L - 1] as DenseLayerShape).units;
  const outStride = Math.ceil(outUnits / 8) * 8;
  const layers: DenseLayerShape[] = input.layers.map((l, i) => (i === L - 1 ? { ...l, units: outStride } : l));
  const width = layers[0]?.inputs ?? 0;
  const classCount = input.classCount;
  const random = new SeededRandom(spec.seed);
  const shuffleRandom = random.fork();
  const dropoutRandom = random.fork();
  const target = task === 'regression' ? targetScaling(train.y) : { mean: 0, std: 1 };
  const batchSize = Math.min(spec.batchSize, Math.max(train.count, 1));

  // one memory for everything the kernel reads or writes
  const widths = [width, ...layers.map((l) => l.units)];
  const weightFloats = layers.reduce((n, l) => n + 3 * l.inputs * l.units, 0); // W, Wᵀ, dW
  const batchFloats = widths.reduce((n, w) => n + 2 * batchSize * w, 0); // activations, gradients
  const biasFloats = layers.reduce((n, l) => n + 2 * l.units, 0);
  // the training rows live in the same memory so a batch is gathered with copyWithin (a memmove)
  const arena = createArena(weightFloats + batchFloats + biasFloats + train.x.length, 5 * L + 2 * (L + 1) + 1);
  const kernels = makeGemm(arena);
  const { gemm, gemmTN } = kernels;
  const xTrain = arena.alloc(train.x.length);
  xTrain.set(train.x);
  const heap = new Float32Array(arena.memory.buffer);
  const W = layers.map((l, i) => {
    const view = arena.alloc(l.inputs * l.units);
    const kernel = (input.initial[i] as DenseWeights).kernel;
    const given = (input.layers[i] as DenseLayerShape).units;
    for (let r = 0; r < l.inputs; r++) view.set(kernel.subarray(r * given, (r + 1) * given), r * l.units);
    return view;
  });
  const Wt = layers.map((l) => arena.alloc(l.units * l.inputs));
  const gradW = layers.map((l) => arena.alloc(l.inputs * l.units));
  const acts = widths.map((w) => arena.alloc(batchSize * w));
  // grads[l]: dLoss/d(output of layer l) over the batch, then dLoss/dz in place
  const grads = widths.map((w) => arena.alloc(batchSize * w));
  const bias = input.initial.map((w) => {
    const view = arena.alloc(w.bias.length);
    view.set(w.bias);
    return view;
  });
  const gradB = layers.map((l) => arena.alloc(l.units));
  const masks = layers.map((l) => (l.dropout > 0 ? new Float32Array(batchSize * l.units) : undefined));
  const params = [...W, ...bias];
  const paramGrads = [...gradW, ...gradB];
  const optimizer = makeOptimizer(spec.optimizer, params);
  const sampleWeight = new Float32Array(batchSize);

  /** forward over `rows` rows already in acts[0]; leaves logits / outputs in acts[L] */
  const forward = (rows: number, training: boolean): void => {
    for (let l = 0; l < L; l++) {
      const layer = layers[l] as DenseLayerShape;
      const out = acts[l + 1] as Float32Array;
      gemm(acts[l] as Float32Array, W[l] as Float32Array, out, rows, layer.units, layer.inputs);
      const b = bias[l] as Float32Array;
      if (layer.activation === 'relu') kernels.biasRelu(out, b, rows, layer.units);
      else biasActivate(out, b, rows, layer.units, layer.activation);
      const mask = training ? masks[l] : undefined;
      if (mask) {
        const keep = 1 / (1 - layer.dropout);
        const n = rows * layer.units;
        for (let i = 0; i < n; i++) {
          const m = dropoutRandom.next() < layer.dropout ? 0 : keep;
          mask[i] = m;
          out[i] = (out[i] as number) * m;
        }
      }
    }
  };

  /** logits / standardized outputs for a whole split, in chunks of the batch buffers */
  const predict = (x: Float32Array, count: number): Float32Array => {
    const result = new Float32Array(count * outUnits);
    const a0 = acts[0] as Float32Array;
    const out = acts[L] as Float32Array;
    for (let s = 0; s < count; s += batchSize) {
      const rows = Math.min(batchSize, count - s);
      a0.set(x.subarray(s * width, (s + rows) * width));
      forward(rows, false);
      for (let r = 0; r < rows; r++) for (let c = 0; c < outUnits; c++) result[(s + r) * outUnits + c] = out[r * outStride + c] as number;
    }
    return result;
  };

  const order = Int32Array.from({ length: train.count }, (_, i) => i);
  const batchesPerEpoch = Math.ceil(train.count / batchSize);
  const flushInterval = input.flushIntervalMs ?? 1000;
  const early = spec.earlyStopping;
  const monitor = early ? resolveMonitor(early, task, validation.count > 0) : undefined;
  let best = monitor?.higherIsBetter ? -Infinity : Infinity;
  let bestEpoch = 0;
  let bestParams: Float32Array[] | undefined;
  let bestMetrics: Record<string, number> = {};
  let lastMetrics: Record<string, number> = {};
  let epochsWithoutImprovement = 0;
  let stoppedEarly = false;
  let epochsRun = 0;
  let samples = 0;
  let trainingMs = 0;
  let step = 0;
  const probeCount = Math.min(train.count, 10_000);

  for (let epoch = 1; epoch <= spec.epochs; epoch++) {
    const epochStart = performance.now();
    shuffleRandom.shuffle(order);
    let pending: BatchLossColumns = { steps: [], values: [], timestamps: [] };
    let lastFlush = Date.now();
    let lossSum = 0;
    for (let b = 0; b < batchesPerEpoch; b++) {
      const first = b * batchSize;
      const rows = Math.min(batchSize, train.count - first);
      const a0 = acts[0] as Float32Array;
      gatherRows(heap, xTrain.byteOffset >> 2, a0.byteOffset >> 2, order, first, rows, width);
      forward(rows, true);

      // output gradient (dLoss/dz of the last layer), with the batch loss
      const out = acts[L] as Float32Array;
      const g = grads[L] as Float32Array;
      g.fill(0, 0, rows * outStride); // the padding columns get no gradient
      let batchLoss = 0;
      if (task === 'classification') {
        batchLoss = softmaxCrossEntropy(out, g, train.y, order, first, rows, classCount, outStride, input.classWeights, sampleWeight);
      } else {
        for (let r = 0; r < rows; r++) {
          const y = ((train.y[order[first + r] as number] as number) - target.mean) / target.std;
          const d = (out[r * outStride] as number) - y;
          batchLoss += d * d;
          g[r * outStride] = (2 * d) / rows;
        }
        batchLoss /= rows;
      }

      // backward
      for (let l = L - 1; l >= 0; l--) {
        const layer = layers[l] as DenseLayerShape;
        const gz = grads[l + 1] as Float32Array;
        const units = layer.units;
        const n = rows * units;
        if (l < L - 1) {
          // gz holds dLoss/d(output of layer l): back through dropout and the activation
          const a = acts[l + 1] as Float32Array;
          const mask = masks[l];
          if (layer.activation === 'relu' && !mask) kernels.reluBackward(gz, a, n);
          else {
            for (let i = 0; i < n; i++) {
              const m = mask ? (mask[i] as number) : 1;
              gz[i] = m === 0 ? 0 : (gz[i] as number) * m * derivative((a[i] as number) / m, layer.activation);
            }
          }
        }
        // dW = Aᵀ·dZ ([inputs × B]·[B × units]) straight from A; db = Σ_rows dZ
        gemmTN(acts[l] as Float32Array, gz, gradW[l] as Float32Array, layer.inputs, units, rows);
        kernels.columnSums(gradB[l] as Float32Array, gz, rows, units);
        if (spec.optimizer.l2 > 0) {
          const w = W[l] as Float32Array;
          const gw = gradW[l] as Float32Array;
          for (let i = 0; i < w.length; i++) gw[i] = (gw[i] as number) + 2 * spec.optimizer.l2 * (w[i] as number);
        }
        if (l > 0) {
          // dA_{l-1} = dZ·Wᵀ ([B × units]·[units × inputs])
          const wt = Wt[l] as Float32Array;
          transposeInto(W[l] as Float32Array, wt, layer.inputs, units);
          gemm(gz, wt, grads[l] as Float32Array, rows, layer.inputs, units);
        }
      }
      if (spec.optimizer.l2 > 0) for (const w of W) for (let i = 0; i < w.length; i++) batchLoss += spec.optimizer.l2 * (w[i] as number) ** 2;
      optimizer.step(paramGrads);

      lossSum += batchLoss * rows;
      step++;
      if (step % spec.logEveryNBatches === 0) {
        pending.steps.push(step);
        pending.values.push(task === 'regression' ? batchLoss * target.std * target.std : batchLoss);
        pending.timestamps.push(Date.now());
      }
      if (Date.now() - lastFlush >= flushInterval && b < batchesPerEpoch - 1) {
        emit({ type: 'progress', epoch, epochs: spec.epochs, batch: b + 1, batchesPerEpoch, batchLoss: pending });
        pending = { steps: [], values: [], timestamps: [] };
        lastFlush = Date.now();
        // let the IPC message go out during a long epoch
        await new Promise((resolve) => setImmediate(resolve));
      }
    }
    trainingMs += performance.now() - epochStart;
    samples += train.count;
    epochsRun = epoch;

    const metrics: Record<string, number> = { loss: (lossSum / Math.max(train.count, 1)) * (task === 'regression' ? target.std * target.std : 1) };
    scoreOutputs(metrics, '', task, predict(train.x, probeCount), train.y.subarray(0, probeCount), classCount, target);
    if (validation.count > 0) scoreOutputs(metrics, 'val_', task, predict(validation.x, validation.count), validation.y, classCount, target);
    lastMetrics = metrics;
    emit({ type: 'progress', epoch, epochs: spec.epochs, batch: batchesPerEpoch, batchesPerEpoch, batchLoss: pending, epochMetrics: metrics, samplesPerSecond: samples / (trainingMs / 1000) });
    await new Promise((resolve) => setImmediate(resolve));
    if (!early || !monitor) continue;
    const value = metrics[monitor.key] ?? NaN;
    const improved = monitor.higherIsBetter ? value > best + early.minDelta : value < best - early.minDelta;
    if (improved || bestEpoch === 0) {
      best = value;
      bestEpoch = epoch;
      bestMetrics = metrics;
      epochsWithoutImprovement = 0;
      if (early.restoreBestWeights) bestParams = params.map((p) => p.slice());
    } else if (++epochsWithoutImprovement >= early.patience) {
      stoppedEarly = true;
      break;
    }
  }
  const restored = Boolean(early && early.restoreBestWeights && bestParams);
  if (restored && bestParams) bestParams.forEach((p, i) => (params[i] as Float32Array).set(p));

  const weights: DenseWeights[] = input.layers.map((layer, l) => {
    const stride = (layers[l] as DenseLayerShape).units;
    const kernel = new Float32Array(layer.inputs * layer.units);
    for (let r = 0; r < layer.inputs; r++) kernel.set((W[l] as Float32Array).subarray(r * stride, r * stride + layer.units), r * layer.units);
    return { kernel, bias: (bias[l] as Float32Array).slice(0, layer.units) };
  });
  if (task === 'regression') foldTargetScaling(weights[weights.length - 1] as DenseWeights, target.mean, target.std);
  return {
    layers: input.layers,
    weights,
    epochsRun,
    bestEpoch: restored ? bestEpoch : epochsRun,
    stoppedEarly,
    finalMetrics: restored ? bestMetrics : lastMetrics,
    samplesPerSecond: samples / (trainingMs / 1000),
  };
}

/** out (cols × rows) = transpose of m (rows × cols) */
function transposeInto(m: Float32Array, out: Float32Array, rows: number, cols: number): void {
  for (let r = 0; r < rows; r++) {
    const o = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = m[o + c] as number;
  }
}

/** d activation / dz, written in terms of the activation's output a */
function derivative(a: number, kind: DenseLayerShape['activation']): number {
  switch (kind) {
    case 'relu':
      return a > 0 ? 1 : 0;
    case 'tanh':
      return 1 - a * a;
    case 'sigmoid':
      return a * (1 - a);
    case 'elu':
      return a > 0 ? 1 : a + 1;
    default:
      return 1;
  }
}

interface JsOptimizer {
  step(grads: readonly Float32Array[]): void;
}

/** The update rules and defaults of tf.train's optimizers (epsilon 1e-7, adagrad's 0.1 start). */
function makeOptimizer(options: TrainSpec['optimizer'], params: readonly Float32Array[]): JsOptimizer {
  const lr = options.learningRate;
  const zeros = (): Float32Array[] => params.map((p) => new Float32Array(p.length));
  const eps = 1e-7;
  switch (options.name) {
    case 'sgd': {
      const velocity = zeros();
      return {
        step: (grads) =>
          params.forEach((p, k) => {
            const g = grads[k] as Float32Array;
            const v = velocity[k] as Float32Array;
            for (let i = 0; i < p.length; i++) {
              if (options.momentum > 0) {
                v[i] = options.momentum * (v[i] as number) + (g[i] as number);
                p[i] = (p[i] as number) - lr * (v[i] as number);
              } else p[i] = (p[i] as number) - lr * (g[i] as number);
            }
          }),
      };
    }
    case 'rmsprop': {
      const ms = zeros();
      const mom = zeros();
      return {
        step: (grads) =>
          params.forEach((p, k) => {
            const g = grads[k] as Float32Array;
            const s = ms[k] as Float32Array;
            const m = mom[k] as Float32Array;
            for (let i = 0; i < p.length; i++) {
              const gi = g[i] as number;
              s[i] = 0.9 * (s[i] as number) + 0.1 * gi * gi;
              m[i] = options.momentum * (m[i] as number) + (lr * gi) / Math.sqrt((s[i] as number) + eps);
              p[i] = (p[i] as number) - (m[i] as number);
            }
          }),
      };
    }
    case 'adagrad': {
      const acc = params.map((p) => new Float32Array(p.length).fill(0.1));
      return {
        step: (grads) =>
          params.forEach((p, k) => {
            const g = grads[k] as Float32Array;
            const a = acc[k] as Float32Array;
            for (let i = 0; i < p.length; i++) {
              const gi = g[i] as number;
              a[i] = (a[i] as number) + gi * gi;
              p[i] = (p[i] as number) - (lr * gi) / Math.sqrt((a[i] as number) + eps);
            }
          }),
      };
    }
    default: {
      const m1 = zeros();
      const m2 = zeros();
      let t = 0;
      return {
        step: (grads) => {
          t++;
          const c1 = 1 - ADAM_BETA1 ** t;
          const c2 = 1 - ADAM_BETA2 ** t;
          params.forEach((p, k) => adamStep(p, grads[k] as Float32Array, m1[k] as Float32Array, m2[k] as Float32Array, lr, c1, c2));
        },
      };
    }
  }
}

// Hot loops as small top-level functions: V8 optimizes these far better than the same code
// inlined in one large function with closures.

const ADAM_BETA1 = 0.9;
const ADAM_BETA2 = 0.999;

function adamStep(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, lr: number, c1: number, c2: number): void {
  const n = p.length;
  const step = lr / c1;
  const inverseC2 = 1 / c2;
  for (let i = 0; i < n; i++) {
    const gi = g[i] as number;
    const mi = ADAM_BETA1 * (m[i] as number) + (1 - ADAM_BETA1) * gi;
    const vi = ADAM_BETA2 * (v[i] as number) + (1 - ADAM_BETA2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = (p[i] as number) - (step * mi) / (Math.sqrt(vi * inverseC2) + 1e-7);
  }
}

/** copies the ordered rows of the training matrix (at float index `x` of the heap) to the batch buffer at `out` */
function gatherRows(heap: Float32Array, x: number, out: number, order: Int32Array, first: number, rows: number, width: number): void {
  for (let r = 0; r < rows; r++) {
    const src = x + (order[first + r] as number) * width;
    heap.copyWithin(out + r * width, src, src + width);
  }
}

/**
 * Softmax cross-entropy of a batch as tf.losses.softmaxCrossEntropy computes it with weights
 * (Σ w·ce / count(w ≠ 0)); writes dLoss/dlogits into g and returns the loss.
 */
function softmaxCrossEntropy(
  out: Float32Array,
  g: Float32Array,
  y: Float32Array,
  order: Int32Array,
  first: number,
  rows: number,
  classCount: number,
  stride: number,
  classWeights: Float32Array,
  sampleWeight: Float32Array,
): number {
  let nonZero = 0;
  for (let r = 0; r < rows; r++) {
    const w = classWeights[y[order[first + r] as number] as number] ?? 1;
    sampleWeight[r] = w;
    if (w !== 0) nonZero++;
  }
  const scale = 1 / Math.max(nonZero, 1);
  let loss = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * stride;
    const label = y[order[first + r] as number] as number;
    let max = -Infinity;
    for (let c = 0; c < classCount; c++) {
      const v = out[o + c] as number;
      if (v > max) max = v;
    }
    let sum = 0;
    for (let c = 0; c < classCount; c++) {
      const e = Math.exp((out[o + c] as number) - max);
      g[o + c] = e;
      sum += e;
    }
    const w = sampleWeight[r] as number;
    loss += w * (Math.log(sum) + max - (out[o + label] as number));
    const k = (w * scale) / sum;
    for (let c = 0; c < classCount; c++) g[o + c] = (g[o + c] as number) * k;
    g[o + label] = (g[o + label] as number) - w * scale;
  }
  return loss * scale;
}

function biasActivate(out: Float32Array, b: Float32Array, rows: number, units: number, kind: DenseLayerShape['activation']): void {
  if (kind === 'linear' || kind === 'softmax') {
    // outputs: logits (the softmax is in the loss) or values — the bias alone
    for (let r = 0; r < rows; r++) {
      const o = r * units;
      for (let u = 0; u < units; u++) out[o + u] = (out[o + u] as number) + (b[u] as number);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * units;
    for (let u = 0; u < units; u++) out[o + u] = activation((out[o + u] as number) + (b[u] as number), kind);
  }
}

