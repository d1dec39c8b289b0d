import type { Command } from 'commander';
import { CliError, CliExit, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { monitorArgument } from '../cliPaths';
import type { MonitorRunResult } from '../../core/monitoring/monitorRunner';
import type { MonitorSpec } from '../../core/monitoring/monitorSpec';
import { withWorkspaceEngine } from './monitoringEngine';
import { formatTime, printJson, printTable } from './trackingCliSupport';

/** Engine errors the user fixes (bad spec, bad data, unknown model) become one CliError line. */
export async function userErrors<T>(action: () => Promise<T>): Promise<T> {
  try {
    return await action();
  } catch (error) {
    const { SpecError } = await import('../../core/training/specErrors');
    const { DataError } = await import('../../core/data/dataErrors');
    const { DriftInputError } = await import('../../core/drift/columnDrift');
    const { RetrainError } = await import('../../core/retraining/retrainRunner');
    const { EngineCallError } = await import('../../core/engine/engineWire');
    // the same errors, raised in the process that holds the store
    if (error instanceof EngineCallError && ['SpecError', 'DataError', 'DriftInputError', 'RetrainError', 'FeedbackError'].includes(error.code)) throw new CliError(error.message);
    if (error instanceof SpecError || error instanceof DataError || error instanceof DriftInputError || error instanceof RetrainError) throw new CliError(error.message);
    if (error instanceof Error && /not found|does not exist|RESOURCE_DOES_NOT_EXIST/i.test(error.message)) throw new CliError(error.message);
    throw error;
  }
}

async function printResult(result: MonitorRunResult, json: boolean | undefined): Promise<void> {
  if (json) {
    printJson({ monitor: result.spec.name, reportId: result.reportId ?? null, tripped: result.tripped, alert: result.alert ?? null, report: result.report });
    return;
  }
  const { DRIFT_TABLE_HEADER, datasetDriftLine, driftTableRow } = await import('../../core/drift/driftSummary');
  process.stdout.write(`Monitor ${result.spec.name}: ${result.report.reference.name} → ${result.report.current.name}\n\n`);
  printTable(DRIFT_TABLE_HEADER, result.report.columns.map(driftTableRow));
  if (result.report.prediction) {
    process.stdout.write('\nPrediction drift:\n');
    printTable(DRIFT_TABLE_HEADER, [driftTableRow(result.report.prediction)]);
  }
  process.stdout.write(`\n${datasetDriftLine(result.report)}\n`);
  if (result.reportId !== undefined) process.stdout.write(`Stored as report ${result.reportId}${result.tripped ? ' with an alert' : ''}.\n`);
}

/** `mlops monitor run NAME|FILE`, `mlops monitor list`, `mlops monitor history NAME`. */
export function registerMonitorCommand(program: Command): void {
  const monitor = program.command('monitor').description('drift monitors (*.monitor.yaml): run them, list them, see their history');

  monitor
    .command('run <monitor>')
    .description('run a monitor by name or file; stores the report (and an alert when it trips); exits 1 when the dataset drifted')
    .option('--no-save', 'compute and print only; do not store the report')
    .action(async (target: string, options: { save: boolean }) => {
      const globals = program.opts<CliGlobalOptions>();
      const { resolveMonitor, runMonitor } = await import('../../core/monitoring/monitorRunner');
      const { tableCacheFolder } = await import('../../core/data/tableCache');
      const spec: MonitorSpec = await userErrors(() => resolveMonitor(globals.workspace, monitorArgument(target)));
      // The statistics run here; the store's part (a model's training data, an endpoint's traffic,
      // keeping the report) is done by whichever process holds the store, this one or VS Code.
      const result =
        options.save || spec.reference.kind === 'model' || spec.current.kind === 'endpoint'
          ? await withWorkspaceEngine(program, (engine, _store, g) => userErrors(() => runMonitor(spec, { engine, cacheFolder: tableCacheFolder(resolveStoreDir(g)), save: options.save })), { create: options.save })
          : await userErrors(() => runMonitor(spec));
      await printResult(result, globals.json);
      if (result.tripped) throw new CliExit(1);
    });

  monitor
    .command('list')
    .description('monitors in the workspace with their last status')
    .action(async () => {
      const globals = program.opts<CliGlobalOptions>();
      const { findMonitorSpecs } = await import('../../core/monitoring/monitorRunner');
      const { loadMonitorSpec } = await import('../../core/monitoring/monitorSpecParser');
      const { relative } = await import('node:path');
      const files = await findMonitorSpecs(globals.workspace);
      const { SpecError } = await import('../../core/training/specErrors');
      const loaded = await Promise.all(files.map((f) => loadMonitorSpec(f).catch((error: unknown) => (error instanceof SpecError ? error : Promise.reject(error)))));
      for (const bad of loaded) if (bad instanceof SpecError) process.stderr.write(`mlops: skipped an invalid monitor: ${bad.message}\n`);
      const specs = loaded.filter((s): s is MonitorSpec => !(s instanceof SpecError));
      const { existsSync } = await import('node:fs');
      const { describePolicy } = await import('../../core/retraining/retrainPolicy');
      const last = existsSync(resolveStoreDir(globals)) && specs.length > 0
        ? await withWorkspaceEngine(program, async (engine) => {
            const states = await engine.call('monitoring.treeState', { monitors: specs.map((s) => ({ name: s.name })) });
            return states.map((s) => ({ entry: s.last ?? undefined, alerts: s.openAlerts }));
          })
        : specs.map(() => ({ entry: undefined, alerts: 0 }));
      const rows = specs.map((s, i) => {
        const info = last[i];
        const entry = info?.entry;
        return {
          name: s.name,
          file: relative(globals.workspace, s.file),
          lastRun: entry ? formatTime(entry.createdAt) : '-',
          status: entry ? (entry.datasetDrift ? 'DRIFT' : 'ok') : 'never run',
          driftShare: entry ? entry.driftShare : null,
          openAlerts: info?.alerts ?? 0,
          retrain: s.retrain ? describePolicy(s.retrain) : null,
        };
      });
      if (globals.json) return printJson(rows);
      if (rows.length === 0) return void process.stdout.write(`No *.monitor.yaml under ${globals.workspace}.\n`);
      printTable(['monitor', 'file', 'last run', 'status', 'drift share', 'alerts', 'retrain (model@alias · data · promote · cool-down)'], rows.map((r) => [r.name, r.file, r.lastRun, r.status, r.driftShare === null ? '-' : `${Math.round(r.driftShare * 100)}%`, String(r.openAlerts), r.retrain ?? '-']));
    });

  monitor
    .command('history <name>')
    .description("a monitor's stored runs: dataset drift share over time")
    .option('--limit <n>', 'newest N runs', '50')
    .action(async (name: string, options: { limit: string }) =>
      withWorkspaceEngine(program, async (engine, _store, globals) => {
        const limit = Number(options.limit);
        if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit must be a positive integer, got "${options.limit}"`);
        const entries = await engine.call('monitoring.history', { monitor: name, limit });
        if (globals.json) return printJson(entries);
        if (entries.length === 0) return void process.stdout.write(`Monitor ${name} has no stored runs.\n`);
        printTable(
          ['report', 'time', 'dataset drift', 'share', 'drifted columns'],
          entries.map((e) => [String(e.id), formatTime(e.createdAt), e.datasetDrift ? 'DRIFT' : 'no', `${Math.round(e.driftShare * 100)}%`, e.columns.filter((c) => c.drifted).map((c) => c.column).join(', ') || '-']),
        );
      }),
    );
}
