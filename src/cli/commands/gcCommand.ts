import type { Command } from 'commander';
import { CliError } from '../cliContext';
import { printJson, printTable, withStore } from './trackingCliSupport';

const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** "7d", "12h", "30m", "0" (a bare number is days). */
export function parseOlderThan(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([smhd]?)$/.exec(text.trim());
  if (!m) throw new CliError(`--older-than must be a duration like 7d, 12h or 30m, not "${text}"`);
  return Number(m[1]) * (UNIT_MS[m[2] || 'd'] as number);
}

/** `mlops gc`: removes deleted runs' files after a grace period, orphaned folders and abandoned temp files. */
export function registerGcCommand(program: Command): void {
  program
    .command('gc')
    .description('remove the artifact files of runs deleted more than 7 days ago (not those a model version was registered from), artifact folders of unknown runs, abandoned upload temp files and prepared tables (the typed columns of data files read before) unused as long; reports what it freed')
    .option('--dry-run', 'list what would be removed, remove nothing')
    .option('--older-than <duration>', 'grace period for deleted runs, e.g. 7d, 12h, 0 (default 7d)')
    .action(async (options: { dryRun?: boolean; olderThan?: string }) => {
      const olderThanMs = options.olderThan === undefined ? undefined : parseOlderThan(options.olderThan);
      const { collectGarbage, describeAge, formatBytes } = await import('../../core/store/storeGc');
      const { recordGc } = await import('../../core/store/gcSchedule');
      const report = await withStore(program, async (store) => {
        const result = await collectGarbage(store, { dryRun: options.dryRun ?? false, ...(olderThanMs === undefined ? {} : { olderThanMs }) });
        if (!result.dryRun) recordGc(store.dir, result, Date.now());
        return result;
      });
      if (program.opts<{ json?: boolean }>().json) return printJson(report);
      if (report.removed.length > 0) {
        printTable(
          ['what', 'run', 'size', 'files', 'path'],
          report.removed.map((item) => [item.kind, item.runId ?? '', formatBytes(item.bytes), String(item.files), item.path]),
        );
        process.stdout.write('\n');
      }
      for (const k of report.kept) process.stdout.write(`kept ${k.runId}: ${k.reason}\n`);
      const verb = report.dryRun ? 'Would free' : 'Freed';
      process.stdout.write(`${verb} ${formatBytes(report.bytes)} (${report.removed.length} item${report.removed.length === 1 ? '' : 's'}); ${report.graceMs > 0 ? `deleted runs' files are kept ${describeAge(report.graceMs)}` : 'deleted runs\' files go at once'}.${report.dryRun ? ' Nothing was removed (--dry-run).' : ''}\n`);
    });
}
