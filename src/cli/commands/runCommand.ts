import type { Command } from 'commander';
import { CliExit, type CliGlobalOptions } from '../cliContext';
import { withCliStore } from '../cliStore';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';
import { ensureExperiment } from '../../core/tracking/ensureExperiment';

/**
 * `mlops run [--experiment NAME] -- COMMAND...`: any command as a tracked run, with a local
 * MLflow-compatible server for the script's `mlflow` calls (or, with a tracking URI, the team's
 * server). Exits with the command's exit code.
 */
export function registerRunCommand(program: Command): void {
  addPriceOptions(program
    .command('run')
    .description('run any command (e.g. python train.py) as a tracked run; its mlflow calls log into it')
    .option('-e, --experiment <name>', 'experiment to log into (created if missing)', 'Default')
    .option('--name <run name>', 'run name (default: generated)')
    .argument('<command...>', 'the command and its arguments; put -- before it')
    .allowUnknownOption())
    .action(async (words: string[], options: { experiment: string; name?: string } & PriceFlags) => {
      const prices = pricesFromCli(options);
      const globals = program.opts<CliGlobalOptions>();
      const exitCode = await withCliStore(
        globals,
        async (store) => {
          const { startTrackingServer } = await import('../../core/server/trackingServer');
          const { runScriptAsExperiment } = await import('../../core/scripts/scriptRun');
          const tracking = store.tracking;
          const experimentId = await ensureExperiment(tracking, options.experiment);
          // The script's mlflow calls go where the run is: a local server for the workspace store,
          // the team's server itself otherwise (its credentials come with the environment).
          const server = store.workspace ? await startTrackingServer({ store: store.workspace }) : undefined;
          const uri = server?.url ?? (store.url as string);
          const token = server ? server.token : store.target.kind === 'remote' ? store.target.credentials.token : null;
          const controller = new AbortController();
          const onSigint = (): void => {
            process.stderr.write('\nmlops: stopping the command…\n');
            controller.abort();
          };
          process.once('SIGINT', onSigint);
          try {
            const result = await runScriptAsExperiment({
              store: tracking,
              command: words.map(quoteWord).join(' '),
              cwd: process.cwd(),
              experimentId,
              prices,
              ...(options.name ? { runName: options.name } : {}),
              tracking: { uri, ...(token ? { token } : {}) },
              signal: controller.signal,
              onStarted: ({ runId }) => process.stderr.write(`mlops: run ${runId} in experiment "${options.experiment}" (MLFLOW_TRACKING_URI=${uri})\n`),
              onOutput: (text) => process.stdout.write(text),
            });
            process.stderr.write(`mlops: run ${result.runId} ${result.status}\n`);
            return result.status === 'KILLED' ? 130 : (result.exitCode ?? 1);
          } finally {
            process.removeListener('SIGINT', onSigint);
            await server?.close();
          }
        },
        { create: true, viaEngine: true },
      );
      if (exitCode !== 0) throw new CliExit(exitCode);
    });
}

/** The words as one shell command line, quoting those a shell would split or expand. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
