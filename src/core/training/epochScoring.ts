import type { TaskKind } from './trainSpec';

/**
 * Adds `${prefix}accuracy` and `${prefix}loss` (classification, from logits) or `${prefix}rmse`
 * and `${prefix}loss` (regression, outputs in standardized units) to `metrics`. The loss key is
 * skipped without a prefix: the training loss is the mean over the epoch's batches instead.
 */
export function scoreOutputs(
  metrics: Record<string, number>,
  prefix: string,
  task: TaskKind,
  out: Float32Array | Float64Array,
  y: Float32Array,
  classCount: number,
  target: { mean: number; std: number },
): void {
  if (task === 'classification') {
    const k = classCount;
    let correct = 0;
    let loss = 0;
    for (let i = 0; i < y.length; i++) {
      let max = -Infinity;
      let arg = 0;
      for (let c = 0; c < k; c++) if ((out[i * k + c] as number) > max) [max, arg] = [out[i * k + c] as number, c];
      let sum = 0;
      for (let c = 0; c < k; c++) sum += Math.exp((out[i * k + c] as number) - max);
      loss += Math.log(sum) + max - (out[i * k + (y[i] as number)] as number);
      if (arg === y[i]) correct++;
    }
    if (prefix) metrics[`${prefix}loss`] = loss / y.length;
    metrics[`${prefix}accuracy`] = correct / y.length;
    return;
  }
  let sq = 0;
  for (let i = 0; i < y.length; i++) sq += ((out[i] as number) * target.std + target.mean - (y[i] as number)) ** 2;
  const mse = sq / y.length;
  if (prefix) metrics[`${prefix}loss`] = mse;
  metrics[`${prefix}rmse`] = Math.sqrt(mse);
}

/** Mean and standard deviation used to standardize a regression target (std 1 for a constant). */
export function targetScaling(y: Float32Array): { mean: number; std: number } {
  let mean = 0;
  for (const v of y) mean += v;
  mean /= Math.max(y.length, 1);
  let sq = 0;
  for (const v of y) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / Math.max(y.length, 1)) || 1 };
}
