/**
 * Batch scoring: a generated 1,000,000-row CSV (the penguins rows, missing cells kept) scored by
 * the example penguins MLP (trained into a temp store and registered) in the endpoint process as
 * shipped. Target (issue 7): ≥ 200,000 rows/s, process start included. Prints and writes
 * bench/results/serving.json. HTTP serving (1-row and 100-row requests, request log on and off,
 * against plain node:http in the same run) is endpointThroughput.bench.ts.
 */
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { modelRegistryFor } from '../../src/core/registry/registryAccess';
import { scoreFile } from '../../src/core/serving/scoreFile';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTraining } from '../../src/core/training/trainingRunner';

const ROOT = join(__dirname, '..', '..');
const CSV_ROWS = 1_000_000;

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-serving-bench-'));
  const store = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'serving bench' });
  try {
    // the endpoint process as shipped: bundled and minified
    await build({ entryPoints: [join(ROOT, 'src/core/serving/endpointMain.ts')], outfile: join(work, 'endpoint.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
    const trained = await runTraining({ store: store.tracking, specPath: join(ROOT, 'examples/penguins.train.yaml'), backend: 'js' });
    const version = await modelRegistryFor(store, { actor: 'bench' }).registerVersion(trained.runId, 'penguins');
    await modelRegistryFor(store).setAlias('penguins', 'champion', version.version);

    // batch scoring: 1M rows made from the penguins rows, with missing cells kept
    const source = readFileSync(join(ROOT, 'examples/data/penguins.csv'), 'utf8').trim().split('\n');
    const input = join(work, 'big.csv');
    const out = createWriteStream(input);
    out.write(`${source[0]}\n`);
    const lines = source.slice(1);
    for (let written = 0; written < CSV_ROWS; ) {
      const n = Math.min(10_000, CSV_ROWS - written);
      const chunk: string[] = new Array<string>(n);
      for (let i = 0; i < n; i++) chunk[i] = lines[(written + i) % lines.length] as string;
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      written += n;
    }
    await new Promise<void>((resolve) => out.end(() => resolve()));
    const started = performance.now();
    const scored = await scoreFile(version.packageDir, input, join(work, 'big.predictions.csv'), { entry: join(work, 'endpoint.js') });
    const wallMs = performance.now() - started;
    const batch = { rows: scored.rows, inputMB: round(statSync(input).size / 1e6, 1), scoringMs: Math.round(scored.ms), wallMs: Math.round(wallMs), rowsPerSecond: Math.round(scored.rows / (wallMs / 1000)) };
    console.log(`batch    ${batch.rows.toLocaleString('en-US')} rows (${batch.inputMB} MB) in ${(wallMs / 1000).toFixed(2)} s (process start included): ${batch.rowsPerSecond.toLocaleString('en-US')} rows/s`);

    const targets = { batchOk: batch.rowsPerSecond >= 200_000 };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/serving.json'),
      `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((l) => round(l)) }, batch, targets }, null, 2)}\n`,
    );
  } finally {
    await store.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
