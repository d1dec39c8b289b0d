import { rm, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import type { ModelSearchResult } from '../../core/training/modelSearch';
import type { LeaderboardEntry } from '../../core/training/modelSearchLeaderboard';
import { COST_ENV, isPriced } from '../../core/process/runCost';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { asCliError, noteLocalOnly, openCliStore } from '../cliStore';
import { existingCliPath } from '../cliPaths';
import { printTable } from './trackingCliSupport';
import { PREDICT_LATENCY_METRICS } from '../../core/training/predictLatencyMetrics';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';

interface FindBestModelOptions {
  target?: string;
  timeBudget: string;
  costBudget?: string;
  maxLatencyMs?: string;
  metric?: string;
  backend: string;
}

const SHOWN_TEST_METRICS = ['test_accuracy', 'test_f1_macro', 'test_rmse', 'test_r2'];

/**
 * `mlops find-best-model DATA --target COL`: the CLI's "Find Best Model" — a linear baseline and
 * MLPs of several sizes as child runs within a time budget; the winner is written next to the data
 * as `<stem>.best.train.yaml`, which `mlops train` re-runs.
 */
export function registerFindBestModelCommand(program: Command): void {
  addPriceOptions(program
    .command('find-best-model')
    .description('train a linear baseline and several network sizes on a data file within a time budget, rank them, and write the winner as <data>.best.train.yaml next to the data')
    .argument('<data>', 'a CSV or Parquet file (or a *.train.yaml spec whose model the search replaces)')
    .option('--target <column>', 'the column to predict (required for a data file)')
    .option('--time-budget <seconds>', 'no new candidate starts after this many seconds', '120')
    .option('--cost-budget <amount>', 'no new candidate starts once the candidates cost this much together (needs --cpu-hour-price or another price)')
    .option('--max-latency-ms <ms>', 'rank out candidates whose measured one-row predict latency (p99, on test rows) is over this many milliseconds')
    .option('--metric <name>', 'rank by this metric (default: val_loss, val_rmse for regression); accuracies and scores rank higher-is-better')
    .option('--backend <name>', `training backend: ${BACKEND_PREFERENCES.join(', ')}`, 'auto'))
    .action(async (dataArg: string, options: FindBestModelOptions & PriceFlags) => {
      const globals = program.opts<CliGlobalOptions>();
      const prices = pricesFromCli(options);
      const backend = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(backend)) throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      const budgetSeconds = Number(options.timeBudget);
      if (!Number.isFinite(budgetSeconds) || budgetSeconds <= 0) throw new CliError(`--time-budget must be a number of seconds > 0, not "${options.timeBudget}"`);
      const costBudget = options.costBudget === undefined ? undefined : Number(options.costBudget);
      if (costBudget !== undefined && !(Number.isFinite(costBudget) && costBudget > 0)) throw new CliError(`--cost-budget must be an amount > 0, not "${options.costBudget}"`);
      if (costBudget !== undefined && !isPriced(prices)) throw new CliError(`--cost-budget needs a price to count cost by: --cpu-hour-price, --gb-hour-price or --gpu-hour-price (or $${COST_ENV.cpuHour})`);
      const maxLatencyMs = options.maxLatencyMs === undefined ? undefined : Number(options.maxLatencyMs);
      if (maxLatencyMs !== undefined && !(Number.isFinite(maxLatencyMs) && maxLatencyMs > 0)) throw new CliError(`--max-latency-ms must be a number of milliseconds > 0, not "${options.maxLatencyMs}"`);
      const input = existingCliPath(dataArg);
      const fromSpec = /\.ya?ml$/i.test(input);
      if (!fromSpec && !options.target) throw new CliError('--target COLUMN is required: the column of the data to predict');

      const { baseSpecTextForData, bestSpecText, claimBestSpecPath, searchWinner, writeBestSpec } = await import('../../core/training/bestModelSpec');
      const { loadTrainSpec } = await import('../../core/training/trainSpecParser');
      const { SpecError } = await import('../../core/training/specErrors');
      let baseSpecPath: string;
      let dataPath: string;
      let outPath: string | undefined;
      if (fromSpec) {
        baseSpecPath = input;
        try {
          dataPath = (await loadTrainSpec(input)).spec.dataset;
        } catch (error) {
          if (error instanceof SpecError) throw new CliError(error.message);
          throw error;
        }
      } else {
        // The best spec's own file is the base every candidate trains from, so each run's spec
        // tag names the file that ends up holding the winner.
        dataPath = input;
        outPath = await claimBestSpecPath(dataPath, baseSpecTextForData(dataPath, options.target as string));
        baseSpecPath = outPath;
      }

      noteLocalOnly(globals, resolveStoreDir(globals), { create: true });
      const [{ searchWhereTheStoreIs }, { budgetOutcome, formatLatencyMs }] = await Promise.all([import('../../core/training/searchThroughEngine'), import('../../core/training/modelSearchOutcome')]);
      const controller = new AbortController();
      const onSigint = (): void => {
        process.stderr.write('\nmlops: stopping the search after the current candidate…\n');
        controller.abort();
      };
      let result: ModelSearchResult | undefined;
      let written = false;
      try {
        // The workspace store whatever the tracking URI says (noteLocalOnly said why): this
        // process's, or the one holding it through its server (the candidates are its runs).
        const store = await openCliStore({ ...globals, trackingUri: undefined, local: true }, { create: true, writerName: 'mlops CLI (find-best-model)', viaEngine: true });
        process.once('SIGINT', onSigint);
        const reported = new Set<string>();
        try {
          // In the workspace engine: a closed terminal does not end the search; Ctrl+C stops it after the current candidate.
          result = await searchWhereTheStoreIs({
            store: store.tracking,
            ...(store.engine ? { engine: store.engine } : {}),
            specPath: baseSpecPath,
            budgetSeconds,
            ...(costBudget !== undefined ? { costBudget } : {}),
            ...(maxLatencyMs !== undefined ? { maxLatencyMs } : {}),
            backend,
            prices,
            signal: controller.signal,
            ...(options.metric ? { metric: options.metric } : {}),
            onUpdate: (board, done, total) => {
              const latest = board.find((e) => !reported.has(e.label));
              if (!latest) return;
              reported.add(latest.label);
              const outcome = latest.state === 'complete' ? `${latest.value === undefined ? 'no value' : latest.value.toPrecision(4)}` : latest.state === 'too_slow' ? `${latest.value === undefined ? 'no value' : latest.value.toPrecision(4)}, ${latest.error ?? 'too slow'}` : `${latest.state}: ${(latest.error ?? '').split('\n')[0]}`;
              process.stderr.write(`[${done}/${total}] ${latest.label.padEnd(24)} ${outcome} (${latest.seconds.toFixed(1)} s)\n`);
            },
          });
        } catch (error) {
          if (error instanceof SpecError) throw new CliError(error.message);
          throw await asCliError(error, store);
        } finally {
          process.removeListener('SIGINT', onSigint);
          await store.close();
        }
        const winner = searchWinner(result);
        if (!winner && result.leaderboard.some((e) => e.state === 'too_slow')) {
          throw new CliError(`no candidate met the latency budget (p99 ≤ ${options.maxLatencyMs} ms a row; search run ${result.parentRunId}): ${result.leaderboard.filter((e) => e.state === 'too_slow').map((e) => `${e.label} ${e.error ?? ''}`).join('; ')}`, 1);
        }
        if (!winner) {
          const why = result.leaderboard.find((e) => e.error)?.error ?? 'no candidate completed';
          throw new CliError(`no candidate completed (search run ${result.parentRunId}): ${why}`, 1);
        }
        if (options.metric && winner.value === undefined) {
          throw new CliError(`--metric ${options.metric}: the runs do not log it; they log ${Object.keys(winner.metrics).sort().join(', ')}`);
        }
        const experiment = (await loadTrainSpec(baseSpecPath)).spec.experiment;
        const render = (out: string): Promise<string> => bestSpecText({ baseSpecPath, outPath: out, experiment, result: result as ModelSearchResult, foundBy: '`mlops find-best-model`' });
        if (outPath === undefined) outPath = await writeBestSpec(dataPath, render);
        else await writeFile(outPath, await render(outPath));
        written = true;
      } catch (error) {
        // a search that found nothing leaves no half-written recipe behind
        if (!written && outPath !== undefined) await rm(outPath, { force: true });
        throw error;
      }

      if (globals.json) {
        process.stdout.write(`${JSON.stringify({ spec: outPath, parentRunId: result.parentRunId, metric: result.metric, direction: result.direction, task: result.task ?? null, candidates: result.candidates.map((c) => c.label), leaderboard: result.leaderboard, budgets: { seconds: result.budgetSeconds, cost: result.costBudget ?? null, latencyP99Ms: result.maxLatencyMs ?? null }, spent: result.spent, stoppedBy: result.stoppedBy ?? null }, null, 2)}\n`);
        return;
      }
      const extra = SHOWN_TEST_METRICS.filter((k) => result.leaderboard.some((e) => e.metrics[k] !== undefined));
      const format = (v: number | undefined): string => (v === undefined ? '—' : v.toPrecision(4));
      const latency = result.maxLatencyMs !== undefined;
      printTable(
        ['rank', 'model', result.metric, ...extra, ...(latency ? ['p99 ms'] : []), 'time', 'run'],
        result.leaderboard.map((e: LeaderboardEntry) => [
          e.state === 'complete' ? String(e.rank) : '—',
          e.label,
          format(e.value),
          ...extra.map((k) => format(e.metrics[k])),
          ...(latency ? [e.metrics[PREDICT_LATENCY_METRICS.p99] === undefined ? '—' : formatLatencyMs(e.metrics[PREDICT_LATENCY_METRICS.p99] as number)] : []),
          `${e.seconds.toFixed(1)} s`,
          e.state === 'complete' ? (e.runId ?? '') : (e.error ?? e.state).split('\n')[0] ?? '',
        ]),
      );
      const outcome = budgetOutcome(result);
      process.stdout.write(`${outcome ? `\n${outcome}` : ''}\nRanked by ${result.metric} (${result.direction === 'minimize' ? 'lower' : 'higher'} is better); search run ${result.parentRunId}.\nBest spec written to ${outPath}; re-run it with: mlops train ${outPath}\n`);
    });
}
