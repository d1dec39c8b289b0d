/**
 * Serving throughput, measured in one run with autocannon on 127.0.0.1 at concurrency 1, 16, 64:
 *   (a) a plain node:http server answering constant JSON (the limit of this machine),
 *   (b) our endpoint serving the example penguins MLP (trained into a temp store and registered),
 * each in its own process, the same one-row POST body for both (the endpoint with its default
 * request log: every request, at most 1000 entries/s to the store); then batch scoring of a
 * generated 1,000,000-row CSV. Targets (issue 7): at c=16 ≥ 70% of (a)'s requests/s and
 * p99 ≤ 5 ms; batch scoring ≥ 200,000 rows/s. Prints and writes bench/results/serving.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { modelRegistryFor } from '../../src/core/registry/registryAccess';
import { EndpointManager } from '../../src/core/serving/endpointManager';
import { scoreFile } from '../../src/core/serving/scoreFile';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTraining } from '../../src/core/training/trainingRunner';

interface CannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number };
  non2xx: number;
  errors: number;
  timeouts: number;
}
type Cannon = (options: { url: string; connections: number; duration: number; method: string; headers: Record<string, string>; body: string; pipelining?: number }) => Promise<CannonResult>;
// autocannon ships no types; this is the part of its API used here.
const autocannon = require('autocannon') as Cannon;

const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const CONCURRENCY = [1, 16, 64];
const CSV_ROWS = 1_000_000;

const PLAIN_SERVER = `
const http = require('node:http');
const answer = JSON.stringify({ predictions: [{ label: 'Adelie', probabilities: { Adelie: 0.97, Chinstrap: 0.02, Gentoo: 0.01 } }] });
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => { res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) }); res.end(answer); });
});
server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
`;

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-serving-bench-'));
  const children: ChildProcess[] = [];
  let manager: EndpointManager | undefined;
  const store = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'serving bench' });
  try {
    // the endpoint process as shipped: bundled and minified
    await build({ entryPoints: [join(ROOT, 'src/core/serving/endpointMain.ts')], outfile: join(work, 'endpoint.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
    const trained = await runTraining({ store: store.tracking, specPath: join(ROOT, 'examples/penguins.train.yaml'), backend: 'js' });
    const version = await modelRegistryFor(store, { actor: 'bench' }).registerVersion(trained.runId, 'penguins');
    await modelRegistryFor(store).setAlias('penguins', 'champion', version.version);

    const plainFile = join(work, 'plain.js');
    writeFileSync(plainFile, PLAIN_SERVER);
    const plain = fork(plainFile, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(plain);
    const plainPort = await new Promise<number>((resolve) => plain.once('message', (m: { port: number }) => resolve(m.port)));
    manager = new EndpointManager(store, { entry: join(work, 'endpoint.js') });
    const endpoint = await manager.start({ uri: 'models:/penguins@champion' });

    const header = readFileSync(join(ROOT, 'examples/data/penguins.csv'), 'utf8').split('\n')[0] as string;
    const columns = header.split(',').filter((c) => c !== 'species');
    const row = { island: 'Dream', bill_length_mm: 40.1, bill_depth_mm: 18.2, flipper_length_mm: 190, body_mass_g: 3700, sex: 'male' };
    const body = JSON.stringify({ dataframe_split: { columns, data: [columns.map((c) => row[c as keyof typeof row])] } });
    const probe = await fetch(`${endpoint.url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
    if (probe.status !== 200) throw new Error(`the endpoint answered ${probe.status}: ${await probe.text()}`);

    const targets = { plain: `http://127.0.0.1:${plainPort}/invocations`, endpoint: `${endpoint.url}/invocations` };
    const http: Record<string, Record<string, { rps: number; p50Ms: number; p99Ms: number; non2xx: number; errors: number }>> = { plain: {}, endpoint: {} };
    for (const connections of CONCURRENCY) {
      for (const [name, url] of Object.entries(targets)) {
        const options = { url, connections, duration: 1, method: 'POST', headers: { 'Content-Type': 'application/json' }, body };
        await autocannon(options); // warm-up
        const r = await autocannon({ ...options, duration: DURATION_S });
        (http[name] as Record<string, unknown>)[`c${connections}`] = { rps: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts };
        console.log(`${name.padEnd(8)} c=${String(connections).padEnd(3)} ${String(Math.round(r.requests.average)).padStart(7)} req/s  p50 ${r.latency.p50} ms  p99 ${r.latency.p99} ms  non-2xx ${r.non2xx}  errors ${r.errors + r.timeouts}`);
      }
    }
    await manager.stopAll();
    plain.kill();

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

    const c16 = { plain: http.plain?.c16, endpoint: http.endpoint?.c16 };
    const share = c16.plain && c16.endpoint ? c16.endpoint.rps / c16.plain.rps : 0;
    const targetsMet = { c16ShareOfPlain: round(share, 3), c16ShareOk: share >= 0.7, c16P99Ok: (c16.endpoint?.p99Ms ?? Infinity) <= 5, batchOk: batch.rowsPerSecond >= 200_000 };
    console.log(`targets  c=16 share ${(share * 100).toFixed(1)}% (≥ 70%: ${targetsMet.c16ShareOk}), p99 ${c16.endpoint?.p99Ms} ms (≤ 5: ${targetsMet.c16P99Ok}), batch ≥ 200k rows/s: ${targetsMet.batchOk}`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/serving.json'),
      `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg().map((l) => round(l)) }, durationS: DURATION_S, body, http, batch, targets: targetsMet }, null, 2)}\n`,
    );
  } finally {
    await manager?.stopAll().catch(() => undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await store.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
