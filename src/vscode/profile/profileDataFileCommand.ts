import * as vscode from 'vscode';
import { pickDataFile } from '../data/pickDataFile';

export interface ProfileDataFileDependencies {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
}

/**
 * "MLOps: Profile Data File": asks for the file (unless run on one from the explorer; the workspace's data files first) and the
 * target column, then opens the profile panel, which profiles in a worker with progress and cancel.
 */
export function registerProfileDataFileCommand(deps: ProfileDataFileDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.profileDataFile', async (uri?: vscode.Uri) => {
    let file = uri;
    if (!file) {
      file = await pickDataFile({
        title: 'MLOps: Profile Data File',
        placeHolder: 'Data file to profile: types, missing values, distributions, correlations',
        extensions: ['csv', 'tsv', 'parquet', 'pq', 'jsonl', 'ndjson'],
      });
    }
    if (!file) return;
    const { pickProfileTarget } = await import('./profileTargetPick');
    const target = await pickProfileTarget(file.fsPath, null);
    if (target === undefined) return;
    const { ProfilePanel } = await import('./profilePanel');
    ProfilePanel.show(file, target, deps);
  });
}
