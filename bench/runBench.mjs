// Runs benchmarks: every bench/**/*.bench.ts (or those whose path contains an argument).
// Each benchmark prints its figures and writes bench/results/<name>.json itself.
// Usage: npm run bench [-- filter ...]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);

function list(dir) {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) return name === 'results' ? [] : list(full);
    return name.endsWith('.bench.ts') || name.endsWith('.bench.mjs') ? [full] : [];
  });
}

const benches = list(join(root, 'bench'))
  .map((f) => relative(root, f))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file}`);
  const args = file.endsWith('.ts') ? ['--import', 'tsx', '--expose-gc', file] : ['--expose-gc', file];
  const r = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
console.log(`\n${benches.length - failed} benchmarks ran, ${failed} failed; figures in bench/results/`);
process.exit(failed > 0 ? 1 : 0);
