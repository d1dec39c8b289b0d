/**
 * Endpoint throughput against the machine's limit, in ONE run, alternating (issue 24):
 *   plain  a node:http server answering a fixed JSON body of the same size as the endpoint's answer
 *   log-on / log-off  an endpoint serving the example penguins MLP (trained into a temp store and
 *          registered), with its request log on (the default: every request, ≤ 1000 entries/s)
 *          and off (sample rate 0)
 * for 1-row `dataframe_split` requests and 100-row `dataframe_split` and `dataframe_records`
 * requests, at concurrency 16, with autocannon running in a process of its own (so the load
 * generator does not share the event loop of the process under test). Each (body, server) pair is
 * measured BENCH_ROUNDS times (default 3), the pairs interleaved round by round; medians are
 * reported. Targets: 1-row ≥ 70% of plain's req/s with p99 ≤ 2 ms; 100-row ≥ 10,000 req/s
 * (1M rows/s) with p99 ≤ 5 ms; the request log on costs ≤ 5% throughput and leaves p99 unchanged.
 * BENCH_BASELINE=<folder with an earlier checkout> adds that version's endpoint (its own host
 * code and bundle, log on and off) to the same alternation: before and after in one run.
 * Prints and writes bench/results/endpoint-throughput.json.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { modelRegistryFor } from '../../src/core/registry/registryAccess';
import { EndpointManager } from '../../src/core/serving/endpointManager';
import { openWorkspaceStore } from '../../src/core/store/workspaceStore';
import { runTraining } from '../../src/core/training/trainingRunner';

const ROOT = join(__dirname, '..', '..');
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = 16;

/** Answers every POST with the body its path names, after reading the request to its end. */
const PLAIN_SERVER = `
const http = require('node:http');
let answers = {};
const server = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const answer = answers[req.url] || '{}';
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(answer) });
    res.end(answer);
  });
});
process.on('message', (m) => { answers = m.answers; server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port })); });
process.on('disconnect', () => process.exit(0));
`;

/** The load generator: autocannon in its own process, one run per message. */
const LOADER = `
const autocannon = require(process.argv[2]);
process.on('message', async (m) => {
  const r = await autocannon({ url: m.url, connections: m.connections, duration: m.duration, method: 'POST', headers: { 'Content-Type': 'application/json' }, body: m.body });
  process.send({ rps: r.requests.average, total: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts });
});
process.on('disconnect', () => process.exit(0));
`;

interface Measured {
  /** CPU ms per 1,000 requests: the endpoint process, and this process (which holds the store and writes the request log) */
  endpointCpuMsPer1k?: number;
  hostCpuMsPer1k?: number;
  rps: number;
  total: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** CPU ms a process has used (user + system), from /proc. */
function processCpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // clock ticks of 1/100 s
}

