import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import type { RetrainAttempt } from '../../core/retraining/retrainAttempts';
import type { RetrainOutcome } from '../../core/retraining/retrainRunner';
import { CliError, CliExit, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { monitorArgument } from '../cliPaths';
import { userErrors } from './monitorCommand';
import { withWorkspaceEngine } from './monitoringEngine';
import { formatTime, printJson, printTable } from './trackingCliSupport';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';

/** at most one training progress line per this many ms */
const PRINT_EVERY_MS = 1000;

function attemptRow(a: RetrainAttempt, formatScorePair: (a: number | null, b: number | null) => { text: string }): string[] {
  const trigger = a.trigger.kind === 'alert' ? `alert #${a.trigger.alertId ?? '?'}` : `manual${a.trigger.alertId !== undefined ? ` (alert #${a.trigger.alertId})` : ''}`;
  const scores = a.metric ? `${a.metric} ${formatScorePair(a.candidateScore, a.championScore).text}` : '-';
  return [
    String(a.id),
    formatTime(a.startedAt),
    trigger,
    a.status,
    a.version === null ? '-' : `v${a.version}`,
    a.championVersion === null ? '-' : `v${a.championVersion}`,
    scores,
    a.status === 'failed' || a.status === 'cancelled' ? a.reason : a.runId ?? '-',
  ];
}

/** `mlops retrain MONITOR`: runs a monitor's retraining policy now (or shows what it would do, or its history). */
export function registerRetrainCommand(program: Command): void {
  addPriceOptions(program
    .command('retrain')
    .description("run a monitor's retraining policy now: train its spec, register the next version, score it and the alias's version on the same holdout, promote or file a review only if it wins; exits 1 when the attempt failed")
    .argument('<monitor>', 'monitor name or *.monitor.yaml file (its `retrain:` block is the policy)')
    .option('--dry-run', 'print what would happen; train and change nothing')
    .option('--force', 'start even within the cool-down (one attempt in flight per monitor still applies)')
    .option('--backend <name>', `training backend: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
    .option('--history', "list the monitor's retraining attempts instead of running one"))
    .action(async (target: string, options: { dryRun?: boolean; force?: boolean; backend: string; history?: boolean } & PriceFlags) => {
      const globals = program.opts<CliGlobalOptions>();
      const prices = pricesFromCli(options);
      const backend = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(backend)) throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      const { resolveMonitor } = await import('../../core/monitoring/monitorRunner');
      const { planLines, outcomeHeadline } = await import('../../core/retraining/retrainText');
      const { formatScorePair } = await import('../../core/retraining/retrainDecision');
      const spec = await userErrors(() => resolveMonitor(globals.workspace, monitorArgument(target)));
      if (!spec.retrain) throw new CliError(`${spec.file}: monitor ${spec.name} has no retraining policy; add a \`retrain:\` block (spec, model, data) to it (see the README's "Retraining")`);

      if (options.history) {
        if (!existsSync(resolveStoreDir(globals))) return void process.stdout.write(`Monitor ${spec.name} has never retrained (no workspace store yet).\n`);
        return withWorkspaceEngine(program, async (engine) => {
          const attempts = await engine.call('monitoring.retrainAttempts', { monitor: spec.name });
          if (globals.json) return printJson(attempts);
          if (attempts.length === 0) return void process.stdout.write(`Monitor ${spec.name} has never retrained.\n`);
          printTable(['attempt', 'started', 'trigger', 'outcome', 'new', 'vs', 'scores', 'run / reason'], attempts.map((a) => attemptRow(a, formatScorePair)));
        });
      }

      if (options.dryRun) {
        const { planRetrain } = await import('../../core/retraining/retrainRunner');
        // Reading the registry and the attempts needs the store; without one there is no champion and no history.
        const plan = existsSync(resolveStoreDir(globals))
          ? await withWorkspaceEngine(program, (engine) => userErrors(() => engine.call('monitoring.retrainPlan', { monitorFile: spec.file, ignoreCooldown: options.force ?? false })))
          : await userErrors(() => planRetrain(spec, { ignoreCooldown: options.force ?? false }));
        if (globals.json) return printJson({ dryRun: true, ...plan });
        process.stdout.write(`${planLines(plan).join('\n')}\nDry run: nothing was trained or changed.\n`);
        return;
      }

      const controller = new AbortController();
      const onSigint = (): void => {
        process.stderr.write('\nmlops: cancelling the retraining attempt…\n');
        controller.abort();
      };
      process.once('SIGINT', onSigint);
      let lastTrainingLine = 0;
      const onProgress = (p: { message: string }): void => {
        if (globals.json) return;
        const now = Date.now();
        if (p.message.startsWith('training: ') && now - lastTrainingLine < PRINT_EVERY_MS) return;
        if (p.message.startsWith('training: ')) lastTrainingLine = now;
        process.stderr.write(`${p.message}\n`);
      };
      let outcome: RetrainOutcome;
      try {
        // The attempt runs in the process that holds the store (this one, or VS Code through its
        // server); this command follows it, and Ctrl+C cancels it there.
        outcome = await withWorkspaceEngine(
          program,
          (engine) =>
            userErrors(async (): Promise<RetrainOutcome> => {
              const started = await engine.call('monitoring.startRetrain', { monitorFile: spec.file, backend, prices, ignoreCooldown: options.force ?? false });
              if (started.kind === 'skipped') return started;
              const { followRetrain } = await import('../../core/retraining/retrainFollow');
              return { kind: 'finished', monitor: spec.name, attempt: await followRetrain(engine, started.attemptId, { signal: controller.signal, onProgress }) };
            }),
          // minutes of training: the engine runs the attempt (started if none runs), not this process
          { create: true, viaEngine: true },
        );
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
      if (globals.json) printJson(outcome);
      else {
        process.stdout.write(`${outcomeHeadline(outcome)}\n`);
        if (outcome.kind === 'finished') printTable(['attempt', 'started', 'trigger', 'outcome', 'new', 'vs', 'scores', 'run / reason'], [attemptRow(outcome.attempt, formatScorePair)]);
      }
      if (outcome.kind === 'finished' && outcome.attempt.status === 'failed') throw new CliExit(1);
      if (outcome.kind === 'finished' && outcome.attempt.status === 'cancelled') throw new CliExit(130);
    });
}
