// CSV → typed columns (issue #24 item 1): the papaparse reader every command used before
// (taken from git, OLD_COMMIT) against the byte-level reader, in one process, alternating runs,
// on a ~120 MB synthetic CSV (an id, 6 floats, an integer, 2 categories — one quoted with a comma).
// Each is the whole readTable: read the file, sha256 it, parse it. Both are bundled with esbuild as
// dist/ bundles them (the new reader's worker thread is plain JavaScript, as in the product).
// Also: the new reader on one thread, and a second read served by the prepared-table cache.
// Usage: node --import tsx bench/data/csvRead.bench.ts [MB]
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { writeMixedCsv } from '../profile/csvFixture';
import { saveResults } from '../store/benchSupport';

/** the last commit whose commands read CSV through papaparse over a decoded string */
const OLD_COMMIT = '12ad45f';
const OLD_FILES = ['csvReader', 'textDecoding', 'numericCells', 'dataErrors', 'dataTable'];
const RUNS = 3;

interface Table {
  rowCount: number;
  digest: string;
  readFrom?: string;
}
type Reader = (path: string, options?: Record<string, unknown>) => Promise<Table>;

const root = join(__dirname, '..', '..');

async function bundleReaders(work: string): Promise<{ oldRead: Reader; newRead: Reader }> {
  const old = join(work, 'old');
  mkdirSync(old, { recursive: true });
  for (const name of OLD_FILES) writeFileSync(join(old, `${name}.ts`), execFileSync('git', ['show', `${OLD_COMMIT}:src/core/data/${name}.ts`], { cwd: root }));
  writeFileSync(
    join(old, 'oldRead.ts'),
    `import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { parseCsv } from './csvReader';
import { decodeDataText } from './textDecoding';
// readTable of ${OLD_COMMIT} for a CSV
export async function read(path: string) {
  const bytes = await readFile(path);
  const digest = 'sha256:' + createHash('sha256').update(bytes).digest('hex');
  return parseCsv(decodeDataText(bytes, path, ','), digest, path, {});
}
`,
  );
  writeFileSync(join(work, 'newRead.ts'), `export { readTable as read } from ${JSON.stringify(join(root, 'src/core/data/tableReader'))};\n`);
  const out = join(work, 'bundles');
  await esbuild.build({
    entryPoints: { oldRead: join(old, 'oldRead.ts'), newRead: join(work, 'newRead.ts'), csvRangeReader: join(root, 'src/core/data/csvRangeReader.ts') },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outdir: out,
    nodePaths: [join(root, 'node_modules')],
    logLevel: 'error',
  });
  const oldRead = (require(join(out, 'oldRead.js')) as { read: Reader }).read;
  const newRead = (require(join(out, 'newRead.js')) as { read: Reader }).read;
  return { oldRead, newRead };
}

async function timed(read: () => Promise<Table>): Promise<{ wallMs: number; cpuMs: number; rows: number; readFrom?: string }> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const table = await read();
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, rows: table.rowCount, ...(table.readFrom ? { readFrom: table.readFrom } : {}) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
}

async function main(): Promise<void> {
  const megabytes = Number(process.argv[2] ?? 120);
  const dataDir = join(tmpdir(), 'mlops-bench-csv');
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, `mixed-${megabytes}mb.csv`);
  if (!existsSync(path)) await writeMixedCsv(path, megabytes * 1e6);
  const bytes = statSync(path).size;
  const work = mkdtempSync(join(tmpdir(), 'mlops-bench-readers-'));
  const cacheFolder = join(work, 'cache', 'tables');
  const loadBefore = loadavg()[0] as number;
  try {
    const { oldRead, newRead } = await bundleReaders(work);
    const variants: [string, () => Promise<Table>][] = [
      ['old: papaparse over a decoded string', () => oldRead(path)],
      // the split size given: two threads even when the load average says no core is free
      ['new: bytes → typed columns, 2 threads', () => newRead(path, { parallelMinBytes: 16 * 1024 * 1024 })],
      ['new: 1 thread', () => newRead(path, { parallelMinBytes: Number.POSITIVE_INFINITY })],
      ['new: second read, prepared-table cache', () => newRead(path, { cacheFolder })],
    ];
    // fill the cache once (and let the file's times age past the racy window, as a real file's have)
    await newRead(path, { cacheFolder });
    const runs = new Map<string, Awaited<ReturnType<typeof timed>>[]>();
    for (let round = 0; round < RUNS; round++) {
      for (const [name, read] of variants) {
        (globalThis as { gc?: () => void }).gc?.();
        const result = await timed(read);
        runs.set(name, [...(runs.get(name) ?? []), result]);
        console.log(`round ${round + 1}  ${name.padEnd(40)} ${Math.round(result.wallMs).toString().padStart(6)} ms wall  ${Math.round(result.cpuMs).toString().padStart(6)} ms CPU  ${(bytes / 1e6 / (result.wallMs / 1000)).toFixed(1).padStart(6)} MB/s`);
      }
    }
    const loadAfter = loadavg()[0] as number;
    const results = [...runs].map(([name, all]) => {
      const wallMs = median(all.map((r) => r.wallMs));
      const cpuMs = median(all.map((r) => r.cpuMs));
      return { name, wallMs: Math.round(wallMs), cpuMs: Math.round(cpuMs), mbPerSecond: +(bytes / 1e6 / (wallMs / 1000)).toFixed(1), mbPerCpuSecond: +(bytes / 1e6 / (cpuMs / 1000)).toFixed(1), rows: all[0]?.rows, readFrom: all[0]?.readFrom, runsMs: all.map((r) => Math.round(r.wallMs)) };
    });
    const uptime = execFileSync('uptime', { encoding: 'utf8' }).trim();
    console.log(`\n${(bytes / 1e6).toFixed(1)} MB, medians of ${RUNS} alternating runs; load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)} (${uptime})`);
    for (const r of results) console.log(`${r.name.padEnd(40)} ${String(r.mbPerSecond).padStart(6)} MB/s wall  ${String(r.mbPerCpuSecond).padStart(6)} MB per CPU-second`);
    const oldRate = results[0]?.mbPerSecond ?? NaN;
    console.log(`new (2 threads) / old: ${((results[1]?.mbPerSecond ?? NaN) / oldRate).toFixed(1)}×`);
    saveResults('csv-read', { file: { bytes, rows: results[0]?.rows, columns: '10 (id, 6 floats, integer, 2 categories)' }, oldCommit: OLD_COMMIT, runs: RUNS, machine: { loadAverageBefore: loadBefore, loadAverageAfter: loadAfter, uptime }, results });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

void main();
