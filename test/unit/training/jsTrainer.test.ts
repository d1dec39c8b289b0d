import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { createArena, makeGemm } from '../../../src/core/training/simdGemm';
import { runTrainJob } from '../../../src/core/training/trainJob';

const examples = join(__dirname, '..', '..', '..', 'examples');
const work = mkdtempSync(join(tmpdir(), 'mlops-js-'));
after(() => rmSync(work, { recursive: true, force: true }));

function shortSpec(name: string, from: string, edit: (text: string) => string): { specPath: string; specText: string } {
  const text = edit(readFileSync(join(examples, from), 'utf8').replace(/dataset: data\//, `dataset: ${examples}/data/`));
  const specPath = join(work, name);
  writeFileSync(specPath, text);
  return { specPath, specText: text };
}

describe('the built-in typed-array trainer (backend "js")', () => {
  test('the WebAssembly SIMD kernels multiply matrices (P·Q and Pᵀ·Q) for every edge shape', () => {
    for (const [m, n, k] of [[1, 1, 1], [4, 8, 3], [5, 3, 7], [9, 17, 4], [12, 10, 32], [64, 32, 256]] as const) {
      const arena = createArena(3 * m * k + 3 * k * n + 3 * m * n, 6);
      const kernels = makeGemm(arena);
      assert.equal(kernels.simd, true, 'Node has WebAssembly SIMD');
      const p = arena.alloc(m * k);
      const q = arena.alloc(k * n);
      const c = arena.alloc(m * n);
      p.forEach((_, i) => (p[i] = (i % 7) - 3));
      q.forEach((_, i) => (q[i] = ((i % 5) - 2) / 4));
      kernels.gemm(p, q, c, m, n, k);
      for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += p[a * k + t]! * q[t * n + b]!;
        assert.equal(c[a * n + b], s, `P·Q ${m}×${n}×${k} at ${a},${b}`);
      }
      // the same P read as a k×m matrix, transposed
      kernels.gemmTN(p, q, c, m, n, k);
      for (let a = 0; a < m; a++) for (let b = 0; b < n; b++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += p[t * m + a]! * q[t * n + b]!;
        assert.equal(c[a * n + b], s, `Pᵀ·Q ${m}×${n}×${k} at ${a},${b}`);
      }
    }
  });

  test('the elementwise kernels (bias + ReLU, ReLU backward, column sums) agree with plain loops, tails included', () => {
    for (const [rows, cols] of [[3, 8], [5, 10], [7, 3], [16, 64]] as const) {
      const arena = createArena(6 * rows * cols + 2 * cols, 8);
      const k = makeGemm(arena);
      const m = arena.alloc(rows * cols);
      const b = arena.alloc(cols);
      const gz = arena.alloc(rows * cols);
      const sums = arena.alloc(cols);
      m.forEach((_, i) => (m[i] = ((i * 7) % 11) - 5));
      b.forEach((_, i) => (b[i] = (i % 3) - 1));
      gz.forEach((_, i) => (gz[i] = i + 1));
      k.columnSums(sums, m, rows, cols);
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let r = 0; r < rows; r++) s += m[r * cols + c]!;
        assert.equal(sums[c], s, `column ${c} of ${rows}×${cols}`);
      }
      const before = Float32Array.from(m);
      k.biasRelu(m, b, rows, cols);
      for (let i = 0; i < m.length; i++) assert.equal(m[i], Math.max(0, before[i]! + b[i % cols]!));
      k.reluBackward(gz, m, rows * cols);
      for (let i = 0; i < gz.length; i++) assert.equal(gz[i], m[i]! > 0 ? i + 1 : 0);
    }
  });

  // Same seed → same initial weights, shuffles and dropout masks on both paths, so the curves must
  // agree up to float32-vs-float64 rounding: this checks every gradient and optimizer step.
  for (const [name, from, edit] of [
    ['classification with dropout, class weights, adam', 'penguins.train.yaml', (t: string) => t.replace('epochs: 60', 'epochs: 5')],
    ['regression with two hidden layers, sgd momentum, l2', 'auto-mpg.train.yaml', (t: string) => t.replace('epochs: 150', 'epochs: 5').replace(/optimizer:\n(?: {2}.*\n)+/, 'optimizer:\n  name: sgd\n  learning_rate: 0.01\n  momentum: 0.9\n  l2: 0.001\n')],
    ['tanh layers with rmsprop', 'penguins.train.yaml', (t: string) => t.replace('epochs: 60', 'epochs: 4').replace('activation: relu', 'activation: tanh').replace('name: adam', 'name: rmsprop')],
  ] as const) {
    test(`matches TensorFlow.js epoch by epoch: ${name}`, async () => {
      const input = shortSpec(`${from}-${name.length}.train.yaml`, from, edit);
      const curves: Record<string, number[]>[] = [];
      for (const backend of ['cpu', 'js'] as const) {
        const curve: Record<string, number[]> = {};
        await runTrainJob({ ...input, backend }, (event) => {
          if (event.type === 'progress' && event.epochMetrics) for (const [k, v] of Object.entries(event.epochMetrics)) (curve[k] ??= []).push(v);
        });
        curves.push(curve);
      }
      const [tfjs, js] = curves as [Record<string, number[]>, Record<string, number[]>];
      assert.deepEqual(Object.keys(js).sort(), Object.keys(tfjs).sort());
      for (const key of Object.keys(tfjs)) {
        tfjs[key]!.forEach((v, epoch) => {
          const w = js[key]![epoch]!;
          assert.ok(Math.abs(v - w) <= 2e-3 * Math.max(1, Math.abs(v)), `${key} epoch ${epoch + 1}: tfjs ${v}, js ${w}`);
        });
      }
    });
  }
});
