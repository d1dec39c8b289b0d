import * as vscode from 'vscode';

/**
 * Guards actions that run code or start processes. In Restricted Mode it explains why nothing
 * happens and offers to manage trust, and returns false.
 */
export async function requireTrust(action: string): Promise<boolean> {
  if (vscode.workspace.isTrusted) return true;
  const manage = 'Manage Workspace Trust';
  const choice = await vscode.window.showWarningMessage(
    `MLOps: ${action} runs processes on your machine, so it is off in Restricted Mode. Trust this folder to use it.`,
    manage,
  );
  if (choice === manage) await vscode.commands.executeCommand('workbench.trust.manage');
  return false;
}
