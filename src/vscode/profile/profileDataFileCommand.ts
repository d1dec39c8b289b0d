import * as vscode from 'vscode';

export interface ProfileDataFileDependencies {
  extensionUri: vscode.Uri;
  log: vscode.LogOutputChannel;
}

const FILTERS = { 'Data files': ['csv', 'tsv', 'jsonl', 'ndjson', 'parquet', 'pq'] };

/**
 * "MLOps: Profile Data File": asks for the file (unless run on one from the explorer) and the
 * target column, then opens the profile panel, which profiles in a worker with progress and cancel.
 */
export function registerProfileDataFileCommand(deps: ProfileDataFileDependencies): vscode.Disposable {
  return vscode.commands.registerCommand('mlops.profileDataFile', async (uri?: vscode.Uri) => {
    let file = uri;
    if (!file) {
      const picked = await vscode.window.showOpenDialog({ canSelectMany: false, filters: FILTERS, openLabel: 'Profile' });
      file = picked?.[0];
    }
    if (!file) return;
    const { pickProfileTarget } = await import('./profileTargetPick');
    const target = await pickProfileTarget(file.fsPath, null);
    if (target === undefined) return;
    const { ProfilePanel } = await import('./profilePanel');
    ProfilePanel.show(file, target, deps);
  });
}
