// The e2e suite in real VS Code (`npm run test:e2e`; a stage of `npm test`).
//
// 1. installs/ensures the rig (test/e2e/rig/install.sh: Chromium, Node 24, code-server) in
//    ${MLOPS_E2E_CACHE:-~/.cache/mlops-studio}/vscode-rig;
// 2. needs a built extension (dist/extension.js; `npm test` builds before this stage);
// 3. copies examples/ into a temp workspace, so tests never dirty the repo;
// 4. starts code-server on a free 127.0.0.1 port with this repo linked as an installed extension;
// 5. runs test/e2e/*.e2e.test.mjs with node:test (spec to stdout, TAP to test-output/tap/e2e.tap);
// 6. always stops the server and removes the temp folder (also on failure and Ctrl+C); on failure
//    copies the server/extension-host logs to test-output/e2e/logs/.
//
// Usage: node test/e2e/runE2e.mjs [node --test options...] [test files...]
//   e.g. npm run test:e2e -- --test-name-pattern=dashboard
// Env: MLOPS_E2E_CACHE (cache folder), CHROMIUM (browser binary), E2E_TIMEOUT_S (whole run, default 1500),
//      MLOPS_E2E_EXTENSION (extension folder to link instead of the repo; for debugging the harness).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureRig, freePort, groupAlive, startServer, stopServer } from './rig/rig.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, '../..');
const outDir = join(repo, 'test-output', 'e2e');
const tapFile = join(repo, 'test-output', 'tap', 'e2e.tap');
const t0 = Date.now();
const lap = (msg) => console.log(`[e2e ${((Date.now() - t0) / 1000).toFixed(1)}s] ${msg}`);

let tmpRoot;
let stateDir;
let child;
let interrupted = false;
let cleanedUp = false;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
  } catch {
    // already gone
  }
}
let testGroup; // pgid of node --test and its per-file test processes

/**
 * Ends the test run: node --test and its test-file processes run in their own process group (so a
 * timeout reaches all of them); SIGTERM lets Playwright close Chromium; reapTests() SIGKILLs the rest.
 */
function stopTests() {
  if (testGroup) signalGroup(testGroup, 'SIGTERM');
}

/** After node --test exited: give leftover test-file processes 5 s, then SIGKILL them. */
async function reapTests() {
  if (!testGroup || !groupAlive(testGroup)) return;
  signalGroup(testGroup, 'SIGTERM');
  for (let i = 0; i < 50 && groupAlive(testGroup); i++) await sleep(100);
  if (groupAlive(testGroup)) {
    console.error('[e2e] killing leftover test processes');
    signalGroup(testGroup, 'SIGKILL');
  }
}

function cleanup() {
  if (cleanedUp) return;
  cleanedUp = true;
  if (testGroup && groupAlive(testGroup)) signalGroup(testGroup, 'SIGKILL');
  if (stateDir) stopServer(stateDir);
  if (tmpRoot) stopEngines(tmpRoot);
  if (tmpRoot) rmSync(tmpRoot, { recursive: true, force: true });
}

/**
 * MLOps engines the tests started (windows and CLI commands start them detached, and they outlive
 * the window by design): stopped before their folders go. Found by their server.json under root.
 */
function stopEngines(root) {
  const found = [];
  const walk = (dir, depth) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (existsSync(join(path, 'server.json')) && existsSync(join(path, 'writer.lock'))) found.push(path);
      else if (depth < 4 && entry.name !== 'node_modules' && entry.name !== 'state' && entry.name !== 'extensions') walk(path, depth + 1);
    }
  };
  walk(root, 0);
  for (const dir of found) {
    try {
      const lock = JSON.parse(readFileSync(join(dir, 'writer.lock'), 'utf8'));
      if (typeof lock.pid === 'number' && String(lock.name).startsWith('MLOps engine')) process.kill(lock.pid, 'SIGKILL');
    } catch {
      // gone already, or not an engine
    }
  }
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (interrupted || !child) {
      // second signal, or nothing to wait for: clean up now and leave
      cleanup();
      process.exit(130);
    }
    interrupted = true;
    console.error(`\n[e2e] ${signal}: stopping the tests and VS Code…`);
    stopTests();
  });
}
process.on('exit', cleanup);

