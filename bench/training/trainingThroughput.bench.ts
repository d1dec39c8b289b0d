// Training throughput (samples/s) per backend for the reference workload: an MLP
// 32→64→32→10 (ReLU, softmax), Adam, batch 256, 3 epochs over 100k×32 synthetic rows.
// Reference on this machine (perf notes): scikit-learn MLPClassifier, one thread ≈ 557–570k samples/s.
// Each backend runs in its own child process so one backend's state cannot slow another.
// Usage: npm run bench -- training   (or: node --import tsx bench/training/trainingThroughput.bench.ts [backend])
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { selectBackend } from '../../src/core/training/backendSelection';
import { buildArchitecture, initialWeights } from '../../src/core/training/networkArchitecture';
import { SeededRandom } from '../../src/core/training/seededRandom';
import { trainNetwork } from '../../src/core/training/tfTrainer';
import type { TrainSpec } from '../../src/core/training/trainSpec';

const ROWS = 100_000;
const WIDTH = 32;
const CLASSES = 10;
const EPOCHS = 3;
const BATCH = 256;
const SKLEARN_REFERENCE = 570_000;

type Candidate = 'cpu' | 'wasm' | 'tensorflow' | 'js';

function syntheticSplit(rows: number, seed: number): { x: Float32Array; y: Float32Array; count: number } {
  const random = new SeededRandom(seed);
  const x = new Float32Array(rows * WIDTH);
  const y = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let score = 0;
    for (let c = 0; c < WIDTH; c++) {
      const v = random.next() * 2 - 1;
      x[r * WIDTH + c] = v;
      score += v * ((c % 5) - 2);
    }
    y[r] = Math.min(CLASSES - 1, Math.max(0, Math.floor(score / 2 + CLASSES / 2)));
  }
  return { x, y, count: rows };
}

async function measure(backend: Candidate): Promise<{ backend: Candidate; samplesPerSecond: number; seconds: number; finalLoss: number }> {
  const spec: Pick<TrainSpec, 'model' | 'epochs' | 'batchSize' | 'optimizer' | 'earlyStopping' | 'seed' | 'logEveryNBatches'> = {
    model: { type: 'mlp', layers: [{ units: 64, activation: 'relu', dropout: 0 }, { units: 32, activation: 'relu', dropout: 0 }] },
    epochs: EPOCHS,
    batchSize: BATCH,
    optimizer: { name: 'adam', learningRate: 0.001, momentum: 0, l2: 0 },
    earlyStopping: false,
    seed: 1,
    logEveryNBatches: 10,
  };
  const layers = buildArchitecture(spec, 'classification', WIDTH, CLASSES);
  const input = {
    layers,
    initial: initialWeights(layers, new SeededRandom(1)),
    task: 'classification' as const,
    classCount: CLASSES,
    classWeights: new Float32Array(CLASSES).fill(1),
    train: syntheticSplit(ROWS, 1),
    validation: { x: new Float32Array(0), y: new Float32Array(0), count: 0 },
    spec,
  };
  const started = performance.now();
  let result;
  if (backend === 'js') {
    const { trainNetworkJs } = await import('../../src/core/training/jsTrainer');
    result = await trainNetworkJs(input, () => undefined);
  } else {
    await selectBackend(backend);
    result = await trainNetwork(input, () => undefined);
  }
  return { backend, samplesPerSecond: result.samplesPerSecond, seconds: (performance.now() - started) / 1000, finalLoss: result.finalMetrics.loss ?? NaN };
}

async function main(): Promise<void> {
  const only = process.argv[2] as Candidate | undefined;
  if (only) {
    process.stdout.write(`${JSON.stringify(await measure(only))}\n`);
    return;
  }
  const load = loadavg()[0] ?? 0;
  const results: unknown[] = [];
  for (const backend of ['js', 'wasm', 'cpu', 'tensorflow'] as const) {
    try {
      const out = execFileSync(process.execPath, ['--import', 'tsx', __filename, backend], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      const r = JSON.parse(out.trim().split('\n').pop() as string) as { samplesPerSecond: number; seconds: number; finalLoss: number };
      results.push({ ...r, backend, ofSklearn: +(r.samplesPerSecond / SKLEARN_REFERENCE).toFixed(3) });
      console.log(`${backend.padEnd(11)} ${Math.round(r.samplesPerSecond).toLocaleString('en').padStart(9)} samples/s  (${((100 * r.samplesPerSecond) / SKLEARN_REFERENCE).toFixed(0)}% of scikit-learn's ~570k)  loss after ${EPOCHS} epochs ${r.finalLoss.toFixed(4)}`);
    } catch (error) {
      const reason = ((error as { stderr?: string }).stderr ?? String(error)).trim().split('\n').find((l) => /^\w*Error: /.test(l)) ?? 'failed';
      results.push({ backend, error: reason });
      console.log(`${backend.padEnd(11)} not available: ${reason}`);
    }
  }
  const file = join(__dirname, '..', 'results', 'trainingThroughput.json');
  mkdirSync(join(__dirname, '..', 'results'), { recursive: true });
  writeFileSync(
    file,
    `${JSON.stringify({ workload: { rows: ROWS, width: WIDTH, classes: CLASSES, layers: '32-64-32-10', batch: BATCH, epochs: EPOCHS, optimizer: 'adam' }, sklearnReference: SKLEARN_REFERENCE, machine: { cpus: cpus().length, loadAverage1m: load, node: process.version }, commit: gitCommit(), results }, null, 2)}\n`,
  );
  console.log(`load average at start ${load.toFixed(2)} on ${cpus().length} cores; wrote ${file}`);
}

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

void main();
