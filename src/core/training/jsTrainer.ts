import { gemmNT, transpose } from './denseKernels';
import { scoreOutputs, targetScaling } from './epochScoring';
import type { DenseLayerShape, DenseWeights } from './networkArchitecture';
import { SeededRandom } from './seededRandom';
import { foldTargetScaling, resolveMonitor, type TrainedNetwork, type TrainNetworkInput } from './tfTrainer';
import type { BatchLossColumns, TrainProgressEvent } from './trainingEvents';
import type { TrainSpec } from './trainSpec';

/**
 * The same training as tfTrainer (same layers, losses, optimizers, seeded shuffles and dropout,
 * early stopping) written directly over typed arrays: no per-op dispatch, no tensor allocation per
 * batch, no TensorFlow.js. For the small dense networks trained here the cost is the arithmetic
 * itself. Weights are kept transposed ([units × inputs]) so forward and backward passes are all
 * the one cache-friendly kernel, gemmNT.
 */
export async function trainNetworkJs(input: TrainNetworkInput, emit: (event: TrainProgressEvent) => void): Promise<TrainedNetwork> {
  const { layers, task, train, validation, spec } = input;
  const L = layers.length;
  const width = layers[0]?.inputs ?? 0;
  const classCount = input.classCount;
  const random = new SeededRandom(spec.seed);
  const shuffleRandom = random.fork();
  const dropoutRandom = random.fork();
  const target = task === 'regression' ? targetScaling(train.y) : { mean: 0, std: 1 };
  const batchSize = Math.min(spec.batchSize, Math.max(train.count, 1));

  // parameters, [units × inputs]
  const W = input.initial.map((w, l) => {
    const layer = layers[l] as DenseLayerShape;
    const t = new Float64Array(layer.units * layer.inputs);
    for (let i = 0; i < layer.inputs; i++) for (let u = 0; u < layer.units; u++) t[u * layer.inputs + i] = w.kernel[i * layer.units + u] as number;
    return t;
  });
  const bias = input.initial.map((w) => Float64Array.from(w.bias));
  const params = [...W, ...bias];
  const grads = params.map((p) => new Float64Array(p.length));
  const optimizer = makeOptimizer(spec.optimizer, params);

  // per-batch work buffers, allocated once
  const acts = [new Float64Array(batchSize * width), ...layers.map((l) => new Float64Array(batchSize * l.units))];
  const masks = layers.map((l) => (l.dropout > 0 ? new Float64Array(batchSize * l.units) : undefined));
  const dZ = layers.map((l) => new Float64Array(batchSize * l.units));
  const dZt = layers.map((l) => new Float64Array(batchSize * l.units));
  const actT = [new Float64Array(batchSize * width), ...layers.map((l) => new Float64Array(batchSize * l.units))];
  const Wt = layers.map((l) => new Float64Array(l.units * l.inputs));
  const sampleWeight = new Float64Array(batchSize);

  /** forward over `rows` rows already in acts[0]; leaves logits / outputs in acts[L] */
  const forward = (rows: number, training: boolean): void => {
    for (let l = 0; l < L; l++) {
      const layer = layers[l] as DenseLayerShape;
      const out = acts[l + 1] as Float64Array;
      gemmNT(acts[l] as Float64Array, W[l] as Float64Array, out, rows, layer.units, layer.inputs);
      const b = bias[l] as Float64Array;
      const n = rows * layer.units;
      const units = layer.units;
      if (layer.activation === 'relu') {
        // the common case, without a call per element
        for (let r = 0; r < rows; r++) {
          const o = r * units;
          for (let u = 0; u < units; u++) {
            const z = (out[o + u] as number) + (b[u] as number);
            out[o + u] = z > 0 ? z : 0;
          }
        }
      } else {
        for (let r = 0; r < rows; r++) {
          const o = r * units;
          for (let u = 0; u < units; u++) out[o + u] = activate((out[o + u] as number) + (b[u] as number), layer.activation);
        }
      }
      const mask = training ? masks[l] : undefined;
      if (mask) {
        const keep = 1 / (1 - layer.dropout);
        for (let i = 0; i < n; i++) {
          const m = dropoutRandom.next() < layer.dropout ? 0 : keep;
          mask[i] = m;
          out[i] = (out[i] as number) * m;
        }
      }
    }
  };

  /** logits / standardized outputs for a whole split, in chunks of the batch buffers */
  const predict = (x: Float32Array, count: number): Float64Array => {
    const outUnits = (layers[L - 1] as DenseLayerShape).units;
    const result = new Float64Array(count * outUnits);
    for (let s = 0; s < count; s += batchSize) {
      const rows = Math.min(batchSize, count - s);
      const a0 = acts[0] as Float64Array;
      for (let i = 0; i < rows * width; i++) a0[i] = x[s * width + i] as number;
      forward(rows, false);
      result.set((acts[L] as Float64Array).subarray(0, rows * outUnits), s * outUnits);
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
  let bestParams: Float64Array[] | undefined;
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
      const a0 = acts[0] as Float64Array;
      for (let r = 0; r < rows; r++) {
        const src = (order[first + r] as number) * width;
        for (let c = 0; c < width; c++) a0[r * width + c] = train.x[src + c] as number;
      }
      forward(rows, true);

      // output gradient (dLoss/dz of the last layer), with the batch loss
      const out = acts[L] as Float64Array;
      const g = dZ[L - 1] as Float64Array;
      let batchLoss = 0;
      if (task === 'classification') {
        // tf.losses.softmaxCrossEntropy with weights: Σ w·ce / count(w ≠ 0)
        let nonZero = 0;
        for (let r = 0; r < rows; r++) {
          const label = train.y[order[first + r] as number] as number;
          const w = input.classWeights[label] ?? 1;
          sampleWeight[r] = w;
          if (w !== 0) nonZero++;
        }
        const scale = 1 / Math.max(nonZero, 1);
        for (let r = 0; r < rows; r++) {
          const o = r * classCount;
          const label = train.y[order[first + r] as number] as number;
          let max = -Infinity;
          for (let c = 0; c < classCount; c++) max = Math.max(max, out[o + c] as number);
          let sum = 0;
          for (let c = 0; c < classCount; c++) {
            const e = Math.exp((out[o + c] as number) - max);
            g[o + c] = e;
            sum += e;
          }
          const w = sampleWeight[r] as number;
          batchLoss += w * (Math.log(sum) + max - (out[o + label] as number));
          for (let c = 0; c < classCount; c++) g[o + c] = (((g[o + c] as number) / sum - (c === label ? 1 : 0)) * w) * scale;
        }
        batchLoss *= scale;
      } else {
        for (let r = 0; r < rows; r++) {
          const y = ((train.y[order[first + r] as number] as number) - target.mean) / target.std;
          const d = (out[r] as number) - y;
          batchLoss += d * d;
          g[r] = (2 * d) / rows;
        }
        batchLoss /= rows;
      }

      // backward
      for (let l = L - 1; l >= 0; l--) {
        const layer = layers[l] as DenseLayerShape;
        const gz = dZ[l] as Float64Array;
        const n = rows * layer.units;
        if (l < L - 1) {
          // gz holds dLoss/d(output of layer l): through dropout and the activation
          const a = acts[l + 1] as Float64Array;
          const mask = masks[l];
          for (let i = 0; i < n; i++) {
            const m = mask ? (mask[i] as number) : 1;
            const raw = m === 0 ? 0 : (a[i] as number) / m;
            gz[i] = m === 0 ? 0 : (gz[i] as number) * m * derivative(raw, layer.activation);
          }
        }
        // dW = dZᵀ · A  ([units × B] · [B × inputs]); db = Σ_rows dZ
        const gzT = dZt[l] as Float64Array;
        transpose(gz, gzT, rows, layer.units);
        const aT = actT[l] as Float64Array;
        transpose(acts[l] as Float64Array, aT, rows, layer.inputs);
        const gw = grads[l] as Float64Array;
        gemmNT(gzT, aT, gw, layer.units, layer.inputs, rows);
        const gb = grads[L + l] as Float64Array;
        for (let u = 0; u < layer.units; u++) {
          let s = 0;
          for (let r = 0; r < rows; r++) s += gzT[u * rows + r] as number;
          gb[u] = s;
        }
        if (spec.optimizer.l2 > 0) {
          const w = W[l] as Float64Array;
          for (let i = 0; i < w.length; i++) gw[i] = (gw[i] as number) + 2 * spec.optimizer.l2 * (w[i] as number);
        }
        if (l > 0) {
          // dA_{l-1} = dZ · W  ([B × units] · [units × inputs]) via Wᵀ rows
          const wt = Wt[l] as Float64Array;
          transpose(W[l] as Float64Array, wt, layer.units, layer.inputs);
          gemmNT(gz, wt, dZ[l - 1] as Float64Array, rows, layer.inputs, layer.units);
        }
      }
      if (spec.optimizer.l2 > 0) for (const w of W) for (let i = 0; i < w.length; i++) batchLoss += spec.optimizer.l2 * (w[i] as number) ** 2;
      optimizer.step(grads);

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
  if (restored && bestParams) bestParams.forEach((p, i) => (params[i] as Float64Array).set(p));

  const weights: DenseWeights[] = layers.map((layer, l) => {
    const kernel = new Float32Array(layer.inputs * layer.units);
    const w = W[l] as Float64Array;
    for (let u = 0; u < layer.units; u++) for (let i = 0; i < layer.inputs; i++) kernel[i * layer.units + u] = w[u * layer.inputs + i] as number;
    return { kernel, bias: Float32Array.from(bias[l] as Float64Array) };
  });
  if (task === 'regression') foldTargetScaling(weights[weights.length - 1] as DenseWeights, target.mean, target.std);
  return {
    layers,
    weights,
    epochsRun,
    bestEpoch: restored ? bestEpoch : epochsRun,
    stoppedEarly,
    finalMetrics: restored ? bestMetrics : lastMetrics,
    samplesPerSecond: samples / (trainingMs / 1000),
  };
}

function activate(z: number, kind: DenseLayerShape['activation']): number {
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
      return z; // linear, and softmax logits (the softmax is in the loss)
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
  step(grads: readonly Float64Array[]): void;
}

/** The update rules and defaults of tf.train's optimizers (epsilon 1e-7, adagrad's 0.1 start). */
function makeOptimizer(options: TrainSpec['optimizer'], params: readonly Float64Array[]): JsOptimizer {
  const lr = options.learningRate;
  const zeros = (): Float64Array[] => params.map((p) => new Float64Array(p.length));
  const eps = 1e-7;
  switch (options.name) {
    case 'sgd': {
      const velocity = zeros();
      return {
        step: (grads) =>
          params.forEach((p, k) => {
            const g = grads[k] as Float64Array;
            const v = velocity[k] as Float64Array;
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
            const g = grads[k] as Float64Array;
            const s = ms[k] as Float64Array;
            const m = mom[k] as Float64Array;
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
      const acc = params.map((p) => new Float64Array(p.length).fill(0.1));
      return {
        step: (grads) =>
          params.forEach((p, k) => {
            const g = grads[k] as Float64Array;
            const a = acc[k] as Float64Array;
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
      const beta1 = 0.9;
      const beta2 = 0.999;
      return {
        step: (grads) => {
          t++;
          const c1 = 1 - beta1 ** t;
          const c2 = 1 - beta2 ** t;
          params.forEach((p, k) => {
            const g = grads[k] as Float64Array;
            const m = m1[k] as Float64Array;
            const v = m2[k] as Float64Array;
            for (let i = 0; i < p.length; i++) {
              const gi = g[i] as number;
              m[i] = beta1 * (m[i] as number) + (1 - beta1) * gi;
              v[i] = beta2 * (v[i] as number) + (1 - beta2) * gi * gi;
              p[i] = (p[i] as number) - (lr * ((m[i] as number) / c1)) / (Math.sqrt((v[i] as number) / c2) + eps);
            }
          });
        },
      };
    }
  }
}
