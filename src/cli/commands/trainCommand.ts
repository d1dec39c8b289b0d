import type { Command } from 'commander';
import { join } from 'node:path';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import { SpecError } from '../../core/training/specErrors';
import type { TrainingRegistration } from '../../core/training/specRegistration';
import type { TrainingProgress, TrainingResult } from '../../core/training/trainingRunner';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { withCliStore } from '../cliStore';
import { existingCliPath } from '../cliPaths';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';

/** at most one progress line per this many ms, plus every epoch when epochs are slow */
const PRINT_EVERY_MS = 1000;

/** `mlops train SPEC`: trains the model a *.train.yaml describes as a tracked run in the workspace store. */
export function registerTrainCommand(program: Command): void {
  addPriceOptions(program
    .command('train')
    .description('train a model from a *.train.yaml spec; prints progress, the run id and the final metrics')
    .argument('<spec>', 'path of the training spec (*.train.yaml)')
    .option('--backend <name>', `training backend: ${BACKEND_PREFERENCES.join(', ')} (js = built-in typed-array trainer, no TensorFlow.js)`, 'auto')
    .option('--experiment <name>', 'experiment to log into (default: the spec\'s `experiment`)')
    .option('--quiet', 'print only the result'))
    .action(async (specArg: string, options: { backend: string; experiment?: string; quiet?: boolean } & PriceFlags) => {
      const prices = pricesFromCli(options);
      const backend = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(backend)) throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      const globals = program.opts<CliGlobalOptions>();
      const specPath = existingCliPath(specArg, 'the training spec');
      // A spec error is the user's to fix at once: say it before anything starts (the engine, a run).
      const { loadTrainSpec } = await import('../../core/training/trainSpecParser');
      await loadTrainSpec(specPath).catch((error: unknown) => {
        throw error instanceof SpecError ? new CliError(error.message, 2) : error;
      });
      await withCliStore(globals, async (store) => {
        // Fail before training, not after: a server that cannot be reached would lose the run.
        if (store.kind === 'remote') await store.tracking.searchExperiments({ maxResults: 1 });
        const controller = new AbortController();
        const onSigint = (): void => {
          process.stderr.write('\nmlops: cancelling training…\n');
          controller.abort();
        };
        process.once('SIGINT', onSigint);
        const log = (line: string): void => {
          if (!options.quiet && !globals.json) process.stderr.write(`${line}\n`);
        };
        // Through the engine of this workspace is the usual way: say where only for a team's server.
        if (store.target.kind === 'remote' && store.target.via !== 'holder') log(`logging to ${store.where}`);
        let lastPrint = 0;
        let lastEpoch = 0;
        const onProgress = (p: TrainingProgress): void => {
          // even with --quiet or --json: a warning says the run trained on less than the file holds
          for (const warning of p.warnings ?? []) process.stderr.write(`mlops: warning: ${warning}\n`);
          const now = Date.now();
          if (p.phase === 'training' && p.epoch > 0) {
            const epochEnded = p.batch === p.batchesPerEpoch && p.epoch !== lastEpoch;
            if (epochEnded) lastEpoch = p.epoch;
            // the first epoch, then at most one line a second (a long epoch reports while it runs)
            const due = epochEnded ? p.epoch === 1 || now - lastPrint >= PRINT_EVERY_MS : now - lastPrint >= 5 * PRINT_EVERY_MS;
            if (!due) return;
          }
          lastPrint = now;
          const batch = p.phase === 'training' && p.epoch > 0 && p.batch < p.batchesPerEpoch ? ` (batch ${p.batch}/${p.batchesPerEpoch})` : '';
          log(`${p.runId ? `[${p.runId.slice(0, 8)}] ` : ''}${p.message}${batch}`);
        };
        // loaded here, not at start: the runner brings the spec parser (yaml, ajv) with it
        const training = await import('../../core/training/trainingRunner');
        const { trainWhereTheStoreIs } = await import('../../core/training/trainThroughEngine');
        let result: TrainingResult;
        let modelDir: string;
        try {
          // In the workspace engine (a closed terminal does not end it; Ctrl+C cancels it), or here for a team's server.
          result = await trainWhereTheStoreIs({
            store: store.tracking,
            // The workspace store's engine (here or the holder's) registers and records lineage; with a
            // team server, its registry does, and feature sets still come from the views on this disk.
            ...(store.engine ? { engine: store.engine } : { registry: await store.registry() }),
            storeDir: resolveStoreDir(globals),
            specPath,
            backend,
            prices,
            signal: controller.signal,
            onProgress,
            ...(options.experiment ? { experimentName: options.experiment } : {}),
          });
          const info = (await store.tracking.getRun(result.runId)).info;
          // The engine of this workspace keeps artifacts in the store folder on this disk: show that folder.
          const { runArtifactFolder } = await import('../../core/tracking/runArtifactFolder');
          const folder = runArtifactFolder(info, store.target.kind === 'local' || store.target.via === 'holder' ? { storeDir: resolveStoreDir(globals) } : {});
          modelDir = folder.local ? join(folder.path, result.modelArtifactPath) : `${info.artifactUri}/${result.modelArtifactPath}`;
        } catch (error) {
          if (error instanceof SpecError || error instanceof training.TrainingInputError) throw new CliError(error.message, 2);
          if (error instanceof training.TrainingCancelledError) throw new CliError(`training cancelled${error.runId ? `; run ${error.runId} is marked KILLED` : ''}`, 130);
          if (error instanceof training.TrainingFailedError) throw new CliError(`training failed (run ${error.runId} is marked FAILED${store.target.kind === 'remote' && store.target.via !== 'holder' ? ` on ${store.where}` : ''}): ${error.message}`, 1);
          throw error;
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
        if (globals.json) {
          process.stdout.write(`${JSON.stringify({ runId: result.runId, experimentId: result.experimentId, backend: result.backend, epochsRun: result.epochsRun, unit: result.stepName, stoppedEarly: result.stoppedEarly, datasetDigest: result.datasetDigest, modelDir, metrics: result.metrics, usage: result.usage, ...(result.cost !== undefined ? { cost: result.cost } : {}), ...(result.registration ? { registration: result.registration } : {}), ...(result.warnings.length > 0 ? { warnings: result.warnings } : {}) }, null, 2)}\n`);
          return;
        }
        const shown = Object.entries(result.metrics).filter(([k]) => !k.startsWith('test_confusion_') && !/^test_(precision|recall|f1)_(?!macro)/.test(k));
        const lines = [
          `run ${result.runId} FINISHED (experiment ${result.experimentId}, backend ${result.backend}, ${result.epochsRun} ${result.stepName}${result.epochsRun === 1 ? '' : 's'}${result.stoppedEarly ? ', stopped early' : ''})`,
          ...shown.map(([k, v]) => `  ${k.padEnd(22)} ${Number.isInteger(v) ? v : v.toFixed(4)}`),
          `model package  ${modelDir}`,
          `used           ${result.usage.cpuSeconds.toFixed(1)} CPU-seconds, peak ${result.usage.peakRssMegabytes.toFixed(0)} MB, ${result.usage.wallSeconds.toFixed(1)} s${result.cost !== undefined ? `; cost ${result.cost.toPrecision(3)}` : ''}`,
          ...(result.registration ? [describeRegistration(result.registration)] : []),
        ];
        process.stdout.write(`${lines.join('\n')}\n`);
      }, { create: true, writerName: 'mlops CLI (train)', viaEngine: true });
    });
}

/** One line for the spec's `register:` outcome. */
function describeRegistration(registration: TrainingRegistration): string {
  if ('error' in registration) return `not registered   ${registration.error}`;
  const uri = `models:/${registration.name}/${registration.version}`;
  if (registration.reviewId !== undefined) return `registered     ${uri}; review #${registration.reviewId} requested to point @${registration.alias} at it`;
  return `registered     ${uri}${registration.alias ? ` (@${registration.alias})` : ''}`;
}
