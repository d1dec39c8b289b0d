import * as vscode from 'vscode';
import type { FeatureViewMeta } from '../../core/features/featureStoreFiles';
import type { MaterializeJobEvent } from '../../core/features/materializeJob';
import type { JobStatusBar } from '../jobs/jobStatusBar';
import type { JobMeasurement } from '../../core/process/jobRunRecord';
import { readSettings, resolveStoreDir } from '../settings/settings';
import { engineOf, trackingOf, type StoreService } from '../store/storeService';
import { requireTrust } from '../trust/requireTrust';
import type { FeatureTreeNode } from './featureTreeModel';

export interface MaterializeFeaturesDependencies {
  storeService: StoreService;
  jobs: JobStatusBar;
  log: vscode.LogOutputChannel;
  /** after materialization: the Features view and open catalogs re-read freshness */
  changed: () => void;
}

/** What to materialize: a view or a file from the Features view, or a picked features.yaml. */
export interface MaterializeTarget {
  file: string;
  views?: string[];
}

async function pickTarget(node: FeatureTreeNode | MaterializeTarget | undefined): Promise<MaterializeTarget | undefined> {
  if (node && 'kind' in node) return node.kind === 'view' ? { file: node.file, views: [node.view] } : { file: node.file };
  if (node && typeof node.file === 'string') return node;
  const { findFeatureSpecs } = await import('../../core/features/featureSpecFiles');
  const files = (await Promise.all((vscode.workspace.workspaceFolders ?? []).map((f) => findFeatureSpecs(f.uri.fsPath)))).flat();
  if (files.length === 0) {
    const choice = await vscode.window.showInformationMessage('MLOps: no features.yaml in this workspace. Create one next to your data to declare entities, sources and feature views.', 'Create features.yaml');
    if (choice === 'Create features.yaml') await vscode.commands.executeCommand('mlops.createFeatureSpec');
    return undefined;
  }
  if (files.length === 1) return { file: files[0]! };
  const picked = await vscode.window.showQuickPick(files.map((f) => ({ label: vscode.workspace.asRelativePath(f), file: f })), { title: 'Materialize which feature definitions?' });
  return picked ? { file: picked.file } : undefined;
}

async function openAt(file: string, line: number, column: number): Promise<void> {
  const position = new vscode.Position(Math.max(0, line - 1), Math.max(0, column - 1));
  await vscode.window.showTextDocument(vscode.Uri.file(file), { selection: new vscode.Range(position, position) });
}

/** "Materialized 2 feature views: 12,345 rows written (activity 12,000, profile 345)". */
export function materializedMessage(metas: readonly FeatureViewMeta[]): string {
  const rows = metas.reduce((sum, m) => sum + m.rows, 0);
  const per = metas.map((m) => `${m.view} ${m.rows.toLocaleString('en-US')}`).join(', ');
  const skipped = metas.reduce((sum, m) => sum + m.skippedRows, 0);
  return `Materialized ${metas.length} feature view${metas.length === 1 ? '' : 's'}: ${rows.toLocaleString('en-US')} rows written (${per})${skipped ? `; ${skipped.toLocaleString('en-US')} source rows skipped for a missing key or event time` : ''}.`;
}

/**
 * "MLOps: Materialize Features": checks the spec here (errors point at file, line, field), then
 * computes in a worker process (cancel = kill) and records freshness, statistics and lineage.
 */
