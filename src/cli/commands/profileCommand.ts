import { writeFile, readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliGlobalOptions } from '../cliContext';
import { CliError } from '../cliContext';
import { cliPath } from '../cliPaths';
import type { DataProfile } from '../../core/profile/profileTypes';
import { printJson } from './trackingCliSupport';

interface ProfileCliOptions {
  target?: string;
  html?: string;
  save?: string;
  compare?: string;
  progress?: boolean;
}

async function loadProfile(path: string): Promise<DataProfile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CliError(`Cannot read the saved profile ${path}: ${(error as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`${path} is not a saved profile: ${(error as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || (value as { version?: unknown }).version !== 1 || !Array.isArray((value as { columns?: unknown }).columns)) {
    throw new CliError(`${path} is not a saved profile (mlops profile FILE --save OUT.json writes one)`);
  }
  return value as DataProfile;
}

/** `mlops profile FILE`: a streaming data profile of a CSV/TSV, JSON Lines or Parquet file. */
export function registerProfileCommand(program: Command): void {
  program
    .command('profile <file>')
    .description('profile a CSV/TSV, JSON Lines or Parquet file: types, missing values, distributions, correlations, duplicates, warnings')
    .option('--target <column>', 'association of every column with this target, and leakage warnings')
    .option('--html <out>', 'also write a self-contained HTML snapshot')
    .option('--save <out>', 'also write the profile as JSON (for --compare later)')
    .option('--compare <baseline>', 'compare with a saved profile (e.g. of the training data)')
    .option('--no-progress', 'no progress on stderr')
    .action(async (file: string, options: ProfileCliOptions) => {
      const globals = program.opts<CliGlobalOptions>();
      const { profileFile } = await import('../../core/profile/profileFile');
      const { DataError } = await import('../../core/data/dataErrors');
      const showProgress = options.progress !== false && process.stderr.isTTY === true;
      const controller = new AbortController();
      const onSigint = (): void => controller.abort();
      process.once('SIGINT', onSigint);
      let profile: DataProfile;
      try {
        profile = await profileFile(cliPath(file), {
          displayName: file,
          target: options.target,
          signal: controller.signal,
          onProgress: showProgress
            ? (p) => process.stderr.write(`\rprofiling ${file}: ${((100 * p.bytesDone) / Math.max(1, p.bytesTotal)).toFixed(0)}% (${p.rows.toLocaleString('en-US')} rows)`)
            : undefined,
        });
      } catch (error) {
        if (error instanceof DataError) throw new CliError(error.message, 1);
        if (error instanceof Error && /target column/.test(error.message)) throw new CliError(error.message);
        throw error;
      } finally {
        process.removeListener('SIGINT', onSigint);
        if (showProgress) process.stderr.write('\r\x1b[K');
      }
      const { comparisonMarkdown, profileHtml, profileMarkdown } = await import('../../core/profile/profileReport');
      if (options.save) await writeFile(options.save, JSON.stringify(profile, null, 1));
      if (options.html) await writeFile(options.html, profileHtml(profile));
      if (options.compare) {
        const { compareProfiles } = await import('../../core/profile/profileCompare');
        const comparison = compareProfiles(await loadProfile(options.compare), profile);
        if (globals.json) printJson(comparison);
        else process.stdout.write(comparisonMarkdown(comparison));
        return;
      }
      if (globals.json) printJson(profile);
      else process.stdout.write(profileMarkdown(profile));
    });
}
