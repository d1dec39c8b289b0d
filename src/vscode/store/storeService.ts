import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { WorkspaceStore } from '../../core/store/workspaceStore';
import { resolveStoreDir } from '../settings/settings';

export type StoreAccess =
  | { state: 'noFolder' }
  | { state: 'absent'; dir: string }
  | { state: 'open'; dir: string; store: WorkspaceStore }
  | { state: 'locked'; dir: string; message: string }
  | { state: 'error'; dir: string; message: string };

/**
 * Owns this window's handle on the workspace store. Nothing is loaded until something asks:
 * the store module (and with it sql.js) is imported on first use, never at activation.
 */
export class StoreService implements vscode.Disposable {
  private opening: Promise<StoreAccess> | undefined;
  private openedDir: string | undefined;
  private readonly changeEmitter = new vscode.EventEmitter<void>();
  private readonly openEmitter = new vscode.EventEmitter<WorkspaceStore>();
  /** Fires when this window becomes the store's writer. */
  readonly onDidOpen = this.openEmitter.event;
  /** Fires when the store's content or this window's access to it changes. */
  readonly onDidChange = this.changeEmitter.event;
  private storeSubscription: { dispose(): void } | undefined;

  constructor(private readonly log: vscode.LogOutputChannel) {}

  /** The store if it exists (or `create` is set), opening it on first call. */
  async access(options: { create?: boolean } = {}): Promise<StoreAccess> {
    const dir = resolveStoreDir();
    if (!dir) return { state: 'noFolder' };
    if (this.openedDir !== undefined && this.openedDir !== dir) await this.close();
    if (!this.opening) {
      if (!options.create && !existsSync(dir)) return { state: 'absent', dir };
      this.opening = this.open(dir);
    }
    const access = await this.opening;
    // A failed open is retried on the next call: the other writer may have gone away.
    if (access.state !== 'open') this.opening = undefined;
    return access;
  }

  private async open(dir: string): Promise<StoreAccess> {
    const started = Date.now();
    // Lazy: loads the engine's store and sql.js only now.
    const { openWorkspaceStore, StoreLockedError } = await import('../../core/store/workspaceStore');
    try {
      const store = await openWorkspaceStore({ dir, writerName: `VS Code window (${vscode.env.appName})` });
      this.openedDir = dir;
      this.storeSubscription = store.tracking.onDidChange(() => this.changeEmitter.fire());
      this.log.info(`Opened the workspace store ${dir} in ${Date.now() - started} ms`);
      this.openEmitter.fire(store);
      this.changeEmitter.fire();
      return { state: 'open', dir, store };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof StoreLockedError) {
        this.log.warn(message);
        return { state: 'locked', dir, message };
      }
      this.log.error(`Could not open the workspace store ${dir}: ${message}`);
      return { state: 'error', dir, message };
    }
  }

  /** Asks every view and panel to re-read the store. */
  refresh(): void {
    this.changeEmitter.fire();
  }

  async close(): Promise<void> {
    const opening = this.opening;
    this.opening = undefined;
    this.openedDir = undefined;
    this.storeSubscription?.dispose();
    this.storeSubscription = undefined;
    if (!opening) return;
    const access = await opening;
    if (access.state === 'open') {
      await access.store.close();
      this.log.info(`Closed the workspace store ${access.dir}`);
    }
  }

  dispose(): void {
    void this.close();
    this.changeEmitter.dispose();
    this.openEmitter.dispose();
  }
}
