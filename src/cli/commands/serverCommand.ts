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
      const { openWorkspaceStore, StoreLockedError } = await import('../../core/store/workspaceStore');
      const { startTrackingServer } = await import('../../core/server/trackingServer');
      const { readServerInfo } = await import('../../core/server/serverInfoFile');
      let store;
      try {
        // a long-lived holder: it collects deleted runs' files once a day (mlops gc)
        store = await openWorkspaceStore({ dir, writerName: 'mlops server', dailyGc: { onError: (error) => process.stderr.write(`mlops: garbage collection failed: ${error instanceof Error ? error.message : String(error)}\n`) } });
      } catch (error) {
        if (error instanceof StoreLockedError) {
          const running = readServerInfo(dir);
          const hint = running ? ` Its MLflow-compatible server is already running at ${running.url} (token in ${dir}/server.json).` : '';
          throw new CliError(`${error.message}${hint}`, EXIT_STORE_LOCKED);
        }
        throw error;
      }
      for (const warning of store.warnings) process.stderr.write(`mlops: warning: ${warning}\n`);
      let server;
      try {
        server = await startTrackingServer({ store, port, ...(options.token ? {} : { insecureNoToken: true }) });
      } catch (error) {
        await store.close();
        throw new CliError((error as Error).message);
      }
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
      const signal = await waitForStopSignal();
      process.stderr.write(`mlops: ${signal}: stopping the server\n`);
      await server.close();
      // No snapshot on the way out: its cost grows with the database (minutes for a big one, with
      // the event loop blocked), and every acknowledged write is already in the journal, which
      // the next open replays.
      await store.close({ snapshot: false });
    });
}
