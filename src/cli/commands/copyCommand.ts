import type { Command } from 'commander';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { EngineClient } from '../../core/engine/engineClient';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { noteLocalOnly, withCliStore, type CliStore } from '../cliStore';

interface CopyOptions {
  to?: string;
  from?: string;
  token?: string;
  experiment?: string;
  parallel?: string;
}

/**
 * `mlops copy runs`: copies runs with every metric point, params, tags, dataset inputs and
 * artifacts between the workspace store and an MLflow tracking server, either way. A second copy
 * of the same runs skips those complete (`mlops.copyComplete`) and repairs those cut short.
 */
export function registerCopyCommand(program: Command): void {
  const copy = program.command('copy').description('copy runs and model versions between the workspace store and an MLflow tracking server');
  copy
    .command('model')
    .description('copy model versions (with their runs, files, stage and aliases) --to or --from an MLflow server')
    .argument('<name>', 'registered model name')
    .argument('<versions...>', 'version numbers in the source')
    .option('--to <url>', 'copy from the workspace registry to this MLflow server')
    .option('--from <url>', 'copy from this MLflow server into the workspace registry')
    .option('--token <token>', 'bearer token for the server (default: $MLFLOW_TRACKING_TOKEN)')
    .action(async (name: string, versionArgs: string[], options: CopyOptions) => {
      if (Boolean(options.to) === Boolean(options.from)) throw new CliError('say where to copy: either --to URL (workspace → server) or --from URL (server → workspace)');
      const versions = versionArgs.map((v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 1) throw new CliError(`"${v}" is not a version number (1, 2, …)`);
        return { name, version: n };
      });
      const url = (options.to ?? options.from) as string;
      const token = options.token ?? process.env.MLFLOW_TRACKING_TOKEN ?? null;
      const basic = basicAuthFromEnv(options.token);
      await withWorkspaceStore(program, async (store, globals) => {
        // Run in the engine (or this process, when none runs): the registry is there.
        const engine = store.engine as EngineClient;
        const results = await engine.call('registry.copyVersions', { direction: options.to ? 'to' : 'from', url, token, ...basic, versions });
        if (globals.json) {
          process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
          return;
        }
        for (const r of results) {
          process.stdout.write(`${r.skipped ? 'already there' : 'copied'}: ${r.source.name} v${r.source.version} → ${r.target.name} v${r.target.version} ${options.to ? `on ${url}` : 'in the workspace'}\n`);
          if (r.note) process.stderr.write(`  note: ${r.note}\n`);
        }
      }, { create: Boolean(options.from) });
    });
  copy
    .command('runs')
    .description('copy runs (the given ids, or every run of --experiment) --to or --from an MLflow server')
    .argument('[runIds...]', 'run ids in the source')
    .option('--to <url>', 'copy from the workspace store to this MLflow server')
    .option('--from <url>', 'copy from this MLflow server into the workspace store')
    .option('--token <token>', 'bearer token for the server (default: $MLFLOW_TRACKING_TOKEN)')
    .option('-e, --experiment <name>', 'copy every run of this experiment (in the source)')
    .option('--parallel <n>', 'runs copied at once; an MLflow server on SQLite writes one request at a time and more only added contention when measured, so try more only for a server on a real database', '1')
    .action(async (runIds: string[], options: CopyOptions) => {
      if (Boolean(options.to) === Boolean(options.from)) throw new CliError('say where to copy: either --to URL (workspace → server) or --from URL (server → workspace)');
      if (runIds.length === 0 && !options.experiment) throw new CliError('name the runs to copy, or --experiment NAME for all of its runs');
      const url = (options.to ?? options.from) as string;
      const parallel = Number(options.parallel ?? 1);
      if (!Number.isInteger(parallel) || parallel < 1 || parallel > 32) throw new CliError(`--parallel must be a whole number from 1 to 32, got "${String(options.parallel)}"`);
      const { MlflowRestClient } = await import('../../core/remote/mlflowRestClient');
      const { copyRuns, longParamArtifact } = await import('../../core/remote/storeCopy');
      const remote = new MlflowRestClient({ url, token: options.token ?? process.env.MLFLOW_TRACKING_TOKEN ?? null, ...basicAuthFromEnv(options.token) });
      await withWorkspaceStore(
        program,
        async (store, globals) => {
          // The workspace's tracking: this process's store, or the engine's through its MLflow API.
          const [source, target] = options.to ? [store.tracking, remote] : [remote, store.tracking];
          const ids = runIds.length > 0 ? runIds : await runsOf(source, options.experiment as string);
          const result = await copyRuns(source, target, {
            runIds: ids,
            concurrency: parallel,
            sourceLabel: options.to ? `workspace:${resolveStoreDir(globals)}` : url,
            onProgress: (p) => {
              const what = p.skipped ? 'skipped (already copied)' : p.repaired ? 'repaired (an earlier copy was cut short; copied again)' : 'copied';
              if (globals.json) return;
              process.stderr.write(`${what} ${p.sourceRunId} → ${p.targetRunId}${p.skipped ? '' : ` (${p.metricPoints} metric points, ${p.artifacts} artifacts)`}\n`);
              for (const key of p.longParams) process.stderr.write(`  param "${key}" is longer than 6,000 characters: the param keeps its start, the whole value is in ${longParamArtifact(key)}\n`);
            },
          });
          if (globals.json) {
            process.stdout.write(`${JSON.stringify({ copied: result.copied, skipped: result.skipped, repaired: result.repaired, longParams: result.longParams, runIds: Object.fromEntries(result.runIds) }, null, 2)}\n`);
            return;
          }
          process.stdout.write(`${result.copied} run(s) copied${result.repaired > 0 ? ` (repaired ${result.repaired} left unfinished by an earlier copy)` : ''}, ${result.skipped} already there (${options.to ? `to ${url}` : `from ${url}`})\n`);
          if (result.longParams > 0) process.stdout.write(`${result.longParams} ${result.longParams === 1 ? 'param' : 'params'} longer than 6,000 characters kept whole as ${result.longParams === 1 ? 'an artifact' : 'artifacts'} (params/<key>.txt; tag mlops.longParams names them)\n`);
        },
        { create: Boolean(options.from) },
      );
    });
}

