// Activation cost and package size.
// - activation: a fresh Node process requires dist/extension.js (with a stand-in `vscode`) and
//   calls activate(); median and p95 over 15 cold starts; lists heavy modules that got loaded.
// - VSIX: builds the production package with `npm run package` and records its size and file count.
// Prints the figures and writes bench/results/activation.json.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
const RUNS = 15;

const probe = `
const t0 = process.hrtime.bigint();
require(${JSON.stringify(join(root, 'test/support/loadWithFakeVscode.cjs'))});
const tLoad = process.hrtime.bigint();
const ext = require(${JSON.stringify(join(root, 'dist/extension.js'))});
const tRequire = process.hrtime.bigint();
ext.activate({ subscriptions: [], extensionUri: { fsPath: '/ext', path: '/ext', scheme: 'file' } });
const tActivate = process.hrtime.bigint();
const heavy = Object.keys(require.cache).filter((m) => /sql-wasm|tfjs|echarts/.test(m));
console.log(JSON.stringify({ requireMs: Number(tRequire - tLoad) / 1e6, activateMs: Number(tActivate - tRequire) / 1e6, heavy, rssMb: process.memoryUsage().rss / 1048576 }));
`;

function quantile(sorted, q) {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: 'inherit' });
const samples = [];
for (let i = 0; i < RUNS; i++) {
  const r = spawnSync(process.execPath, ['-e', probe], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  samples.push(JSON.parse(r.stdout.trim().split('\n').pop()));
}
const total = samples.map((s) => s.requireMs + s.activateMs).sort((a, b) => a - b);
const activation = {
  runs: RUNS,
  medianMs: +quantile(total, 0.5).toFixed(2),
  p95Ms: +quantile(total, 0.95).toFixed(2),
  requireMedianMs: +samples.map((s) => s.requireMs).sort((a, b) => a - b)[RUNS >> 1].toFixed(2),
  heavyModulesLoaded: samples[0].heavy,
  extensionBundleKb: +(statSync(join(root, 'dist/extension.js')).size / 1024).toFixed(1),
};

const pkg = spawnSync('npm', ['run', '--silent', 'package'], { cwd: root, encoding: 'utf8' });
if (pkg.status !== 0) throw new Error(`npm run package failed:\n${pkg.stdout}\n${pkg.stderr}`);
const vsixPath = join(root, 'dist-vsix/mlops-studio.vsix');
// Count the archive's entries (vsce's own listing is a tree with per-folder counts).
const listing = spawnSync('unzip', ['-Z1', join(root, 'dist-vsix/mlops-studio.vsix')], { encoding: 'utf8' });
const files = listing.status === 0 ? String(listing.stdout.split('\n').filter((l) => l && !l.endsWith('/')).length) : undefined;
const vsix = existsSync(vsixPath) ? { bytes: statSync(vsixPath).size, mb: +(statSync(vsixPath).size / 1048576).toFixed(2), files: files ? Number(files) : undefined } : undefined;

const result = { benchmark: 'activation', date: new Date().toISOString(), node: process.version, activation, vsix };
mkdirSync(join(root, 'bench/results'), { recursive: true });
writeFileSync(join(root, 'bench/results/activation.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`activation: median ${activation.medianMs} ms, p95 ${activation.p95Ms} ms (require ${activation.requireMedianMs} ms), bundle ${activation.extensionBundleKb} KB, heavy modules loaded: ${activation.heavyModulesLoaded.length === 0 ? 'none' : activation.heavyModulesLoaded.join(', ')}`);
if (vsix) console.log(`VSIX: ${vsix.mb} MB (${vsix.bytes} bytes)${vsix.files ? `, ${vsix.files} files` : ''}`);
