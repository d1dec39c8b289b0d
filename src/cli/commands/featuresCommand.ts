import type { Command } from 'commander';
import type { FeatureRepo } from '../../core/features/featureSpec';
import { CliError, resolveStoreDir, type CliGlobalOptions } from '../cliContext';
import { cliPath, existingCliPath, typedOrWorkspaceFile } from '../cliPaths';
import { addPriceOptions, pricesFromCli, type PriceFlags } from '../costOptions';
import type { LineageEdge } from '../../core/lineage/lineageTypes';
import { printJson, printTable } from './trackingCliSupport';
import { withWorkspaceEngine } from './workspaceEngine';

interface FeaturesOptions {
  file?: string;
}

const FILE_HELP = 'feature definitions (default: features.yaml in the workspace)';

async function loadRepo(file: string): Promise<FeatureRepo> {
  const { loadFeatureRepo } = await import('../../core/features/featureSpecParser');
  const { SpecError } = await import('../../core/training/specErrors');
  try {
    return await loadFeatureRepo(file);
  } catch (error) {
    if (error instanceof SpecError) throw new CliError(error.message);
    throw error;
  }
}

/** The feature definitions: a typed --file (relative to the current folder, and it must exist), else the workspace's features.yaml. */
function featuresFile(globals: CliGlobalOptions, typed: string | undefined): string {
  return typed === undefined ? typedOrWorkspaceFile(globals, undefined, 'features.yaml') : existingCliPath(typed, 'the feature definitions');
}

async function asCliError<T>(work: () => Promise<T>): Promise<T> {
  const { DataError } = await import('../../core/data/dataErrors');
  try {
    return await work();
  } catch (error) {
    if (error instanceof DataError || (error instanceof Error && /materialized yet|no feature|No feature view|not a feature reference/.test(error.message))) throw new CliError(error.message, 1);
    throw error;
  }
}

