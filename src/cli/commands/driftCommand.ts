import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { CliError, CliExit, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { cliPath } from '../cliPaths';
import type { DriftOptions, DriftTestName } from '../../core/drift/driftTypes';
import { printJson, printTable } from './trackingCliSupport';

const TESTS = ['ks', 'chisquare', 'z', 'wasserstein', 'jensenshannon', 'psi'];

interface DriftCliOptions {
  columns?: string;
  test?: string;
  threshold?: string;
  driftShare?: string;
  prediction?: string;
}

function share(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new CliError(`${flag} must be a non-negative number, got "${value}"`);
  return n;
}

/** Turns the flags into report options; every bad value names its flag. */
export function driftOptionsFromFlags(options: DriftCliOptions): DriftOptions {
  if (options.test !== undefined && !TESTS.includes(options.test)) throw new CliError(`--test must be one of ${TESTS.join(', ')}, got "${options.test}"`);
  const driftShare = share(options.driftShare, '--drift-share');
  if (driftShare !== undefined && driftShare > 1) throw new CliError(`--drift-share is a share between 0 and 1, got "${options.driftShare}"`);
  return {
    columns: options.columns ? options.columns.split(',').map((c) => c.trim()).filter((c) => c.length > 0) : undefined,
    test: options.test as DriftTestName | undefined,
    threshold: share(options.threshold, '--threshold'),
    driftShare,
    predictionColumn: options.prediction,
  };
}

/** `mlops drift REFERENCE CURRENT`: per-column drift; exit code 1 when the dataset drifted (for CI). */
export function registerDriftCommand(program: Command): void {
  program
    .command('drift <reference> <current>')
    .description('compare CURRENT data with REFERENCE data column by column (CSV or Parquet); exits 1 when the dataset drifted')
    .option('--columns <a,b>', 'only these columns (comma-separated)')
    .option('--test <name>', `use this test for every column: ${TESTS.join(', ')} (default: chosen per column as Evidently does)`)
    .option('--threshold <x>', 'p-value (ks, chisquare, z) or distance (wasserstein, jensenshannon, psi) threshold')
    .option('--drift-share <s>', 'dataset drift when at least this share of the columns drifted', '0.5')
    .option('--prediction <column>', 'a model-output column, reported as prediction drift')
    .action(async (reference: string, current: string, options: DriftCliOptions) => {
      const globals = program.opts<CliGlobalOptions>();
      const driftOptions = driftOptionsFromFlags(options);
      const { readDriftTable } = await import('../../core/drift/driftSources');
      const { computeDriftReport } = await import('../../core/drift/driftReport');
      const { DriftInputError } = await import('../../core/drift/columnDrift');
      const { DataError } = await import('../../core/data/dataErrors');
      const { tableCacheFolder } = await import('../../core/data/tableCache');
      // a workspace with a store keeps the files' typed columns for the next comparison
      const storeDir = resolveStoreDir(globals);
      const cacheFolder = existsSync(storeDir) ? tableCacheFolder(storeDir) : undefined;
      let report;
      try {
        const [ref, cur] = await Promise.all([
          readDriftTable(cliPath(reference), reference, cacheFolder),
          readDriftTable(cliPath(current), current, cacheFolder),
        ]);
        report = computeDriftReport(ref, cur, driftOptions);
      } catch (error) {
        if (error instanceof DataError || error instanceof DriftInputError) throw new CliError(error.message);
        throw error;
      }
      if (globals.json) {
        printJson(report);
      } else {
        const { DRIFT_TABLE_HEADER, datasetDriftLine, driftTableRow } = await import('../../core/drift/driftSummary');
        printTable(DRIFT_TABLE_HEADER, report.columns.map(driftTableRow));
        if (report.prediction) {
          process.stdout.write('\nPrediction drift:\n');
          printTable(DRIFT_TABLE_HEADER, [driftTableRow(report.prediction)]);
        }
        process.stdout.write(`\n${datasetDriftLine(report)}\n`);
      }
      if (report.datasetDrift) throw new CliExit(1);
    });
}
