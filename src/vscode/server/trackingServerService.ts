import * as vscode from 'vscode';
import { resolveStoreDir } from '../settings/settings';
import type { StoreService } from '../store/storeService';

/** Where scripts log: the engine's MLflow-compatible API on 127.0.0.1 and its bearer token. */
export interface TrackingServerAddress {
  readonly url: string;
  readonly token: string | null;
  /** MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_TOKEN) for a child process */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * The MLflow-compatible server Python scripts log into. It is the MLOps engine's own server
 * (the engine holds the workspace store for every window and command), so there is nothing to
 * start beside it: this asks the store service for the engine, starting it if needed.
 */
export class TrackingServerService implements vscode.Disposable {
  constructor(private readonly storeService: StoreService) {}

  /** The engine's server, the engine started if needed. Throws with a message for the user when it cannot. */
  async ensureRunning(): Promise<TrackingServerAddress> {
    const access = await this.storeService.access({ create: true });
    if (access.state === 'client' && access.origin === 'engine') {
      const env: Record<string, string> = { MLFLOW_TRACKING_URI: access.url };
      if (access.token !== null) env.MLFLOW_TRACKING_TOKEN = access.token;
      return { url: access.url, token: access.token, env };
    }
    if (access.state === 'client') throw new Error(`mlops.tracking.uri points this window at ${access.url}: scripts log there directly (set MLFLOW_TRACKING_URI to it)`);
    throw new Error(access.state === 'noFolder' ? 'open a folder first' : 'message' in access ? access.message : 'the workspace store is not available');
  }

  dispose(): void {
    // The engine outlives the window; nothing of it belongs to this object.
  }
}

/** "MLOps: Start MLflow-Compatible Server" (show where scripts log) / "Stop" (stop the engine). */
export function registerServerCommands(service: TrackingServerService, log: vscode.LogOutputChannel): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlops.startServer', async () => {
      try {
        const server = await service.ensureRunning();
        const copy = 'Copy Environment';
        const choice = await vscode.window.showInformationMessage(
          `MLOps: MLflow-compatible server on ${server.url} (the MLOps engine's). Python scripts log into it with MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN set.`,
          copy,
        );
        if (choice === copy) {
          await vscode.env.clipboard.writeText(Object.entries(server.env).map(([k, v]) => `export ${k}=${v}`).join('\n'));
          void vscode.window.setStatusBarMessage('$(check) Copied MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN', 3000);
        }
      } catch (error) {
        void vscode.window.showErrorMessage(`MLOps: cannot start the server — ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
    vscode.commands.registerCommand('mlops.stopServer', async () => {
      const dir = resolveStoreDir();
      if (!dir) return;
      const stop = 'Stop Engine';
      const choice = await vscode.window.showWarningMessage(
        'Stop the MLOps engine of this workspace?',
        { modal: true, detail: 'It serves the MLflow-compatible API and the endpoints of this workspace store: scripts logging into it and endpoints stop too. The next view or command starts it again.' },
        stop,
      );
      if (choice !== stop) return;
      const { stopEngine } = await import('../../core/engine/engineLauncher');
      const stopped = await stopEngine(dir);
      log.info(stopped ? `Stopped the MLOps engine (pid ${stopped.pid}) of ${dir}` : `No MLOps engine ran for ${dir}`);
      void vscode.window.showInformationMessage(stopped ? `MLOps: the engine (pid ${stopped.pid}) is stopped.` : 'MLOps: no engine was running for this workspace.');
    }),
  ];
}
