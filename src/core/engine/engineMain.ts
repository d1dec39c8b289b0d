/**
 * dist/engine.js: the engine process (see engineHost.ts), started detached by engineLauncher.ts.
 * Usage: engine.js --dir <store dir> [--idle-ms N] [--port P]. Its stdout and stderr go to .mlops/engine.log.
 */
import { DEFAULT_ENGINE_IDLE_MS, ENGINE_EXIT_LOCKED, runEngine } from './engineHost';

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const dir = argument('--dir');
  if (!dir) throw new Error('engine.js needs --dir <store dir>');
  const idleText = argument('--idle-ms');
  const idleMs = idleText === undefined ? DEFAULT_ENGINE_IDLE_MS : Number(idleText);
  if (!Number.isFinite(idleMs) || idleMs < 0) throw new Error(`--idle-ms must be a number of milliseconds, got ${idleText}`);
  const portText = argument('--port');
  const port = portText === undefined ? 0 : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be an integer from 0 to 65535, got ${portText}`);
  const log = (line: string): void => {
    process.stdout.write(`${new Date().toISOString()} [${process.pid}] ${line}\n`);
  };
  let engine;
  try {
    engine = await runEngine({ dir, idleMs, log, port });
  } catch (error) {
    if (error instanceof Error && error.name === 'StoreLockedError') {
      log(`not started: ${error.message}`);
      process.exitCode = ENGINE_EXIT_LOCKED;
      return;
    }
    throw error;
  }
  const onSignal = (signal: string): void => {
    // Every acknowledged write is in the journal already: no snapshot, so a stop is quick.
    void engine.stop(signal, { snapshot: false });
    process.once(signal, () => process.exit(1));
  };
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  process.once('SIGINT', () => onSignal('SIGINT'));
  await engine.stopped;
  // Children (endpoints, workers) are watched by their own exit-with-parent guards.
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${new Date().toISOString()} [${process.pid}] engine failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
