import * as vscode from 'vscode';
import { ACTOR_ENV } from '../../core/registry/registryActor';

/**
 * `mlops.user.name`: who this window acts as in the model registry (audit log, review requests
 * and approvals). It is passed the way the CLI takes it, as $MLOPS_ACTOR of this process, so the
 * jobs this window starts act as the same person. Empty: git's user.name, else the OS user.
 * Only the user's own setting counts: a workspace must not choose who approves a review.
 */
export function applyUserIdentity(log: vscode.LogOutputChannel): vscode.Disposable {
  const inherited = process.env[ACTOR_ENV];
  const apply = (): void => {
    const name = vscode.workspace.getConfiguration('mlops').inspect<string>('user.name')?.globalValue?.trim();
    if (name) {
      process.env[ACTOR_ENV] = name;
      log.info(`Acting as ${name} in the model registry (mlops.user.name)`);
    }
    else if (inherited === undefined) delete process.env[ACTOR_ENV];
    else process.env[ACTOR_ENV] = inherited;
  };
  apply();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration('mlops.user.name')) apply();
  });
}