async function main() {
  // ---------------------------------------------------------------- rig + build
  ensureRig();
  lap('VS Code rig ready');
  // MLOPS_E2E_EXTENSION: link another extension folder (debugging the harness itself)
  const extension = resolve(process.env.MLOPS_E2E_EXTENSION || repo);
  const pkg = JSON.parse(readFileSync(join(extension, 'package.json'), 'utf8'));
  const main = join(extension, pkg.main || 'dist/extension.js');
  if (!existsSync(main)) {
    console.error(`[e2e] ${relative(repo, main)} not found: build first (npm run build); npm test builds before this stage.`);
    return 1;
  }

  // ---------------------------------------------------------------- test files
  const args = process.argv.slice(2);
  const fileArgs = args.filter((a) => !a.startsWith('-') && a.endsWith('.mjs'));
  const optionArgs = args.filter((a) => !fileArgs.includes(a));
  const files = fileArgs.length
    ? fileArgs.map((f) => resolve(f))
    : readdirSync(here).filter((f) => f.endsWith('.e2e.test.mjs')).sort().map((f) => join(here, f));
  if (files.length === 0) {
    console.error('[e2e] no test/e2e/*.e2e.test.mjs files');
    return 1;
  }

  // ---------------------------------------------------------------- workspace + server
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'screenshots'), { recursive: true });
  mkdirSync(dirname(tapFile), { recursive: true });
  rmSync(tapFile, { force: true });
  tmpRoot = mkdtempSync(join(tmpdir(), 'mlops-e2e-'));
  const { copyExamples } = await import('./lib/workbench.mjs');
  const workspace = copyExamples(join(tmpRoot, 'examples'), repo);
  stateDir = join(tmpRoot, 'state');
  let server;
  for (let attempt = 1; !server; attempt++) {
    const port = await freePort();
    try {
      server = startServer({
        extensionsDir: join(tmpRoot, 'extensions'),
        workspace,
        port,
        stateDir,
        linkExt: extension,
        // Engines stop a few seconds after the last window lets go (a user's wait 10 minutes).
        settings: { 'workbench.colorTheme': 'Default Dark Modern', 'remote.autoForwardPorts': false, 'mlops.walkthrough.openOnFirstStart': false, 'mlops.engine.idleMinutes': 0.1 },
      });
    } catch (e) {
      if (attempt >= 3) throw e; // e.g. the port was taken between freePort() and the start
      console.error(`[e2e] ${e.message}; retrying`);
    }
  }
  lap(`code-server on ${new URL(server.url).host} (extension ${pkg.publisher}.${pkg.name}-${pkg.version} linked from ${relative(repo, extension) || 'the repo'})`);

  // ---------------------------------------------------------------- tests
  const nodeArgs = [
    '--test',
    '--test-concurrency=1',
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    '--test-reporter=tap',
    `--test-reporter-destination=${tapFile}`,
    ...optionArgs,
    ...files,
  ];
  const timeoutS = Number(process.env.E2E_TIMEOUT_S || 1500);
  const code = await new Promise((resolveCode) => {
    child = spawn(process.execPath, nodeArgs, {
      cwd: repo,
      detached: true, // own process group: see stopTests()
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        MLOPS_E2E_URL: server.url,
        MLOPS_E2E_WORKSPACE: workspace,
        MLOPS_E2E_TMP: tmpRoot,
        MLOPS_E2E_STATE_DIR: stateDir,
        MLOPS_E2E_OUT: outDir,
        MLOPS_E2E_REPO: repo,
        MLOPS_E2E_EXTENSION_DIR: extension,
        // engines started by the tests' mlops commands stop soon after, as the windows' do
        MLOPS_ENGINE_IDLE_MINUTES: '0.1',
      },
    });
    testGroup = child.pid;
    const timer = setTimeout(() => {
      console.error(`[e2e] tests still running after ${timeoutS}s: stopping them`);
      stopTests();
    }, timeoutS * 1000);
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolveCode(status ?? (signal ? 1 : 0));
    });
  });
  child = undefined;
  await reapTests();

  if (code !== 0) {
    const { collectLogs } = await import('./lib/workbench.mjs');
    stopServer(stateDir); // flush logs before copying them
    const copied = collectLogs(stateDir, join(outDir, 'logs'));
    if (copied.length) console.error(`[e2e] logs copied to ${relative(repo, join(outDir, 'logs'))}/ (${copied.length} files)`);
  }
  const shots = existsSync(join(outDir, 'screenshots')) ? readdirSync(join(outDir, 'screenshots')) : [];
  if (shots.length) lap(`screenshots in ${relative(repo, join(outDir, 'screenshots'))}/: ${shots.join(', ')}`);
  return interrupted ? 130 : code;
}

let exitCode = 1;
try {
  exitCode = await main();
} catch (e) {
  console.error(`[e2e] ${e instanceof Error ? e.message : e}`);
  exitCode = 1;
} finally {
  cleanup();
  lap(exitCode === 0 ? 'e2e passed' : 'e2e failed');
}
process.exit(exitCode);
