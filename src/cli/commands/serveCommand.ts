import type { Command } from 'commander';
import { CliError, type CliGlobalOptions } from '../cliContext';
import type { EndpointInfo } from '../../core/serving/endpointManager';
import type { OnlineFeaturesChoice } from '../../core/serving/endpointTypes';
import { DEFAULT_REQUEST_LOG_RETENTION, type RequestLogRetention } from '../../core/serving/requestLogFiles';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import { printJson, withStore } from './trackingCliSupport';
import { parsePortOption, waitForStopSignal } from '../foregroundServer';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';
import { addStatusOption, parseStatusEvery, reportServingStatus } from '../servingStatus';

function parseRate(text: string | undefined): number {
  if (text === undefined) return 1;
  const rate = Number(text);
  if (!(rate >= 0 && rate <= 1)) throw new CliError(`--log-sample must be a fraction from 0 to 1, got "${text}"`);
  return rate;
}

/** --log-max-rows / --log-max-days: how much of the request log is kept (default: the settings' defaults). */
function parseRetention(options: { logMaxRows?: string; logMaxDays?: string }): RequestLogRetention {
  const rows = options.logMaxRows === undefined ? DEFAULT_REQUEST_LOG_RETENTION.maxRows : Number(options.logMaxRows);
  if (!(Number.isInteger(rows) && rows >= 1)) throw new CliError(`--log-max-rows must be a whole number of requests, at least 1, got "${options.logMaxRows}"`);
  const days = options.logMaxDays === undefined ? DEFAULT_REQUEST_LOG_RETENTION.maxDays : Number(options.logMaxDays);
  if (!(Number.isFinite(days) && days > 0)) throw new CliError(`--log-max-days must be a number of days above 0, got "${options.logMaxDays}"`);
  return { maxRows: rows, maxDays: days };
}

/** One row of the training data (or made up from the signature) for the curl example. */
async function sampleBody(store: WorkspaceStore, uri: string): Promise<unknown> {
  const { versionSampleRequest } = await import('../../core/serving/versionSampleRequest');
  return versionSampleRequest(store, uri, 1);
}

/** `mlops serve MODEL_URI`: a local REST endpoint (MLflow scoring protocol) in the foreground until Ctrl+C. */
export function registerServeCommand(program: Command): void {
  addStatusOption(addPriceOptions(program
    .command('serve')
    .description('serve a registered model version on 127.0.0.1 with MLflow\'s scoring protocol until Ctrl+C (an @alias endpoint follows the alias)')
    .argument('<model>', 'models:/NAME@ALIAS, models:/NAME/VERSION or models:/NAME/latest')
    .option('-p, --port <port>', 'port on 127.0.0.1 (default 0: a free one)')
    .option('--log-sample <fraction>', 'fraction of requests written to the request log (default 1)')
    .option('--log-max-rows <n>', `requests the request log keeps, newest first; older segments are deleted (default ${DEFAULT_REQUEST_LOG_RETENTION.maxRows})`)
    .option('--log-max-days <days>', `requests older than this are deleted from the request log (default ${DEFAULT_REQUEST_LOG_RETENTION.maxDays})`)
    .option('--features <file[:views]>', 'look up model inputs a request leaves out in the online feature store by entity key: FEATURES.yaml, or FEATURES.yaml:VIEW,VIEW (default: the feature views the version was trained from, per lineage)')
    .option('--no-features', 'no online feature lookups')))
    .action(async (uri: string, options: { port?: string; logSample?: string; logMaxRows?: string; logMaxDays?: string; features?: string | false; statusEvery?: string } & PriceFlags) => {
      // what serving costs: the endpoint process's CPU and memory per prediction, at these prices
      const prices = pricesFromCli(options);
      const statusEvery = parseStatusEvery(options.statusEvery);
      const port = parsePortOption(options.port);
      const logSampleRate = parseRate(options.logSample);
      const retention = parseRetention(options);
      const { trackingTarget } = await import('../cliStore');
      if (trackingTarget(program.opts<CliGlobalOptions>()).kind === 'remote') {
        // A version of the team's registry: served from its files, without the workspace store.
        const { serveFromServer } = await import('./serveRemote');
        return serveFromServer(program.opts<CliGlobalOptions>(), uri, port, logSampleRate);
      }
      await withStore(program, async (store, globals: CliGlobalOptions) => {
        const { EndpointManager } = await import('../../core/serving/endpointManager');
        const manager = new EndpointManager(store, { requestLog: retention });
        let info: EndpointInfo;
        try {
          let features: OnlineFeaturesChoice | false | undefined;
          if (typeof options.features === 'string') {
            const { parseFeaturesOption } = await import('../../core/serving/onlineFeatureChoice');
            features = parseFeaturesOption(options.features, process.cwd());
          } else if (options.features === false) features = false;
          info = await manager.start({ uri, port, limits: { logSampleRate }, ...(features !== undefined ? { features } : {}) });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        const lookups = info.features ? `Looks up ${info.features.views.join(', ')} from ${info.features.file} by entity key${info.features.source === 'lineage' ? ' (the views it was trained from)' : ''}; inputs a request gives win.` : undefined;
        const { endpointLogFolder } = await import('../../core/serving/requestLogFiles');
        const requestLog = { folder: endpointLogFolder(store.dir, info.name), maxRows: retention.maxRows, maxDays: retention.maxDays };
        if (globals.json) printJson({ name: info.name, url: info.url, port: info.port, model: info.uri, version: info.version, requestLog, ...(info.features ? { features: info.features } : {}) });
        else {
          const example = await sampleBody(store, uri);
          const lines = [
            `Serving ${info.uri} (version ${info.version}) at ${info.url}${info.followsAlias ? ' — follows the alias' : ''}`,
            ...(lookups ? [lookups] : []),
            ...(info.detail ? [`Note: ${info.detail}`] : []),
            '',
            'Try it:',
            `  curl -si ${info.url}/invocations -H 'Content-Type: application/json' \\`,
            `    -d '${JSON.stringify(example)}'`,
            '',
            'Rate an answer by the X-Request-Id header it came with:',
            `  curl -s ${info.url}/feedback -H 'Content-Type: application/json' -d '{"request_id": "<X-Request-Id>", "rating": 5, "comment": "right"}'`,
            '',
            `Also: GET ${info.url}/ping, /health, /version, /metadata. Ctrl+C stops it.`,
            `Request log: ${requestLog.folder} (the newest ${requestLog.maxRows.toLocaleString('en-US')} requests, at most ${requestLog.maxDays} days; --log-max-rows, --log-max-days)`,
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
        const status = reportServingStatus(() => manager.list()[0], prices, statusEvery);
        const signal = await waitForStopSignal();
        subscription.dispose();
        status.stop();
        process.stderr.write(`mlops: ${signal}: stopping the endpoint\n`);
        await manager.stopAll();
        // The request log is flushed; a snapshot would only make stopping slow (see `mlops server`).
        await store.close({ snapshot: false });
      }, { create: false });
    });
}
