import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BackendAttempt, BackendName, BackendPreference, BackendReport } from '../process/workerProtocol';

/**
 * Fastest first: native TensorFlow, then the built-in typed-array trainer (a WebAssembly SIMD
 * kernel; 8–15× tfjs-wasm on the dense models specs describe, same results — see
 * bench/results/trainingThroughput.json), then TensorFlow.js WebAssembly, then plain JavaScript.
 */
const ORDER: readonly BackendName[] = ['tensorflow', 'js', 'wasm', 'cpu'];

/** Backends that are not TensorFlow.js: nothing to load, they always start. */
const NATIVE_TRAINERS: readonly BackendName[] = ['js'];

/** Where tfjs-backend-wasm's .wasm files are: next to the bundle, or in node_modules in development. */
export function defaultWasmDir(): string {
  if (existsSync(join(__dirname, 'tfjs-backend-wasm.wasm'))) return __dirname;
  // Development and tests run from source, where the files are still in node_modules.
  const packageJson = '@tensorflow/tfjs-backend-wasm/package.json';
  return join(require.resolve(packageJson), '..', 'dist');
}

/**
 * Loads TensorFlow.js and switches to the best backend allowed by `preference`. With "auto" it
 * tries each in order and reports why the faster ones were not used; with a named backend it
 * fails with that reason instead of silently falling back. Call only inside a worker process.
 */
export async function selectBackend(preference: BackendPreference, wasmDir: string = defaultWasmDir()): Promise<BackendReport> {
  if (preference !== 'auto' && NATIVE_TRAINERS.includes(preference)) return { chosen: preference, attempts: [{ backend: preference, ok: true, ms: 0 }] };
  const candidates = preference === 'auto' ? ORDER : [preference];
  const attempts: BackendAttempt[] = [];
  for (const backend of candidates) {
    const started = performance.now();
    if (NATIVE_TRAINERS.includes(backend)) {
      attempts.push({ backend, ok: true, ms: 0 });
      return { chosen: backend, attempts };
    }
    try {
      await activate(backend, wasmDir);
      attempts.push({ backend, ok: true, ms: performance.now() - started });
      return { chosen: backend, attempts };
    } catch (error) {
      attempts.push({ backend, ok: false, reason: error instanceof Error ? error.message : String(error), ms: performance.now() - started });
    }
  }
  const reasons = attempts.map((a) => `${a.backend}: ${a.reason ?? 'failed'}`).join('; ');
  throw new Error(`No training backend could be started (${reasons})`);
}

async function activate(backend: BackendName, wasmDir: string): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'tensorflow') {
    try {
      // Optional native addon: absent on machines where its libtensorflow download failed.
      require('@tensorflow/tfjs-node');
    } catch (error) {
      throw new Error(`@tensorflow/tfjs-node is not installed or cannot load (${firstLine(error)})`, { cause: error });
    }
  }
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    wasm.setWasmPaths(wasmDir.endsWith('/') ? wasmDir : `${wasmDir}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`the ${backend} backend did not initialise`);
  await tf.ready();
  // A tiny op proves the backend computes, not just that it registered.
  const probe = tf.tidy(() => tf.tensor1d([1, 2]).add(1).dataSync());
  if (probe[0] !== 2 || probe[1] !== 3) throw new Error(`the ${backend} backend computed a wrong result`);
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0] ?? '';
}
