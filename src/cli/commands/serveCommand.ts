import type { Command } from 'commander';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import type { EndpointInfo } from '../../core/serving/endpointManager';
import type { OnlineFeaturesChoice } from '../../core/serving/endpointTypes';
import { DEFAULT_REQUEST_LOG_RETENTION, type RequestLogRetention } from '../../core/serving/requestLogFiles';
import { printJson } from './trackingCliSupport';
import { noteLocalOnly, withCliStore } from '../cliStore';
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
      const globals = program.opts<CliGlobalOptions>();
      noteLocalOnly(globals, resolveStoreDir(globals));
      let features: OnlineFeaturesChoice | false | undefined;
      if (typeof options.features === 'string') {
        const { parseFeaturesOption } = await import('../../core/serving/onlineFeatureChoice');
        try {
          features = parseFeaturesOption(options.features, process.cwd());
        } catch (error) {
          throw new CliError((error as Error).message);
        }
      } else if (options.features === false) features = false;
      // The endpoint runs in the engine (started if none runs), as the Endpoints view's do: this
      // command is its client for as long as it runs, and stops it on Ctrl+C.
      await withCliStore({ ...globals, local: true, trackingUri: undefined }, async (store) => {
        const engine = store.engine;
        if (!engine) throw new CliError('the workspace store has no engine to serve from');
        let info: EndpointInfo;
        try {
          // Ours while this command runs: killed without a word, the engine stops the endpoint too.
          info = await engine.call('endpoints.start', { uri, port, limits: { logSampleRate }, requestLog: retention, ownerPid: process.pid, ...(features !== undefined ? { features } : {}) });
        } catch (error) {
          throw new CliError((error as Error).message);
        }
        const lookups = info.features ? `Looks up ${info.features.views.join(', ')} from ${info.features.file} by entity key${info.features.source === 'lineage' ? ' (the views it was trained from)' : ''}; inputs a request gives win.` : undefined;
        const { endpointLogFolder } = await import('../../core/serving/requestLogFiles');
        const requestLog = { folder: endpointLogFolder(resolveStoreDir(globals), info.name), maxRows: retention.maxRows, maxDays: retention.maxDays };
        if (globals.json) printJson({ name: info.name, url: info.url, port: info.port, model: info.uri, version: info.version, requestLog, ...(info.features ? { features: info.features } : {}) });
        else {
          const example = (await engine.call('endpoints.sampleRequest', { name: info.name, rows: 1 })).body;
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
            `It runs in the MLOps engine of this workspace: the Endpoints view in VS Code shows it too.`,
          ];
          process.stdout.write(`${lines.join('\n')}\n`);
        }
        // The engine's view of the endpoint, once a second: an alias that moved, traffic for --status-every.
        let lost: string | undefined;
        const watch = setInterval(() => {
          engine.call('endpoints.list', {}).then(
            (state) => {
              const now = state.running.find((e) => e.name === info.name);
              if (!now) return;
              if (now.version !== info.version) process.stderr.write(`mlops: ${now.uri} moved: now serving version ${now.version}\n`);
              info = now;
            },
            (error: unknown) => {
              lost ??= error instanceof Error ? error.message : String(error);
            },
          );
        }, 1_000);
        const status = reportServingStatus(() => info, prices, statusEvery);
        const signal = await waitForStopSignal();
        clearInterval(watch);
        status.stop();
        process.stderr.write(`mlops: ${signal}: stopping the endpoint\n`);
        await engine.call('endpoints.stop', { name: info.name }).catch((error: unknown) => {
          throw new CliError(`the endpoint could not be stopped (${lost ?? (error as Error).message}); the Endpoints view or "mlops engine stop" stops it`);
        });
      }, { viaEngine: true });
    });
}
