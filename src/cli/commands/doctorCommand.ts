import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { runChildJob } from '../../core/process/childJob';
import { BACKEND_PREFERENCES, type BackendPreference } from '../../core/process/workerProtocol';
import { PRODUCT_VERSION } from '../../core/product/productInfo';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';


/** `mlops doctor`: what this machine offers MLOps Studio — versions, the store, training backends. */
export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('check the environment: versions, the workspace store, which TensorFlow.js backend training would use')
    .option('--backend <name>', `backend to try: ${BACKEND_PREFERENCES.join(', ')}`, 'auto')
    .action(async (options: { backend: string }) => {
      const preference = options.backend as BackendPreference;
      if (!BACKEND_PREFERENCES.includes(preference)) {
        throw new CliError(`--backend must be one of ${BACKEND_PREFERENCES.join(', ')}, not "${options.backend}"`);
      }
      const globals = program.opts<CliGlobalOptions>();
      const storeDir = resolveStoreDir(globals);
      const report = await runChildJob('detectBackends', { preference });
      const summary = {
        version: PRODUCT_VERSION,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        store: { dir: storeDir, exists: existsSync(storeDir) },
        training: report,
      };
      if (globals.json) {
        process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        return;
      }
      const lines = [
        `MLOps Studio ${summary.version} on Node ${summary.node} (${summary.platform})`,
        `store       ${storeDir}${summary.store.exists ? '' : '  (not created yet)'}`,
        `training    ${report.chosen} backend`,
        ...report.attempts.map((a) => `  ${a.ok ? 'ok  ' : 'no  '} ${a.backend.padEnd(10)} ${a.ok ? `${a.ms.toFixed(0)} ms` : a.reason ?? ''}`),
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
