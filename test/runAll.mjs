// The whole test suite, as one command (`npm test`): type check, lint, build, unit tests,
// webview tests in headless Chromium, and the e2e suite in real VS Code (code-server).
// Stops at the first failing stage; prints one closing line with the totals.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const stages = [
  ['type check', npm, ['run', '--silent', 'typecheck']],
  ['lint', npm, ['run', '--silent', 'lint']],
  ['build', npm, ['run', '--silent', 'build']],
  ['unit tests', process.execPath, ['test/runUnit.mjs', 'test/unit']],
  ['webview tests', process.execPath, ['test/runUnit.mjs', 'test/webview']],
  ['e2e tests in VS Code', process.execPath, ['test/e2e/runE2e.mjs']],
];
const only = process.env.TEST_STAGES?.split(',').map((s) => s.trim());

rmSync(join(root, 'test-output', 'tap'), { recursive: true, force: true });
const started = Date.now();
const timings = [];
let failedStage;
for (const [name, command, args] of stages) {
  if (only && !only.some((o) => name.startsWith(o))) continue;
  console.log(`\n━━━ ${name}`);
  const t0 = Date.now();
  const r = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (r.status !== 0) {
    failedStage = name;
    break;
  }
}

// Sum the TAP summaries every node:test stage wrote.
let passed = 0;
let failed = 0;
let skipped = 0;
const tapDir = join(root, 'test-output', 'tap');
for (const file of ['unit.tap', 'webview.tap', 'e2e.tap']) {
  const path = join(tapDir, file);
  if (!existsSync(path)) continue;
  const text = readFileSync(path, 'utf8');
  const count = (key) => Number([...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))].pop()?.[1] ?? 0);
  passed += count('pass');
  failed += count('fail');
  skipped += count('skipped') + count('todo');
}
console.log(`\n${timings.join(' · ')} · total ${((Date.now() - started) / 1000).toFixed(0)} s`);
if (failedStage) {
  console.log(`stage failed: ${failedStage}`);
  failed = Math.max(failed, 1);
}
console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failedStage ? 1 : 0);
