import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, WALKTHROUGH_ID } from '../commands/workbenchCommands';

/**
 * Opens "Get started with MLOps Studio" the first time the extension starts on a machine, and
 * never again: VS Code itself only opens walkthroughs for extensions installed from a
 * marketplace, so a user who starts from `npm start` or a VSIX would never see it otherwise.
 * `mlops.walkthrough.openOnFirstStart: false` turns it off (the e2e suite does).
 *
 * The "shown" mark is a file in the extension's global storage rather than `globalState`:
 * VS Code writes global state lazily, and a server stopped with Ctrl+C soon after its first
 * start would forget it and show the walkthrough again.
 */
export async function openWalkthroughOnFirstStart(globalStorage: vscode.Uri | undefined, log: vscode.LogOutputChannel): Promise<void> {
  // No global storage (a host without one): better never than on every start.
  if (!globalStorage || !vscode.workspace.getConfiguration('mlops').get<boolean>('walkthrough.openOnFirstStart', true)) return;
  const mark = join(globalStorage.fsPath, 'walkthrough-shown');
  try {
    if (existsSync(mark)) return;
    mkdirSync(globalStorage.fsPath, { recursive: true });
    // `wx` fails when the file exists: of two windows starting at once, only one opens it.
    writeFileSync(mark, `${new Date().toISOString()}\n`, { flag: 'wx' });
  } catch (error: unknown) {
    log.info(`Walkthrough not opened on start: ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  try {
    await vscode.commands.executeCommand('workbench.action.openWalkthrough', `${EXTENSION_ID}#${WALKTHROUGH_ID}`, false);
  } catch (error: unknown) {
    log.warn(`Could not open the walkthrough: ${error instanceof Error ? error.message : String(error)}`);
  }
}
