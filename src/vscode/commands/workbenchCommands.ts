import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { resolveStoreDir } from '../settings/settings';

export const EXTENSION_ID = 'mlops-studio.mlops-studio';
export const WALKTHROUGH_ID = 'mlops.gettingStarted';

/** Commands that only lead somewhere in the workbench: settings, walkthrough, logs, the store folder. */
export function registerWorkbenchCommands(log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlops.openSettings', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`),
    ),
    vscode.commands.registerCommand('mlops.openWalkthrough', () =>
      vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#${WALKTHROUGH_ID}`, false),
    ),
    vscode.commands.registerCommand('mlops.showLogs', () => log.show(true)),
    vscode.commands.registerCommand('mlops.revealStore', revealStore),
  ];
}

async function revealStore(): Promise<void> {
  const dir = resolveStoreDir();
  if (!dir) {
    void vscode.window.showInformationMessage('MLOps: open a folder first; the store lives inside the workspace.');
    return;
  }
  if (!existsSync(dir)) {
    void vscode.window.showInformationMessage(`MLOps: the store ${dir} does not exist yet. It is created when the first run is logged.`);
    return;
  }
  const uri = vscode.Uri.file(dir);
  const inWorkspace = vscode.workspace.getWorkspaceFolder(uri) !== undefined;
  // The explorer works everywhere (also in a browser); the OS file manager only on the desktop.
  if (inWorkspace) await vscode.commands.executeCommand('revealInExplorer', uri);
  else await vscode.commands.executeCommand('revealFileInOS', uri);
}
