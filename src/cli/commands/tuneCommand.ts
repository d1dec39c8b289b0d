import type { Command } from 'commander';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import { SpecError } from '../../core/training/specErrors';
import type { TuningResult } from '../../core/training/tuningRunner';
import { frontHeadline, frontTable, OBJECTIVES_TAG, PARETO_FRONT_ARTIFACT, type ParetoFrontRecord } from '../../core/training/studyFront';
import { CliError, type CliGlobalOptions } from '../cliContext';
import { withCliStore } from '../cliStore';
import { existingCliPath } from '../cliPaths';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';
import { printJson, printTable, withTracking } from './trackingCliSupport';


/** `mlops tune SPEC`: a hyperparameter search; each trial is a child run of the study run. `mlops tune front STUDY`: its Pareto front. */
export function registerTuneCommand(program: Command): void {
  const tune = program.command('tune');
  registerFrontCommand(program, tune);
  addPriceOptions(tune
    .description('search hyperparameters from a *.tune.yaml (or a *.train.yaml with a tune: section); prints each trial and the best')
    .argument('<spec>', 'path of the search spec')
    .option('--backend <name>', `training backend of the trials: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
    .option('--parallel <n>', 'trials at once (default: the spec\'s `parallel`)'))
    .action(async (specArg: string, options: { backend: string; parallel?: string } & PriceFlags) => {
      const prices = pricesFromCli(options);
      const backend = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(backend)) throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      const parallel = options.parallel === undefined ? undefined : Number(options.parallel);
      if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1)) throw new CliError(`--parallel must be a whole number ≥ 1, not "${options.parallel}"`);
      const globals = program.opts<CliGlobalOptions>();
      const specPath = existingCliPath(specArg, 'the tuning spec');
      await withCliStore(globals, async (store) => {
        const tracking = store.tracking;
        // Fail before the first trial, not after: a server that cannot be reached would lose the study.
        // (the workspace's own engine is not worth a line: that is where studies go)
        if (store.target.kind === 'remote' && store.target.via !== 'holder') {
          await tracking.searchExperiments({ maxResults: 1 });
          if (!globals.json) process.stderr.write(`logging the study and its trials to ${store.where}\n`);
        }
        const controller = new AbortController();
        const onSigint = (): void => {
          process.stderr.write('\nmlops: stopping the search…\n');
          controller.abort();
        };
        process.once('SIGINT', onSigint);
        // loaded here, not at start: the runners bring the spec parsers (yaml, ajv) with them
        const { tuneWhereTheStoreIs } = await import('../../core/training/tuneThroughEngine');
        const { TrainingInputError } = await import('../../core/training/trainingRunner');
        let result: TuningResult;
        try {
          // In the workspace engine (a closed terminal does not end the study; Ctrl+C stops it), or here for a team's server.
          result = await tuneWhereTheStoreIs({
            store: tracking,
            ...(store.engine ? { engine: store.engine } : {}),
            tuneSpecPath: specPath,
            backend,
            prices,
            signal: controller.signal,
            ...(parallel !== undefined ? { parallel } : {}),
            onProgress: (p) => {
              if (globals.json || !p.finished) return;
              const t = p.finished;
              const params = Object.entries(t.params).map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? v.toPrecision(3) : JSON.stringify(v)}`).join(' ');
              const outcome = t.state === 'failed' ? `failed: ${t.error?.split('\n')[0] ?? ''}` : `${t.state === 'pruned' ? `pruned at ${t.unit ?? 'epoch'} ${t.epochs}` : 'done'}${t.values ? ` ${t.values.map((v) => Number(v.toPrecision(4))).join(' / ')}` : t.value !== undefined ? ` ${t.value.toFixed(4)}` : ''}`;
              process.stderr.write(`trial ${String(t.number).padStart(3)}  ${outcome.padEnd(24)} ${params}\n  ${p.message}\n`);
            },
          });
        } catch (error) {
          if (error instanceof SpecError || error instanceof TrainingInputError) throw new CliError(error.message, 2);
          throw error;
        } finally {
          process.removeListener('SIGINT', onSigint);
        }
        if (globals.json) {
          process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
          return;
        }
        if (result.paretoFront) {
          printFront(`study run ${result.studyRunId} ${result.status}: ${result.trials.length} trials, objectives ${result.objectives.map((o) => `${o.direction} ${o.metric}`).join(', ')}`, result.paretoFront);
          return;
        }
        const lines = [`study run ${result.studyRunId} ${result.status}: ${result.trials.length} trials, objective ${result.objective.direction} ${result.objective.metric}`];
        if (result.best) {
          lines.push(`best: trial ${result.best.number} (run ${result.best.runId ?? '?'}) ${result.objective.metric} ${result.best.value?.toFixed(4) ?? '?'}`);
          for (const [k, v] of Object.entries(result.best.params)) lines.push(`  ${k.padEnd(26)} ${JSON.stringify(v)}`);
        } else lines.push('no trial completed');
        process.stdout.write(`${lines.join('\n')}\n`);
      }, { create: true, writerName: 'mlops CLI (tune)', viaEngine: true });
    });
}

function printFront(title: string, record: ParetoFrontRecord): void {
  process.stdout.write(`${title}\n${frontHeadline(record)}\n`);
  if (record.front.length === 0) return;
  const table = frontTable(record);
  printTable(table.header, table.rows);
}

/** `mlops tune front STUDY`: the Pareto front a study with several objectives recorded. */
function registerFrontCommand(program: Command, tune: Command): void {
  tune
    .command('front')
    .description('print the Pareto front of a study with several objectives (its trials no other beats in every objective)')
    .argument('<studyRunId>', 'the study run (mlops tune prints it; the Experiments view shows it)')
    .action(async (studyRunId: string) => {
      await withTracking(program, async (tracking, globals) => {
        const study = await tracking.getRun(studyRunId);
        const tags = new Map(study.data.tags.map((t) => [t.key, t.value]));
        if (tags.get('mlops.kind') !== 'study') throw new CliError(`run ${studyRunId} is not a hyperparameter study (mlops tune starts one)`, 2);
        if (!tags.has(OBJECTIVES_TAG)) throw new CliError(`study ${studyRunId} has one objective (${tags.get('mlops.tune.objective') ?? '?'}): it has a best trial (${tags.get('mlops.tune.best_run') ?? 'none yet'}), not a front — give the spec \`objectives:\` to search one`, 2);
        const text = await tracking.readArtifact(studyRunId, PARETO_FRONT_ARTIFACT).catch(() => undefined);
        if (!text) throw new CliError(`study ${studyRunId} has no front yet (${study.info.status === 'RUNNING' ? 'it is still running' : 'no trial completed'})`, 1);
        const record = JSON.parse(text.toString()) as ParetoFrontRecord;
        if (globals.json) {
          printJson(record);
          return;
        }
        printFront(`study run ${studyRunId} (${study.info.runName}) ${study.info.status}: objectives ${tags.get(OBJECTIVES_TAG) ?? ''}`, record);
      });
    });
}
