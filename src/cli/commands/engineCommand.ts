import type { Command } from 'commander';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly } from '../cliStore';
import { printJson } from './trackingCliSupport';

function parseIdleMinutes(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const minutes = Number(text);
  if (!Number.isFinite(minutes) || minutes < 0) throw new CliError(`--idle-minutes must be a number of minutes (0 or more), got "${text}"`);
  return minutes * 60_000;
}

/**
 * `mlops engine start|status|stop`: the process that holds the workspace store for every window
 * and command. It starts by itself when VS Code needs it; these are for scripts and for a look.
 */
export function registerEngineCommand(program: Command): void {
  const engine = program.command('engine').description('the MLOps engine: the one process that holds this workspace store for VS Code windows, commands and scripts');
  engine
    .command('start')
    .description('start the engine (or find the running one) and print its address')
    .option('--idle-minutes <n>', 'stop after this many minutes with no client, endpoint or job (default 10)')
    .action(async (options: { idleMinutes?: string }) => {
      const globals = program.opts<CliGlobalOptions>();
      const dir = resolveStoreDir(globals);
      const idleMs = parseIdleMinutes(options.idleMinutes);
      noteLocalOnly(globals, dir, { create: true });
      const { ensureEngine } = await import('../../core/engine/engineLauncher');
      let address;
      try {
        address = await ensureEngine(dir, idleMs === undefined ? {} : { idleMs });
      } catch (error) {
        throw new CliError((error as Error).message);
      }
      if (globals.json) printJson({ url: address.url, pid: address.pid, started: address.started, store: dir });
      else process.stdout.write(`MLOps engine for ${dir}: ${address.url} (pid ${address.pid}, ${address.started ? 'started now' : 'already running'})\n`);
    });
  engine
    .command('status')
    .description('say whether an engine (or another process with a server) holds this workspace store')
    .action(async () => {
      const globals = program.opts<CliGlobalOptions>();
      const dir = resolveStoreDir(globals);
      const [{ runningEngine }, { readServerInfo }, { readWriterLock }] = await Promise.all([import('../../core/engine/engineLauncher'), import('../../core/server/serverInfoFile'), import('../../core/store/writerLock')]);
      const running = await runningEngine(dir);
      const info = readServerInfo(dir);
      const holder = readWriterLock(dir);
      if (globals.json) {
        printJson({ store: dir, running: running !== undefined, url: running?.url ?? null, pid: running?.pid ?? null, holder: holder?.name ?? null, since: info?.startedAt ?? null, version: info?.version ?? null });
        return;
      }
      if (running) process.stdout.write(`${holder?.name ?? 'A process'} holds ${dir}: ${running.url} (pid ${running.pid}, since ${info?.startedAt ?? '?'}, MLOps Studio ${info?.version ?? '?'})\n`);
      else if (holder) process.stdout.write(`${holder.name} (pid ${holder.pid}) holds ${dir} and serves no API; no engine runs.\n`);
      else process.stdout.write(`No engine runs for ${dir}; the next VS Code window or "mlops engine start" starts one.\n`);
    });
  engine
    .command('stop')
    .description('stop the engine of this workspace store (its endpoints stop with it)')
    .action(async () => {
      const globals = program.opts<CliGlobalOptions>();
      const dir = resolveStoreDir(globals);
      const { stopEngine } = await import('../../core/engine/engineLauncher');
      const stopped = await stopEngine(dir);
      if (globals.json) printJson({ store: dir, stopped: stopped !== undefined, pid: stopped?.pid ?? null });
      else process.stdout.write(stopped ? `Stopped the engine of ${dir} (pid ${stopped.pid}).\n` : `No engine runs for ${dir}.\n`);
    });
}
