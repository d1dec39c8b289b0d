import { Command, CommanderError } from 'commander';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../core/product/productInfo';
import { CliError, CliExit } from './cliContext';
import { setCommandPath } from './cliStore';
import { registerCopyCommand } from './commands/copyCommand';
import { registerDoctorCommand } from './commands/doctorCommand';
import { registerDriftCommand } from './commands/driftCommand';
import { registerEngineCommand } from './commands/engineCommand';
import { registerFindBestModelCommand } from './commands/findBestModelCommand';
import { registerGcCommand } from './commands/gcCommand';
import { registerMonitorCommand } from './commands/monitorCommand';
import { registerRetrainCommand } from './commands/retrainCommand';
import { registerEvalCommand } from './commands/evalCommand';
import { registerFeedbackCommand } from './commands/feedbackCommand';
import { registerRunCommand } from './commands/runCommand';
import { registerTrainCommand } from './commands/trainCommand';
import { registerTuneCommand } from './commands/tuneCommand';
import { registerExperimentsCommand } from './commands/experimentsCommand';
import { registerLineageCommand } from './commands/lineageCommand';
import { registerLogCommand } from './commands/logCommand';
import { registerModelsCommand } from './commands/modelsCommand';
import { registerProfileCommand } from './commands/profileCommand';
import { registerFeaturesCommand } from './commands/featuresCommand';
import { registerRunsCommand } from './commands/runsCommand';
import { registerServerCommand } from './commands/serverCommand';
import { registerServeCommand } from './commands/serveCommand';
import { registerPredictCommand } from './commands/predictCommand';

/** Builds the `mlops` program. Each capability adds its subcommands here, one register call each. */
export function buildProgram(): Command {
  const program = new Command();
  program
    .name('mlops')
    .description(`${PRODUCT_NAME}: the machine-learning lifecycle from a terminal or a CI pipeline.`)
    .version(PRODUCT_VERSION, '-v, --version', 'print the version')
    .option('-w, --workspace <dir>', 'workspace folder (holds the .mlops store)', process.cwd())
    .option('--store <dir>', 'store folder, relative to the workspace (default .mlops, or $MLOPS_STORE)')
    .option('--json', 'print machine-readable JSON instead of tables')
    .option('--tracking-uri <url>', "an MLflow tracking server (http(s)://…) for experiments, runs, log, run, train, tune, models, predict and serve (default: $MLFLOW_TRACKING_URI; credentials from $MLFLOW_TRACKING_TOKEN or $MLFLOW_TRACKING_USERNAME/$MLFLOW_TRACKING_PASSWORD)")
    .option('--local', 'use the workspace store even when MLFLOW_TRACKING_URI is set')
    .showHelpAfterError('(run mlops --help for usage)')
    .exitOverride()
    // Which command runs decides whether a tracking URI applies to it (cliStore.ts).
    .hook('preAction', (_program, action) => setCommandPath(commandPathOf(action)));
  registerDoctorCommand(program);
  registerGcCommand(program);
  registerRunCommand(program);
  registerCopyCommand(program);
  registerTrainCommand(program);
  registerTuneCommand(program);
  registerFindBestModelCommand(program);
  registerExperimentsCommand(program);
  registerRunsCommand(program);
  registerLogCommand(program);
  registerModelsCommand(program);
  registerLineageCommand(program);
  registerServerCommand(program);
  registerEngineCommand(program);
  registerProfileCommand(program);
  registerFeaturesCommand(program);
  registerServeCommand(program);
  registerPredictCommand(program);
  registerDriftCommand(program);
  registerMonitorCommand(program);
  registerRetrainCommand(program);
  registerEvalCommand(program);
  registerFeedbackCommand(program);
  return program;
}

function commandPathOf(command: Command): string {
  const names: string[] = [];
  for (let c: Command | null = command; c && c.parent; c = c.parent) names.unshift(c.name());
  return names.join(' ');
}

/** Runs the CLI and returns the process exit code; errors become one readable line on stderr. */
export async function runCli(argv: readonly string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // help and version are "errors" to commander; they already printed what they had to.
      return error.exitCode;
    }
    if (error instanceof CliExit) return error.exitCode;
    if (error instanceof CliError) {
      process.stderr.write(`mlops: ${error.message}\n`);
      return error.exitCode;
    }
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`mlops: ${message}\n`);
    return 1;
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`mlops: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
