// Runs node:test suites written in TypeScript (through tsx) under one or more folders.
// Usage: node test/runUnit.mjs [folder ...]   (default: test/unit)
// Node 20's --test takes no globs, so the files are listed here.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const folders = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['test/unit'];

function listTests(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...listTests(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

const files = folders.flatMap((f) => listTests(join(root, f))).sort();
if (files.length === 0) {
  console.error(`no *.test.ts files under ${folders.join(', ')}`);
  process.exit(1);
}
const concurrency = process.env.TEST_CONCURRENCY ?? '2';
// A TAP copy of the results lets test/runAll.mjs add up the counts of every stage.
const tapDir = join(root, 'test-output', 'tap');
mkdirSync(tapDir, { recursive: true });
const tapFile = join(tapDir, `${folders.map((f) => basename(f)).join('-')}.tap`);
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`,
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tapFile}`,
    ...files.map((f) => relative(root, f)),
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '', MLOPS_ENGINE_IDLE_MINUTES: process.env.MLOPS_ENGINE_IDLE_MINUTES ?? '0.05' } },
);
process.exit(result.status ?? 1);
