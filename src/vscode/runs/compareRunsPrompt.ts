/** The quick pick "Compare Runs" offers when no run is selected (list built in compareRunsPicker.ts). */
import * as vscode from 'vscode';
import { trackingOf, type StoreService } from '../store/storeService';
import { compareRunItems, compareScope, MAX_PICKABLE_RUNS, type CompareRunItem } from './compareRunsPicker';
import type { RunsScope } from './runsPanel';

export async function pickRunsToCompare(storeService: StoreService): Promise<RunsScope | undefined> {
  const access = await storeService.access();
  const tracking = trackingOf(access);
  if (!tracking) {
    void vscode.window.showInformationMessage('MLOps: there are no runs to compare yet: train a model or run a script first.');
    return undefined;
  }
  const [{ runs }, { experiments }] = await Promise.all([
    tracking.searchRuns({ orderBy: ['attributes.start_time DESC'], maxResults: MAX_PICKABLE_RUNS, viewType: 'ACTIVE_ONLY' }),
    tracking.searchExperiments({ maxResults: 1000 }),
  ]);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage('MLOps: there are no runs to compare yet: train a model or run a script first.');
    return undefined;
  }
  const items = compareRunItems(runs, new Map(experiments.map((e) => [e.experimentId, e.name])));
  const picked = await vscode.window.showQuickPick<vscode.QuickPickItem & CompareRunItem>(items, {
    title: 'Compare Runs',
    placeHolder: 'Runs to compare (type to filter by name, experiment or metric)',
    canPickMany: true,
    matchOnDescription: true,
    matchOnDetail: true,
  });
  return compareScope(picked ?? []);
}