/** MLflow's client sends MLFLOW_TRACKING_USERNAME/PASSWORD as basic auth; a --token typed wins over them. */
function basicAuthFromEnv(typedToken: string | undefined): { username?: string; password?: string } {
  const { MLFLOW_TRACKING_USERNAME: username, MLFLOW_TRACKING_PASSWORD: password } = process.env;
  return typedToken === undefined && username && password ? { username, password } : {};
}

async function runsOf(store: TrackingStore, experimentName: string): Promise<string[]> {
  const experiment = await store.getExperimentByName(experimentName);
  if (!experiment) throw new CliError(`no experiment named "${experimentName}" in the source`);
  const ids: string[] = [];
  let pageToken: string | undefined;
  do {
    const page = await store.searchRuns({ experimentIds: [experiment.experimentId], maxResults: 1000, ...(pageToken ? { pageToken } : {}) });
    ids.push(...page.runs.map((r) => r.info.runId));
    pageToken = page.nextPageToken;
  } while (pageToken);
  return ids;
}

/**
 * The workspace store, whatever the tracking URI says (a copy names its server with --to or
 * --from): this process's, or the engine's when one holds it.
 */
function withWorkspaceStore<T>(program: Command, action: (store: CliStore, globals: CliGlobalOptions) => Promise<T>, options: { create?: boolean } = {}): Promise<T> {
  const globals = program.opts<CliGlobalOptions>();
  noteLocalOnly(globals, resolveStoreDir(globals), options);
  return withCliStore({ ...globals, local: true, trackingUri: undefined }, (store) => action(store, globals), options);
}
