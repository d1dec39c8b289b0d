import * as vscode from 'vscode';
import type { RunningTrackingServer } from '../../core/server/trackingServer';
import { readSettings } from '../settings/settings';
import type { StoreService } from '../store/storeService';

/**
 * The window's local MLflow-compatible server (127.0.0.1, bearer token). It starts on first need:
 * a script run as an experiment, or "MLOps: Start MLflow-Compatible Server". It writes
 * `.mlops/server.json` so a second window or the CLI can reach this window, the store's writer.
 */
export class TrackingServerService implements vscode.Disposable {
  private starting: Promise<RunningTrackingServer> | undefined;

  constructor(
    private readonly storeService: StoreService,
    private readonly log: vscode.LogOutputChannel,
  ) {}

  /** The running server, started if needed. Throws with a message for the user when it cannot. */
  async ensureRunning(): Promise<RunningTrackingServer> {
    if (!vscode.workspace.isTrusted) throw new Error('the local server does not run in Restricted Mode; trust this folder first');
    this.starting ??= this.start().catch((error: unknown) => {
      this.starting = undefined;
      throw error;
    });
    return this.starting;
  }

  private async start(): Promise<RunningTrackingServer> {
    const access = await this.storeService.access({ create: true });
    if (access.state !== 'open') throw new Error(access.state === 'noFolder' ? 'open a folder first' : 'message' in access ? access.message : 'the store is not available');
    const { startTrackingServer } = await import('../../core/server/trackingServer');
    const port = readSettings().serverPort;
    try {
      const server = await startTrackingServer({
        store: access.store,
        port,
        onRequest: (e) => {
          if (e.status >= 400) this.log.warn(`server: ${e.method} ${e.path} → ${e.status} (${e.durationMs.toFixed(1)} ms)`);
        },
      });
      this.log.info(`MLflow-compatible server listening on ${server.url} (token required; see .mlops/server.json)`);
      return server;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(port ? `cannot listen on 127.0.0.1:${port} (${message}); change "mlops.server.port" or set it to 0 for any free port` : message, { cause: error });
    }
  }

  /** The server's URL if it runs, without starting it. */
  async url(): Promise<string | undefined> {
    return this.starting ? (await this.starting.catch(() => undefined))?.url : undefined;
  }

  async stop(): Promise<void> {
    const starting = this.starting;
    this.starting = undefined;
    const server = await starting?.catch(() => undefined);
    if (server) {
      await server.close();
      this.log.info(`MLflow-compatible server on ${server.url} stopped`);
    }
  }

  dispose(): void {
    void this.stop();
  }
}

/** "MLOps: Start MLflow-Compatible Server" / "Stop": start, then offer to copy the environment. */
export function registerServerCommands(service: TrackingServerService): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('mlops.startServer', async () => {
      try {
        const server = await service.ensureRunning();
        const copy = 'Copy Environment';
        const choice = await vscode.window.showInformationMessage(
          `MLOps: MLflow-compatible server on ${server.url}. Python scripts log into it with MLFLOW_TRACKING_URI and MLFLOW_TRACKING_TOKEN set.`,
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
      const url = await service.url();
      await service.stop();
      void vscode.window.showInformationMessage(url ? `MLOps: the server on ${url} is stopped.` : 'MLOps: no server was running.');
    }),
  ];
}