export function registerMaterializeFeaturesCommand(deps: MaterializeFeaturesDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.materializeFeatures', async (node?: FeatureTreeNode | MaterializeTarget): Promise<FeatureViewMeta[] | undefined> => {
    if (!(await requireTrust('Materialize Features'))) return undefined;
    const target = await pickTarget(node);
    if (!target) return undefined;
    const storeDir = resolveStoreDir();
    if (!storeDir) {
      void vscode.window.showErrorMessage('MLOps: open a folder first: materialized features are kept in its .mlops store.');
      return undefined;
    }
    const display = vscode.workspace.asRelativePath(target.file);
    const { loadFeatureSpecFile } = await import('../../core/features/featureWorkspace');
    const checked = await loadFeatureSpecFile(target.file, undefined);
    const first = checked.issues?.[0];
    if (!checked.repo || first) {
      const where = first ? `${display}:${first.line}:${first.column}${first.field ? ` (${first.field})` : ''}` : display;
      const more = (checked.issues?.length ?? 0) > 1 ? ` (and ${(checked.issues?.length ?? 1) - 1} more problem(s))` : '';
      const choice = await vscode.window.showErrorMessage(`MLOps: cannot materialize ${where}: ${first?.message ?? 'invalid feature definitions'}${more}`, 'Open Spec');
      if (choice === 'Open Spec') await openAt(target.file, first?.line ?? 1, first?.column ?? 1);
      return undefined;
    }
    const missing = (target.views ?? []).filter((v) => !checked.repo!.views.some((x) => x.name === v));
    if (missing.length > 0) {
      void vscode.window.showErrorMessage(`MLOps: ${display} has no feature view "${missing.join('", "')}".`);
      return undefined;
    }
    const job = deps.jobs.start('Materializing features');
    const controller = new AbortController();
    const { runChildJob, JobCancelledError } = await import('../../core/process/childJob');
    // measured in its worker process and recorded as a run afterwards, like the CLI's
    const { measureJob } = await import('../../core/process/jobRunRecord');
    const measurement = measureJob();
    const names = target.views ?? checked.repo.views.map((v) => v.name);
    const record = (status: 'FINISHED' | 'FAILED' | 'KILLED', metrics: Record<string, number>, error?: string): Promise<void> =>
      recordRun(deps, { names, file: target.file, measurement, status, metrics, ...(error ? { error } : {}) });
    try {
      const metas = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Materializing ${target.views?.join(', ') ?? display}`, cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return runChildJob(
            'materializeFeatures',
            { file: target.file, storeDir, ...(target.views ? { views: target.views } : {}) },
            {
              signal: controller.signal,
              onSpawn: (pid) => {
                if (pid !== undefined) measurement.measure(pid);
              },
              onEvent: (payload) => {
                const e = payload as MaterializeJobEvent;
                const message = `${e.phase === 'statistics' ? 'statistics of' : ''} ${e.view} (${e.index + 1}/${e.total})`.trim();
                progress.report({ message, increment: e.phase === 'materialize' ? 80 / e.total : 20 / e.total });
                job.update(message);
              },
            },
          );
        },
      );
      await recordLineage(deps, metas);
      await record('FINISHED', { rows: metas.reduce((n, m) => n + m.rows, 0), entities: metas.reduce((n, m) => n + m.entities, 0), skipped_rows: metas.reduce((n, m) => n + m.skippedRows, 0) });
      deps.changed();
      const message = materializedMessage(metas);
      deps.log.info(`${display}: ${message}`);
      void vscode.window.showInformationMessage(message, 'Open Feature Catalog').then((choice) => {
        if (choice) void vscode.commands.executeCommand('mlops.openFeatureCatalog');
      });
      return metas;
    } catch (error) {
      if (error instanceof JobCancelledError) {
        await record('KILLED', {});
        void vscode.window.showInformationMessage(`MLOps: materialization of ${display} was cancelled; the stores keep their previous content.`);
        return undefined;
      }
      const message = error instanceof Error ? error.message : String(error);
      await record('FAILED', {}, message);
      deps.log.error(`Materializing ${display} failed: ${message}`);
      void vscode.window.showErrorMessage(`MLOps: materializing ${display} failed: ${message}`, 'Open Spec').then((choice) => {
        if (choice) void openAt(target.file, 1, 1);
      });
      return undefined;
    } finally {
      job.end();
    }
  });
}

/** The materialization as a run of the "feature-materialization" experiment; a store this window cannot reach is logged, not fatal. */
async function recordRun(
  deps: MaterializeFeaturesDependencies,
  run: { names: readonly string[]; file: string; measurement: JobMeasurement; status: 'FINISHED' | 'FAILED' | 'KILLED'; metrics: Record<string, number>; error?: string },
): Promise<void> {
  try {
    const measured = await run.measurement.stop();
    const tracking = trackingOf(await deps.storeService.access({ create: true }));
    if (!tracking) return;
    const { recordJobRun } = await import('../../core/process/jobRunRecord');
    await recordJobRun(tracking, {
      experiment: 'feature-materialization',
      runName: `materialize ${run.names.join(', ')}`,
      kind: 'materialization',
      status: run.status,
      measured,
      prices: readSettings(vscode.Uri.file(run.file)).costPrices,
      params: [
        { key: 'views', value: run.names.join(', ').slice(0, 6000) },
        { key: 'features_file', value: vscode.workspace.asRelativePath(run.file).slice(0, 6000) },
      ],
      metrics: run.metrics,
      ...(run.error ? { error: run.error } : {}),
    });
  } catch (error) {
    deps.log.warn(`The materialization was not recorded as a run: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** dataset → featureSet edges, recorded by whichever process holds the store; without one (a team's MLflow server) they are skipped: freshness lives in files anyway. */
async function recordLineage(deps: MaterializeFeaturesDependencies, metas: readonly FeatureViewMeta[]): Promise<void> {
  try {
    const engine = engineOf(await deps.storeService.access({ create: true }));
    if (!engine) {
      deps.log.warn('Feature lineage was not recorded: this window reaches no workspace store (mlops.tracking.uri points at an MLflow server, or no folder is open).');
      return;
    }
    const { materializationLineage } = await import('../../core/features/featureLineage');
    await engine.call('lineage.record', materializationLineage(metas));
  } catch (error) {
    deps.log.warn(`Feature lineage was not recorded: ${error instanceof Error ? error.message : String(error)}`);
  }
}
