// Node wrapper around the rig scripts next to this file (install.sh, start.sh, stop.sh), shared by
// test/e2e/runE2e.mjs (npm run test:e2e) and scripts/start.mjs (npm start).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const RIG_SCRIPTS = dirname(fileURLToPath(import.meta.url));

/** Where the rig is installed: ${MLOPS_E2E_CACHE:-~/.cache/mlops-studio}/vscode-rig (or $RIG_DIR). */
export function rigDir() {
  if (process.env.RIG_DIR) return resolve(process.env.RIG_DIR);
  return join(process.env.MLOPS_E2E_CACHE || join(homedir(), '.cache', 'mlops-studio'), 'vscode-rig');
}

/**
 * Installs the rig if needed (apt chromium & build tools, Node 24 from npm, code-server with its
 * native addons); under a second when it is already there. Throws on failure.
 */
export function ensureRig() {
  const r = spawnSync('bash', [join(RIG_SCRIPTS, 'install.sh'), rigDir()], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) throw new Error(`installing the VS Code rig failed (exit ${r.status ?? r.signal}); see the log above`);
  if (!existsSync(join(rigDir(), 'env.sh'))) throw new Error(`rig install left no ${join(rigDir(), 'env.sh')}`);
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolvePort(port));
    });
  });
}

/** Whether something accepts connections on 127.0.0.1:port. */
export function portInUse(port) {
  return new Promise((resolveUse) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', () => resolveUse(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolveUse(false)));
  });
}

/**
 * Starts code-server with start.sh. Options:
 *   extensionsDir, workspace, port, stateDir (all required)
 *   linkExt   extension folder linked into extensionsDir (LINK_EXT)
 *   settings  object merged over the rig's quiet default user settings
 *   keepState keep user data from an earlier start
 * Returns { url, port, stateDir }. Throws (after cleaning up) when the server does not start.
 */
export function startServer({ extensionsDir, workspace, port, stateDir, linkExt, settings, keepState = false }) {
  const env = { ...process.env, RIG_DIR: rigDir(), STATE_DIR: stateDir, KEEP_STATE: keepState ? '1' : '0' };
  delete env.SETTINGS;
  delete env.DEV_EXT;
  if (linkExt) env.LINK_EXT = linkExt;
  else delete env.LINK_EXT;
  if (settings) env.EXTRA_SETTINGS = JSON.stringify(settings);
  const r = spawnSync('bash', [join(RIG_SCRIPTS, 'start.sh'), extensionsDir, workspace, String(port)], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (r.status !== 0) {
    throw new Error(`code-server did not start on port ${port}: ${(r.stderr || '').trim()}`);
  }
  const url = r.stdout.trim().split('\n').pop();
  return { url, port, stateDir, log: r.stderr.trim() };
}

/** Stops the server of `stateDir` (its whole process group) and removes its temp dir. Never throws. */
export function stopServer(stateDir) {
  if (!stateDir) return;
  spawnSync('bash', [join(RIG_SCRIPTS, 'stop.sh'), stateDir], {
    env: { ...process.env, RIG_DIR: rigDir() },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Whether any process of group `pgid` is alive. */
export function groupAlive(pgid) {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
