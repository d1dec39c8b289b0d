import type { Command } from 'commander';
import { CliError, type CliGlobalOptions } from '../cliContext';
import type { EndpointInfo } from '../../core/serving/endpointManager';
import { printJson, withStore } from './trackingCliSupport';

function parsePort(text: string | undefined): number {
  if (text === undefined) return 0;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be an integer from 0 to 65535 (0 picks a free port), got "${text}"`);
  return port;
}

function parseRate(text: string | undefined): number {
  if (text === undefined) return 1;
  const rate = Number(text);
  if (!(rate >= 0 && rate <= 1)) throw new CliError(`--log-sample must be a fraction from 0 to 1, got "${text}"`);
  return rate;
}

function waitForStopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const stop = (signal: string): void => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      resolve(signal);
    };
    const onInt = (): void => stop('SIGINT');
    const onTerm = (): void => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

/** `mlops serve MODEL_URI`: a local REST endpoint (MLflow scoring protocol) in the foreground until Ctrl+C. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve a registered model version on 127.0.0.1 with MLflow\'s scoring protocol until Ctrl+C (an @alias endpoint follows the alias)')
    .argument('<model>', 'models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default 0: a free one)')
    .option('--log-sample <fraction>', 'fraction of requests written to the request log (default 1)')
    .action(async (uri: string, options: { port?: string; logSample?: string }) => {
      const port = parsePort(options.port);
      const logSampleRate = parseRate(options.logSample);
      await withStore(program, async (store, globals: CliGlobalOptions) => {
        const { EndpointManager } = await import('../../core/serving/endpointManager');
        const manager = new EndpointManager(store);
        let info: EndpointInfo;
        try {
          info = await manager.start({ uri, port, limits: { logSampleRate } });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        if (globals.json) printJson({ name: info.name, url: info.url, port: info.port, model: info.uri, version: info.version });
        else {
          const inputs = (await (await fetch(`${info.url}/metadata`)).json()) as { signature: { inputs: { name: string; type: string; categories?: string[] }[] } };
          const example = Object.fromEntries(inputs.signature.inputs.map((i) => [i.name, i.type === 'double' ? 1.0 : (i.categories?.[0] ?? 'a')]));
          const lines = [
            `Serving ${info.uri} (version ${info.version}) at ${info.url}${info.followsAlias ? ' — follows the alias' : ''}`,
            '',
            'Try it:',
            `  curl -s ${info.url}/invocations -H 'Content-Type: application/json' \\`,
            `    -d '${JSON.stringify({ dataframe_records: [example] })}'`,
            '',
            `Also: GET ${info.url}/ping, /health, /version, /metadata. Ctrl+C stops it.`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        const subscription = manager.onDidChange(() => {
          const now = manager.list()[0];
          if (now && now.version !== info.version) {
            process.stderr.write(`mlops: ${now.uri} moved: now serving version ${now.version}\n`);
            info = now;
          }
        });
        const signal = await waitForStopSignal();
        subscription.dispose();
        process.stderr.write(`mlops: ${signal}: stopping the endpoint\n`);
        await manager.stopAll();
      }, { create: false });
    });
}
