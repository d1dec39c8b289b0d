// `npm start`: build MLOps Studio and open it in VS Code on the examples/ workspace.
//
// - With a desktop `code` on PATH: `code --extensionDevelopmentPath=<repo> <repo>/examples`
//   (an Extension Development Host window, like F5).
// - Otherwise: the headless VS Code server (code-server, installed on first use into
//   ${MLOPS_E2E_CACHE:-~/.cache/mlops-studio}/vscode-rig by test/e2e/rig/install.sh) with this
//   repo linked as an installed extension, on 127.0.0.1; prints the URL to open in a browser and
//   runs until Ctrl+C, then stops the server.
//
// The first start on a machine installs VS Code (code-server) once: ~2-3 minutes on 2 cores,
// with progress every 20 s. Later starts take a few seconds.
//
// Usage: npm start [-- --port N] [-- --server] [-- --no-build] [-- --state-dir DIR]
//   --port N         port for the VS Code server (default 8765, or a free one when 8765 is taken)
//   --server         use the VS Code server even when a desktop `code` is on PATH
//   --no-build       skip `node esbuild.mjs`
//   --state-dir DIR  VS Code's user data (settings, UI state) for the VS Code server; default
//                    <rig>/start/state, kept between starts
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ensureRig, freePort, portInUse, rigDir, startServer, stopServer } from '../test/e2e/rig/rig.mjs';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workspace = join(repo, 'examples');
const DEFAULT_PORT = 8765;

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    server: { type: 'boolean', default: false },
    'no-build': { type: 'boolean', default: false },
    'state-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
  strict: true,
});
if (opts.help) {
  console.log(readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n').filter((l) => l.startsWith('//')).map((l) => l.slice(3)).join('\n'));
  process.exit(0);
}

/** The first executable `name` on PATH, or undefined. */
function onPath(name) {
  for (const dir of (process.env.PATH || '').split(delimiter)) {
    if (!dir) continue;
    const file = join(dir, name);
    try {
      if (statSync(file).isFile()) {
        accessSync(file, constants.X_OK);
        return file;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

function fail(message) {
  console.error(`\nnpm start: ${message}`);
  process.exit(1);
}

// ---------------------------------------------------------------- build
if (!opts['no-build']) {
  console.log('Building MLOps Studio (node esbuild.mjs)…');
  const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: repo, stdio: 'inherit' });
  if (build.status !== 0) fail('the build failed (see above)');
}
if (!existsSync(join(repo, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run `npm run build`');
mkdirSync(workspace, { recursive: true });

// ---------------------------------------------------------------- desktop VS Code
const code = opts.server ? undefined : onPath(process.platform === 'win32' ? 'code.cmd' : 'code');
if (code) {
  console.log(`Opening ${workspace} in VS Code (${code}) with MLOps Studio loaded from ${repo}…`);
  const r = spawnSync(code, [`--extensionDevelopmentPath=${repo}`, workspace], { stdio: 'inherit' });
  if (r.status !== 0) fail(`\`${code}\` exited with ${r.status ?? r.signal}; try \`npm start -- --server\``);
  process.exit(0);
}

// ---------------------------------------------------------------- headless VS Code server
console.log('No desktop `code` on PATH: starting the VS Code server (code-server) instead.');
try {
  ensureRig();
} catch (e) {
  fail(e.message);
}

let port;
if (opts.port !== undefined) {
  port = Number(opts.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) fail(`--port ${opts.port} is not a port number`);
  if (await portInUse(port)) fail(`port ${port} on 127.0.0.1 is already in use: pick another with --port`);
} else {
  port = (await portInUse(DEFAULT_PORT)) ? await freePort() : DEFAULT_PORT;
}

// User data (settings, theme, UI state) persists between `npm start`s; the e2e tests use their own.
const startDir = join(rigDir(), 'start');
const stateDir = opts['state-dir'] ? resolve(opts['state-dir']) : join(startDir, 'state');
let server;
let stopping = false;
function stop(exitCode) {
  if (!stopping) {
    stopping = true;
    console.log('\nStopping the VS Code server…');
    stopServer(stateDir);
  }
  process.exit(exitCode);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stop(0));

try {
  server = startServer({
    extensionsDir: join(startDir, 'extensions'),
    workspace,
    port,
    stateDir,
    linkExt: repo,
    keepState: true,
  });
} catch (e) {
  fail(
    `${e.message}\nIs another \`npm start\` running? Stop it with Ctrl+C, or stop a leftover server with\n` +
      `  bash test/e2e/rig/stop.sh ${stateDir}\n(server log: ${join(stateDir, 'server.log')})`,
  );
}

const line = '━'.repeat(Math.max(60, server.url.length + 4));
console.log(`\n${line}\n  MLOps Studio is running in VS Code. Open this URL in a browser:\n\n  ${server.url}\n${line}`);
console.log(`  Workspace: ${workspace}`);
console.log(`  The server listens on 127.0.0.1 only; from another machine: ssh -L ${port}:127.0.0.1:${port} <this host>`);
console.log('  After rebuilding (npm run build / npm run watch), reload the browser page to load the new code.');
console.log(`  Logs: ${join(stateDir, 'server.log')}, ${join(stateDir, 'data', 'logs')}`);
console.log('  Press Ctrl+C to stop.\n');

// Run until Ctrl+C; leave if the server dies on its own.
const pgid = Number(readFileSync(join(stateDir, 'server.pid'), 'utf8'));
setInterval(() => {
  try {
    process.kill(-pgid, 0);
  } catch {
    const log = join(stateDir, 'server.log');
    const tail = existsSync(log) ? readFileSync(log, 'utf8').trimEnd().split('\n').slice(-20).join('\n') : '';
    console.error(`The VS Code server stopped unexpectedly; ${log}:\n${tail}`);
    stop(1);
  }
}, 2_000);
