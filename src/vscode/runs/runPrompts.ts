/**
 * The questions asked before changing a run, shared by the Experiments view's menus and the Runs
 * panel so both ask the same way and store the same thing.
 */
import * as vscode from 'vscode';
import { describeRuns } from '../../core/tracking/runLifecycle';
import { runLabel, runNameProblem } from '../../core/tracking/runAnnotations';
import type { Run } from '../../core/tracking/trackingTypes';
import { runNoteUri } from './runNoteFileSystem';

/** The new name typed for a run, undefined when the user cancelled. */
export async function promptRunName(run: Run): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Rename Run "${runLabel(run.info)}"`,
    prompt: `New name for run ${run.info.runId} (MLflow's run name)`,
    value: run.info.runName,
    valueSelection: [0, run.info.runName.length],
    validateInput: (value) => runNameProblem(value),
  });
}

/** Opens the run's note as a markdown document; saving it stores the note on the run. */
export async function openRunNote(run: Run): Promise<void> {
  await vscode.window.showTextDocument(runNoteUri(run), { preview: false });
  vscode.window.setStatusBarMessage(`$(note) Save (Ctrl/Cmd+S) to store the note on run "${runLabel(run.info)}"`, 8000);
}

/** Asks before deleting runs, naming them; true when the user chose Delete. */
export async function confirmDeleteRuns(runs: readonly Run[]): Promise<boolean> {
  const one = runs.length === 1;
  const answer = await vscode.window.showWarningMessage(
    `Delete ${one ? 'run' : `${runs.length} runs:`} ${describeRuns(runs.map((r) => r.info))}?`,
    {
      modal: true,
      detail: `${one ? 'It moves' : 'They move'} to "Deleted runs" under ${one ? 'its' : 'their'} experiment in the Experiments view, where Restore Run brings ${one ? 'it' : 'them'} back. As in MLflow, only the run's lifecycle stage changes: params, metrics and artifacts are kept.`,
    },
    'Delete',
  );
  return answer === 'Delete';
}
