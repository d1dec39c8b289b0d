import type { Command } from 'commander';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { EXIT_STORE_LOCKED, printJson } from './trackingCliSupport';
import { parsePortOption, waitForStopSignal } from '../foregroundServer';

/**
 * `mlops server`: the MLflow-compatible tracking server in the foreground, as the store's writer,
 * until Ctrl+C. Prints the environment a Python script needs to log into the workspace store.
 */
export function registerServerCommand(program: Command): void {
  program
    .command('server')
    .description('serve the workspace store over MLflow\'s REST API on 127.0.0.1 until Ctrl+C (for `import mlflow` scripts)')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default 0: a free one)')
    .option('--no-token', 'accept requests without a bearer token (only for trusted, single-user machines)')
    .action(async (options: { port?: string; token: boolean }) => {
      const globals = program.opts<CliGlobalOptions>();
      const port = parsePortOption(options.port);
      const dir = resolveStoreDir(globals);
      const [{ runEngine }, { readServerInfo }] = await Promise.all([import('../../core/engine/engineHost'), import('../../core/server/serverInfoFile')]);
      let engine;
      try {
        // The engine in the foreground, without the idle stop: windows and commands use it as they
        // would an engine started for them, and it collects deleted runs' files once a day.
        engine = await runEngine({ dir, idleMs: Number.POSITIVE_INFINITY, port, insecureNoToken: !options.token, log: (line) => {
          // the banner below says where it listens; the engine's own notes that matter are these
          if (/^(warning|garbage collection)/.test(line)) process.stderr.write(`mlops: ${line}\n`);
        } });
      } catch (error) {
        if (error instanceof Error && error.name === 'StoreLockedError') {
          const running = readServerInfo(dir);
          const hint = running ? ` Its MLflow-compatible server is already running at ${running.url} (token in ${dir}/server.json); "mlops engine stop" stops an engine so this one can start.` : '';
          throw new CliError(`${error.message}${hint}`, EXIT_STORE_LOCKED);
        }
        throw new CliError((error as Error).message);
      }
      const server = engine.server;
      if (globals.json) {
        printJson({ url: server.url, port: server.port, token: server.token, store: dir, env: server.env });
      } else {
        const lines = [
          `MLflow-compatible tracking server for ${dir}`,
          `listening on ${server.url}${server.token === null ? ' (no token: anyone on this machine can write to the store)' : ''}`,
          '',
          'Point MLflow at it:',
          ...Object.entries(server.env).map(([name, value]) => `  export ${name}=${value}`),
          '',
          'Ctrl+C stops it.',
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }
      const signal = await Promise.race([waitForStopSignal(), engine.stopped]);
      process.stderr.write(`mlops: ${signal}: stopping the server\n`);
      // No snapshot on the way out: its cost grows with the database (minutes for a big one, with
      // the event loop blocked), and every acknowledged write is already in the journal, which
      // the next open replays.
      await engine.stop(signal, { snapshot: false });
    });
}
