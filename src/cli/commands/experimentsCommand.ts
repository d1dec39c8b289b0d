import type { Command } from 'commander';
import { collect, formatTime, parseKeyValues, printJson, printTable, withTracking } from './trackingCliSupport';

/** `mlops experiments [list|create]`. */
export function registerExperimentsCommand(program: Command): void {
  const experiments = program.command('experiments').description('list or create experiments');
  experiments
    .command('list', { isDefault: true })
    .description('list experiments (newest activity first)')
    .option('--all', 'include deleted experiments')
    .option('--filter <filter>', "MLflow experiment filter, e.g. \"name LIKE 'fraud%'\"")
    .action(async (options: { all?: boolean; filter?: string }) => {
      await withTracking(program, async (tracking, globals) => {
        const experimentsFound = [];
        let pageToken: string | undefined;
        do {
          const page = await tracking.searchExperiments({ viewType: options.all ? 'ALL' : 'ACTIVE_ONLY', ...(options.filter ? { filter: options.filter } : {}), ...(pageToken ? { pageToken } : {}) });
          experimentsFound.push(...page.experiments);
          pageToken = page.nextPageToken;
        } while (pageToken);
        if (globals.json) return printJson(experimentsFound);
        const counts = new Map<string, number>();
        const { runs } = await tracking.searchRuns({ maxResults: 50_000 });
        for (const run of runs) counts.set(run.info.experimentId, (counts.get(run.info.experimentId) ?? 0) + 1);
        printTable(
          ['ID', 'NAME', 'RUNS', 'CREATED', 'STATE'],
          experimentsFound.map((e) => [e.experimentId, e.name, String(counts.get(e.experimentId) ?? 0), formatTime(e.creationTime), e.lifecycleStage]),
        );
      });
    });
  experiments
    .command('create <name>')
    .description('create an experiment and print its id')
    .option('--tag <key=value>', 'experiment tag (repeatable)', collect)
    .action(async (name: string, options: { tag?: string[] }) => {
      await withTracking(program, async (tracking, globals) => {
        const experimentId = await tracking.createExperiment(name, { tags: parseKeyValues(options.tag, '--tag') });
        if (globals.json) return printJson({ experimentId, name });
        process.stdout.write(`${experimentId}\n`);
      }, { create: true });
    });
}
