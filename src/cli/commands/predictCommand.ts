import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { CliError, type CliGlobalOptions } from '../cliContext';
import { cliPath, existingCliPath } from '../cliPaths';
import { withCliStore } from '../cliStore';
import { printJson } from './trackingCliSupport';

/** `mlops predict MODEL FILE`: batch-scores a CSV or Parquet file into `<name>.predictions.csv`. */
export function registerPredictCommand(program: Command): void {
  program
    .command('predict')
    .description('score a CSV or Parquet file with a model version; writes <name>.predictions.csv beside it (one line per input row)')
    .argument('<model>', 'models:/NAME@ALIAS, models:/NAME/VERSION, or a model package folder')
    .argument('<file>', 'CSV or Parquet file with the model\'s input columns')
    .option('-o, --output <file>', 'where to write the predictions (default <name>.predictions.csv)')
    .action(async (model: string, file: string, options: { output?: string }) => {
      const globals = program.opts<CliGlobalOptions>();
      const input = existingCliPath(file);
      const output = options.output ? cliPath(options.output) : undefined;
      const { scoreFile } = await import('../../core/serving/scoreFile');
      const interactive = !globals.json && process.stderr.isTTY;
      const onProgress = (p: { rows: number; bytes: number; totalBytes: number }): void => {
        if (interactive) process.stderr.write(`\r${p.rows.toLocaleString('en-US')} rows (${Math.round((100 * p.bytes) / Math.max(1, p.totalBytes))}%)`);
      };
      const run = async (packageDir: string, version?: number): Promise<void> => {
        let result;
        try {
          result = await scoreFile(packageDir, input, output, { onProgress });
        } catch (error) {
          throw new CliError((error as Error).message, 1);
        }
        if (interactive) process.stderr.write('\n');
        const rowsPerSecond = Math.round(result.rows / Math.max(result.ms / 1000, 1e-9));
        if (globals.json) printJson({ model, version: version ?? null, input, output: result.output, rows: result.rows, ms: Math.round(result.ms), rowsPerSecond });
        else process.stdout.write(`${result.rows.toLocaleString('en-US')} predictions written to ${result.output} (${(result.ms / 1000).toFixed(2)} s, ${rowsPerSecond.toLocaleString('en-US')} rows/s)\n`);
      };
      if (!model.startsWith('models:/')) {
        const dir = cliPath(model);
        if (!existsSync(dir)) throw new CliError(`${model} is neither a models:/ URI nor an existing model package folder (looked at ${dir})`);
        return run(dir);
      }
      const { packageDir, version } = await withCliStore(globals, async (store) => {
        const registry = await store.registry();
        const resolved = await registry.resolveUri(model);
        if (store.kind === 'local') return { packageDir: resolved.packageDir, version: resolved };
        // A team registry's version: its files come through the server's artifact API, once.
        if (!globals.json) process.stderr.write(`mlops: ${model} is version ${resolved.version} on ${store.where}; downloading its files\n`);
        const { downloadVersionFiles } = await import('../../core/remote/remoteModelFiles');
        return { packageDir: await downloadVersionFiles(store.tracking, store.url as string, resolved), version: resolved };
      });
      // The store is closed again before scoring: the frozen package is immutable.
      await run(packageDir, version.version);
    });
}
