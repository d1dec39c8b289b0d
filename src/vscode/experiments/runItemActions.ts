/**
 * What the Experiments view's run menu does. Every write goes through the tracking store this
 * window uses (`requireTracking`), so the menu works the same when another window holds the store
 * (writes go through its local server) or when `mlops.tracking.uri` points at an MLflow server.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { isStarred, renameRun as renameInStore, runLabel, setStarred } from '../../core/tracking/runAnnotations';
import { runArtifactFolder } from '../../core/tracking/runArtifactFolder';
import { deleteRuns as deleteInStore, describeRuns, markRunKilled, restoreRuns as restoreInStore, splitDeletable } from '../../core/tracking/runLifecycle';
import { findRunLogs, type RunLogSource } from '../../core/tracking/runLogs';
import type { TrackingStore } from '../../core/tracking/trackingStore';
import type { Run } from '../../core/tracking/trackingTypes';
import { runLogUri } from '../runs/runLogDocuments';
import { confirmDeleteRuns, openRunNote, promptRunName } from '../runs/runPrompts';
import type { ExperimentsNode } from './experimentsTreeProvider';
import { requireTracking } from './requireTracking';
import type { RunItemCommandDependencies } from './runItemCommands';

type RunNode = Extract<ExperimentsNode, { kind: 'run' }>;
type Deps = RunItemCommandDependencies;

/** Which runs a command may act on, and how to ask for them from the palette. */
interface Target {
  /** palette title, e.g. "Star Run" */
  title: string;
  placeHolder: string;
  /** what to say when no run qualifies */
  none: string;
  applies: (run: Run) => boolean;
  deleted?: boolean;
}

const ACTIVE = (run: Run): boolean => run.info.lifecycleStage === 'active';
/** How many recent runs the palette's quick pick offers. */
const PICK_LIMIT = 300;

/** The runs a context-menu click means: the whole selection when the clicked run is part of it. */
function clickedRuns(node: RunNode, selected: readonly ExperimentsNode[] | undefined): Run[] {
  const runs = (selected ?? []).flatMap((n) => (n.kind === 'run' ? [n.run] : []));
  return runs.some((r) => r.info.runId === node.run.info.runId) ? runs : [node.run];
}

async function targetRuns(deps: Deps, tracking: TrackingStore, node: RunNode | undefined, selected: readonly ExperimentsNode[] | undefined, target: Target, many: boolean): Promise<Run[]> {
  if (node) {
    const runs = many ? clickedRuns(node, selected) : [node.run];
    return runs.filter(target.applies);
  }
  return pickRuns(deps, tracking, target, many);
}

/** The palette's way in: recent runs that the command applies to, the view's selection first. */
async function pickRuns(deps: Deps, tracking: TrackingStore, target: Target, many: boolean): Promise<Run[]> {
  const [{ runs }, { experiments }] = await Promise.all([
    tracking.searchRuns({ orderBy: ['attributes.start_time DESC'], maxResults: PICK_LIMIT, viewType: target.deleted ? 'DELETED_ONLY' : 'ACTIVE_ONLY' }),
    tracking.searchExperiments({ maxResults: 1000 }),
  ]);
  const experimentNames = new Map(experiments.map((e) => [e.experimentId, e.name]));
  const selectedIds = new Set(deps.selection().flatMap((n) => (n.kind === 'run' ? [n.run.info.runId] : [])));
  const candidates = runs.filter(target.applies).sort((a, b) => Number(selectedIds.has(b.info.runId)) - Number(selectedIds.has(a.info.runId)));
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`MLOps: ${target.none}`);
    return [];
  }
  type Item = vscode.QuickPickItem & { run: Run };
  const items: Item[] = candidates.map((run) => ({
    label: `${isStarred(run) ? '$(star-full) ' : ''}${runLabel(run.info)}`,
    description: [experimentNames.get(run.info.experimentId), run.info.status.toLowerCase(), selectedIds.has(run.info.runId) ? 'selected in Experiments' : undefined].filter(Boolean).join(' · '),
    detail: `${run.info.runId} · started ${new Date(run.info.startTime).toLocaleString()}`,
    picked: many && selectedIds.has(run.info.runId),
    run,
  }));
  const options = { title: `MLOps: ${target.title}`, placeHolder: target.placeHolder, matchOnDescription: true, matchOnDetail: true };
  if (many) return ((await vscode.window.showQuickPick(items, { ...options, canPickMany: true })) ?? []).map((i) => i.run);
  const picked = await vscode.window.showQuickPick(items, options);
  return picked ? [picked.run] : [];
}

/** Views update now; a client of a server also tells the other panels, which otherwise wait for the next poll. */
async function changed(deps: Deps): Promise<void> {
  deps.refresh();
  if ((await deps.storeService.access()).state === 'client') deps.storeService.refresh();
}

function done(message: string): void {
  vscode.window.setStatusBarMessage(`$(check) ${message}`, 4000);
}

