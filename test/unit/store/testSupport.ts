import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stopEngine } from '../../../src/core/engine/engineLauncher';
import { openWorkspaceStore, type OpenWorkspaceStoreOptions, type WorkspaceStore } from '../../../src/core/store/workspaceStore';

/** A fresh folder under the OS temp dir, removed by the returned cleanup. */
export function tempStoreDir(prefix = 'mlops-store-'): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), prefix));
  return { dir: join(root, '.mlops'), cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

export const REPO_ROOT = join(__dirname, '..', '..', '..');

/** Runs a TypeScript fixture through tsx in a child process. */
export function spawnFixture(fixture: string, args: readonly string[]): ReturnType<typeof spawn> {
  return spawn(process.execPath, ['--import', 'tsx', join(__dirname, 'fixtures', fixture), ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_OPTIONS: '' },
  });
}

/** A pid that certainly belongs to no running process (a child that already exited). */
export async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  const pid = child.pid as number;
  await new Promise((resolve) => child.on('exit', resolve));
  return pid;
}

/**
 * Opens, in the test, a store that `mlops` commands just worked on: a long command (train, tune,
 * serve …) goes through the engine it starts, which outlives the command by design, so it is
 * stopped first (as `mlops engine stop` would).
 */
export async function openStoreAfterCli(options: OpenWorkspaceStoreOptions): Promise<WorkspaceStore> {
  await stopEngine(options.dir);
  return openWorkspaceStore(options);
}