/** `mlops features …`: materialize feature views and build point-in-time-correct training sets. */
export function registerFeaturesCommand(program: Command): void {
  const features = program.command('features').description('feature definitions (features.yaml): materialize, list, build training sets');
  addPriceOptions(
    features
      .command('materialize [views...]')
      .description('compute feature views from their sources into the offline (history) and online (latest per entity) stores; recorded as a run (experiment "feature-materialization") with its CPU, memory and cost')
      .option('-f, --file <features.yaml>', FILE_HELP),
  ).action(async (views: string[], options: FeaturesOptions & PriceFlags) => {
    const globals = program.opts<CliGlobalOptions>();
    const prices = pricesFromCli(options);
    const file = featuresFile(globals, options.file);
    const repo = await loadRepo(file);
    const { materializeRepo } = await import('../../core/features/featureMaterializer');
    const { measureJob, recordJobRun } = await import('../../core/process/jobRunRecord');
    const storeDir = resolveStoreDir(globals);
    const measurement = measureJob();
    const names = views.length > 0 ? views : repo.views.map((v) => v.name);
    // the run (and the lineage of a success) is recorded once the job is over, by whichever
    // process holds the store: the store is not held while it computes
    const record = (status: 'FINISHED' | 'FAILED', metrics: Record<string, number>, error?: string, lineage?: { edges: LineageEdge[]; labels: Record<string, string> }): Promise<string> =>
      measurement.stop().then((measured) =>
        withWorkspaceEngine(
          program,
          async (engine, store) => {
            const runId = await recordJobRun(store.tracking, {
              experiment: 'feature-materialization',
              runName: `materialize ${names.join(', ')}`,
              kind: 'materialization',
              status,
              measured,
              prices,
              params: [
                { key: 'views', value: names.join(', ').slice(0, 6000) },
                { key: 'features_file', value: file.slice(0, 6000) },
              ],
              metrics,
              ...(error ? { error } : {}),
            });
            if (lineage) await engine.call('lineage.record', lineage);
            return runId;
          },
          { create: true },
        ),
      );
    let metas;
    try {
      metas = await asCliError(() => materializeRepo(repo, storeDir, { views, onProgress: (p) => process.stderr.write(`materializing ${p.view} (${p.index + 1}/${p.total})\n`) }));
      // the feature catalog shows these; computing them now spares it reading the whole history
      const { writeFeatureViewStats } = await import('../../core/features/featureStats');
      for (const m of metas) await writeFeatureViewStats(storeDir, m.view, m.materializedAt);
    } catch (error) {
      await record('FAILED', {}, error instanceof Error ? error.message : String(error)).catch(() => undefined);
      throw error;
    }
    const done = metas;
    const { materializationLineage } = await import('../../core/features/featureLineage');
    const runId = await record('FINISHED', { rows: done.reduce((n, m) => n + m.rows, 0), entities: done.reduce((n, m) => n + m.entities, 0), skipped_rows: done.reduce((n, m) => n + m.skippedRows, 0) }, undefined, materializationLineage(done));
    if (globals.json) printJson({ runId, views: done });
    else {
      printTable(['view', 'rows', 'entities', 'latest event', 'skipped'], done.map((m) => [m.view, String(m.rows), String(m.entities), m.latestEventTime ?? '—', String(m.skippedRows)]));
      process.stdout.write(`recorded as run ${runId} (experiment feature-materialization)\n`);
    }
  });
  features
    .command('list')
    .description('feature views with their features, owners, tags and freshness')
    .option('-f, --file <features.yaml>', FILE_HELP)
    .action(async (options: FeaturesOptions) => {
      const globals = program.opts<CliGlobalOptions>();
      const repo = await loadRepo(featuresFile(globals, options.file));
      const { readFeatureViewMeta } = await import('../../core/features/featureStoreFiles');
      const rows: string[][] = [];
      for (const view of repo.views) {
        const meta = await readFeatureViewMeta(resolveStoreDir(globals), view.name).catch(() => undefined);
        for (const f of view.features) rows.push([`${view.name}:${f.name}`, f.type, view.owner ?? '', [...view.tags, ...f.tags].join(' '), meta ? `${meta.materializedAt} (events to ${meta.latestEventTime ?? '—'})` : 'not materialized']);
      }
      if (globals.json) printJson(rows.map(([name, type, owner, tags, freshness]) => ({ name, type, owner, tags, freshness })));
      else printTable(['feature', 'type', 'owner', 'tags', 'materialized'], rows);
    });
  features
    .command('get-training-set <entityFile>')
    .description('a point-in-time-correct training set: each entity row gets each feature\'s latest value at or before its timestamp, within the view\'s TTL')
    .requiredOption('--features <refs>', 'VIEW:FEATURE,… (VIEW:* for all of a view)')
    .requiredOption('-o, --output <file>', 'the training set CSV to write')
    .option('--timestamp <column>', 'the entity file\'s timestamp column', 'event_timestamp')
    .option('-f, --file <features.yaml>', FILE_HELP)
    .action(async (entityFile: string, options: FeaturesOptions & { features: string; output: string; timestamp: string }) => {
      const globals = program.opts<CliGlobalOptions>();
      const repo = await loadRepo(featuresFile(globals, options.file));
      const { buildTrainingSet, parseFeatureRefs } = await import('../../core/features/trainingSetBuilder');
      const result = await asCliError(async () => buildTrainingSet(repo, resolveStoreDir(globals), existingCliPath(entityFile, 'the entity file', 1), parseFeatureRefs(options.features), cliPath(options.output), { timestampColumn: options.timestamp }));
      const { datasetNode } = await import('../../core/lineage/lineageNodes');
      const { featureSetNode } = await import('../../core/features/featureLineage');
      await withWorkspaceEngine(
        program,
        (engine) =>
          engine.call('lineage.record', {
            edges: result.views.map((view) => ({ from: featureSetNode(view), to: datasetNode(result.digest), relation: 'built' })),
            labels: { [`dataset:${result.digest}`]: result.output },
          }),
        { create: true },
      );
      if (globals.json) printJson(result);
      else {
        process.stdout.write(`${result.output}: ${result.rows} rows, columns ${result.columns.join(', ')}\n`);
        for (const [view, missed] of Object.entries(result.misses)) if (missed > 0) process.stdout.write(`  ${view}: ${missed} row(s) with no value within TTL (left empty)\n`);
      }
    });
}