export async function renameRun(deps: Deps, node?: RunNode): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const [picked] = await targetRuns(deps, tracking, node, undefined, { title: 'Rename Run', placeHolder: 'Which run to rename?', none: 'there is no run to rename.', applies: ACTIVE }, false);
  if (!picked) return;
  const run = await tracking.getRun(picked.info.runId);
  const name = await promptRunName(run);
  if (name === undefined) return;
  if (await renameInStore(tracking, run.info, name)) {
    await changed(deps);
    done(`Renamed run "${runLabel(run.info)}" to "${name.trim()}"`);
  }
}

export async function addNote(deps: Deps, node?: RunNode): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const [picked] = await targetRuns(deps, tracking, node, undefined, { title: 'Edit Run Note', placeHolder: 'Whose note?', none: 'there is no run to write a note on.', applies: ACTIVE }, false);
  if (picked) await openRunNote(picked);
}

async function star(deps: Deps, node: RunNode | undefined, selected: readonly ExperimentsNode[] | undefined, starred: boolean): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const title = starred ? 'Star Run' : 'Unstar Run';
  const runs = await targetRuns(
    deps,
    tracking,
    node,
    selected,
    { title, placeHolder: starred ? 'Runs to star' : 'Runs to unstar', none: starred ? 'every run is starred already.' : 'no run is starred.', applies: (r) => ACTIVE(r) && isStarred(r) !== starred },
    true,
  );
  if (runs.length === 0) return;
  await setStarred(tracking, runs.map((r) => r.info.runId), starred);
  await changed(deps);
  done(`${starred ? 'Starred' : 'Unstarred'} ${describeRuns(runs.map((r) => r.info))}`);
}

export const starRuns = (deps: Deps, node?: RunNode, selected?: readonly ExperimentsNode[]): Promise<void> => star(deps, node, selected, true);
export const unstarRuns = (deps: Deps, node?: RunNode, selected?: readonly ExperimentsNode[]): Promise<void> => star(deps, node, selected, false);

export async function deleteRuns(deps: Deps, node?: RunNode, selected?: readonly ExperimentsNode[]): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const chosen = await targetRuns(deps, tracking, node, selected, { title: 'Delete Run', placeHolder: 'Runs to delete (they can be restored)', none: 'there is no finished run to delete.', applies: ACTIVE }, true);
  if (chosen.length === 0) return;
  // The tree may be half a second behind: decide on the runs as they are now.
  const runs = await Promise.all(chosen.map((r) => tracking.getRun(r.info.runId)));
  const { deletable, running } = splitDeletable(runs);
  if (running.length > 0) {
    const message = `MLOps: ${describeRuns(running.map((r) => r.info))} ${running.length === 1 ? 'is' : 'are'} still running: stop ${running.length === 1 ? 'it' : 'them'} first (Stop Run), deleting a live run breaks its logging.`;
    if (deletable.length === 0) {
      void vscode.window.showWarningMessage(message);
      return;
    }
    void vscode.window.showInformationMessage(message);
  }
  if (deletable.length === 0 || !(await confirmDeleteRuns(deletable))) return;
  await deleteInStore(tracking, deletable.map((r) => r.info.runId));
  await changed(deps);
  done(`Deleted ${describeRuns(deletable.map((r) => r.info))} — Restore Run brings ${deletable.length === 1 ? 'it' : 'them'} back`);
}

export async function restoreRuns(deps: Deps, node?: RunNode, selected?: readonly ExperimentsNode[]): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const runs = await targetRuns(deps, tracking, node, selected, { title: 'Restore Run', placeHolder: 'Deleted runs to restore', none: 'there are no deleted runs.', applies: (r) => r.info.lifecycleStage === 'deleted', deleted: true }, true);
  if (runs.length === 0) return;
  await restoreInStore(tracking, runs.map((r) => r.info.runId));
  await changed(deps);
  done(`Restored ${describeRuns(runs.map((r) => r.info))}`);
}

export async function revealArtifacts(deps: Deps, node?: RunNode): Promise<void> {
  const access = await deps.storeService.access();
  const tracking = await requireTracking(deps.storeService);
  const [run] = await targetRuns(deps, tracking, node, undefined, { title: 'Reveal Run Artifacts', placeHolder: 'Whose artifacts?', none: 'there are no runs.', applies: () => true }, false);
  if (!run) return;
  // A client of the writer window shares this machine's store folder; a remote MLflow server does not.
  const storeDir = access.state === 'client' && access.origin === 'engine' ? access.dir : undefined;
  const folder = runArtifactFolder(run.info, { ...(storeDir ? { storeDir } : {}), ...(access.state === 'client' ? { serverUrl: access.url } : {}) });
  const label = runLabel(run.info);
  if (!folder.local) {
    void vscode.window.showInformationMessage(`MLOps: cannot reveal the artifacts of run "${label}" here: ${folder.reason}`);
    return;
  }
  if (!existsSync(folder.path)) {
    void vscode.window.showInformationMessage(`MLOps: run "${label}" has no artifacts yet (nothing at ${folder.path}).`);
    return;
  }
  // Revealing an entry inside opens the folder itself (the OS file manager, or the explorer expanded).
  const first = readdirSync(folder.path).sort()[0];
  const uri = vscode.Uri.file(first ? join(folder.path, first) : folder.path);
  // The OS file manager is on the machine the extension runs on only in a local desktop window.
  const inOs = vscode.env.uiKind === vscode.UIKind.Desktop && vscode.env.remoteName === undefined;
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  if (inOs) await vscode.commands.executeCommand('revealFileInOS', uri);
  else if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', uri);
  else void vscode.window.showInformationMessage(`MLOps: the artifacts of run "${label}" are in ${folder.path}.`);
}

