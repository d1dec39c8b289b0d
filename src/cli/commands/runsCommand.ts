import type { Command } from 'commander';
import type { Run } from '../../core/tracking/trackingTypes';
import { resolve } from 'node:path';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore } from '../cliStore';
import { collect, formatNumber, formatTime, printJson, printTable, resolveExperimentId, withTracking } from './trackingCliSupport';

function duration(run: Run): string {
  const end = run.info.endTime ?? (run.info.status === 'RUNNING' ? Date.now() : null);
  if (end === null) return '-';
  const s = Math.max(0, Math.round((end - run.info.startTime) / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m${s % 60}s` : `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m`;
}

function printRuns(runs: readonly Run[], metricColumns: readonly string[]): void {
  printTable(
    ['RUN ID', 'NAME', 'STATUS', 'STARTED', 'DURATION', ...metricColumns],
    runs.map((r) => [
      r.info.runId,
      r.info.runName,
      r.info.status,
      formatTime(r.info.startTime),
      duration(r),
      ...metricColumns.map((key) => {
        const m = r.data.metrics.find((x) => x.key === key);
        return m ? formatNumber(m.value) : '-';
      }),
    ]),
  );
}

/** What a run used rather than learned: every run the product starts has them, so they never win "most common". */
const USAGE_KEYS = new Set(['cpu_seconds', 'wall_seconds', 'peak_rss_megabytes', 'gpu_seconds', 'cost', 'predict_latency_p50_ms', 'predict_latency_p99_ms']);

/** `--columns cost,cpu_seconds,metrics.val_loss`: metric keys, a `metrics.` prefix allowed as in filters. */
function parseColumns(text: string | undefined): string[] | undefined {
  if (text === undefined) return undefined;
  const keys = text.split(',').map((k) => k.trim().replace(/^metrics\./, '')).filter((k) => k !== '');
  if (keys.length === 0) throw new CliError(`--columns needs metric names separated by commas (e.g. cost,cpu_seconds,predict_latency_p99_ms), got "${text}"`);
  return keys;
}

/** One line of what a run used: CPU, memory, wall time, cost, and for a trained model its one-row predict latency. */
function usageLine(run: Run): string | undefined {
  const value = (key: string): number | undefined => run.data.metrics.find((m) => m.key === key)?.value;
  const cpu = value('cpu_seconds');
  const p99 = value('predict_latency_p99_ms');
  if (cpu === undefined && p99 === undefined) return undefined;
  const parts: string[] = [];
  if (cpu !== undefined) parts.push(`${cpu.toFixed(1)} CPU-seconds`);
  const rss = value('peak_rss_megabytes');
  if (rss !== undefined) parts.push(`peak ${Math.round(rss)} MB`);
  const wall = value('wall_seconds');
  if (wall !== undefined) parts.push(`${wall.toFixed(1)} s wall`);
  const gpu = value('gpu_seconds');
  if (gpu !== undefined && gpu > 0) parts.push(`${gpu.toFixed(1)} GPU-seconds`);
  const cost = value('cost');
  if (cpu !== undefined) parts.push(cost === undefined ? 'cost not priced (--cpu-hour-price or mlops.cost.*)' : `cost ${formatNumber(cost)}`);
  const p50 = value('predict_latency_p50_ms');
  if (p99 !== undefined) parts.push(`predict p99 ${formatNumber(p99)} ms${p50 !== undefined ? ` (p50 ${formatNumber(p50)} ms)` : ''} a row`);
  return `used        ${parts.join(' · ')}`;
}

/** The metric keys most runs have, so a table shows useful columns without asking (usage and system metrics last). */
function commonMetrics(runs: readonly Run[], limit = 4): string[] {
  const counts = new Map<string, number>();
  for (const r of runs) for (const m of r.data.metrics) counts.set(m.key, (counts.get(m.key) ?? 0) + 1);
  const usage = (key: string): number => (key.startsWith('system/') ? 2 : USAGE_KEYS.has(key) ? 1 : 0);
  return [...counts].sort((a, b) => usage(a[0]) - usage(b[0]) || b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, limit).map(([k]) => k);
}

function parseMax(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`--max-results must be a positive integer, got "${text}"`);
  return n;
}

interface SearchOptions {
  experiment?: string[];
  orderBy?: string[];
  maxResults?: string;
  pageToken?: string;
  all?: boolean;
  columns?: string;
}

/** `mlops runs list|show|search`. */
export function registerRunsCommand(program: Command): void {
  const runs = program.command('runs').description('list, show and search runs');

  const search = async (filter: string | undefined, options: SearchOptions): Promise<void> => {
    const columns = parseColumns(options.columns);
    await withTracking(program, async (tracking, globals) => {
      const experimentIds = await Promise.all((options.experiment ?? []).map((e) => resolveExperimentId({ tracking }, e)));
      const maxResults = parseMax(options.maxResults) ?? 100;
      const result = await tracking.searchRuns({
        experimentIds,
        ...(filter ? { filter } : {}),
        ...(options.orderBy ? { orderBy: options.orderBy } : {}),
        maxResults,
        ...(options.pageToken ? { pageToken: options.pageToken } : {}),
        viewType: options.all ? 'ALL' : 'ACTIVE_ONLY',
      });
      if (globals.json) return printJson(result);
      if (result.runs.length === 0) {
        process.stdout.write('no runs\n');
        return;
      }
      printRuns(result.runs, columns ?? commonMetrics(result.runs));
      if (result.nextPageToken) process.stdout.write(`\nmore: --page-token ${result.nextPageToken}\n`);
    });
  };

  const withSearchOptions = (command: Command): Command =>
    command
      .option('-e, --experiment <nameOrId>', 'only this experiment (repeatable)', collect)
      .option('--order-by <term>', 'e.g. "metrics.acc DESC" (repeatable)', collect)
      .option('--max-results <n>', 'page size (default 100)')
      .option('--page-token <token>', 'continue a previous listing')
      .option('--all', 'include deleted runs')
      .option('--columns <metrics>', 'metric columns, comma-separated, e.g. cost,cpu_seconds,predict_latency_p99_ms (default: the metrics most runs have)');

  withSearchOptions(runs.command('list', { isDefault: true }).description('list runs, newest first')).action(async (options: SearchOptions) =>
    search(undefined, options),
  );

  withSearchOptions(
    runs
      .command('search <filter>')
      .description("search with MLflow's filter syntax, e.g. \"metrics.acc > 0.9 AND params.model = 'cnn'\""),
  ).action(async (filter: string, options: SearchOptions) => search(filter, options));

  runs
    .command('show <runId>')
    .description('show one run: info, params, metrics (latest, min, max, count), tags, inputs')
    .action(async (runId: string) => {
      await withTracking(program, async (tracking, globals) => {
        const run = await tracking.getRun(runId);
        if (globals.json) return printJson(run);
        const i = run.info;
        const lines = [
          `run         ${i.runId}  ${i.runName}`,
          `experiment  ${i.experimentId}`,
          `status      ${i.status}${i.lifecycleStage === 'deleted' ? ' (deleted)' : ''}`,
          `started     ${formatTime(i.startTime)}   ended ${formatTime(i.endTime)}   (${duration(run)})`,
          `user        ${i.userId}`,
          ...(i.source ? [`source      ${i.source.type} ${i.source.name}`] : []),
          ...(i.gitCommit ? [`git         ${i.gitCommit}${i.gitDirty ? ' (uncommitted changes)' : ''}`] : []),
          ...(i.parentRunId ? [`parent      ${i.parentRunId}`] : []),
          `artifacts   ${i.artifactUri}`,
        ];
        const used = usageLine(run);
        if (used) lines.push(used);
        process.stdout.write(lines.join('\n') + '\n');
        if (run.data.params.length > 0) {
          process.stdout.write('\nparams\n');
          printTable(['  KEY', 'VALUE'], run.data.params.map((p) => [`  ${p.key}`, p.value]));
        }
        if (run.data.metrics.length > 0) {
          process.stdout.write('\nmetrics\n');
          printTable(
            ['  KEY', 'LATEST', 'STEP', 'MIN', 'MAX', 'POINTS'],
            run.data.metrics.map((m) => [`  ${m.key}`, formatNumber(m.value), String(m.step), formatNumber(m.min), formatNumber(m.max), String(m.count)]),
          );
        }
        const userTags = run.data.tags.filter((t) => !t.key.startsWith('mlflow.'));
        if (userTags.length > 0) {
          process.stdout.write('\ntags\n');
          printTable(['  KEY', 'VALUE'], userTags.map((t) => [`  ${t.key}`, t.value]));
        }
        if (run.inputs.datasetInputs.length > 0) {
          process.stdout.write('\ninputs\n');
          printTable(['  NAME', 'DIGEST', 'CONTEXT', 'SOURCE'], run.inputs.datasetInputs.map((d) => [`  ${d.name}`, d.digest, d.context ?? '-', d.source]));
        }
      });
    });

  runs
    .command('rerun <runId>')
    .description("train a run's exact spec again — at its commit with its uncommitted changes (a temporary git worktree when the workspace differs) — as a new run linked to it, and check that the metrics match (exit code 1 when they do not)")
    .action(async (runId: string) => {
      const globals = program.opts<CliGlobalOptions>();
      noteLocalOnly(globals, resolveStoreDir(globals));
      const { rerunTraining, RerunError } = await import('../../core/training/rerun');
      const storeDir = resolveStoreDir(globals);
      // The workspace store whatever the tracking URI says (noteLocalOnly said why): this process's,
      // or the one holding it through its server.
      const result = await withCliStore({ ...globals, trackingUri: undefined, local: true }, async (store) => {
        if (!store.engine) throw new CliError(`"mlops runs rerun" needs the workspace store at ${storeDir}.`, 1);
        try {
          return await rerunTraining({ store: store.tracking, engine: store.engine, storeDir, runId, workspaceRoot: resolve(globals.workspace) });
        } catch (error) {
          if (error instanceof RerunError) throw new CliError(error.message, 2);
          throw error;
        }
      }, { writerName: 'mlops CLI (runs rerun)', viaEngine: true });
      const where = result.where === 'worktree' ? `at commit ${result.commit?.slice(0, 10) ?? ''} in a temporary worktree` : result.where === 'copy' ? 'from the spec the run kept' : 'in the workspace';
      if (globals.json) {
        printJson({ runId: result.training.runId, rerunOf: result.originalRunId, where: result.where, ...(result.commit ? { commit: result.commit } : {}), matched: result.matched, compared: result.compared });
      } else {
        process.stdout.write(`run ${result.training.runId} re-ran ${result.originalRunId} ${where}: ${result.matched ? `metrics reproduced (${result.compared.length} equal)` : 'metrics differ'}\n`);
        const moved = result.compared.filter((c) => !c.equal);
        if (moved.length > 0) printTable(['  METRIC', 'ORIGINAL', 'RE-RUN'], moved.map((c) => [`  ${c.key}`, formatNumber(c.original), formatNumber(c.rerun)]));
      }
      if (!result.matched) throw new CliError(`the re-run did not reproduce run ${result.originalRunId}'s metrics`, 1);
    });
}