function load(): number[] {
  return loadavg().map((l) => round(l));
}

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlops-endpoint-bench-'));
  const children: ChildProcess[] = [];
  let manager: EndpointManager | undefined;
  let baseline: EndpointManager | undefined;
  const store = await openWorkspaceStore({ dir: join(work, '.mlops'), writerName: 'endpoint throughput bench' });
  try {
    // the endpoint process as shipped: bundled and minified
    await build({ entryPoints: [join(ROOT, 'src/core/serving/endpointMain.ts')], outfile: join(work, 'endpoint.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
    const trained = await runTraining({ store: store.tracking, specPath: join(ROOT, 'examples/penguins.train.yaml'), backend: 'js' });
    const version = await modelRegistryFor(store, { actor: 'bench' }).registerVersion(trained.runId, 'penguins');
    await modelRegistryFor(store).setAlias('penguins', 'champion', version.version);

    // 100 complete rows of the example data (the species column left out), repeated if needed
    const lines = readFileSync(join(ROOT, 'examples/data/penguins.csv'), 'utf8').trim().split('\n');
    const header = (lines[0] as string).split(',');
    const columns = header.filter((c) => c !== 'species');
    const complete = lines
      .slice(1)
      .map((line) => line.split(','))
      .filter((cells) => cells.length === header.length && cells.every((c) => c !== '' && c !== 'NA'))
      .map((cells) => columns.map((c) => {
        const cell = cells[header.indexOf(c)] as string;
        return Number.isFinite(Number(cell)) ? Number(cell) : cell;
      }));
    const rows = Array.from({ length: 100 }, (_, i) => complete[i % complete.length] as (string | number)[]);
    const bodies = {
      'split-1': JSON.stringify({ dataframe_split: { columns, data: rows.slice(0, 1) } }),
      'split-100': JSON.stringify({ dataframe_split: { columns, data: rows } }),
      'records-100': JSON.stringify({ dataframe_records: rows.map((row) => Object.fromEntries(columns.map((c, i) => [c, row[i]]))) }),
    };
    const rowsOf = { 'split-1': 1, 'split-100': 100, 'records-100': 100 };

    manager = new EndpointManager(store, { entry: join(work, 'endpoint.js') });
    const logOn = await manager.start({ uri: 'models:/penguins@champion', name: 'log-on' });
    const logOff = await manager.start({ uri: 'models:/penguins@champion', name: 'log-off', limits: { logSampleRate: 0 } });
    // the earlier version, with its own host side (how it hands the request log over) and endpoint bundle
    const baselineDir = process.env.BENCH_BASELINE;
    const baselineUrls: Record<string, string> = {};
    if (baselineDir) {
      await build({ entryPoints: [join(baselineDir, 'src/core/serving/endpointMain.ts')], outfile: join(work, 'endpoint-before.js'), bundle: true, platform: 'node', target: 'node20', format: 'cjs', minify: true, logLevel: 'error' });
      const { EndpointManager: BaselineManager } = (await import(join(baselineDir, 'src/core/serving/endpointManager.ts'))) as { EndpointManager: typeof EndpointManager };
      baseline = new BaselineManager(store, { entry: join(work, 'endpoint-before.js') });
      baselineUrls['before-on'] = (await baseline.start({ uri: 'models:/penguins@champion', name: 'before-on' })).url;
      baselineUrls['before-off'] = (await baseline.start({ uri: 'models:/penguins@champion', name: 'before-off', limits: { logSampleRate: 0 } })).url;
    }
    // the plain server answers what the endpoint answers, byte for byte in size
    const answers: Record<string, string> = {};
    for (const [name, body] of Object.entries(bodies)) {
      const probe = await fetch(`${logOn.url}/invocations`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      const text = await probe.text();
      if (probe.status !== 200) throw new Error(`the endpoint answered ${probe.status} to ${name}: ${text}`);
      answers[`/${name}`] = text;
    }
    const plainFile = join(work, 'plain.js');
    writeFileSync(plainFile, PLAIN_SERVER);
    const plain = fork(plainFile, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(plain);
    const plainPort = await new Promise<number>((resolve) => {
      plain.once('message', (m: { port: number }) => resolve(m.port));
      plain.send({ answers });
    });
    const loaderFile = join(work, 'loader.js');
    writeFileSync(loaderFile, LOADER);
    const loader = fork(loaderFile, [require.resolve('autocannon', { paths: [ROOT] })], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    children.push(loader);
    const cannon = (url: string, body: string, duration: number): Promise<Measured> =>
      new Promise((resolve) => {
        loader.once('message', (m: Measured) => resolve(m));
        loader.send({ url, body, duration, connections: CONNECTIONS });
      });

    const pidOf = (owner: EndpointManager | undefined, name: string): number => (owner as unknown as { running: Map<string, { supervisor: { pid: number } }> }).running.get(name)?.supervisor.pid as number;
    const pids: Record<string, number> = { plain: plain.pid as number, 'log-on': pidOf(manager, 'log-on'), 'log-off': pidOf(manager, 'log-off') };
    const servers: Record<string, (body: string) => string> = { plain: (name: string) => `http://127.0.0.1:${plainPort}/${name}`, 'log-on': () => `${logOn.url}/invocations`, 'log-off': () => `${logOff.url}/invocations` };
    for (const [name, url] of Object.entries(baselineUrls)) {
      servers[name] = () => `${url}/invocations`;
      pids[name] = pidOf(baseline, name);
    }
    const runs: Record<string, Measured[]> = {};
    const loadBefore = load();
    console.log(`load before ${loadBefore.join(' ')}  (${cpus().length} cores, autocannon c=${CONNECTIONS}, ${DURATION_S} s per run, ${ROUNDS} rounds)`);
    for (let r = 0; r < ROUNDS; r++) {
      for (const [bodyName, body] of Object.entries(bodies)) {
        for (const [serverName, url] of Object.entries(servers)) {
          if (r === 0) await cannon(url(bodyName), body, 1); // warm-up
          const cpuBefore = processCpuMs(pids[serverName] as number);
          const hostBefore = process.cpuUsage();
          const m = await cannon(url(bodyName), body, DURATION_S);
          const host = process.cpuUsage(hostBefore);
          m.endpointCpuMsPer1k = round(((processCpuMs(pids[serverName] as number) - cpuBefore) / m.total) * 1000);
          m.hostCpuMsPer1k = round(((host.user + host.system) / 1000 / m.total) * 1000);
          (runs[`${bodyName} ${serverName}`] ??= []).push(m);
          console.log(`round ${r + 1}  ${bodyName.padEnd(11)} ${serverName.padEnd(7)} ${String(Math.round(m.rps)).padStart(6)} req/s  p50 ${m.p50} ms  p99 ${m.p99} ms  non-2xx ${m.non2xx}  errors ${m.errors}  CPU ms/1k req: server ${m.endpointCpuMsPer1k} store ${m.hostCpuMsPer1k}  load ${load()[0]}`);
        }
      }
    }
    const loadAfter = load();

    const results: Record<string, Record<string, { rps: number; rowsPerSecond: number; p50Ms: number; p99Ms: number; p99MsRuns: number[]; rpsRuns: number[]; serverCpuMsPer1k: number; storeCpuMsPer1k: number; non2xx: number; errors: number }>> = {};
    for (const bodyName of Object.keys(bodies) as (keyof typeof bodies)[]) {
      results[bodyName] = {};
      for (const serverName of Object.keys(servers)) {
        const ms = runs[`${bodyName} ${serverName}`] as Measured[];
        const rps = Math.round(median(ms.map((m) => m.rps)));
        (results[bodyName] as Record<string, unknown>)[serverName] = {
          rps,
          rowsPerSecond: rps * rowsOf[bodyName],
          p50Ms: median(ms.map((m) => m.p50)),
          p99Ms: median(ms.map((m) => m.p99)),
          rpsRuns: ms.map((m) => Math.round(m.rps)),
          p99MsRuns: ms.map((m) => m.p99),
          serverCpuMsPer1k: median(ms.map((m) => m.endpointCpuMsPer1k ?? 0)),
          storeCpuMsPer1k: median(ms.map((m) => m.hostCpuMsPer1k ?? 0)),
          non2xx: ms.reduce((s, m) => s + m.non2xx, 0),
          errors: ms.reduce((s, m) => s + m.errors, 0),
        };
      }
    }
    const get = (body: string, server: string): { rps: number; p99Ms: number } => (results[body] as Record<string, { rps: number; p99Ms: number }>)[server] as { rps: number; p99Ms: number };
    const oneShare = get('split-1', 'log-on').rps / get('split-1', 'plain').rps;
    const logCost = (body: string): number => 1 - get(body, 'log-on').rps / get(body, 'log-off').rps;
    const targets = {
      oneRowShareOfPlain: round(oneShare, 3),
      oneRowShareOk: oneShare >= 0.7,
      oneRowP99Ok: get('split-1', 'log-on').p99Ms <= 2,
      hundredRowSplitRpsOk: get('split-100', 'log-on').rps >= 10_000,
      hundredRowRecordsRpsOk: get('records-100', 'log-on').rps >= 10_000,
      hundredRowP99Ok: get('split-100', 'log-on').p99Ms <= 5 && get('records-100', 'log-on').p99Ms <= 5,
      logCostSplit100: round(logCost('split-100'), 3),
      logCostRecords100: round(logCost('records-100'), 3),
      logCostOk: logCost('split-100') <= 0.05 && logCost('records-100') <= 0.05,
      logP99Unchanged: get('split-100', 'log-on').p99Ms <= get('split-100', 'log-off').p99Ms && get('records-100', 'log-on').p99Ms <= get('records-100', 'log-off').p99Ms,
    };
    console.log('\nmedians      plain req/s (p50/p99 ms)  log-on req/s (p50/p99 ms) [CPU ms/1k: endpoint, store]  log-off req/s (p50/p99 ms) [CPU]  rows/s log-on');
    for (const [bodyName, r] of Object.entries(results)) {
      const p = r.plain as { rps: number; p99Ms: number; p50Ms: number };
      const on = r['log-on'] as { rps: number; p99Ms: number; p50Ms: number; rowsPerSecond: number; serverCpuMsPer1k: number; storeCpuMsPer1k: number };
      const off = r['log-off'] as { rps: number; p99Ms: number; p50Ms: number; serverCpuMsPer1k: number; storeCpuMsPer1k: number };
      console.log(`${bodyName.padEnd(12)} ${String(p.rps).padStart(6)} (${p.p50Ms}/${p.p99Ms})  ${String(on.rps).padStart(6)} (${on.p50Ms}/${on.p99Ms}) [${on.serverCpuMsPer1k}, ${on.storeCpuMsPer1k}]  ${String(off.rps).padStart(6)} (${off.p50Ms}/${off.p99Ms}) [${off.serverCpuMsPer1k}, ${off.storeCpuMsPer1k}]  ${on.rowsPerSecond.toLocaleString('en-US')}`);
    }
    if (baselineDir) {
      for (const [bodyName, r] of Object.entries(results)) {
        const on = r['before-on'] as { rps: number; p99Ms: number; p50Ms: number; serverCpuMsPer1k: number; storeCpuMsPer1k: number };
        const off = r['before-off'] as { rps: number; p99Ms: number; p50Ms: number; serverCpuMsPer1k: number; storeCpuMsPer1k: number };
        console.log(`${`${bodyName} before`.padEnd(19)}  ${String(on.rps).padStart(6)} (${on.p50Ms}/${on.p99Ms}) [${on.serverCpuMsPer1k}, ${on.storeCpuMsPer1k}]  ${String(off.rps).padStart(6)} (${off.p50Ms}/${off.p99Ms}) [${off.serverCpuMsPer1k}, ${off.storeCpuMsPer1k}]`);
      }
    }
    console.log(`targets ${JSON.stringify(targets)}`);
    console.log(`load after ${loadAfter.join(' ')}`);
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(
      join(ROOT, 'bench/results/endpoint-throughput.json'),
      `${JSON.stringify({ date: new Date().toISOString(), label: process.env.BENCH_LABEL ?? null, machine: { cpus: cpus().length, model: cpus()[0]?.model, loadBefore, loadAfter }, client: `autocannon in its own process, c=${CONNECTIONS}`, baseline: baselineDir ? (process.env.BENCH_BASELINE_COMMIT ?? baselineDir) : null, durationS: DURATION_S, rounds: ROUNDS, results, targets }, null, 2)}\n`,
    );
  } finally {
    await manager?.stopAll().catch(() => undefined);
    await baseline?.stopAll().catch(() => undefined);
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await store.close().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