export async function showLogs(deps: Deps, node?: RunNode): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const [picked] = await targetRuns(deps, tracking, node, undefined, { title: 'Show Run Logs', placeHolder: 'Whose output?', none: 'there are no runs.', applies: () => true }, false);
  if (!picked) return;
  const run = await tracking.getRun(picked.info.runId);
  const sources = await findRunLogs(tracking, run);
  const label = runLabel(run.info);
  if (sources.length === 0) {
    const running = run.info.status === 'RUNNING' ? ' yet (a script’s output is saved when it ends)' : '';
    const choice = await vscode.window.showInformationMessage(
      `MLOps: run "${label}" has no captured logs${running}. Scripts run with "Run Script as Experiment" save their output as logs/output.txt; training runs log their progress to the MLOps Studio output and keep stderr only when they fail.`,
      'Show MLOps Output',
    );
    if (choice) await vscode.commands.executeCommand('mlops.showLogs');
    return;
  }
  const source = sources.length === 1 ? sources[0] : await pickLog(label, sources);
  if (!source) return;
  const document = await vscode.workspace.openTextDocument(runLogUri(run.info, source));
  await vscode.languages.setTextDocumentLanguage(document, 'log');
  await vscode.window.showTextDocument(document, { preview: true });
}

async function pickLog(label: string, sources: readonly RunLogSource[]): Promise<RunLogSource | undefined> {
  const items = sources.map((source) =>
    source.kind === 'artifact'
      ? { label: `$(file) ${source.path}`, description: source.size !== undefined ? formatBytes(source.size) : '', source }
      : { label: `$(tag) ${source.title}`, description: `tag ${source.key}`, source },
  );
  return (await vscode.window.showQuickPick(items, { title: `MLOps: logs of run "${label}"`, placeHolder: 'Which output?' }))?.source;
}

export async function stopRuns(deps: Deps, node?: RunNode, selected?: readonly ExperimentsNode[]): Promise<void> {
  const tracking = await requireTracking(deps.storeService);
  const chosen = await targetRuns(deps, tracking, node, selected, { title: 'Stop Run', placeHolder: 'Running runs to stop', none: 'no run is running.', applies: (r) => ACTIVE(r) && r.info.status === 'RUNNING' }, true);
  if (chosen.length === 0) return;
  const jobOf = (run: Run): string | undefined => deps.jobs.jobOfRun(run.info.runId) ?? (run.info.parentRunId ? deps.jobs.jobOfRun(run.info.parentRunId) : undefined);
  const ours = chosen.filter((r) => jobOf(r) !== undefined);
  const others = chosen.filter((r) => jobOf(r) === undefined);
  for (const run of ours) {
    const job = jobOf(run);
    // A tuning trial is stopped with its study: the study is the job this window runs.
    const cancelled = deps.jobs.cancelRun(run.info.runId) || (run.info.parentRunId !== null && deps.jobs.cancelRun(run.info.parentRunId));
    if (cancelled) deps.log.info(`Stop Run: cancelling "${job}" (run ${run.info.runId})`);
  }
  if (ours.length > 0) done(`Stopping ${[...new Set(ours.map(jobOf))].join(', ')} — the run${ours.length === 1 ? ' is' : 's are'} marked KILLED when it stops`);
  if (others.length === 0) return;
  const one = others.length === 1;
  const owners = others.flatMap((r) => (r.info.ownerPid !== null ? [`pid ${r.info.ownerPid}${r.info.ownerHost ? ` on ${r.info.ownerHost}` : ''}`] : []));
  const answer = await vscode.window.showWarningMessage(
    `Mark ${one ? 'run' : `${others.length} runs:`} ${describeRuns(others.map((r) => r.info))} as KILLED?`,
    {
      modal: true,
      detail: `This window did not start ${one ? 'it' : 'them'}, so MLOps cannot stop the process that logs into ${one ? 'it' : 'them'}${owners.length > 0 ? ` (${owners.join(', ')})` : ''}: if that process is still alive — a terminal, another window, a Python script — it keeps running and may keep logging. Marking ${one ? 'it' : 'them'} KILLED only ends ${one ? 'the run' : 'the runs'} in the store.`,
    },
    'Mark as Killed',
  );
  if (answer !== 'Mark as Killed') return;
  const marked: Run[] = [];
  for (const run of others) if (await markRunKilled(tracking, run.info.runId)) marked.push(run);
  await changed(deps);
  if (marked.length > 0) done(`Marked ${describeRuns(marked.map((r) => r.info))} as KILLED`);
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
